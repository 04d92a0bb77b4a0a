"""What the pages ask of the store and the analysis, gathered in one place.

Routes stay a few lines each: they validate parameters, call one function here
(or one store method) and render.  The cross-article records (merged timeline,
dyad trend, positions) come from ``parley.analysis``; this module only groups
them for display.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from parley.analysis.positions import Position, store_positions
from parley.analysis.timeline import timeline
from parley.analysis.trend import MonthCount, store_trend
from parley.model import Actor, Article
from parley.settings import Settings
from parley.store.base import Store, TimelineEvent
from parley.web.filters import FeedQuery

# --------------------------------------------------------------------------- actors


def actor_index(store: Store) -> dict[str, Actor]:
    return {actor.id: actor for actor in store.actors()}


def find_actor(store: Store, actor_id: str) -> Actor | None:
    return actor_index(store).get(actor_id)


def matching_actors(actors: Iterable[Actor], text: str | None) -> list[Actor]:
    """Actors whose id, name or an alias contains ``text`` (all when empty)."""
    if not text:
        return list(actors)
    wanted = text.casefold()
    return [a for a in actors if any(wanted in n.casefold() for n in [a.id, a.name, *a.aliases])]


# --------------------------------------------------------------------------- timeline


def timeline_events(
    store: Store, query: FeedQuery | None = None, *, limit: int | None = None, offset: int = 0
) -> list[TimelineEvent]:
    """Merged events, oldest first, narrowed by the feed filters that apply to events
    (filtered and paged by the store when ``limit`` is given)."""
    query = query or FeedQuery()
    return timeline(store, dyad=query.dyad, date_from=query.date_from, date_to=query.date_to,
                    actor=query.actor, limit=limit, offset=offset)


def event_label(event: TimelineEvent, side: str) -> str:
    """The name of the event's source or target actor, for headings."""
    if side == "source":
        return event.source_name or event.source_id or event.source_country or "—"
    return event.target_name or event.target_id or event.target_country or "—"


def year_of(event: TimelineEvent) -> str:
    """The event's year ("2019"), or "undated"."""
    date = event.date or ""
    return date[:4] if date[:4].isdigit() else "undated"


def year_counts(events: Iterable[TimelineEvent]) -> list[tuple[str, int]]:
    """[(year, number of events)] in date order, "undated" last (the timeline's index)."""
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        counts[year_of(event)] += 1
    return sorted(counts.items(), key=lambda item: (item[0] == "undated", item[0]))


@dataclass
class TimelineMonth:
    year: str
    month: str  # "05", or "" when only the year is known
    events: list[TimelineEvent] = field(default_factory=list)


def group_by_month(events: Iterable[TimelineEvent]) -> list[tuple[str, list[TimelineMonth]]]:
    """[(year, [month groups])] in date order; undated events go last, under "undated"."""
    years: dict[str, dict[str, TimelineMonth]] = defaultdict(dict)
    for event in events:
        date = event.date or ""
        year = year_of(event)
        month = date[5:7] if len(date) >= 7 and date[5:7].isdigit() else ""
        group = years[year].setdefault(month, TimelineMonth(year, month))
        group.events.append(event)
    return [(year, [months[m] for m in sorted(months)]) for year, months in
            sorted(years.items(), key=lambda item: (item[0] == "undated", item[0]))]


@dataclass
class Source:
    """One article reporting a merged event (its reports of it folded together)."""

    article_id: str
    title: str
    published: str | None
    background: bool
    sentences: list[str] = field(default_factory=list)


def sources(event: TimelineEvent) -> list[Source]:
    """The articles behind a merged event, in report order, each listed once."""
    found: dict[str, Source] = {}
    for report in event.reports:
        article_id = str(report.get("article_id"))
        source = found.get(article_id)
        if source is None:
            source = found[article_id] = Source(
                article_id, str(report.get("title") or article_id), report.get("published"),
                bool(report.get("background")))
        source.background = source.background and bool(report.get("background"))
        sentence = report.get("sentence")
        if sentence and sentence not in source.sentences:
            source.sentences.append(str(sentence))
    return list(found.values())


@dataclass
class Side:
    heading: str
    quotes: list[dict[str, Any]]


def sides(event: TimelineEvent) -> list[Side]:
    """The event's quotes in columns: the source's side, the target's side, anyone else."""
    source: list[dict[str, Any]] = []
    target: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for quote in event.quotes:
        side = quote.get("side")
        if side and side == event.source_country:
            source.append(quote)
        elif side and side == event.target_country:
            target.append(quote)
        else:
            other.append(quote)
    columns = [Side(_side_heading(event, "source"), source)]
    if event.target_country != event.source_country or target:
        columns.append(Side(_side_heading(event, "target"), target))
    if other:
        columns.append(Side("Others", other))
    return columns


def _side_heading(event: TimelineEvent, side: str) -> str:
    country = event.source_country if side == "source" else event.target_country
    name = event_label(event, side)
    return f"{country} · {name}" if country and country not in name else name


def other_media(store: Store, article_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """For each article, the other articles reporting one of its events as news.

    Only the merged events of these articles are read (``Store.timeline_events_of``);
    items are ``{"article_id", "title", "published"}`` taken from the events' reports,
    so no article has to be loaded.
    """
    wanted = set(article_ids)
    others: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for event in store.timeline_events_of(sorted(wanted)):
        reporters = {str(r.get("article_id")): r for r in event.reports if not r.get("background")}
        for article_id in wanted.intersection(reporters):
            for other_id, report in reporters.items():
                if other_id != article_id:
                    others[article_id][other_id] = {
                        "article_id": other_id,
                        "title": report.get("title") or other_id,
                        "published": report.get("published"),
                    }
    return {aid: sorted(found.values(), key=lambda r: (r["published"] or "", r["article_id"]))
            for aid, found in others.items()}


# --------------------------------------------------------------------------- per article


def new_paragraphs(article: Article) -> list[str]:
    """What the article adds: its body paragraphs that are not recycled background."""
    return [article.text[p.start : p.end] for p in article.paragraphs
            if p.kind == "body" and not p.background]


def background_share(article: Article) -> tuple[int, int]:
    """(recycled body paragraphs, all body paragraphs)."""
    body = [p for p in article.paragraphs if p.kind == "body"]
    return sum(1 for p in body if p.background), len(body)


# --------------------------------------------------------------------------- trend, positions


def dyad_trend(store: Store, a: str, b: str) -> list[MonthCount]:
    """Monthly cooperative/conflictual event counts between two countries."""
    return store_trend(store, a, b)


def positions(store: Store, a: str, b: str, settings: Settings) -> list[Position]:
    """What each side of the dyad stated, by issue (``parley.analysis.positions``)."""
    return store_positions(store, a, b, settings)
