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
  ("2018-11" joins "2018-11-14"; undated reports merge across articles only
  when their sentences are copies of each other); the merged event keeps the
  most precise date;
- **place**: unknown, equal, or one name contains the other.

Reports are clustered greedily, most precise date first, in an order that
depends only on the reports themselves (date, publication date, article id,
event id), and a report joins a cluster only if it is compatible with every
member (complete link).  The merged timeline is therefore the same whatever
order the articles were ingested in.  Details the reports disagree on (CAMEO
code, modality, place) are kept in ``conflicts`` rather than dropped.

Reports of different years are never compared (nor undated reports with dated
ones), so ``merge_store`` merges the articles of a store one year at a time,
holding only small views of that year's reports; ``merge_events`` merges
articles already in memory, all at once, to the same result.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import operator
import re
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import chain
from typing import Any, Protocol

import numpy as np

from parley.analysis.background import (
    article_order_key,
    background_paragraphs,
    concatenated_ranges,
    overlap_coefficient,
    shingle_hashes,
)
from parley.model import Actor, Article, Event, Office, Quote
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
#: the partition of reports without a date (see ``report_year``)
UNDATED = "undated"


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


def canonical_actor_id(actor: Actor) -> str:
    """The id an actor is merged under: its knowledge-base id, else its kind and name."""
    return actor.id if actor.in_kb else f"{actor.kind}:{_name_key(actor.name)}"


def actor_side(actor: Actor | None) -> str | None:
    """The country an actor acts for: its ISO-3 country, except where its CAMEO code
    names another (the Soviet Union, SUN, carries RUS: Russia's side).
    Organisations without a country have no side."""
    if actor is None or actor.country is None:
        return None
    if actor.code and len(actor.code) >= 3 and actor.code[:3] != actor.country:
        return actor.code[:3]
    return actor.country


#: where a fact comes from: the article's order key, then positions within the article
_Seen = tuple[tuple[str, str], int, int]


@dataclass
class _Facts:
    """What the articles say about one canonical actor.

    The merged record is the one a pass over the articles in publication order
    (``article_order_key``) builds: the first occurrence gives name, kind and
    offices, the first known country and code win, and later offices are
    appended in the order they first appear.  Keeping the first occurrence of
    each fact makes the result the same whatever order the articles come in.
    """

    first: _Seen
    actor: Actor
    last: _Seen
    #: (where, value) of the first known country and code, and their value in the last
    #: occurrence (what a pass keeps when no occurrence knows them)
    country: tuple[_Seen, str] | None
    code: tuple[_Seen, str] | None
    last_country: str | None
    last_code: str | None
    #: every distinct office with where it first appears
    offices: list[tuple[_Seen, Office]]
    spellings: Counter[str] = field(default_factory=Counter)


def _earlier(seen: _Seen, value: str | None,
             known: tuple[_Seen, str] | None) -> tuple[_Seen, str] | None:
    return (seen, value) if value and (known is None or seen < known[0]) else known


class _ActorMerger:
    """``merge_actors`` fed one article at a time, in any order; keeps O(distinct actors)."""

    def __init__(self) -> None:
        self._facts: dict[str, _Facts] = {}
        #: spellings of mentions whose actor is not among its article's actors
        self._stray: dict[str, Counter[str]] = {}

    def add(self, article: Article) -> dict[str, str]:
        """Take in one article's actors and mentions; returns its actor id -> canonical id."""
        order = article_order_key(article)
        canonicals: dict[str, str] = {}
        for position, actor in enumerate(article.actors):
            canonical = canonical_actor_id(actor)
            canonicals[actor.id] = canonical
            self._add_actor(canonical, actor, (order, position, 0))
        for mention in article.mentions:
            if mention.actor_id is None or mention.kind not in ("name", "alias"):
                continue
            canonical = canonicals.get(mention.actor_id, mention.actor_id)
            facts = self._facts.get(canonical)
            spellings = facts.spellings if facts else self._stray.setdefault(canonical, Counter())
            spellings[mention.text] += 1
        return canonicals

    def _add_actor(self, canonical: str, actor: Actor, seen: _Seen) -> None:
        facts = self._facts.get(canonical)
        if facts is None:
            facts = self._facts[canonical] = _Facts(
                first=seen, actor=actor, last=seen, country=None, code=None,
                last_country=actor.country, last_code=actor.code, offices=[],
                spellings=self._stray.pop(canonical, Counter()),
            )
        elif seen < facts.first:
            facts.first, facts.actor = seen, actor
        if seen >= facts.last:
            facts.last, facts.last_country, facts.last_code = seen, actor.country, actor.code
        facts.country = _earlier(seen, actor.country, facts.country)
        facts.code = _earlier(seen, actor.code, facts.code)
        for number, office in enumerate(actor.offices):
            where = (seen[0], seen[1], number)
            for index, (known_at, known) in enumerate(facts.offices):
                if known == office:
                    if where < known_at:
                        facts.offices[index] = (where, known)
                    break
            else:
                facts.offices.append((where, office))
        facts.spellings[actor.name] += 1
        for alias in actor.aliases:
            facts.spellings[alias] += 0

    def table(self) -> ActorTable:
        """The merged actors (in the order they first appear); ``resolve_map`` is left empty."""
        table = ActorTable()
        for canonical, facts in sorted(self._facts.items(), key=lambda item: item[1].first):
            first = facts.actor
            offices = list(first.offices)
            for _, office in sorted(facts.offices, key=lambda item: item[0]):
                if office not in offices:
                    offices.append(office)
            seen = facts.spellings
            name = min(seen, key=lambda n: (-seen[n], n)) if not first.in_kb else first.name
            table.actors[canonical] = Actor(
                id=canonical, name=name, kind=first.kind,
                country=facts.country[1] if facts.country else facts.last_country,
                code=facts.code[1] if facts.code else facts.last_code,
                offices=offices, in_kb=first.in_kb,
                aliases=sorted(n for n in seen if n != name),
            )
        return table


