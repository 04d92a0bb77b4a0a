"""The SQL layer shared by the SQLite and PostgreSQL stores.

Plain SQL through SQLAlchemy Core ``text()`` with named parameters: every value
a user or an article supplies is a bound parameter, never part of the SQL
string.  The full record of each article is kept as JSON (so ``get_article``
round-trips exactly through ``model.to_dict``/``from_dict``), and the fields
needed to filter (dates, speakers, actors, codes) are copied into columns.

The backends differ only in how they open connections and transactions and in
full-text search; they set :attr:`SqlStore.write_options` and override
:meth:`SqlStore._read_transaction`, :meth:`SqlStore._index_paragraphs` and
:meth:`SqlStore._search`.
"""

from __future__ import annotations

import array
import datetime
import itertools
import json
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from parley.errors import ParleyError, StoreError
from parley.model import Actor, Article, Event, Quote, from_dict, to_dict
from parley.store.base import (
    DATA_KINDS,
    GROUP_SECONDS,
    ArticleFilter,
    BackgroundLink,
    DataKind,
    IngestOutcome,
    Rejection,
    SearchHit,
    Store,
    TimelineEvent,
)
from parley.store.migrations import (
    INSERT_TIMELINE_REPORT,
    Dialect,
    current_version,
    dyad_key,
    latest_version,
    migrate,
    timeline_filter_columns,
    timeline_report_rows,
)

# --------------------------------------------------------------------------- search queries


@dataclass(frozen=True)
class SearchTerm:
    """One word or phrase of a search; ``prefix`` matches words starting with it."""

    words: tuple[str, ...]
    prefix: bool = False


_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+(\*)?")


def parse_query(query: str) -> list[SearchTerm]:
    """Reduce any user string to words and "quoted phrases" (``word*`` = prefix).

    Everything else (operators, parentheses, ``NEAR``, ``--``, ``;``) is
    punctuation, so the result can be quoted safely into either backend's
    full-text syntax.  Raises ``ParleyError`` when no word is left.
    """
    terms: list[SearchTerm] = []

    def words_of(chunk: str) -> None:
        for match in _WORD.finditer(chunk):
            word = match.group(0).rstrip("*")
            terms.append(SearchTerm((word,), prefix=match.group(1) is not None))

    position = 0
    for phrase in _PHRASE.finditer(query):
        words_of(query[position : phrase.start()])
        words = tuple(re.findall(r"\w+", phrase.group(1)))
        if words:
            terms.append(SearchTerm(words))
        position = phrase.end()
    words_of(query[position:].replace('"', " "))
    if not terms:
        raise ParleyError(f"the search {query!r} has no words to look for")
    return terms


