"""One real-world event from many reports, and one actor from many articles.

Two reports describe the same event when they are compatible on all four:

- **type**: same CAMEO root (first two digits) or same PLOVER category;
- **participants**: the same unordered pair of actors, where an actor also
  matches a country-level actor (a country or its government) of the same side
  ("Putin" ~ "Russia").  Across articles both participants must be known,
  unless the two sentences are copies of each other (60 % of their word
  trigrams shared: recycled background), when an unknown participant matches
  anyone; within one article one known participant in common is enough;
- **date**: one date contains the other at the coarser granularity
  ("2018-11" joins "2018-11-14"; undated reports are never merged across
  articles); the merged event keeps the most precise date;
- **place**: unknown, equal, or one name contains the other.

Reports are clustered greedily, most precise date first, in an order that
depends only on the reports themselves (date, publication date, article id,
event id), and a report joins a cluster only if it is compatible with every
member (complete link).  The merged timeline is therefore the same whatever
order the articles were ingested in.  Details the reports disagree on (CAMEO
code, modality, place) are kept in ``conflicts`` rather than dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from parley.analysis.background import (
    article_order_key,
    background_paragraphs,
    overlap_coefficient,
    shingle_hashes,
)
from parley.model import Actor, Article, Event, Quote
from parley.store.base import BackgroundLink, TimelineEvent

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
#: sentences sharing this share of word trigrams are copies (recycled wording)
SAME_SENTENCE = 0.6
COUNTRY_LEVEL = frozenset({"country", "government"})
#: how the merged modality is chosen when reports disagree (after counting them)
_MODALITY_PRIORITY = ("occurred", "demanded", "planned", "hypothetical", "negated")
#: the PLOVER category that names an occasion when one sentence reports several actions
OCCASION_PLOVER = "CONSULT"
STATEMENT_PLOVER = "STATEMENT"


# --------------------------------------------------------------------------- actors


@dataclass
class ActorTable:
    """Actors merged across articles: one canonical record per real entity."""

    actors: dict[str, Actor] = field(default_factory=dict)
    #: (article id, actor id in that article) -> canonical actor id
    resolve_map: dict[tuple[str, str], str] = field(default_factory=dict)

    def resolve(self, article_id: str, actor_id: str | None) -> Actor | None:
        if actor_id is None:
            return None
        canonical = self.resolve_map.get((article_id, actor_id), actor_id)
        return self.actors.get(canonical)


def _name_key(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.lower()))


def actor_side(actor: Actor | None) -> str | None:
    """The country an actor acts for: its ISO-3 country, except where its CAMEO code
    names another (the Soviet Union, SUN, carries RUS: Russia's side).
    Organisations without a country have no side."""
    if actor is None or actor.country is None:
        return None
    if actor.code and len(actor.code) >= 3 and actor.code[:3] != actor.country:
        return actor.code[:3]
    return actor.country


def merge_actors(articles: Iterable[Article]) -> ActorTable:
    """One actor per real entity: knowledge-base actors by id, others by kind and name.

    The canonical name is the knowledge base's, else the most frequent spelling;
    ``aliases`` collects every other spelling seen (names, aliases, mentions).
    """
    table = ActorTable()
    spellings: dict[str, Counter[str]] = {}
    for article in sorted(articles, key=article_order_key):
        for actor in article.actors:
            canonical = actor.id if actor.in_kb else f"{actor.kind}:{_name_key(actor.name)}"
            table.resolve_map[(article.id, actor.id)] = canonical
            seen = spellings.setdefault(canonical, Counter())
            seen[actor.name] += 1
            for alias in actor.aliases:
                seen[alias] += 0
            merged = table.actors.get(canonical)
            if merged is None:
                table.actors[canonical] = Actor(
                    id=canonical, name=actor.name, kind=actor.kind, country=actor.country,
                    code=actor.code, offices=list(actor.offices), in_kb=actor.in_kb,
                )
                continue
            merged.country = merged.country or actor.country
            merged.code = merged.code or actor.code
            for office in actor.offices:
                if office not in merged.offices:
                    merged.offices.append(office)
        for mention in article.mentions:
            if mention.actor_id is None or mention.kind not in ("name", "alias"):
                continue
            canonical = table.resolve_map.get((article.id, mention.actor_id), mention.actor_id)
            spellings.setdefault(canonical, Counter())[mention.text] += 1
    for canonical, merged in table.actors.items():
        seen = spellings.get(canonical, Counter())
        if not merged.in_kb and seen:
            merged.name = min(seen, key=lambda name: (-seen[name], name))
        merged.aliases = sorted(name for name in seen if name != merged.name)
    return table


# --------------------------------------------------------------------------- events


@dataclass
class _Report:
    article: Article
    event: Event
    source: Actor | None
    target: Actor | None
    date: str | None
    background: bool
    sentence_hashes: Any = None

    @property
    def order(self) -> tuple[int, str, tuple[str, str], str]:
        """Most precise date first, then date, publication, article, event id."""
        precision = -len(self.date) if self.date else 0
        return (precision, self.date or "~", article_order_key(self.article), self.event.id)


def normalise_date(value: str | None) -> str | None:
    """The calendar part of a TIMEX3 value (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
    if not value:
        return None
    match = _DATE.match(value)
    return match.group(0) if match else None


def dates_compatible(a: str | None, b: str | None) -> bool:
    """True when one date contains the other (``2018-11`` and ``2018-11-14``)."""
    if a is None or b is None:
        return False
    return a.startswith(b) or b.startswith(a)


def places_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    a, b = _name_key(a), _name_key(b)
    return a in b or b in a


def actors_compatible(a: Actor | None, b: Actor | None) -> bool:
    """Same actor, or one is a country-level actor of the other's side, or one unknown."""
    if a is None or b is None:
        return True
    if a.id == b.id:
        return True
    side = actor_side(a)
    return side is not None and side == actor_side(b) and (
        a.kind in COUNTRY_LEVEL or b.kind in COUNTRY_LEVEL
    )


def _known_match(a: Actor | None, b: Actor | None) -> bool:
    return a is not None and b is not None and actors_compatible(a, b)


def _complete(report: _Report) -> bool:
    return report.source is not None and report.target is not None


def _copies(a: _Report, b: _Report) -> bool:
    return overlap_coefficient(a.sentence_hashes, b.sentence_hashes) >= SAME_SENTENCE


def participants_compatible(a: _Report, b: _Report) -> bool:
    """The same unordered pair of participants (see the module docstring)."""
    if a.article.id == b.article.id or _copies(a, b):
        needed = 0 if a.article.id != b.article.id else 1
    elif _complete(a) and _complete(b):
        needed = 2
    elif _complete(a) or _complete(b):
        needed = 1  # a partial report joins a complete one it fits
    else:
        return False  # two partial reports cannot show they are the same event
    for x_source, x_target in ((b.source, b.target), (b.target, b.source)):
        if actors_compatible(a.source, x_source) and actors_compatible(a.target, x_target):
            known = _known_match(a.source, x_source) + _known_match(a.target, x_target)
            if known >= needed:
                return True
    return False


def types_compatible(a: Event, b: Event) -> bool:
    return a.cameo[:2] == b.cameo[:2] or (bool(a.plover) and a.plover == b.plover)


def reports_compatible(a: _Report, b: _Report, *, participants: bool = True) -> bool:
    if a.article.id == b.article.id and a.event.id == b.event.id:
        return True
    if a.date is None or b.date is None:
        # undated reports merge only with each other, in one article or as copied wording
        if a.date != b.date or (a.article.id != b.article.id and not _copies(a, b)):
            return False
    elif not dates_compatible(a.date, b.date):
        return False
    return (
        types_compatible(a.event, b.event)
        and places_compatible(a.event.place, b.event.place)
        and (not participants or participants_compatible(a, b))
    )


def _fits(report: _Report, cluster: list[_Report]) -> bool:
    """Compatible with every member; participants checked against the members that
    name both (a partial report is measured against the complete ones)."""
    complete = [member for member in cluster if _complete(member)] or cluster
    return all(reports_compatible(report, m, participants=False) for m in cluster) and all(
        participants_compatible(report, m) or report is m for m in complete
    )


def _in_recycled(article: Article, event: Event, recycled: set[int]) -> bool:
    start = event.sentence_span.start
    return any(p.start <= start < p.end and p.index in recycled for p in article.paragraphs)


def _report_date(article: Article, event: Event, recycled: bool) -> str | None:
    """The event's date; none when a recycled sentence is dated on or after its
    article's day - text written for an earlier story cannot report that day, so
    the date was only the publication date filled in."""
    date = normalise_date(event.date)
    day = article.published.day if article.published else None
    if recycled and date and day and (day.startswith(date) or date > day):
        return None
    return date


def _bucket(report: _Report) -> tuple[str, frozenset[str]]:
    """Reports that could merge share a year (or are all undated) and a pair of sides."""
    sides = frozenset(
        side for side in (actor_side(report.source), actor_side(report.target)) if side
    )
    year = report.date[:4] if report.date else "undated"
    return (year, sides)


def collect_reports(
    articles: Sequence[Article], links: Iterable[BackgroundLink], actors: ActorTable
) -> list[_Report]:
    recycled = background_paragraphs(links)
    reports = []
    for article in articles:
        for event in article.events:
            copied = _in_recycled(article, event, recycled.get(article.id, set()))
            reports.append(
                _Report(
                    article=article,
                    event=event,
                    source=actors.resolve(article.id, event.source_id),
                    target=actors.resolve(article.id, event.target_id),
                    date=_report_date(article, event, copied),
                    background=event.background or copied,
                    sentence_hashes=shingle_hashes(event.sentence_span.slice(article.text)),
                )
            )
    return sorted(reports, key=lambda r: r.order)


def cluster_reports(reports: Sequence[_Report]) -> list[list[_Report]]:
    """Greedy complete-link clustering (``reports`` in their canonical order).

    A coarse date may fit several clusters (``2018-11`` and two November days):
    the report joins the one with the most reports, then the earliest made.
    Only clusters of the same year whose sides include (or are included in) the
    report's known sides are compared, which keeps this near-linear at scale.
    """
    clusters: list[list[_Report]] = []
    by_year: dict[str, dict[frozenset[str], list[int]]] = {}
    for report in reports:
        year, sides = _bucket(report)
        buckets = by_year.setdefault(year, {})
        best: int | None = None
        for other_sides, numbers in buckets.items():
            if not (sides <= other_sides or other_sides <= sides):
                continue
            for number in numbers:
                cluster = clusters[number]
                if _fits(report, cluster) and (
                    best is None
                    or (-len(cluster), number) < (-len(clusters[best]), best)
                ):
                    best = number
        if best is None:
            buckets.setdefault(sides, []).append(len(clusters))
            clusters.append([report])
        else:
            clusters[best].append(report)
    return clusters


def _event_quotes(cluster: list[_Report], actors: ActorTable) -> list[dict[str, Any]]:
    """Quotes linked to the event, or said by a participant about it in a reporting article."""
    participants = {a.id for r in cluster for a in (r.source, r.target) if a is not None}
    date = cluster[0].date
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for report in cluster:
        article = report.article
        published_day = article.published.day if article.published else None
        for quote in article.quotes:
            speaker = actors.resolve(article.id, quote.speaker_id)
            linked = quote.id in report.event.quote_ids
            speaks = speaker is not None and speaker.id in participants
            about = speaks and not report.background and (
                dates_compatible(normalise_date(quote.date), date)
                if quote.date
                else dates_compatible(published_day, date)
            )
            if linked or about:
                found[(article.id, quote.id)] = _quote_record(article, quote, speaker)
    return [found[key] for key in sorted(found)]


def _quote_record(article: Article, quote: Quote, speaker: Actor | None) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "quote_id": quote.id,
        "speaker_id": speaker.id if speaker else quote.speaker_id,
        "speaker": speaker.name if speaker else quote.speaker_text,
        "side": actor_side(speaker),
        "kind": quote.kind,
        "text": quote.text,
    }


def _sentence(report: _Report) -> str:
    return report.event.sentence_span.slice(report.article.text).strip()


def _merge_cluster(cluster: list[_Report], actors: ActorTable) -> TimelineEvent:
    first = cluster[0]
    cameos = Counter(r.event.cameo for r in cluster)
    cameo = min(cameos, key=lambda code: (-cameos[code], code))
    chosen = next(r for r in cluster if r.event.cameo == cameo)
    modalities = Counter(r.event.modality for r in cluster)
    modality = min(
        modalities,
        key=lambda m: (-modalities[m], _MODALITY_PRIORITY.index(m)
                       if m in _MODALITY_PRIORITY else 99),
    )
    places = sorted({r.event.place for r in cluster if r.event.place})
    conflicts = []
    if len(cameos) > 1:
        conflicts.append("cameo: " + ", ".join(_by_article(cluster, lambda r: r.event.cameo)))
    if len(modalities) > 1:
        conflicts.append(
            "modality: " + ", ".join(_by_article(cluster, lambda r: r.event.modality))
        )
    if len(places) > 1:
        conflicts.append(
            "place: " + ", ".join(_by_article(cluster, lambda r: r.event.place or "-"))
        )
    reports = [
        {
            "article_id": r.article.id,
            "event_id": r.event.id,
            "background": r.background,
            "published": r.article.published.value if r.article.published else None,
            "title": r.article.title,
            "date": r.event.date,
            "cameo": r.event.cameo,
            "modality": r.event.modality,
            "sentence": _sentence(r),
        }
        for r in sorted(cluster, key=lambda r: (article_order_key(r.article), r.event.id))
    ]
    source, target = first.source, first.target
    digest = hashlib.sha1(f"{first.article.id}:{first.event.id}".encode()).hexdigest()[:12]
    return TimelineEvent(
        id=f"tl-{digest}",
        date=first.date,
        date_granularity=_granularity(first.date),
        cameo=cameo,
        plover=chosen.event.plover,
        quad_class=chosen.event.quad_class,
        goldstein=chosen.event.goldstein,
        source_id=source.id if source else first.event.source_id,
        target_id=target.id if target else first.event.target_id,
        place=max(places, key=len) if places else None,
        modality=modality,
        reports=reports,
        conflicts=conflicts,
        source_name=source.name if source else None,
        target_name=target.name if target else None,
        source_code=source.code if source else None,
        target_code=target.code if target else None,
        source_country=actor_side(source),
        target_country=actor_side(target),
        quotes=_event_quotes(cluster, actors),
        sentence=_sentence(first),
    )


def _by_article(cluster: list[_Report], value: Any) -> list[str]:
    return sorted({f"{value(r)} ({r.article.id})" for r in cluster})


def _granularity(date: str | None) -> str:
    return {4: "year", 7: "month", 10: "day"}.get(len(date or ""), "unknown")


def timeline_sort_key(event: TimelineEvent) -> tuple[str, str]:
    return (event.date or "~", event.id)


def merge_events(
    articles: Iterable[Article], links: Iterable[BackgroundLink] = ()
) -> list[TimelineEvent]:
    """Every event of ``articles`` merged into timeline events, sorted by date.

    ``links`` (from ``background.find_background_links``) say which paragraphs are
    recycled, so each report is marked as new reporting or background.
    """
    ordered = sorted(articles, key=article_order_key)
    actors = merge_actors(ordered)
    reports = collect_reports(ordered, list(links), actors)
    merged = [_merge_occasion(occasion, actors)
              for occasion in group_occasions(cluster_reports(reports))]
    return sorted(merged, key=timeline_sort_key)


# --------------------------------------------------------------------------- occasions


def _occasion_key(report: _Report) -> tuple[str, int, int, str | None, tuple[str, str]]:
    """Reports with equal keys are actions of one occasion: one sentence, one date,
    the same (unordered) participants."""
    pair = sorted(actor.id if actor else "" for actor in (report.source, report.target))
    span = report.event.sentence_span
    return (report.article.id, span.start, span.end, report.date, (pair[0], pair[1]))


def _is_news_day(report: _Report) -> bool:
    """A day-precise report in new (not background) text."""
    return not report.background and report.date is not None and len(report.date) == 10


def group_occasions(clusters: list[list[_Report]]) -> list[list[list[_Report]]]:
    """Clusters that share an occasion (see ``_occasion_key``) grouped together.

    "Putin and Abe met and agreed to ..." yields a meeting and an agreement from
    one sentence: one real-world occasion, so one timeline entry listing both
    actions.  A participant's statements reported with a meeting on its day join
    it.  Groups are the connected components, so they do not depend on the order
    of ``clusters``; each group keeps the order it was given in.
    """
    parent = list(range(len(clusters)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_with: dict[tuple[str, int, int, str | None, tuple[str, str]], int] = {}
    for number, cluster in enumerate(clusters):
        for report in cluster:
            other = first_with.setdefault(_occasion_key(report), number)
            parent[find(number)] = find(other)
    # a participant's statements on the day of a meeting, in an article reporting that
    # meeting, are the remarks made at it ("Lavrov said following talks with Kono")
    meetings: dict[tuple[str, str, str], int] = {}
    for number, cluster in enumerate(clusters):
        for report in cluster:
            if report.event.plover == OCCASION_PLOVER and _is_news_day(report):
                for actor in (report.source, report.target):
                    if actor is not None:
                        key = (report.article.id, report.date or "", actor.id)
                        meetings.setdefault(key, number)
    for number, cluster in enumerate(clusters):
        if not all(r.event.plover == STATEMENT_PLOVER for r in cluster):
            continue
        for report in cluster:
            if report.source is not None and _is_news_day(report):
                meeting = meetings.get((report.article.id, report.date or "", report.source.id))
                if meeting is not None:
                    parent[find(number)] = find(meeting)
    groups: dict[int, list[list[_Report]]] = {}
    for number, cluster in enumerate(clusters):
        groups.setdefault(find(number), []).append(cluster)
    return list(groups.values())


def _primary(cluster: list[_Report]) -> tuple[int, int, str]:
    """Sort key of the action that names an occasion: a meeting or consultation
    first, then the action most reports carry, then the lowest CAMEO code."""
    codes = sorted(r.event.cameo for r in cluster)
    meeting = any(r.event.plover == OCCASION_PLOVER for r in cluster)
    return (0 if meeting else 1, -len(cluster), codes[0])


def _merge_occasion(clusters: list[list[_Report]], actors: ActorTable) -> TimelineEvent:
    """One timeline entry for an occasion; the actions besides the primary one are
    listed in ``actions`` and their reports added to the entry's sources."""
    ordered = sorted(clusters, key=_primary)
    event = _merge_cluster(ordered[0], actors)
    for cluster in ordered[1:]:
        other = _merge_cluster(cluster, actors)
        event.actions.append({"cameo": other.cameo, "plover": other.plover,
                              "quad_class": other.quad_class, "goldstein": other.goldstein,
                              "modality": other.modality})
        event.reports.extend(other.reports)
        known = {(q["article_id"], q["quote_id"]) for q in event.quotes}
        event.quotes.extend(q for q in other.quotes
                            if (q["article_id"], q["quote_id"]) not in known)
        event.conflicts.extend(c for c in other.conflicts if c not in event.conflicts)
    event.reports.sort(key=lambda r: (r["published"] or "~", r["article_id"], r["event_id"]))
    event.quotes.sort(key=lambda q: (q["article_id"], q["quote_id"]))
    return event