def merge_actors(articles: Iterable[Article]) -> ActorTable:
    """One actor per real entity: knowledge-base actors by id, others by kind and name.

    The canonical name is the knowledge base's, else the most frequent spelling;
    ``aliases`` collects every other spelling seen (names, aliases, mentions).
    The result does not depend on the order of ``articles`` (see ``_Facts``).
    """
    merger = _ActorMerger()
    resolve_map: dict[tuple[str, str], str] = {}
    for article in articles:
        for actor_id, canonical in merger.add(article).items():
            resolve_map[(article.id, actor_id)] = canonical
    table = merger.table()
    table.resolve_map = resolve_map
    return table


# --------------------------------------------------------------------------- events


# What the merge keeps of the articles, events and quotes it reads: only the fields
# it uses, so that a year of reports holds neither the articles' text nor their
# other annotations.


@dataclass(frozen=True, slots=True)
class _EventView:
    id: str
    cameo: str
    plover: str
    quad_class: int
    goldstein: float
    source_id: str | None
    target_id: str | None
    #: the event's sentence: where it lies in its article
    start: int
    end: int
    date: str | None
    place: str | None
    modality: str
    quote_ids: tuple[str, ...]

    @classmethod
    def of(cls, event: Event) -> _EventView:
        return cls(event.id, sys.intern(event.cameo), sys.intern(event.plover),
                   event.quad_class, event.goldstein, event.source_id, event.target_id,
                   event.sentence_span.start, event.sentence_span.end, event.date,
                   event.place, sys.intern(event.modality), tuple(event.quote_ids))


@dataclass(frozen=True, slots=True)
class _QuoteView:
    id: str
    kind: str
    text: str
    date: str | None
    speaker_id: str | None
    speaker_text: str | None
    #: the resolved speaker
    speaker: Actor | None

    @classmethod
    def of(cls, quote: Quote, speaker: Actor | None) -> _QuoteView:
        # recycled quotes repeat word for word across articles: one copy of the text
        return cls(quote.id, sys.intern(quote.kind), sys.intern(quote.text), quote.date,
                   quote.speaker_id, quote.speaker_text, speaker)


@dataclass(frozen=True, slots=True)
class _ArticleView:
    id: str
    title: str
    published: str | None
    day: str | None
    order: tuple[str, str]
    #: the article's quotes that its reports of one partition may cite
    quotes: tuple[_QuoteView, ...]


@dataclass(slots=True)
class _Report:
    article: _ArticleView
    event: _EventView
    source: Actor | None
    target: Actor | None
    date: str | None
    background: bool
    #: the event's sentence (stripped) and the hashes of its word trigrams
    sentence: str = ""
    sentence_hashes: Any = None

    @property
    def order(self) -> tuple[int, str, tuple[str, str], str]:
        """Most precise date first, then date, publication, article, event id."""
        precision = -len(self.date) if self.date else 0
        return (precision, self.date or "~", self.article.order, self.event.id)


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
    a, b = _place_key(a), _place_key(b)
    return a in b or b in a


@functools.lru_cache(maxsize=1 << 12)
def _place_key(place: str) -> str:
    """``_name_key`` of a place (memoised: clustering compares a few places over and over)."""
    return _name_key(place)


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
    """Copied wording: sentences sharing ``SAME_SENTENCE`` of their trigrams.  The same
    sentence word for word (a recycled paragraph's hundredth copy) needs no count."""
    if a.sentence == b.sentence and len(a.sentence_hashes):
        return True
    return overlap_coefficient(a.sentence_hashes, b.sentence_hashes) >= SAME_SENTENCE


_CopyTest = Callable[[_Report, _Report], bool]


class _RememberedCopies:
    """``_copies`` remembered by the two sentences (a report's trigram hashes are its
    sentence's): clustering compares the same recycled sentences over and over.
    Holds at most ``limit`` pairs, then starts again."""

    def __init__(self, limit: int = 1 << 16) -> None:
        self.known: dict[tuple[str, str], bool] = {}
        self.limit = limit

    def __call__(self, a: _Report, b: _Report) -> bool:
        key = (a.sentence, b.sentence)
        found = self.known.get(key)
        if found is None:
            if len(self.known) >= self.limit:
                self.known.clear()
            found = self.known[key] = _copies(a, b)
        return found


def participants_compatible(a: _Report, b: _Report, copies: _CopyTest = _copies) -> bool:
    """The same unordered pair of participants (see the module docstring)."""
    if a.article.id == b.article.id or copies(a, b):
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


def types_compatible(a: Event | _EventView, b: Event | _EventView) -> bool:
    return a.cameo[:2] == b.cameo[:2] or (bool(a.plover) and a.plover == b.plover)


def reports_compatible(a: _Report, b: _Report, *, participants: bool = True,
                       copies: _CopyTest = _copies) -> bool:
    """Compatible on date, type, place and (with ``participants``) participants;
    ``copies`` is ``_copies`` or a memory of it."""
    if a.article.id == b.article.id and a.event.id == b.event.id:
        return True
    if a.date is None or b.date is None:
        # undated reports merge only with each other, in one article or as copied wording
        if a.date != b.date or (a.article.id != b.article.id and not copies(a, b)):
            return False
    elif not dates_compatible(a.date, b.date):
        return False
    return (
        types_compatible(a.event, b.event)
        and places_compatible(a.event.place, b.event.place)
        and (not participants or participants_compatible(a, b, copies))
    )