def like_pattern(value: str) -> str:
    """A case-insensitive ``LIKE`` pattern matching ``value`` anywhere (use ESCAPE '\\')."""
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _dumps(record: Any) -> str:
    return json.dumps(to_dict(record), ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- the store

#: timeline rows inserted per statement by ``replace_timeline``
TIMELINE_CHUNK = 500


@dataclass
class _Group:
    """The open transaction of a thread's ``grouped_writes``."""

    conn: Connection
    seconds: float
    started: float = field(default_factory=time.monotonic)
    open_savepoints: int = 0


class SqlStore(Store):
    """Every ``Store`` method in portable SQL; backends add connections and search."""

    #: execution options of a write transaction's connection (SQLite: take the lock)
    write_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        #: whether write transactions bump ``store_versions`` (backends set it once the
        #: schema has the counters; migrations themselves run uncounted)
        self.counts_writes = False
        self._groups: dict[int, _Group] = {}  # thread -> its grouped_writes

    # -- transactions
    def _write(self, *kinds: DataKind) -> AbstractContextManager[Connection]:
        """A write transaction changing ``kinds`` of data (none named: every kind);
        inside ``grouped_writes``, a savepoint of the group's transaction."""
        group = self._groups.get(threading.get_ident())
        if group is not None:
            return self._grouped(group, kinds)
        return self._counted(self._transaction(**self.write_options), kinds)

    def _read(self) -> AbstractContextManager[Connection]:
        """A read transaction; inside ``grouped_writes``, the group's (which sees what
        the group wrote and has not committed yet)."""
        group = self._groups.get(threading.get_ident())
        if group is not None:
            return self._grouped(group, None)
        return self._read_transaction()

    def _read_transaction(self) -> AbstractContextManager[Connection]:
        return self._transaction()

    @contextmanager
    def grouped_writes(self, seconds: float = GROUP_SECONDS) -> Iterator[None]:
        if threading.get_ident() in self._groups:  # already grouped: one group
            yield
            return
        with self._errors_named():
            conn = self.engine.connect()
        try:
            with self._errors_named():
                conn.execution_options(**self.write_options)
                conn.begin()
            self._groups[threading.get_ident()] = _Group(conn, seconds)
            try:
                yield
            except BaseException:
                with self._errors_named():
                    conn.rollback()
                raise
            with self._errors_named():
                conn.commit()
        finally:
            self._groups.pop(threading.get_ident(), None)
            conn.close()

    @contextmanager
    def _grouped(self, group: _Group, kinds: tuple[DataKind, ...] | None,
                 ) -> Iterator[Connection]:
        """One write (``kinds``) or read (None) in a savepoint of the group's
        transaction: a failing write is undone alone.  After a write, the group
        commits once its transaction is ``seconds`` old (and no savepoint is open:
        a read may still be streaming rows)."""
        group.open_savepoints += 1
        try:
            with self._errors_named(), group.conn.begin_nested():
                yield group.conn
                if kinds is not None:
                    self._touch(group.conn, *(kinds or DATA_KINDS))
        finally:
            group.open_savepoints -= 1
        if (kinds is not None and not group.open_savepoints
                and time.monotonic() - group.started >= group.seconds):
            with self._errors_named():
                group.conn.commit()
                group.conn.begin()
            group.started = time.monotonic()

    @contextmanager
    def _counted(self, transaction: AbstractContextManager[Connection],
                 kinds: tuple[DataKind, ...] = ()) -> Iterator[Connection]:
        """``transaction``, bumping the versions of ``kinds`` (none named: of every
        kind) as its last statement: they change exactly when the write commits
        (``versions()``).  A write that changes a kind only sometimes names it with
        :meth:`_touch` when it does."""
        with transaction as conn:
            yield conn
            self._touch(conn, *(kinds or DATA_KINDS))

    def _touch(self, conn: Connection, *kinds: DataKind) -> None:
        """Bump the versions of ``kinds`` inside the write transaction of ``conn``."""
        if self.counts_writes and kinds:
            names = {f"k{n}": kind for n, kind in enumerate(dict.fromkeys(kinds))}
            conn.execute(text("UPDATE store_versions SET n = n + 1 WHERE kind IN ("
                              + ", ".join(":" + name for name in names) + ")"), names)

    def _migrate(self, dialect: Dialect) -> int:
        """Bring the schema up to date; returns its version.  A store already at the
        latest version is only read, so opening one while an ingest holds the write
        lock does not wait for it (the web server opens one per worker thread)."""
        try:
            with self._read() as conn:
                current = current_version(conn)
            if current == latest_version():
                return current
        except StoreError:  # no schema yet
            pass
        return migrate(self._write, dialect)

    def versions(self) -> dict[DataKind, int] | None:
        if not self.counts_writes:
            return None
        with self._read() as conn:
            rows = conn.execute(text("SELECT kind, n FROM store_versions")).all()
        return versions_of(rows)

    @contextmanager
    def _transaction(self, **options: Any) -> Iterator[Connection]:
        """One transaction; database errors become ``StoreError`` naming the store."""
        with self._errors_named(), self.engine.connect() as conn:
            if options:
                conn.execution_options(**options)
            with conn.begin():
                yield conn

    @contextmanager
    def _errors_named(self) -> Iterator[None]:
        """Database errors raised inside become ``StoreError`` naming the store."""
        try:
            yield
        except SQLAlchemyError as exc:
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            raise StoreError(f"store {self.display_url}: {reason}") from exc

    @property
    def display_url(self) -> str:
        """The store's URL for messages (backends mask any password in ``url``)."""
        return self.url

    def _index_paragraphs(self, conn: Connection, article_id: str) -> None:
        """Add an article's body paragraphs to the full-text index (backend hook)."""

    def _search(self, conn: Connection, terms: list[SearchTerm], limit: int,
                offset: int) -> list[SearchHit]:
        raise NotImplementedError

    def close(self) -> None:
        self.engine.dispose()

    # -- articles
    def add_article(self, article: Article) -> IngestOutcome:
        # an ingested article has stages done (cleaning, dating) but no annotation rows
        annotated = bool(article.actors or article.mentions or article.quotes
                         or article.timexes or article.events)
        with self._write("articles", *(("annotations",) if annotated else ())) as conn:
            if conn.execute(text("SELECT 1 FROM articles WHERE id = :id"),
                            {"id": article.id}).first():
                return "unchanged"
            outcome: IngestOutcome = "ingested"
            previous_id = None
            if article.url:
                latest = conn.execute(
                    text("SELECT id, revision FROM articles WHERE url = :url "
                         "ORDER BY revision DESC, seq DESC LIMIT 1"),
                    {"url": article.url},
                ).first()
                if latest is not None:
                    previous_id = article.previous_revision = latest.id
                    article.revision = int(latest.revision) + 1
                    outcome = "revision"
            conn.execute(
                text("INSERT INTO articles (id, url, source_path, title, outlet, published, "
                     "published_method, revision, previous_id, ingested, signature, record) "
                     "VALUES (:id, :url, :source_path, :title, :outlet, :published, "
                     ":published_method, :revision, :previous_id, :ingested, :signature, "
                     ":record)"),
                {**self._article_columns(article), "source_path": article.source_path,
                 "url": article.url, "revision": article.revision,
                 "previous_id": previous_id, "ingested": _now(),
                 "signature": article.stage_signature},
            )
            rows = [
                {"article_id": article.id, "idx": p.index, "kind": p.kind,
                 "background": int(p.background), "body": article.text[p.start : p.end]}
                for p in article.paragraphs
            ]
            if rows:
                conn.execute(
                    text("INSERT INTO paragraphs (article_id, idx, kind, background, body) "
                         "VALUES (:article_id, :idx, :kind, :background, :body)"),
                    rows,
                )
            self._index_paragraphs(conn, article.id)
            if article.stages_done or annotated:
                self._insert_annotations(conn, article)
            return outcome

    @staticmethod
    def _article_columns(article: Article) -> dict[str, Any]:
        published = article.published
        return {
            "id": article.id,
            "title": article.title or "",
            "outlet": article.outlet,
            "published": published.value if published else None,
            "published_method": published.method if published else None,
            "record": _dumps(article),
        }

    def get_article(self, article_id: str) -> Article | None:
        if not article_id:
            return None
        with self._read() as conn:
            row = conn.execute(text("SELECT record FROM articles WHERE id = :id"),
                               {"id": article_id}).first()
            if row is None:
                prefix = like_pattern(article_id)[1:]  # drop the leading %: a prefix match
                rows = conn.execute(
                    text("SELECT id, record FROM articles WHERE lower(id) LIKE :prefix "
                         "ESCAPE '\\' ORDER BY seq LIMIT 6"),
                    {"prefix": prefix},
                ).all()
                if len(rows) > 1:
                    ids = ", ".join(r.id for r in rows[:5])
                    raise StoreError(f"id prefix {article_id!r} is ambiguous: {ids} ...; "
                                     "give more characters")
                row = rows[0] if rows else None
        return self._load(row.record) if row is not None else None

    @staticmethod
    def _load(record: str) -> Article:
        return from_dict(Article, json.loads(record))

    def list_articles(self, filters: ArticleFilter | None = None) -> list[Article]:
        filters = filters or ArticleFilter()
        where, params = self._article_conditions(filters)
        sql = (
            "SELECT a.record FROM articles a"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.published DESC NULLS LAST, a.seq DESC"
            " LIMIT :limit OFFSET :offset"
        )
        params.update(limit=filters.limit, offset=filters.offset)
        with self._read() as conn:
            return [self._load(row.record) for row in conn.execute(text(sql), params)]

    @staticmethod
    def _article_conditions(filters: ArticleFilter) -> tuple[list[str], dict[str, Any]]:
        """Fixed SQL fragments for the filters given, with their values as parameters."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if filters.outlet:
            where.append("lower(a.outlet) = :outlet")
            params["outlet"] = filters.outlet.lower()
        if filters.actor:
            where.append(
                "a.id IN (SELECT article_id FROM actor_names "
                "WHERE lower(actor_id) = :actor OR lower(name) LIKE :actor_like ESCAPE '\\')"
            )
            params.update(actor=filters.actor.lower(), actor_like=like_pattern(filters.actor))
        if filters.dyad:
            for n, country in enumerate(filters.dyad):
                where.append(f"a.id IN (SELECT article_id FROM article_actors "
                             f"WHERE upper(country) = :country{n})")
                params[f"country{n}"] = country.upper()
        if filters.topic:
            where.append(
                "(lower(a.title) LIKE :topic ESCAPE '\\' OR a.id IN (SELECT article_id "
                "FROM paragraphs WHERE kind = 'body' AND lower(body) LIKE :topic ESCAPE '\\'))"
            )
            params["topic"] = like_pattern(filters.topic)
        if filters.date_from:
            where.append("a.published >= :date_from")
            params["date_from"] = filters.date_from
        if filters.date_to:
            where.append("substr(a.published, 1, :date_to_len) <= :date_to")
            params.update(date_to=filters.date_to, date_to_len=len(filters.date_to))
        return where, params

    def iter_articles(self, batch_size: int = 200) -> Iterator[Article]:
        last = -1
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    text("SELECT seq, record FROM articles WHERE seq > :last "
                         "ORDER BY seq LIMIT :size"),
                    {"last": last, "size": batch_size},
                ).all()
            if not rows:
                return
            for row in rows:
                yield self._load(row.record)
            last = rows[-1].seq

    def iter_articles_published(self, batch_size: int = 200) -> Iterator[Article]:
        # one sorted pass holds only the row numbers (8 bytes an article); the
        # records are then read a batch at a time.  Plain byte order on both
        # backends, as Python compares strings (PostgreSQL's default collation
        # would not).
        collate = "" if self.engine.dialect.name == "sqlite" else ' COLLATE "C"'
        with self._read() as conn:
            seqs = array.array("q", conn.execute(text(
                f"SELECT seq FROM articles ORDER BY COALESCE(NULLIF(published, ''), '~')"
                f"{collate}, id{collate}")).scalars())
        for start in range(0, len(seqs), batch_size):
            wanted = seqs[start : start + batch_size].tolist()
            with self._read() as conn:
                records: dict[int, str] = dict(conn.execute(
                    text("SELECT seq, record FROM articles WHERE seq IN :seqs")
                    .bindparams(bindparam("seqs", expanding=True)), {"seqs": wanted}).all())
            for seq in wanted:
                if seq in records:  # deleted meanwhile
                    yield self._load(records[seq])

    def count_articles(self) -> int:
        with self._read() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM articles")).scalar() or 0)

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        terms = parse_query(query)
        with self._read() as conn:
            return self._search(conn, terms, max(0, limit), max(0, offset))

    # -- annotations
    def save_annotations(self, article: Article) -> None:
        # the article's record and paragraphs change with its annotations
        with self._write("articles", "annotations") as conn:
            if not conn.execute(text("SELECT 1 FROM articles WHERE id = :id"),
                                {"id": article.id}).first():
                raise StoreError(f"article {article.id} is not in the store; add it first")
            for table in ("article_actors", "actor_names", "mentions", "quotes", "timexes",
                          "events"):
                conn.execute(text(f"DELETE FROM {table} WHERE article_id = :id"),
                             {"id": article.id})
            self._insert_annotations(conn, article)
            self._mark_timeline_stale(conn)
            self._save_flags(conn, article)
            columns = self._article_columns(article)
            conn.execute(
                text("UPDATE articles SET title = :title, outlet = :outlet, "
                     "published = :published, published_method = :published_method, "
                     "record = :record, signature = :signature WHERE id = :id"),
                {**columns, "signature": article.stage_signature},
            )

    def save_background_flags(self, article: Article) -> None:
        # the flags live in the paragraphs table and in the article's record; the
        # other annotations are left as they are (no delete and re-insert)
        with self._write("articles") as conn:
            found = conn.execute(
                text("UPDATE articles SET record = :record WHERE id = :id"),
                {"id": article.id, "record": _dumps(article)},
            ).rowcount
            if not found:
                raise StoreError(f"article {article.id} is not in the store; add it first")
            self._save_flags(conn, article)
            self._mark_timeline_stale(conn)

    def _mark_timeline_stale(self, conn: Connection) -> None:
        """The merged timeline no longer matches the articles (``corpus_stale``)."""
        if conn.execute(text("UPDATE corpus_state SET stale = 1 WHERE stale = 0")).rowcount:
            self._touch(conn, "timeline")

    @staticmethod
    def _save_flags(conn: Connection, article: Article) -> None:
        if article.paragraphs:
            conn.execute(
                text("UPDATE paragraphs SET background = :background "
                     "WHERE article_id = :article_id AND idx = :idx"),
                [{"background": int(p.background), "article_id": article.id,
                  "idx": p.index} for p in article.paragraphs],
            )

    def _insert_annotations(self, conn: Connection, article: Article) -> None:
        aid = article.id
        inserts: list[tuple[str, list[dict[str, Any]]]] = [
            (
                "INSERT INTO article_actors (article_id, actor_id, name, kind, country, code, "
                "record) VALUES (:article_id, :actor_id, :name, :kind, :country, :code, :record)",
                [{"article_id": aid, "actor_id": a.id, "name": a.name, "kind": a.kind,
                  "country": a.country, "code": a.code, "record": _dumps(a)}
                 for a in _unique_actors(article.actors)],
            ),
            (
                "INSERT INTO actor_names (article_id, actor_id, name) "
                "VALUES (:article_id, :actor_id, :name)",
                [{"article_id": aid, "actor_id": actor_id, "name": name}
                 for actor_id, name in _actor_names(article)],
            ),
            (
                "INSERT INTO mentions (article_id, seq_no, actor_id, kind, start_char, "
                "end_char, surface) VALUES (:article_id, :seq_no, :actor_id, :kind, :start, "
                ":end, :surface)",
                [{"article_id": aid, "seq_no": n, "actor_id": m.actor_id, "kind": m.kind,
                  "start": m.span.start, "end": m.span.end, "surface": m.text}
                 for n, m in enumerate(article.mentions)],
            ),
            (
                "INSERT INTO quotes (article_id, seq_no, quote_id, kind, speaker_id, "
                "speaker_text, cue, said_on, start_char, end_char, record) VALUES "
                "(:article_id, :seq_no, :quote_id, :kind, :speaker_id, :speaker_text, :cue, "
                ":said_on, :start, :end, :record)",
                [{"article_id": aid, "seq_no": n, "quote_id": q.id, "kind": q.kind,
                  "speaker_id": q.speaker_id, "speaker_text": q.speaker_text, "cue": q.cue,
                  "said_on": q.date, "start": q.span.start, "end": q.span.end,
                  "record": _dumps(q)}
                 for n, q in enumerate(article.quotes)],
            ),
            (
                "INSERT INTO timexes (article_id, seq_no, value, type, granularity, relation, "
                "start_char, end_char, surface) VALUES (:article_id, :seq_no, :value, :type, "
                ":granularity, :relation, :start, :end, :surface)",
                [{"article_id": aid, "seq_no": n, "value": t.value, "type": t.type,
                  "granularity": t.granularity, "relation": t.relation,
                  "start": t.span.start, "end": t.span.end, "surface": t.text}
                 for n, t in enumerate(article.timexes)],
            ),
            (
                "INSERT INTO events (article_id, seq_no, event_id, cameo, plover, quad_class, "
                "goldstein, source_id, target_id, event_date, modality, background, record) "
                "VALUES (:article_id, :seq_no, :event_id, :cameo, :plover, :quad_class, "
                ":goldstein, :source_id, :target_id, :event_date, :modality, :background, "
                ":record)",
                [{"article_id": aid, "seq_no": n, "event_id": e.id, "cameo": e.cameo,
                  "plover": e.plover, "quad_class": e.quad_class,
                  "goldstein": float(e.goldstein), "source_id": e.source_id,
                  "target_id": e.target_id, "event_date": e.date, "modality": e.modality,
                  "background": int(e.background), "record": _dumps(e)}
                 for n, e in enumerate(article.events)],
            ),
        ]
        for sql, rows in inserts:
            if rows:
                conn.execute(text(sql), rows)

    def articles_needing(self, stage_signature: str) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                text("SELECT id FROM articles WHERE signature IS NULL "
                     "OR signature <> :signature ORDER BY seq"),
                {"signature": stage_signature},
            )
            return [row.id for row in rows]

    def quotes(self, speaker: str | None = None, limit: int = 1000) -> list[tuple[str, Quote]]:
        where, params = "", dict[str, Any](limit=limit)
        if speaker:
            where = (
                "WHERE lower(q.speaker_id) = :speaker "
                "OR lower(q.speaker_text) LIKE :speaker_like ESCAPE '\\' "
                "OR q.speaker_id IN (SELECT actor_id FROM actor_names "
                "WHERE lower(name) LIKE :speaker_like ESCAPE '\\')"
            )
            params.update(speaker=speaker.lower(), speaker_like=like_pattern(speaker))
        sql = ("SELECT q.article_id, q.record FROM quotes q JOIN articles a ON a.id = q.article_id "
               f"{where} ORDER BY a.published NULLS LAST, a.seq, q.seq_no "
               "LIMIT :limit")
        with self._read() as conn:
            return [(row.article_id, from_dict(Quote, json.loads(row.record)))
                    for row in conn.execute(text(sql), params)]

    def events(self, actor: str | None = None, limit: int = 100000) -> list[tuple[str, Event]]:
        where, params = "", dict[str, Any](limit=limit)
        if actor:
            where = (
                "WHERE lower(e.source_id) = :actor OR lower(e.target_id) = :actor "
                "OR e.source_id IN (SELECT actor_id FROM actor_names "
                "WHERE lower(name) LIKE :actor_like ESCAPE '\\') "
                "OR e.target_id IN (SELECT actor_id FROM actor_names "
                "WHERE lower(name) LIKE :actor_like ESCAPE '\\')"
            )
            params.update(actor=actor.lower(), actor_like=like_pattern(actor))
        sql = ("SELECT e.article_id, e.record FROM events e JOIN articles a ON a.id = e.article_id "
               f"{where} ORDER BY e.event_date NULLS LAST, a.seq, e.seq_no "
               "LIMIT :limit")
        with self._read() as conn:
            return [(row.article_id, from_dict(Event, json.loads(row.record)))
                    for row in conn.execute(text(sql), params)]

    def actors(self) -> list[Actor]:
        merged: dict[str, Actor] = {}
        with self._read() as conn:
            for row in conn.execute(text("SELECT actor_id, record FROM article_actors "
                                         "ORDER BY actor_id")):
                actor = from_dict(Actor, json.loads(row.record))
                known = merged.setdefault(row.actor_id, actor)
                _add_aliases(known, [actor.name, *actor.aliases])
            for row in conn.execute(text("SELECT DISTINCT actor_id, name FROM actor_names "
                                         "ORDER BY actor_id, name")):
                if row.actor_id in merged:
                    _add_aliases(merged[row.actor_id], [row.name])
        return sorted(merged.values(), key=lambda a: (a.name.lower(), a.id))

    # -- rejections
    def add_rejection(self, rejection: Rejection) -> None:
        rejection.created = rejection.created or _now()
        with self._write("articles") as conn:
            conn.execute(
                text("INSERT INTO rejections (source, stage, reason, created) "
                     "VALUES (:source, :stage, :reason, :created)"),
                to_dict(rejection),
            )

    def rejections(self) -> list[Rejection]:
        with self._read() as conn:
            rows = conn.execute(text("SELECT source, stage, reason, created FROM rejections "
                                     "ORDER BY rid"))
            return [Rejection(r.source, r.stage, r.reason, r.created) for r in rows]

    # -- cross-article records
    def replace_background_links(self, article_id: str, links: list[BackgroundLink]) -> None:
        with self._write("timeline") as conn:
            conn.execute(text("DELETE FROM background_links WHERE article_id = :id"),
                         {"id": article_id})
            if links:
                conn.execute(
                    text("INSERT INTO background_links (article_id, paragraph_index, "
                         "earlier_article_id, earlier_paragraph_index, similarity) VALUES "
                         "(:article_id, :paragraph_index, :earlier_article_id, "
                         ":earlier_paragraph_index, :similarity)"),
                    [to_dict(link) for link in links],
                )

    def background_links(self, article_id: str | None = None) -> list[BackgroundLink]:
        sql = ("SELECT article_id, paragraph_index, earlier_article_id, "
               "earlier_paragraph_index, similarity FROM background_links")
        params: dict[str, Any] = {}
        if article_id is not None:
            sql += " WHERE article_id = :id"
            params["id"] = article_id
        sql += " ORDER BY article_id, paragraph_index, earlier_article_id"
        with self._read() as conn:
            return [BackgroundLink(r.article_id, r.paragraph_index, r.earlier_article_id,
                                   r.earlier_paragraph_index, float(r.similarity))
                    for r in conn.execute(text(sql), params)]

    def replace_timeline(self, events: Iterable[TimelineEvent]) -> None:
        """Spool ``events`` to a temporary file as they come (an iterator computing them
        may read this store; nothing is held in memory), then swap the timeline in one
        transaction, ``TIMELINE_CHUNK`` rows per statement: readers see the old or the
        new timeline, a crash leaves the old, and the write lock is held only to insert."""
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            for number, event in enumerate(events):
                row = {"id": event.id, "event_date": event.date, "seq_no": number,
                       "record": _dumps(event), **timeline_filter_columns(to_dict(event))}
                reports = timeline_report_rows(event.id, event.reports)
                spool.write(json.dumps([row, reports]) + "\n")
            spool.seek(0)
            rows = (json.loads(line) for line in spool)
            with self._write("timeline") as conn:
                conn.execute(text("DELETE FROM timeline"))
                conn.execute(text("UPDATE corpus_state SET stale = 0"))
                conn.execute(text("DELETE FROM timeline_reports"))
                while chunk := list(itertools.islice(rows, TIMELINE_CHUNK)):
                    conn.execute(
                        text("INSERT INTO timeline (id, event_date, seq_no, record, "
                             "source_country, target_country, source_id, target_id, "
                             "source_name, target_name, dyad) VALUES (:id, :event_date, "
                             ":seq_no, :record, :source_country, :target_country, :source_id, "
                             ":target_id, :source_name, :target_name, :dyad)"),
                        [row for row, _ in chunk],
                    )
                    reports = [report for _, rows_of_event in chunk for report in rows_of_event]
                    if reports:
                        conn.execute(text(INSERT_TIMELINE_REPORT), reports)

    def corpus_stale(self) -> bool:
        with self._read() as conn:
            return bool(conn.execute(text("SELECT stale FROM corpus_state")).scalar())

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
        params: dict[str, Any] = {}
        if dyad is None and date_from is None and date_to is None and actor is None \
                and limit is None and not offset:
            sql = "SELECT record FROM timeline ORDER BY seq_no"
        else:
            # the page is chosen on the narrow key columns first, so the sort never
            # carries the records; only the page's records are then read
            where, params = _timeline_conditions(dyad, date_from, date_to, actor)
            order = " ORDER BY (event_date IS NULL), event_date, id"
            page = ("SELECT id, event_date FROM timeline"
                    + (" WHERE " + " AND ".join(where) if where else "") + order)
            if limit is not None:
                page += " LIMIT :limit"
                params["limit"] = max(0, limit)
            if offset:
                page += (" OFFSET :offset" if limit is not None
                         else " LIMIT -1 OFFSET :offset" if self.engine.dialect.name == "sqlite"
                         else " OFFSET :offset")
                params["offset"] = max(0, offset)
            sql = ("SELECT timeline.record FROM (" + page + ") AS page "
                   "JOIN timeline ON timeline.id = page.id"
                   " ORDER BY (page.event_date IS NULL), page.event_date, page.id")
        with self._read() as conn:
            rows = conn.execute(text(sql), params)
            return [from_dict(TimelineEvent, json.loads(r.record)) for r in rows]

    def timeline_events_of(self, article_ids: list[str]) -> list[TimelineEvent]:
        wanted = sorted(set(article_ids))
        if not wanted:
            return []
        names = [f"a{n}" for n in range(len(wanted))]
        sql = ("SELECT record FROM timeline WHERE id IN (SELECT timeline_id FROM "
               f"timeline_reports WHERE article_id IN ({', '.join(':' + n for n in names)})) "
               "ORDER BY seq_no")
        with self._read() as conn:
            rows = conn.execute(text(sql), dict(zip(names, wanted, strict=True)))
            return [from_dict(TimelineEvent, json.loads(r.record)) for r in rows]

    # -- saved feed filters
    def save_filter(self, name: str, query: dict[str, str]) -> None:
        if not name.strip():
            raise StoreError("a saved filter needs a name")
        record = json.dumps({str(k): str(v) for k, v in query.items()}, sort_keys=True)
        with self._write("filters") as conn:
            conn.execute(
                text("INSERT INTO saved_filters (name, query, updated) "
                     "VALUES (:name, :query, :updated) ON CONFLICT (name) DO UPDATE "
                     "SET query = excluded.query, updated = excluded.updated"),
                {"name": name, "query": record, "updated": _now()},
            )

    def filters(self) -> dict[str, dict[str, str]]:
        with self._read() as conn:
            rows = conn.execute(text("SELECT name, query FROM saved_filters ORDER BY name"))
            return {r.name: json.loads(r.query) for r in rows}

    def delete_filter(self, name: str) -> bool:
        with self._write("filters") as conn:
            deleted = conn.execute(text("DELETE FROM saved_filters WHERE name = :name"),
                                   {"name": name})
            return bool(deleted.rowcount)


def versions_of(rows: Iterable[Any]) -> dict[DataKind, int]:
    """``(kind, n)`` rows of ``store_versions`` as ``Store.versions()`` answers them:
    every kind, in ``DATA_KINDS`` order."""
    found = {str(kind): int(n) for kind, n in rows}
    try:
        return {kind: found[kind] for kind in DATA_KINDS}
    except KeyError as missing:
        raise StoreError(f"the store counts no version of {missing}: its schema is "
                         "damaged; restore it from a backup") from None


def _timeline_conditions(
    dyad: tuple[str, str] | None, date_from: str | None, date_to: str | None,
    actor: str | None,
) -> tuple[list[str], dict[str, Any]]:
    """SQL filters of ``Store.timeline_events`` (same meaning as
    ``parley.analysis.timeline.filter_timeline``), values as parameters."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if dyad is not None:
        first, second = dyad
        if first == second:
            where.append("1 = 0")  # a dyad is two different countries
        where.append("dyad = :dyad")  # indexed with the date order (migration 8)
        params["dyad"] = dyad_key(first, second) or ""
    if date_from is not None or date_to is not None:
        where.append("event_date IS NOT NULL")
    if date_from is not None:
        # a month or year overlaps the range when it is not before the same-length
        # prefix of ``date_from`` ("2018-11" overlaps from "2018-11-14")
        where.append("event_date >= substr(:date_from, 1, length(event_date))")
        params["date_from"] = date_from
    if date_to is not None:
        where.append("event_date <= :date_to")
        params["date_to"] = date_to
    if actor is not None:
        where.append("(lower(source_id) = :actor OR lower(target_id) = :actor OR "
                     "source_name LIKE :actor_like ESCAPE '\\' OR "
                     "target_name LIKE :actor_like ESCAPE '\\')")
        params.update(actor=actor.lower(), actor_like=like_pattern(actor))
    return where, params


def _unique_actors(actors: list[Actor]) -> list[Actor]:
    seen: dict[str, Actor] = {}
    for actor in actors:
        seen.setdefault(actor.id, actor)
    return list(seen.values())


def _actor_names(article: Article) -> list[tuple[str, str]]:
    """Every (actor id, spelling) an article uses: names, aliases and mention texts."""
    names: dict[tuple[str, str], None] = {}
    for actor in article.actors:
        for name in (actor.name, *actor.aliases):
            names[(actor.id, name)] = None
    for mention in article.mentions:
        if mention.actor_id and mention.kind in ("name", "alias"):
            names[(mention.actor_id, mention.text)] = None
    return list(names)


def _add_aliases(actor: Actor, names: list[str]) -> None:
    for name in names:
        if name and name != actor.name and name not in actor.aliases:
            actor.aliases.append(name)
