"""The one record model that flows through parley.

Every fact carries the id of its article and a character span ``[start, end)``
into ``Article.text`` (the cleaned body), so that it can always be traced back
to the exact words it came from.  Records are plain dataclasses; ``to_dict`` /
``from_dict`` give the single JSON shape shared by the CLI's ``--json``, the
HTTP API and the store.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

ParagraphKind = Literal["body", "heading"]
DatePrecision = Literal["minute", "day", "month", "year", "decade", "century", "unknown"]
DateMethod = Literal["explicit", "metadata", "inferred", "undecided"]
Granularity = Literal[
    "minute", "day", "week", "month", "quarter", "year", "decade", "century", "unknown"
]
TimeRelation = Literal["past", "present", "future", "unknown"]
QuoteKind = Literal["direct", "partial", "indirect"]
Modality = Literal["occurred", "planned", "negated", "hypothetical", "demanded"]
ActorKind = Literal[
    "person", "country", "government", "ministry", "organisation", "group", "unknown"
]


@dataclass
class Span:
    """A character range in ``Article.text`` (end exclusive)."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass
class Paragraph:
    index: int
    start: int
    end: int
    kind: ParagraphKind = "body"
    #: set by the background stage: this paragraph recycles earlier text
    background: bool = False


@dataclass
class RemovedLine:
    """A line dropped by cleaning, kept with the rule that dropped it."""

    line_no: int
    text: str
    reason: str


@dataclass
class DateCandidate:
    value: str
    reason: str


@dataclass
class PublicationDate:
    """The resolved publication date and how it was resolved.

    ``value`` is ISO 8601 (``2015-10-08T06:34:00+03:00`` or ``2019-05-10``);
    ``None`` when the year could not be decided.
    """

    value: str | None
    precision: DatePrecision
    method: DateMethod
    timezone: str | None = None
    evidence: list[str] = field(default_factory=list)
    rejected: list[DateCandidate] = field(default_factory=list)

    @property
    def day(self) -> str | None:
        """The calendar day as ``YYYY-MM-DD`` when known."""
        if self.value and self.precision in ("minute", "day"):
            return self.value[:10]
        return None


@dataclass
class Office:
    """An office held over a period (ISO dates; ``end`` None = still held or unknown)."""

    title: str
    code: str
    start: str | None = None
    end: str | None = None
    organisation: str | None = None


@dataclass
class Actor:
    """One real entity, with every spelling seen and the offices it held."""

    id: str
    name: str
    kind: ActorKind
    country: str | None = None  # ISO 3166-1 alpha-3
    code: str | None = None  # CAMEO-style actor code, e.g. RUSGOV
    aliases: list[str] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    in_kb: bool = True


@dataclass
class Mention:
    """An actor mentioned in the text; ``kind`` says how (name, alias, title, pronoun...)."""

    span: Span
    text: str
    actor_id: str | None
    kind: str = "name"
    #: office given by an apposition ("Russian Foreign Minister Sergey Lavrov")
    office: str | None = None


@dataclass
class Quote:
    id: str
    kind: QuoteKind
    text: str
    span: Span
    speaker_id: str | None
    speaker_text: str | None = None
    speaker_span: Span | None = None
    cue: str | None = None
    cue_span: Span | None = None
    date: str | None = None  # TIMEX3 value of when it was said
    place: str | None = None
    sentence_span: Span | None = None


@dataclass
class TimeExpr:
    text: str
    span: Span
    value: str  # TIMEX3-style value: 2019-05-10, 2019-05, 1956, 195X, 19, PRESENT_REF, ...
    type: Literal["DATE", "TIME", "DURATION", "SET"] = "DATE"
    granularity: Granularity = "day"
    relation: TimeRelation = "unknown"
    #: TIMEX3 modifier: START ("early 2019"), MID ("mid-20th century"), END ("late 1990s")
    mod: str | None = None


@dataclass
class Event:
    """Who did what to whom, when and where, traced to one sentence."""

    id: str
    cameo: str
    plover: str
    #: 0 neutral, 1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict
    quad_class: int
    goldstein: float
    source_id: str | None
    target_id: str | None
    sentence_span: Span
    trigger: str
    trigger_span: Span | None = None
    date: str | None = None  # TIMEX3 value
    date_granularity: Granularity = "unknown"
    place: str | None = None
    modality: Modality = "occurred"
    quote_ids: list[str] = field(default_factory=list)
    #: the event lies in background text (historical or recycled)
    background: bool = False


