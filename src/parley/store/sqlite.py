"""The default store: one SQLite file, WAL, foreign keys on, FTS5 search.

Writes take the write lock up front (``BEGIN IMMEDIATE``) so an article's
record, paragraphs, index entries and annotations commit together or not at
all; a process killed mid-write leaves the previous committed state (WAL).
Readers run in their own transactions and see only committed articles.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Connection, create_engine, event, text

from parley.errors import StoreError
from parley.store.base import DataKind, SearchHit
from parley.store.migrations import STORE_VERSION_MIGRATION, Dialect
from parley.store.sql import SearchTerm, SqlStore, versions_of

_BUSY_TIMEOUT_MS = 30_000


def _create_fulltext(conn: Connection) -> None:
    conn.execute(
        text("CREATE VIRTUAL TABLE paragraph_fts USING fts5("
             "body, tokenize = 'porter unicode61 remove_diacritics 2')")
    )


SQLITE = Dialect(
    name="sqlite",
    serial_key="INTEGER PRIMARY KEY",
    create_fulltext=_create_fulltext,
    lock=lambda conn: None,  # BEGIN IMMEDIATE already serialises writers
)


def fts5_query(terms: list[SearchTerm]) -> str:
    """An FTS5 MATCH string in which every word is a quoted string (no operators)."""
    parts = []
    for term in terms:
        phrase = '"' + " ".join(w.replace('"', '""') for w in term.words) + '"'
        parts.append(phrase + ("*" if term.prefix else ""))
    return " ".join(parts)


class SQLiteStore(SqlStore):
    write_options: ClassVar[dict[str, Any]] = {"parley_write": True}  # BEGIN IMMEDIATE

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.parent.is_dir():
            raise StoreError(
                f"cannot create the store {path}: folder {path.parent} does not exist"
            )
        engine = create_engine(
            f"sqlite:///{path}", connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _configure_connection)
        event.listen(engine, "begin", _begin)
        super().__init__(str(path), engine)
        self.path = path
        self._version_reader: sqlite3.Connection | None = None
        self._version_lock = threading.Lock()
        try:
            self.schema_version = self._migrate(SQLITE)
        except BaseException:
            engine.dispose()
            raise
        self.counts_writes = self.schema_version >= STORE_VERSION_MIGRATION

    def versions(self) -> dict[DataKind, int] | None:
        # asked before every cached web answer: one long-lived driver connection in
        # autocommit mode (each SELECT is its own transaction and sees the last
        # commit), ten times cheaper than a pooled SQLAlchemy transaction
        if not self.counts_writes:
            return None
        with self._version_lock:
            try:
                if self._version_reader is None:
                    self._version_reader = sqlite3.connect(
                        self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                        check_same_thread=False)
                rows = self._version_reader.execute(
                    "SELECT kind, n FROM store_versions").fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"store {self.display_url}: {exc}") from exc
        return versions_of(rows)

    def close(self) -> None:
        with self._version_lock:
            if self._version_reader is not None:
                self._version_reader.close()
                self._version_reader = None
        super().close()

    def _read_transaction(self) -> AbstractContextManager[Connection]:
        return self._transaction(parley_write=False)

    def _index_paragraphs(self, conn: Connection, article_id: str) -> None:
        conn.execute(
            text("INSERT INTO paragraph_fts (rowid, body) SELECT pid, body FROM paragraphs "
                 "WHERE article_id = :id AND kind = 'body'"),
            {"id": article_id},
        )

    def _search(self, conn: Connection, terms: list[SearchTerm], limit: int,
                offset: int) -> list[SearchHit]:
        # rank every match on the full-text index alone (ties in paragraph order: pids
        # grow with (article seq, paragraph index), both assigned at insert), then join
        # and build snippets for the page only: for 190k matching paragraphs the joins
        # and snippets of every match took seconds
        rows = conn.execute(
            text("WITH page AS ("
                 " SELECT rowid AS pid, bm25(paragraph_fts) AS score FROM paragraph_fts "
                 " WHERE paragraph_fts MATCH :query ORDER BY score, rowid "
                 " LIMIT :limit OFFSET :offset) "
                 "SELECT p.article_id, p.idx, a.title, a.published, "
                 "snippet(paragraph_fts, 0, '[[', ']]', '…', 32) AS snippet, page.score "
                 "FROM paragraph_fts JOIN page ON page.pid = paragraph_fts.rowid "
                 "JOIN paragraphs p ON p.pid = page.pid JOIN articles a ON a.id = p.article_id "
                 "WHERE paragraph_fts MATCH :query AND paragraph_fts.rowid IN "
                 "(SELECT pid FROM page) ORDER BY page.score, page.pid"),
            {"query": fts5_query(terms), "limit": limit, "offset": offset},
        )
        return [SearchHit(r.article_id, r.idx, r.title, r.published, r.snippet, -float(r.score))
                for r in rows]

    def integrity_check(self) -> str:
        """SQLite's own consistency check ("ok" when the file is sound)."""
        with self._read() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: transactions are opened by _begin, so that
    # writers can take the write lock with BEGIN IMMEDIATE (SQLAlchemy's recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("parley_write", True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def iter_pragma(store: SQLiteStore, name: str) -> Iterator[Any]:
    """Rows of a read-only PRAGMA (used by tests and diagnostics)."""
    allowed = {"journal_mode", "foreign_keys", "integrity_check", "user_version"}
    if name not in allowed:
        raise StoreError(f"pragma {name!r} is not one of {sorted(allowed)}")
    with store._read() as conn:
        yield from conn.execute(text(f"PRAGMA {name}"))