def _fits(report: _Report, summary: _ClusterSummary, copies: _CopyTest = _copies) -> bool:
    """Compatible with every member; participants checked against the members that
    name both (a partial report is measured against the complete ones).

    Members of the report's own article are checked one by one (the checks treat
    the same article apart); every other member through one member of its shape
    from another article, which the checks answer for alike (``_shape``).
    """
    article = report.article.id
    for member in summary.by_article.get(article, ()):
        if not _fits_member(report, member, summary.complete, copies):
            return False
    for members in summary.shapes.values():
        other = members[0] if members[0].article.id != article else (
            members[1] if len(members) > 1 else None)
        if other is not None and not _fits_member(report, other, summary.complete, copies):
            return False
    return True


def _fits_member(report: _Report, member: _Report, cluster_complete: bool,
                 copies: _CopyTest) -> bool:
    """``_fits`` for one member: its participants count only if it names both or no
    member of its cluster does."""
    return reports_compatible(report, member, participants=False, copies=copies) and (
        (cluster_complete and not _complete(member))
        or participants_compatible(report, member, copies)
        or report is member
    )


def _shape(report: _Report) -> tuple[Any, ...]:
    """All that the checks of ``_fits`` read of a report from another article than the
    one they compare it with: date, type, place, the participants (the merged
    table's actors, by identity), and the sentence (its trigram hashes are the
    sentence's).  Reports of one shape from other articles get the same answer."""
    event = report.event
    return (report.date, event.cameo[:2], event.plover, event.place,
            id(report.source), id(report.target), report.sentence)


@dataclass(slots=True)
class _ClusterSummary:
    """What ``_fits`` reads of a cluster, so that a report is checked against each
    distinct member shape once rather than against thousands of copies.

    ``shapes`` keeps the members of each shape from the first two articles that
    have it: whatever the report's article, one of them is from another.
    """

    shapes: dict[tuple[Any, ...], list[_Report]] = field(default_factory=dict)
    by_article: dict[str, list[_Report]] = field(default_factory=dict)
    #: whether a member names both participants (then only those are checked for them)
    complete: bool = False

    def add(self, report: _Report) -> None:
        self.by_article.setdefault(report.article.id, []).append(report)
        self.complete = self.complete or _complete(report)
        members = self.shapes.setdefault(_shape(report), [])
        if len(members) < 2 and all(m.article.id != report.article.id for m in members):
            members.append(_without_article_text(report))


def _without_article_text(report: _Report) -> _Report:
    """The report with a bare view of its article (id and order): all that ``_fits``
    reads of a member kept for its shape.  Such members outlive their article's
    other reports, and would otherwise keep its title and quotes for the whole
    partition."""
    view = report.article
    return _Report(_ArticleView(view.id, "", None, None, view.order, ()), report.event,
                   report.source, report.target, report.date, report.background,
                   report.sentence, report.sentence_hashes)


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


def report_year(date: str | None) -> str:
    """The partition of a report's (normalised) date: its year, or ``undated``.
    Reports of different partitions are never compared, clustered or grouped."""
    return date[:4] if date else UNDATED


def _report_years(article: Article, recycled: set[int]) -> set[str]:
    """The partitions this article has reports in."""
    return {report_year(_report_date(article, event, _in_recycled(article, event, recycled)))
            for event in article.events}


def _article_reports(
    article: Article, recycled: set[int], actors: ActorTable, year: str | None = None
) -> list[_Report]:
    """The reports of one article's events (only those of partition ``year`` when
    given); they keep a small view of the article (one per partition, with only
    the quotes ``_event_quotes`` could cite there), not the article."""
    canonicals = {actor.id: canonical_actor_id(actor) for actor in article.actors}

    def resolve(actor_id: str | None) -> Actor | None:
        return None if actor_id is None else actors.actors.get(
            canonicals.get(actor_id, actor_id))

    dated = []
    linked: dict[str, set[str]] = {}
    for event in article.events:
        copied = _in_recycled(article, event, recycled)
        date = _report_date(article, event, copied)
        if year is None or report_year(date) == year:
            dated.append((event, date, copied))
            linked.setdefault(report_year(date), set()).update(event.quote_ids)
    if not dated:
        return []
    published = article.published
    day = published.day if published else None
    quotes = [_QuoteView.of(quote, resolve(quote.speaker_id)) for quote in article.quotes]
    views = {
        part: _ArticleView(
            id=article.id, title=article.title,
            published=published.value if published else None, day=day,
            order=article_order_key(article),
            quotes=tuple(q for q in quotes if _may_cite(q, day, part, quote_ids)),
        )
        for part, quote_ids in linked.items()
    }
    reports = []
    for event, date, copied in dated:
        sentence = sys.intern(event.sentence_span.slice(article.text).strip())
        reports.append(
            _Report(
                article=views[report_year(date)],
                event=_EventView.of(event),
                source=resolve(event.source_id),
                target=resolve(event.target_id),
                date=date,
                background=event.background or copied,
                sentence=sentence,
                sentence_hashes=_sentence_hashes(sentence),
            )
        )
    return reports


@functools.lru_cache(maxsize=1 << 16)
def _sentence_hashes(sentence: str) -> np.ndarray:
    """``shingle_hashes`` of a sentence, one array for all its copies: most reports of
    a wire corpus sit in recycled paragraphs, so a few sentences recur thousands of
    times (the arrays are only read).  Sentences are interned for the same reason."""
    return shingle_hashes(sentence)