@dataclass
class StageError:
    stage: str
    reason: str


@dataclass
class Article:
    """A cleaned, dated article and every fact extracted from it."""

    id: str
    text: str
    title: str = ""
    standfirst: str | None = None
    url: str | None = None
    source_path: str | None = None
    outlet: str | None = None
    agency: str | None = None
    dateline_city: str | None = None
    section: str | None = None
    #: the dateline as printed ("MOSCOW, May 10. /TASS/."), cut from the first paragraph
    dateline: str | None = None
    #: the publication date as given by metadata (HTML, JSONL, feed, caller), unparsed;
    #: the dating stage resolves it into ``published``
    published_given: str | None = None
    language: str = "en"
    published: PublicationDate | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)
    #: the input as received (after decoding), before cleaning
    raw: str = ""
    revision: int = 1
    #: id of the earlier revision of the same URL (set by the store), None for the first
    previous_revision: str | None = None
    actors: list[Actor] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    timexes: list[TimeExpr] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    errors: list[StageError] = field(default_factory=list)
    #: names of the stages that have run, in order
    stages_done: list[str] = field(default_factory=list)
    #: the stage signature (stages + code/knowledge versions + spaCy model) the
    #: annotations were computed with; set by the engine, compared by
    #: ``Store.articles_needing`` so that incremental runs redo only stale articles
    stage_signature: str | None = None

    def paragraph_texts(self) -> list[str]:
        return [self.text[p.start : p.end] for p in self.paragraphs]

    def actor(self, actor_id: str | None) -> Actor | None:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        return None


# --------------------------------------------------------------------------- JSON shape

T = TypeVar("T")


_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_dict(record: Any) -> Any:
    """The JSON shape of any record (dataclasses become dicts, recursively)."""
    kind = type(record)
    if kind in _PLAIN:  # most values: answered before any other check
        return record
    names = _field_names(kind)  # type: ignore[arg-type]
    if names is not None:
        return {name: to_dict(getattr(record, name)) for name in names}
    if isinstance(record, list | tuple):
        return [to_dict(item) for item in record]
    if isinstance(record, dict):
        return {key: to_dict(value) for key, value in record.items()}
    return record


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, once per class (None for anything else)."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def with_article(found: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The JSON shape of quotes or events listed across articles: each record's
    ``to_dict`` with its ``article_id`` (shared by the CLI's ``--json`` and the API)."""
    return [{"article_id": article_id, **to_dict(record)} for article_id, record in found]


def from_dict(cls: type[T], data: Any) -> T:
    """Rebuild a record from its JSON shape (inverse of :func:`to_dict`)."""
    converters = _converters(cls)  # type: ignore[arg-type]
    return cls(**{name: convert(data[name]) for name, convert in converters if name in data})


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """Resolved field types of a record class, computed once per class (resolving
    them costs milliseconds, which dominated loading records from the store)."""
    return typing.get_type_hints(cls)


@functools.cache
def _converters(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(field name, converter of its JSON value) for a record class, decided once per
    class from the field types, so loading a record does no type inspection."""
    hints = _type_hints(cls)
    return tuple((f.name, _converter(hints[f.name]))
                 for f in dataclasses.fields(cls))  # type: ignore[arg-type]


def _same(value: Any) -> Any:
    return value


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How to rebuild a value of type ``hint``: nested records from dicts, lists item
    by item, anything else as it is (None stays None)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(options[0]) if len(options) == 1 else _same
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        item = _converter(item_hint)
        if item is _same:
            return lambda value: None if value is None else list(value)
        return lambda value: None if value is None else [item(v) for v in value]
    if dataclasses.is_dataclass(hint):
        record: Any = hint
        return lambda value: None if value is None else from_dict(record, value)
    return _same


@dataclass
class RawDocument:
    """One input as read from a file, line or feed entry, before cleaning.

    ``format`` is ``text`` (a scrape like the seeds), ``html``, ``jsonl`` or
    ``feed``; for HTML and feeds the reader has already extracted ``text``
    (main text) and any ``title``/``published``/``outlet`` metadata it found.
    """

    source: str  # path, path:line or feed entry id: names the input in errors
    format: str
    text: str
    url: str | None = None
    title: str | None = None
    published: str | None = None  # as given by metadata, unparsed
    outlet: str | None = None
    encoding: str = "utf-8"
    html: str | None = None
