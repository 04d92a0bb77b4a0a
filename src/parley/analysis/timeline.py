"""The merged timeline: computed from every stored article, persisted, filtered.

``update_corpus`` is the one place that recomputes the cross-article records
(background links and merged events) after articles were added or re-processed;
``timeline`` reads them back with the filters the CLI, API and web pages share.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from parley.analysis.background import (
    BackgroundIndex,
    BackgroundParams,
    background_paragraphs,
    find_background_links,
)
from parley.analysis.merge import flagged_paragraphs, merge_events, merge_store
from parley.errors import ParleyError
from parley.model import Article, to_dict
from parley.settings import Settings
from parley.store.base import BackgroundLink, Store, TimelineEvent


def parse_dyad(dyad: str | tuple[str, str] | None) -> frozenset[str] | None:
    """``"RUS-JPN"`` (or a pair) -> ``{"RUS", "JPN"}``; order does not matter."""
    if dyad is None:
        return None
    parts = dyad.replace(",", "-").split("-") if isinstance(dyad, str) else list(dyad)
    codes = frozenset(part.strip().upper() for part in parts if part.strip())
    if len(codes) != 2:
        raise ParleyError(f"a dyad is two country codes like RUS-JPN, not {dyad!r}")
    return codes


def _overlaps(date: str | None, date_from: str | None, date_to: str | None) -> bool:
    """Does an event dated ``2018-11`` (a whole month) overlap ``[from, to]``?"""
    if date_from is None and date_to is None:
        return True
    if date is None:
        return False
    earliest, latest = date, date + "~"
    return (date_from is None or latest >= date_from) and (date_to is None or earliest <= date_to)


def _involves(event: TimelineEvent, actor: str) -> bool:
    wanted = actor.lower()
    for actor_id, name in ((event.source_id, event.source_name),
                           (event.target_id, event.target_name)):
        if actor_id and actor_id.lower() == wanted:
            return True
        if name and wanted in name.lower():
            return True
    return False


def filter_timeline(
    events: Iterable[TimelineEvent],
    *,
    dyad: str | tuple[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    actor: str | None = None,
) -> list[TimelineEvent]:
    """The events matching every given filter, in date order."""
    sides = parse_dyad(dyad)
    selected = []
    for event in events:
        if sides is not None and frozenset((event.source_country, event.target_country)) != sides:
            continue
        if not _overlaps(event.date, date_from, date_to):
            continue
        if actor is not None and not _involves(event, actor):
            continue
        selected.append(event)
    return sorted(selected, key=lambda e: (e.date or "~", e.id))


def compute_corpus(
    articles: Iterable[Article],
) -> tuple[list[BackgroundLink], list[TimelineEvent]]:
    """Background links and the merged timeline of ``articles`` (pure; order-free)."""
    articles = list(articles)
    links = find_background_links(articles)
    return links, merge_events(articles, links)


def timeline(
    store: Store,
    *,
    dyad: str | tuple[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    actor: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[TimelineEvent]:
    """Merged events in date order, filtered (a dyad is two country codes, ``RUS-JPN``).

    Reads the timeline persisted by ``update_corpus``, filtered and paged in the
    store's database (indexed columns, so a query costs its result, not the
    corpus); if none was persisted yet, it is computed from the stored articles
    (and not saved) and filtered here.
    """
    sides = parse_dyad(dyad)
    pair: tuple[str, str] | None = None
    if sides is not None:
        first, second = sorted(sides)
        pair = (first, second)
    events = store.timeline_events(dyad=pair, date_from=date_from, date_to=date_to,
                                   actor=actor, limit=limit, offset=offset)
    if (pair, date_from, date_to, actor, limit, offset) == (None, None, None, None, None, 0):
        events = filter_timeline(events)  # the whole timeline: in stored order, so sort
    if events or not store.count_articles() or store.timeline_events(limit=1):
        return events
    _, computed = compute_corpus(store.iter_articles())
    selected = filter_timeline(computed, dyad=dyad, date_from=date_from, date_to=date_to,
                               actor=actor)[offset:]
    return selected if limit is None else selected[:limit]


def background_index_path(store: Store) -> Path | None:
    """Where the background index of a SQLite store is kept: next to its file
    (``corpus.db`` -> ``corpus.db.background.pkl``).  Other stores keep none and
    rebuild the index on each update (the result is the same, only slower)."""
    path = getattr(store, "path", None)
    if not isinstance(path, Path) or path.name == ":memory:":
        return None
    return path.with_name(path.name + ".background.pkl")


def _load_index(path: Path | None) -> BackgroundIndex:
    """The persisted index, or a fresh one when there is none, it cannot be read,
    or it was built with other parameters."""
    if path is not None and path.exists():
        try:
            index: BackgroundIndex | None = BackgroundIndex.load(path)
        except Exception:  # a damaged or outdated file is only a cache: rebuild
            index = None
        if index is not None and index.params == BackgroundParams():
            return index
    return BackgroundIndex()


def update_corpus(store: Store, settings: Settings | None = None) -> None:
    """Bring background links and the merged timeline up to date with the store.

    Background detection is incremental: the persisted index is compared with
    the stored articles, and only new, changed (other date or body) or deleted
    articles are added to or removed from it; only the articles whose links
    changed get their links rewritten.  The result equals a recomputation from
    scratch (the index's links do not depend on the order articles arrive in).
    ``Paragraph.background`` flags are saved for articles whose flags changed.

    The merged timeline is then recomputed from every article's events, one year
    at a time (``merge.merge_store``), and written as it is computed
    (``replace_timeline`` spools it to a temporary file, then swaps it in in one
    transaction).  The merge reads which paragraphs are recycled from the saved
    flags, so the background index is let go before it starts: the step's peak
    memory is the larger of the two passes, not their sum.  The merge's memory is
    bounded by the busiest year's reports (undated reports count as one year) and
    the merged actors, not by the whole corpus.
    """
    update_background(store)
    update_timeline(store)


def update_background(store: Store) -> None:
    """Passes 1 and 2 of ``update_corpus``: the background index brought up to date
    (and saved next to a SQLite store), the links and flags that changed rewritten."""
    path = background_index_path(store)
    index = _load_index(path)
    # pass 1, streamed: bring the index up to date (its links do not depend on the
    # order articles arrive in; publication order is the cheapest, see
    # ``BackgroundIndex.add``)
    present: set[str] = set()
    touched: set[str] = set()
    for article in store.iter_articles_published():
        present.add(article.id)
        if index.is_current(article):
            continue
        touched |= index.remove(article.id) | {article.id}
        for link in index.add(article):
            touched |= {link.article_id, link.earlier_article_id}
    for gone in sorted(index.article_ids() - present):
        touched |= index.remove(gone)
    # pass 2, streamed: rewrite the links and background flags that changed, a few
    # commits a second rather than one per article
    with store.grouped_writes():
        for article in store.iter_articles():
            links = index.links_of(article.id)
            if article.id in touched:
                store.replace_background_links(article.id, links)
            flags = background_paragraphs(links).get(article.id, set())
            changed = False
            for paragraph in article.paragraphs:
                if paragraph.background != (paragraph.index in flags):
                    paragraph.background = paragraph.index in flags
                    changed = True
            if changed:
                store.save_background_flags(article)
    if path is not None and touched:
        index.save(path)


def update_timeline(store: Store) -> None:
    """Pass 3 of ``update_corpus``, streamed: the merge, a year of reports at a time,
    reading the background flags that ``update_background`` saved."""
    store.replace_timeline(merge_store(store, recycled_of=flagged_paragraphs))


# --------------------------------------------------------------------------- output


def event_sources(event: TimelineEvent) -> list[dict[str, Any]]:
    """One entry per reporting article: id, title, date, and ``new`` or ``background``."""
    by_article: dict[str, dict[str, Any]] = {}
    for report in event.reports:
        entry = by_article.setdefault(report["article_id"], {
            "article_id": report["article_id"],
            "title": report.get("title"),
            "published": report.get("published"),
            "reporting": "background",
        })
        if not report.get("background"):
            entry["reporting"] = "new"
    return sorted(by_article.values(), key=lambda s: (s["published"] or "~", s["article_id"]))


def timeline_record(event: TimelineEvent) -> dict[str, Any]:
    """The JSON shape of a timeline entry: the event plus its ``sources``."""
    record: dict[str, Any] = to_dict(event)
    record["sources"] = event_sources(event)
    return record


def _participants(event: TimelineEvent) -> str:
    def one(name: str | None, actor_id: str | None, side: str | None) -> str:
        label = name or actor_id or "?"
        return f"{label} ({side})" if side else label

    return (f"{one(event.source_name, event.source_id, event.source_country)} -> "
            f"{one(event.target_name, event.target_id, event.target_country)}")


def format_timeline(events: list[TimelineEvent], fmt: str = "text") -> str:
    """Render the timeline as ``text``, ``md``, ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps([timeline_record(e) for e in events], ensure_ascii=False, indent=2)
    if fmt == "csv":
        from parley.analysis.export import COLUMNS, event_rows

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        for row in event_rows(events):
            writer.writerow({**row, "source_articles": ";".join(row["source_articles"])})
        return buffer.getvalue()
    if fmt not in ("text", "md"):
        raise ParleyError(f"unknown timeline format {fmt!r}: use text, md, json or csv")
    lines = []
    if fmt == "md":
        lines += ["| date | precision | type | participants | modality | sources |",
                  "|---|---|---|---|---|---|"]
    for event in events:
        sources = ", ".join(f"{s['article_id'][:12]} ({s['reporting']})"
                            for s in event_sources(event))
        kind = f"{event.cameo} {event.plover}"
        if fmt == "md":
            lines.append(f"| {event.date or '?'} | {event.date_granularity} | {kind} | "
                         f"{_participants(event)} | {event.modality} | {sources} |")
            continue
        lines.append(f"{event.date or '????-??-??'} ({event.date_granularity})  {kind}  "
                     f"{_participants(event)}  [{event.modality}]")
        lines.append(f"    sources: {sources}")
        speakers = sorted({f"{q['speaker'] or '?'}" + (f" ({q['side']})" if q["side"] else "")
                           for q in event.quotes})
        if speakers:
            lines.append(f"    quotes: {len(event.quotes)} by " + ", ".join(speakers))
        for conflict in event.conflicts:
            lines.append(f"    conflict: {conflict}")
    return "\n".join(lines) + ("\n" if lines else "")