def _may_cite(quote: _QuoteView, day: str | None, year: str, linked: set[str]) -> bool:
    """Could ``_event_quotes`` cite this quote for an event of partition ``year``?  A
    quote linked to one of its events, or a known speaker's quote said (or published)
    on a date compatible with that year; undated events cite linked quotes only."""
    if quote.id in linked:
        return True
    if quote.speaker is None or year == UNDATED:
        return False
    said = normalise_date(quote.date) if quote.date else day
    return dates_compatible(said, year)


def collect_reports(
    articles: Iterable[Article], links: Iterable[BackgroundLink], actors: ActorTable
) -> list[_Report]:
    """Every report of ``articles``, in their canonical order (``_Report.order``)."""
    recycled = background_paragraphs(links)
    reports = [report for article in articles
               for report in _article_reports(article, recycled.get(article.id, set()), actors)]
    return sorted(reports, key=lambda r: r.order)


def cluster_reports(reports: Sequence[_Report]) -> list[list[_Report]]:
    """Greedy complete-link clustering (``reports`` in their canonical order); see
    ``_Clusterer.place``."""
    clusterer = _Clusterer()
    clusters: list[list[_Report]] = []
    for report in reports:
        number = clusterer.place(report)
        if number == len(clusters):
            clusters.append([report])
        else:
            clusters[number].append(report)
    return clusters


class _Clusterer:
    """The state of ``cluster_reports``: what it needs to place the next report.
    The clusters' members are the caller's to keep (in memory or on disk)."""

    def __init__(self) -> None:
        self.summaries: list[_ClusterSummary] = []
        self.sides_of: list[frozenset[str]] = []
        self.sizes: list[int] = []
        self.index = _ClusterIndex()
        self.copies = _RememberedCopies()

    def place(self, report: _Report) -> int:
        """The number of the cluster ``report`` joins (a new one: the next number).

        A coarse date may fit several clusters (``2018-11`` and two November days):
        the report joins the one with the most reports, then the earliest made.
        The clusters are tried in that order and the first that fits is taken.
        Only the clusters whose first report could be compatible with the report
        are tried (``_ClusterIndex``: a contained date and a shared type, or for
        undated reports the same article or a copied sentence, a shared type and a
        compatible place), then only those whose sides include (or are included
        in) the report's known sides; trying them all costs quadratic time at
        scale.  (The sides test is stricter than the checks for copies that each
        name one participant: ``(None, Lavrov)`` and ``(None, Kono)`` are
        compatible, yet a cluster started by one is not tried for the other.)  A
        cluster is checked through its ``_ClusterSummary``: one member of each
        shape, not every copy of a recycled sentence.
        """
        sides = _sides(report)
        sides_of, sizes = self.sides_of, self.sizes
        tried = sorted((number for number in self.index.candidates(report)
                        if sides <= sides_of[number] or sides_of[number] <= sides),
                       key=lambda number: (-sizes[number], number))
        best = next((number for number in tried
                     if _fits(report, self.summaries[number], self.copies)), None)
        if best is None:
            best = len(self.summaries)
            self.index.add(best, report)
            sides_of.append(sides)
            sizes.append(0)
            self.summaries.append(_ClusterSummary())
        sizes[best] += 1
        self.summaries[best].add(report)
        return best

    def article_done(self, article_id: str, numbers: Iterable[int]) -> None:
        """No more reports of this article will come: its members of clusters
        ``numbers`` are no longer needed to place reports (other articles' reports
        are checked against a member of each shape, which the summaries keep)."""
        for number in set(numbers):
            self.summaries[number].by_article.pop(article_id, None)


def _sides(report: _Report) -> frozenset[str]:
    return frozenset(
        side for side in (actor_side(report.source), actor_side(report.target)) if side
    )


class _ClusterIndex:
    """Clusters by what their first report needs of any report that joins them.

    A report fits a cluster only if it is compatible with every member, the first
    included (``reports_compatible``).  For a dated report that means one date
    contains the other and the types match (CAMEO root or PLOVER category);
    ``_DatedIndex`` keys clusters on both.  For an undated one it means the same
    article or a copy of the sentence (``_UndatedIndex``).  ``candidates`` returns
    a superset of the clusters passing that test against their first report.
    """

    def __init__(self) -> None:
        self.dated = _DatedIndex()
        self.undated = _UndatedIndex()

    def add(self, number: int, first: _Report) -> None:
        (self.undated if first.date is None else self.dated).add(number, first)

    def candidates(self, report: _Report) -> set[int]:
        return (self.undated if report.date is None else self.dated).candidates(report)


_DATE_PREFIXES = (4, 7, 10)  # the lengths of YYYY, YYYY-MM and YYYY-MM-DD


def _type_keys(event: _EventView) -> tuple[str, ...]:
    """One key per way two events' types can be compatible (``types_compatible``)."""
    root = "cameo:" + event.cameo[:2]
    return (root, "plover:" + event.plover) if event.plover else (root,)


