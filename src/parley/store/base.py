"""The store interface: one API, SQLite by default, PostgreSQL for a team.

Every write that concerns one article (its record, its paragraphs, its
annotations) is all or nothing (its own transaction, or a savepoint inside
``grouped_writes``), so a crash never leaves an article half-written.  Schema
changes are numbered migrations (``store/migrations.py``) that run the same on
both backends.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

from parley.model import Actor, Article, Event, Quote

IngestOutcome = Literal["ingested", "unchanged", "revision"]

#: the kinds of data whose changes ``Store.versions()`` counts separately, and what
#: each covers: articles (articles and their records, paragraphs, full-text index,
#: revisions, rejections); annotations (actors, actor names, mentions, quotes,
#: timexes, events); timeline (merged timeline, its report index, background links,
#: corpus state); filters (saved filters)
DataKind = Literal["articles", "annotations", "timeline", "filters"]
DATA_KINDS: tuple[DataKind, ...] = ("articles", "annotations", "timeline", "filters")


@dataclass
class SearchHit:
    article_id: str
    paragraph_index: int
    title: str
    published: str | None
    snippet: str  # the paragraph with matches wrapped in [[ ]] markers (escape before HTML)
    rank: float = 0.0


@dataclass
class ArticleFilter:
    """Filters shared by the CLI, the API and the web pages."""

    outlet: str | None = None
    actor: str | None = None  # actor id or name
    dyad: tuple[str, str] | None = None  # two country codes (ISO-3)
    topic: str | None = None  # free text matched against title/body
    date_from: str | None = None
    date_to: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass
class Rejection:
    source: str
    stage: str
    reason: str
    created: str | None = None


@dataclass
class BackgroundLink:
    """A paragraph that recycles an earlier one, with their similarity (0..1).

    Both paragraph indices are -1 when the whole article is a near-duplicate of
    the earlier one (a re-post or updated version).
    """

    article_id: str
    paragraph_index: int
    earlier_article_id: str
    earlier_paragraph_index: int
    similarity: float


@dataclass
class TimelineEvent:
    """One real-world event merged from every report of it."""

    id: str
    date: str | None
    date_granularity: str
    cameo: str
    plover: str
    quad_class: int
    goldstein: float
    source_id: str | None
    target_id: str | None
    place: str | None
    modality: str
    #: (article_id, event_id, background?) for every report
    reports: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    #: canonical names, CAMEO actor codes and countries (ISO-3) of the participants
    source_name: str | None = None
    target_name: str | None = None
    source_code: str | None = None
    target_code: str | None = None
    source_country: str | None = None
    target_country: str | None = None
    #: quotes from each side: article_id, quote_id, speaker_id, speaker, side, kind, text
    quotes: list[dict[str, Any]] = field(default_factory=list)
    #: the sentence of the most precise report
    sentence: str | None = None
    #: other actions of the same occasion (one sentence, date and pair of participants),
    #: besides the primary ``cameo``: cameo, plover, quad_class, goldstein, modality
    actions: list[dict[str, Any]] = field(default_factory=list)


#: how long ``Store.grouped_writes`` keeps a transaction open before committing it
GROUP_SECONDS = 0.5


class Store(ABC):
    """What every backend provides.  Methods take and return ``parley.model`` records."""

    url: str

    # -- lifecycle
    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def grouped_writes(self, seconds: float = GROUP_SECONDS) -> AbstractContextManager[None]:
        """Inside, this thread's writes share transactions, each committed once it is
        ``seconds`` old (and on leaving): a long ingest commits, and so changes what
        readers see, a few times a second instead of once per article, and a killed
        run loses at most those seconds of work (a rerun redoes it).  Each write is
        still all or nothing (a savepoint); an exception leaving the block rolls back
        what was not committed yet.  Default: every write its own transaction."""
        return nullcontext()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles
    @abstractmethod
    def add_article(self, article: Article) -> IngestOutcome:
        """Store a cleaned, dated article (all or nothing).  Same content again:
        ``unchanged``; same URL with new content: stored as a new ``revision``."""

    @abstractmethod
    def get_article(self, article_id: str) -> Article | None:
        """The full record, annotations included; a unique id prefix is accepted."""

    @abstractmethod
    def list_articles(self, filters: ArticleFilter | None = None) -> list[Article]:
        """Newest first (by resolved publication date, then ingest order)."""

    @abstractmethod
    def iter_articles(self, batch_size: int = 200) -> Iterator[Article]:
        """Every article, streamed in batches, oldest ingest first."""

    def iter_articles_published(self, batch_size: int = 200) -> Iterator[Article]:
        """Every article in publication order: ``(published or "~", id)`` as plain
        strings compare, undated last (the order ``background.article_order_key``
        gives).  Indexes that keep the earliest occurrence of something are
        cheapest fed in this order.  This fallback holds every article's key in
        memory; stores override it."""
        keys = sorted(((article.published.value if article.published else "") or "~", article.id)
                      for article in self.iter_articles(batch_size))
        for _, article_id in keys:
            found = self.get_article(article_id)
            if found is not None:  # deleted meanwhile
                yield found

    @abstractmethod
    def count_articles(self) -> int: ...

    @abstractmethod
    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Full-text search over body paragraphs; any user string is safe to pass."""

    # -- annotations
    @abstractmethod
    def save_annotations(self, article: Article) -> None:
        """Replace an article's annotations (actors, quotes, timexes, events) atomically."""

    def save_background_flags(self, article: Article) -> None:
        """Save the ``Paragraph.background`` flags of an article whose annotations are
        otherwise unchanged (what the cross-article step rewrites).  Default: the
        whole of ``save_annotations``; a store may write only the flags."""
        self.save_annotations(article)

    @abstractmethod
    def articles_needing(self, stage_signature: str) -> list[str]:
        """Ids of articles not yet processed with this stage signature (incremental runs)."""

    @abstractmethod
    def quotes(self, speaker: str | None = None, limit: int = 1000) -> list[tuple[str, Quote]]:
        """(article_id, quote) pairs, optionally for one speaker (id or name)."""

    @abstractmethod
    def events(self, actor: str | None = None, limit: int = 100000) -> list[tuple[str, Event]]: ...

    @abstractmethod
    def actors(self) -> list[Actor]:
        """Every actor seen in any article, merged by id with all aliases seen."""

    # -- rejections
    @abstractmethod
    def add_rejection(self, rejection: Rejection) -> None: ...

    @abstractmethod
    def rejections(self) -> list[Rejection]: ...

    # -- cross-article records
    @abstractmethod
    def replace_background_links(self, article_id: str, links: list[BackgroundLink]) -> None: ...

    @abstractmethod
    def background_links(self, article_id: str | None = None) -> list[BackgroundLink]: ...

    @abstractmethod
    def replace_timeline(self, events: Iterable[TimelineEvent]) -> None:
        """Replace the merged timeline with ``events`` (in that order) atomically.
        ``events`` may be a generator reading this store; it is consumed once and
        need not fit in memory."""

    @abstractmethod
    def timeline_events(
        self,
        *,
        dyad: tuple[str, str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        actor: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TimelineEvent]:
        """The merged events.  With no argument: all, in stored order.  With any
        filter or paging: those matching, in date order (undated last, then id),
        filtered in the database: ``dyad`` two different country codes (either
        direction), ``date_from``/``date_to`` an overlap with the event's date
        at its precision, ``actor`` an actor id or part of a participant's name."""

    def timeline_events_of(self, article_ids: list[str]) -> list[TimelineEvent]:
        """The merged events that any of these articles reports (pages ask for a few)."""
        wanted = set(article_ids)
        return [e for e in self.timeline_events()
                if wanted.intersection(str(r.get("article_id")) for r in e.reports)]

    # -- saved feed filters (named queries of the web feed and its Atom feed)
    @abstractmethod
    def save_filter(self, name: str, query: dict[str, str]) -> None:
        """Keep ``query`` (URL parameters of the feed) under ``name``, replacing any."""

    @abstractmethod
    def filters(self) -> dict[str, dict[str, str]]:
        """Every saved filter by name, in name order."""

    @abstractmethod
    def delete_filter(self, name: str) -> bool:
        """Forget a saved filter; False when there was none of that name."""

    def corpus_stale(self) -> bool:
        """Annotations changed since the timeline was last replaced (a run was killed
        before its cross-article step finished): the next run must redo it."""
        return False

    def versions(self) -> dict[DataKind, int] | None:
        """A counter per kind of data (``DATA_KINDS``), bumped inside every write
        transaction that changes that kind, from any process: a reader can tell
        cheaply whether what it computed earlier from those kinds is still current.
        None when the store cannot tell (then nothing may be cached)."""
        return None