class _DatedIndex:
    """Dated clusters by their first report's date and types.

    ``dates_compatible`` holds when one date is a prefix of the other: the clusters
    whose date extends (or equals) the report's are listed under each prefix of
    their date (``within``), those whose date is a shorter prefix of the report's
    under their exact date (``exact``).
    """

    def __init__(self) -> None:
        self.within: dict[tuple[str, str], list[int]] = {}
        self.exact: dict[tuple[str, str], list[int]] = {}

    def add(self, number: int, first: _Report) -> None:
        date = first.date or ""
        for key in _type_keys(first.event):
            self.exact.setdefault((date, key), []).append(number)
            for length in _DATE_PREFIXES:
                if length <= len(date):
                    self.within.setdefault((date[:length], key), []).append(number)

    def candidates(self, report: _Report) -> set[int]:
        date = report.date or ""
        found: set[int] = set()
        for key in _type_keys(report.event):
            found.update(self.within.get((date, key), ()))
            for length in _DATE_PREFIXES:
                if length < len(date):
                    found.update(self.exact.get((date[:length], key), ()))
        return found


class _UndatedIndex:
    """Undated clusters by their first report's article, sentence trigrams, type
    and place.

    An undated report fits a cluster only if it is compatible with every member,
    the first included: same article, or ``_copies`` (trigram overlap of at least
    ``SAME_SENTENCE`` of the smaller set, so at least one trigram in common), and
    compatible types and places.  ``candidates`` returns exactly the clusters
    passing that test against their first report, counting shared trigrams with
    numpy: a boilerplate trigram is shared by thousands of clusters, and one
    recycled sentence starts clusters of many types and places.
    """

    def __init__(self) -> None:
        self.by_article: dict[str, list[int]] = {}
        self.by_hash = _Postings()
        #: ``_type_keys`` -> a number for ``firsts``
        self.type_numbers: dict[str, int] = {}
        #: cluster number -> its first report's trigram count, CAMEO root and PLOVER
        #: category (as ``type_numbers``, -1 for none); numbers are shared with dated
        #: clusters, and the array doubles when full
        self.firsts = np.zeros((64, 3), dtype=np.int64)
        #: cluster number -> its first report's place
        self.places: dict[int, str | None] = {}

    def add(self, number: int, first: _Report) -> None:
        self.by_article.setdefault(first.article.id, []).append(number)
        hashes = _unique_hashes(first)
        self.by_hash.add(hashes, number)
        if number >= len(self.firsts):
            grown = np.zeros((max(number + 1, 2 * len(self.firsts)), 3), dtype=np.int64)
            grown[: len(self.firsts)] = self.firsts
            self.firsts = grown
        types = [self.type_numbers.setdefault(key, len(self.type_numbers))
                 for key in _type_keys(first.event)]
        self.firsts[number] = (len(hashes), types[0], types[1] if len(types) > 1 else -1)
        self.places[number] = first.event.place

    def candidates(self, report: _Report) -> set[int]:
        hashes = _unique_hashes(report)
        # a cluster is listed once under each of its first report's unique trigrams
        numbers, common = np.unique(self.by_hash.items_of(hashes), return_counts=True)
        copied = common / np.minimum(len(hashes), self.firsts[numbers, 0]) >= SAME_SENTENCE
        numbers = np.concatenate([numbers[copied].astype(np.int64),
                                  np.asarray(self.by_article.get(report.article.id, []),
                                             dtype=np.int64)])
        # ``types_compatible``: the same CAMEO root, or the same (known) PLOVER category
        _, root, plover = self.firsts[numbers].T
        types = [self.type_numbers.get(key, -2) for key in _type_keys(report.event)]
        typed = root == types[0]
        if len(types) > 1:
            typed |= plover == types[1]
        place = report.event.place
        return {number for number in numbers[typed].tolist()
                if places_compatible(place, self.places[number])}


def _unique_hashes(report: _Report) -> np.ndarray:
    """The report's trigram hashes (``shingle_hashes``: sorted, unique uint32)."""
    hashes = report.sentence_hashes
    return np.zeros(0, dtype=np.uint32) if hashes is None else np.asarray(hashes, np.uint32)


#: ``_Postings`` keeps at least this many postings in its dict before merging them in
_RECENT_MIN = 1 << 12


class _Postings:
    """Postings (key -> items) that are counted with numpy.

    Most postings sit in two sorted uint32 arrays (8 bytes each); the latest ones
    in a dict, merged into the arrays once they are an eighth as many (at least
    ``_RECENT_MIN``), so a posting is copied about nine times on average and a
    look-up costs a few numpy calls plus a short walk over the dict.
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint32)
        self.items = np.zeros(0, dtype=np.uint32)
        self.recent: dict[int, list[int]] = {}
        self.pending = 0

    def add(self, keys: np.ndarray, item: int) -> None:
        """List ``item`` under each of ``keys``."""
        for key in keys.tolist():
            self.recent.setdefault(key, []).append(item)
        self.pending += len(keys)
        if self.pending >= max(_RECENT_MIN, len(self.keys) // 8):
            self._merge_recent()

    def items_of(self, keys: np.ndarray) -> np.ndarray:
        """The items listed under any of ``keys``, once per (key, item) posting."""
        left = np.searchsorted(self.keys, keys, "left")
        counts = np.searchsorted(self.keys, keys, "right") - left
        stored = self.items[concatenated_ranges(left, counts)]
        recent = [self.recent.get(key) for key in keys.tolist()]
        latest = np.fromiter(chain.from_iterable(items for items in recent if items),
                             dtype=np.uint32)
        return np.concatenate([stored, latest]) if len(latest) else stored

    def _merge_recent(self) -> None:
        """Move the dict's postings into the sorted arrays (a linear merge)."""
        keys = sorted(self.recent)
        lengths = [len(self.recent[key]) for key in keys]
        new_keys = np.repeat(np.asarray(keys, dtype=np.uint32), lengths)
        new_items = np.fromiter(chain.from_iterable(self.recent[key] for key in keys),
                                dtype=np.uint32, count=len(new_keys))
        at = np.searchsorted(self.keys, new_keys, "right")
        self.keys = np.insert(self.keys, at, new_keys)
        self.items = np.insert(self.items, at, new_items)
        self.recent = {}
        self.pending = 0


def _event_quotes(cluster: list[_Report]) -> list[dict[str, Any]]:
    """Quotes linked to the event, or said by a participant about it in a reporting article."""
    participants = {a.id for r in cluster for a in (r.source, r.target) if a is not None}
    date = cluster[0].date
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for report in cluster:
        article = report.article
        for quote in article.quotes:
            linked = quote.id in report.event.quote_ids
            speaker = quote.speaker
            speaks = speaker is not None and speaker.id in participants
            about = speaks and not report.background and (
                dates_compatible(normalise_date(quote.date), date)
                if quote.date
                else dates_compatible(article.day, date)
            )
            if linked or about:
                found[(article.id, quote.id)] = _quote_record(article.id, quote)
    return [found[key] for key in sorted(found)]


def _quote_record(article_id: str, quote: _QuoteView) -> dict[str, Any]:
    speaker = quote.speaker
    return {
        "article_id": article_id,
        "quote_id": quote.id,
        "speaker_id": speaker.id if speaker else quote.speaker_id,
        "speaker": speaker.name if speaker else quote.speaker_text,
        "side": actor_side(speaker),
        "kind": quote.kind,
        "text": quote.text,
    }


def _merge_cluster(cluster: list[_Report]) -> TimelineEvent:
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
            "published": r.article.published,
            "title": r.article.title,
            "date": r.event.date,
            "cameo": r.event.cameo,
            "modality": r.event.modality,
            "sentence": r.sentence,
        }
        for r in sorted(cluster, key=lambda r: (r.article.order, r.event.id))
    ]
    source, target = first.source, first.target
    return TimelineEvent(
        id=_event_id(first.article.id, first.event.id),
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
        quotes=_event_quotes(cluster),
        sentence=first.sentence,
    )


def _event_id(article_id: str, event_id: str) -> str:
    """A merged event's id: named after its first report."""
    return "tl-" + hashlib.sha1(f"{article_id}:{event_id}".encode()).hexdigest()[:12]


def _by_article(cluster: list[_Report], value: Any) -> list[str]:
    return sorted({f"{value(r)} ({r.article.id})" for r in cluster})


def _granularity(date: str | None) -> str:
    return {4: "year", 7: "month", 10: "day"}.get(len(date or ""), "unknown")


def timeline_sort_key(event: TimelineEvent) -> tuple[str, str]:
    return (event.date or "~", event.id)


def _merge_reports(reports: list[_Report]) -> list[TimelineEvent]:
    """Reports (in their canonical order) clustered, grouped into occasions and merged,
    sorted by ``timeline_sort_key``."""
    merged = [_merge_occasion(occasion) for occasion in group_occasions(cluster_reports(reports))]
    return sorted(merged, key=timeline_sort_key)


def merge_events(
    articles: Iterable[Article], links: Iterable[BackgroundLink] = ()
) -> list[TimelineEvent]:
    """Every event of ``articles`` merged into timeline events, sorted by date.

    ``links`` (from ``background.find_background_links``) say which paragraphs are
    recycled, so each report is marked as new reporting or background.  Holds
    every article; ``merge_store`` gives the same events from a store, a year at
    a time.
    """
    articles = list(articles)
    actors = merge_actors(articles)
    return _merge_reports(collect_reports(articles, links, actors))


class ArticleSource(Protocol):
    """What ``merge_store`` reads: a ``Store`` will do."""

    def iter_articles(self) -> Iterator[Article]: ...

    def iter_articles_published(self) -> Iterator[Article]: ...

    def get_article(self, article_id: str) -> Article | None: ...

    def background_links(self, article_id: str | None = None) -> list[BackgroundLink]: ...


def flagged_paragraphs(article: Article) -> set[int]:
    """The paragraphs flagged ``background``: once the cross-article step has saved
    the flags, the same set ``background_paragraphs`` gives from the links."""
    return {paragraph.index for paragraph in article.paragraphs if paragraph.background}


def merge_store(
    store: ArticleSource,
    links_of: Callable[[str], Iterable[BackgroundLink]] | None = None,
    *,
    recycled_of: Callable[[Article], set[int]] | None = None,
) -> Iterator[TimelineEvent]:
    """The events ``merge_events`` gives for every article of ``store``, in the same
    order, computed one year at a time so that the corpus is never held in memory.

    Reports are only ever compared with reports of the same year, undated ones
    only with each other (``report_year``: clusters are bucketed by year,
    occasions share a date), and the timeline is sorted by date, so each year's
    events can be merged and yielded on their own, in year order, undated last.
    A first streamed pass merges the actors (``_ActorMerger``: O(distinct
    actors)) and notes which articles have reports in which year; then each
    year's articles are read again (``store.get_article``), their reports of
    that year merged, and the year's events yielded.  Memory is bounded by the
    busiest dated year's reports (small views, about 1.5 kB each) and the merged
    actors.  Undated reports, often the busiest partition (two thirds of the
    reports of the generated benchmark corpus), are read in publication order and
    merged as they come (``merge_in_order``): only cluster summaries stay in
    memory, which still grow with the corpus.  ``recycled_of(article)`` gives an article's recycled
    paragraphs; by default they are read from its background links,
    ``links_of(article_id)`` (default: the store's ``background_links``).
    """
    links = links_of or store.background_links

    def from_links(article: Article) -> set[int]:
        return background_paragraphs(links(article.id)).get(article.id, set())

    recycled = recycled_of or from_links

    merger = _ActorMerger()
    by_year: dict[str, list[str]] = {}
    for article in store.iter_articles():
        merger.add(article)
        for year in _report_years(article, recycled(article)):
            by_year.setdefault(year, []).append(article.id)
    actors = merger.table()
    del merger
    undated = set(by_year.pop(UNDATED, ()))
    for year in sorted(by_year):
        reports = []
        for article_id in by_year.pop(year):
            found = store.get_article(article_id)
            if found is not None:  # deleted since the first pass
                reports += _article_reports(found, recycled(found), actors, year)
        reports.sort(key=lambda r: r.order)
        _sentence_hashes.cache_clear()  # the reports hold the arrays they use
        yield from _merge_reports(reports)
    if undated:
        # undated reports sort by publication, then event id: read in publication
        # order, each article's reports come in that order, so they can be clustered
        # as they are read
        def in_order() -> Iterator[_Report]:
            for found in store.iter_articles_published():
                if found.id in undated:
                    yield from sorted(_article_reports(found, recycled(found), actors, UNDATED),
                                      key=lambda r: r.order)

        _sentence_hashes.cache_clear()
        yield from merge_in_order(in_order(), actors)


def merge_in_order(reports: Iterable[_Report], actors: ActorTable) -> Iterator[TimelineEvent]:
    """``_merge_reports`` for reports that arrive in their canonical order (as the
    undated partition does, read in publication order), holding far less: each
    report is placed as it comes and parked on disk (``_Spill``), the clusters
    keep only their summaries (members of the article being read, one member of
    each shape), and occasions are grouped one article at a time.  The merged
    events are then made one occasion at a time, in ``timeline_sort_key`` order
    (known from each cluster's first report and counts, without reading it back).
    Raises ``ValueError`` if the reports are out of order.
    """
    clusterer = _Clusterer()
    occasions = _Occasions()
    members: list[array[int]] = []
    facts: list[_ClusterFacts] = []
    with _Spill(actors) as spill:
        entries: list[tuple[int, _Report]] = []
        previous: tuple[int, str, tuple[str, str], str] | None = None
        for report in reports:
            order = report.order
            if previous is not None and order < previous:
                raise ValueError(f"report {report.event.id} of {report.article.id} "
                                 "comes out of canonical order")
            if entries and entries[-1][1].article.id != report.article.id:
                _article_done(clusterer, occasions, entries)
                entries = []
            previous = order
            number = clusterer.place(report)
            if number == len(members):
                members.append(array("q"))
                facts.append(_ClusterFacts.starting(report))
            members[number].append(spill.add(report))
            facts[number].add(report)
            entries.append((number, report))
        if entries:
            _article_done(clusterer, occasions, entries)
        del clusterer, entries
        groups = occasions.groups(len(members), lambda n: facts[n].statements_only)

        def lead(group: list[int]) -> tuple[str, str]:
            """``timeline_sort_key`` of the group's event: ``_merge_occasion`` names
            it after the first cluster by ``_primary``."""
            first = min(group, key=lambda n: facts[n].primary())
            date, article_id, event_id = facts[first].first
            return (date or "~", _event_id(article_id, event_id))

        ordered = sorted(range(len(groups)), key=lambda g: lead(groups[g]))
        for g in ordered:
            yield _merge_occasion([spill.read(members[n]) for n in groups[g]])


def _article_done(clusterer: _Clusterer, occasions: _Occasions,
                  entries: list[tuple[int, _Report]]) -> None:
    """All of an article's reports are placed (``entries``: with their clusters)."""
    occasions.add_article(entries)
    clusterer.article_done(entries[0][1].article.id, (number for number, _ in entries))


class _Spill:
    """Reports parked in a temporary file, read back by number.  A report is written
    as plain values (``marshal``), its actors as their ids in the ``ActorTable``."""

    def __init__(self, actors: ActorTable) -> None:
        self.actors = actors.actors
        self.keys = {id(actor): key for key, actor in actors.actors.items()}
        self.offsets = array("q", [0])

    def __enter__(self) -> _Spill:
        self.file = tempfile.TemporaryFile()
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def _key(self, actor: Actor | None) -> str | None:
        return None if actor is None else self.keys[id(actor)]

    def add(self, report: _Report) -> int:
        view = report.article
        quotes = tuple((*_QUOTE_VALUES(quote), self._key(quote.speaker))
                       for quote in view.quotes)
        hashes = report.sentence_hashes
        record = marshal.dumps((
            view.id, view.title, view.published, view.day, view.order, quotes,
            _EVENT_VALUES(report.event), self._key(report.source), self._key(report.target),
            report.date, report.background, report.sentence,
            None if hashes is None else np.asarray(hashes, dtype=np.uint32).tobytes()))
        self.file.seek(self.offsets[-1])
        self.file.write(record)
        self.offsets.append(self.offsets[-1] + len(record))
        return len(self.offsets) - 2

    def read(self, numbers: Iterable[int]) -> list[_Report]:
        actors = self.actors
        reports = []
        for number in numbers:
            start = self.offsets[number]
            self.file.seek(start)
            (article_id, title, published, day, order, quotes, event, source, target, date,
             background, sentence, hashes) = marshal.loads(
                self.file.read(self.offsets[number + 1] - start))
            view = _ArticleView(article_id, title, published, day, tuple(order), tuple(
                _QuoteView(q[0], q[1], q[2], q[3], q[4], q[5],
                           actors[q[6]] if q[6] is not None else None) for q in quotes))
            reports.append(_Report(
                view, _EventView(*event), actors[source] if source is not None else None,
                actors[target] if target is not None else None, date, background, sentence,
                None if hashes is None else np.frombuffer(hashes, dtype=np.uint32)))
        return reports


#: the values of a view, in the order its constructor takes them (the speaker aside)
_EVENT_VALUES = operator.attrgetter(*(f.name for f in fields(_EventView)))
_QUOTE_VALUES = operator.attrgetter(*(f.name for f in fields(_QuoteView) if f.name != "speaker"))


# --------------------------------------------------------------------------- occasions


def _occasion_key(report: _Report) -> tuple[str, int, int, str | None, tuple[str, str]]:
    """Reports with equal keys are actions of one occasion: one sentence, one date,
    the same (unordered) participants."""
    pair = sorted(actor.id if actor else "" for actor in (report.source, report.target))
    event = report.event
    return (report.article.id, event.start, event.end, report.date, (pair[0], pair[1]))


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
    occasions = _Occasions()
    by_article: dict[str, list[tuple[int, _Report]]] = {}
    for number, cluster in enumerate(clusters):
        for report in cluster:
            by_article.setdefault(report.article.id, []).append((number, report))
    for entries in by_article.values():
        occasions.add_article(entries)
    groups = occasions.groups(
        len(clusters), lambda n: _ClusterFacts.of(clusters[n]).statements_only)
    return [[clusters[number] for number in group] for group in groups]


class _Occasions:
    """``group_occasions`` fed one article at a time.  Every rule joins clusters
    through reports of one article, so an article's reports (with their clusters'
    numbers) can be read as soon as they are placed, and let go."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        #: (statement cluster, meeting cluster): joined if the first has only statements
        self.remarks: list[tuple[int, int]] = []

    def _find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def _join(self, a: int, b: int) -> None:
        self.parent.extend(range(len(self.parent), max(a, b) + 1))
        self.parent[self._find(a)] = self._find(b)

    def add_article(self, entries: list[tuple[int, _Report]]) -> None:
        """One article's reports, each with its cluster's number."""
        entries = sorted(entries, key=lambda entry: entry[0])  # stable: report order kept
        first_with: dict[tuple[str, int, int, str | None, tuple[str, str]], int] = {}
        for number, report in entries:
            self._join(number, first_with.setdefault(_occasion_key(report), number))
        # a participant's statements on the day of a meeting, in an article reporting
        # that meeting, are the remarks made at it ("Lavrov said following talks with Kono")
        meetings: dict[tuple[str, str], int] = {}
        for number, report in entries:
            if report.event.plover == OCCASION_PLOVER and _is_news_day(report):
                for actor in (report.source, report.target):
                    if actor is not None:
                        meetings.setdefault((report.date or "", actor.id), number)
        for number, report in entries:
            if (report.event.plover == STATEMENT_PLOVER and report.source is not None
                    and _is_news_day(report)):
                meeting = meetings.get((report.date or "", report.source.id))
                if meeting is not None:
                    self.remarks.append((number, meeting))

    def groups(self, count: int, statements_only: Callable[[int], bool]) -> list[list[int]]:
        """The cluster numbers ``0 .. count - 1`` grouped, each group in number order,
        groups in the order of their first number.  ``statements_only(number)``: does
        that cluster hold statements only (only those join a meeting)."""
        self.parent.extend(range(len(self.parent), count))
        for statement, meeting in self.remarks:
            if statements_only(statement):
                self._join(statement, meeting)
        groups: dict[int, list[int]] = {}
        for number in range(count):
            groups.setdefault(self._find(number), []).append(number)
        return list(groups.values())


@dataclass(slots=True)
class _ClusterFacts:
    """What naming and grouping an occasion read of a cluster, gathered report by
    report (``merge_in_order`` keeps these, not the members)."""

    #: the first report's date, article and event (they name the merged event)
    first: tuple[str | None, str, str]
    size: int = 0
    meeting: bool = False
    lowest_cameo: str = ""
    statements_only: bool = True

    @classmethod
    def of(cls, cluster: list[_Report]) -> _ClusterFacts:
        facts = cls.starting(cluster[0])
        for report in cluster:
            facts.add(report)
        return facts

    @classmethod
    def starting(cls, first: _Report) -> _ClusterFacts:
        return cls((first.date, first.article.id, first.event.id),
                   lowest_cameo=first.event.cameo)

    def add(self, report: _Report) -> None:
        event = report.event
        self.size += 1
        self.meeting = self.meeting or event.plover == OCCASION_PLOVER
        self.lowest_cameo = min(self.lowest_cameo, event.cameo)
        self.statements_only = self.statements_only and event.plover == STATEMENT_PLOVER

    def primary(self) -> tuple[int, int, str]:
        """Sort key of the action that names an occasion: a meeting or consultation
        first, then the action most reports carry, then the lowest CAMEO code."""
        return (0 if self.meeting else 1, -self.size, self.lowest_cameo)


def _primary(cluster: list[_Report]) -> tuple[int, int, str]:
    return _ClusterFacts.of(cluster).primary()


def _merge_occasion(clusters: list[list[_Report]]) -> TimelineEvent:
    """One timeline entry for an occasion; the actions besides the primary one are
    listed in ``actions`` and their reports added to the entry's sources."""
    ordered = sorted(clusters, key=_primary)
    event = _merge_cluster(ordered[0])
    for cluster in ordered[1:]:
        other = _merge_cluster(cluster)
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
