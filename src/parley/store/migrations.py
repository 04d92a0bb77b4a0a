"""Numbered schema migrations, the same functions on SQLite and PostgreSQL.

Each migration is a function registered with its number; ``migrate`` applies
the pending ones in order, each in its own transaction, and records it in the
``schema_version`` table.  The few things the two databases spell differently
(an auto-numbered key, the full-text index) come from the backend's
:class:`Dialect`, so one migration reads the same for both.

To change the schema, add a function numbered one higher; never edit an
applied one.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from parley.errors import StoreError


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends, as SQL fragments and hooks."""

    name: str
    #: column definition of an auto-numbered integer primary key
    serial_key: str
    #: creates the full-text index over body paragraphs
    create_fulltext: Callable[[Connection], None]
    #: takes the migration lock inside the current transaction (may do nothing)
    lock: Callable[[Connection], None]


MigrationFunc = Callable[[Connection, Dialect], None]


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    apply: MigrationFunc


MIGRATIONS: list[Migration] = []


def migration(number: int, description: str) -> Callable[[MigrationFunc], MigrationFunc]:
    """Register a migration function under ``number`` (decorator)."""

    def decorate(func: MigrationFunc) -> MigrationFunc:
        if any(m.number == number for m in MIGRATIONS):
            raise StoreError(f"migration {number} is registered twice")
        MIGRATIONS.append(Migration(number, description, func))
        MIGRATIONS.sort(key=lambda m: m.number)
        return func

    return decorate


def _run(conn: Connection, statements: str) -> None:
    for statement in statements.split(";"):
        if statement.strip():
            conn.execute(text(statement))


@migration(1, "articles, paragraphs with full-text index, annotations, rejections")
def _initial_schema(conn: Connection, dialect: Dialect) -> None:
    _run(
        conn,
        f"""
        CREATE TABLE articles (
            seq {dialect.serial_key},
            id TEXT NOT NULL UNIQUE,
            url TEXT,
            source_path TEXT,
            title TEXT NOT NULL DEFAULT '',
            outlet TEXT,
            published TEXT,
            published_method TEXT,
            revision INTEGER NOT NULL DEFAULT 1,
            previous_id TEXT REFERENCES articles(id),
            ingested TEXT NOT NULL,
            signature TEXT,
            record TEXT NOT NULL
        );
        CREATE INDEX articles_url ON articles(url);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_outlet ON articles(outlet);
        CREATE TABLE paragraphs (
            pid {dialect.serial_key},
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL,
            background INTEGER NOT NULL DEFAULT 0,
            body TEXT NOT NULL,
            UNIQUE (article_id, idx)
        );
        CREATE TABLE article_actors (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            actor_id TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            country TEXT,
            code TEXT,
            record TEXT NOT NULL,
            PRIMARY KEY (article_id, actor_id)
        );
        CREATE INDEX article_actors_actor ON article_actors(actor_id);
        CREATE INDEX article_actors_country ON article_actors(country);
        CREATE TABLE actor_names (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            actor_id TEXT NOT NULL,
            name TEXT NOT NULL
        );
        CREATE INDEX actor_names_name ON actor_names(name);
        CREATE INDEX actor_names_article ON actor_names(article_id);
        CREATE TABLE mentions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq_no INTEGER NOT NULL,
            actor_id TEXT,
            kind TEXT NOT NULL,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            surface TEXT NOT NULL
        );
        CREATE INDEX mentions_article ON mentions(article_id);
        CREATE INDEX mentions_actor ON mentions(actor_id);
        CREATE TABLE quotes (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq_no INTEGER NOT NULL,
            quote_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            speaker_id TEXT,
            speaker_text TEXT,
            cue TEXT,
            said_on TEXT,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX quotes_article ON quotes(article_id);
        CREATE INDEX quotes_speaker ON quotes(speaker_id);
        CREATE TABLE timexes (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq_no INTEGER NOT NULL,
            value TEXT NOT NULL,
            type TEXT NOT NULL,
            granularity TEXT NOT NULL,
            relation TEXT NOT NULL,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            surface TEXT NOT NULL
        );
        CREATE INDEX timexes_article ON timexes(article_id);
        CREATE INDEX timexes_value ON timexes(value);
        CREATE TABLE events (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq_no INTEGER NOT NULL,
            event_id TEXT NOT NULL,
            cameo TEXT NOT NULL,
            plover TEXT NOT NULL,
            quad_class INTEGER NOT NULL,
            goldstein DOUBLE PRECISION NOT NULL,
            source_id TEXT,
            target_id TEXT,
            event_date TEXT,
            modality TEXT NOT NULL,
            background INTEGER NOT NULL DEFAULT 0,
            record TEXT NOT NULL
        );
        CREATE INDEX events_article ON events(article_id);
        CREATE INDEX events_source ON events(source_id);
        CREATE INDEX events_target ON events(target_id);
        CREATE INDEX events_date ON events(event_date);
        CREATE TABLE rejections (
            rid {dialect.serial_key},
            source TEXT NOT NULL,
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE TABLE background_links (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            paragraph_index INTEGER NOT NULL,
            earlier_article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            earlier_paragraph_index INTEGER NOT NULL,
            similarity DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX background_links_article ON background_links(article_id);
        CREATE TABLE timeline (
            id TEXT PRIMARY KEY,
            event_date TEXT,
            seq_no INTEGER NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX timeline_date ON timeline(event_date)
        """,
    )
    dialect.create_fulltext(conn)


@migration(2, "corpus_state: whether the cross-article step is owed after annotations changed")
def _corpus_state(conn: Connection, dialect: Dialect) -> None:
    # one row; ``stale`` is set with every annotation write and cleared with the
    # timeline's, so a run killed in between redoes the cross-article step
    _run(conn, "CREATE TABLE corpus_state (id INTEGER PRIMARY KEY, stale INTEGER NOT NULL);"
               "INSERT INTO corpus_state (id, stale) VALUES (1, 0)")


@migration(3, "saved_filters: named feed filters kept in the store")
def _saved_filters(conn: Connection, dialect: Dialect) -> None:
    # the query is the feed's URL parameters as a JSON object ({"topic": ..., "from": ...})
    _run(conn, "CREATE TABLE saved_filters (name TEXT PRIMARY KEY, query TEXT NOT NULL, "
               "updated TEXT NOT NULL)")


@migration(4, "timeline_reports: which articles report each timeline event")
def _timeline_reports(conn: Connection, dialect: Dialect) -> None:
    # lets a page fetch the merged events of a few articles without reading the whole timeline
    _run(conn, "CREATE TABLE timeline_reports (timeline_id TEXT NOT NULL, "
               "article_id TEXT NOT NULL, background INTEGER NOT NULL, "
               "PRIMARY KEY (timeline_id, article_id));"
               "CREATE INDEX timeline_reports_article ON timeline_reports(article_id)")
    for row in conn.execute(text("SELECT id, record FROM timeline")).all():
        rows = timeline_report_rows(row.id, json.loads(row.record).get("reports") or [])
        if rows:
            conn.execute(text(INSERT_TIMELINE_REPORT), rows)


@migration(5, "timeline filter columns: countries, actor ids and names, with indexes")
def _timeline_filter_columns(conn: Connection, dialect: Dialect) -> None:
    # the timeline filters (dyad, actor, date range) and its paging run in SQL on these,
    # instead of decoding every record in Python (35 s per query at 100k events)
    _run(conn, "ALTER TABLE timeline ADD COLUMN source_country TEXT;"
               "ALTER TABLE timeline ADD COLUMN target_country TEXT;"
               "ALTER TABLE timeline ADD COLUMN source_id TEXT;"
               "ALTER TABLE timeline ADD COLUMN target_id TEXT;"
               "ALTER TABLE timeline ADD COLUMN source_name TEXT;"
               "ALTER TABLE timeline ADD COLUMN target_name TEXT;"
               "CREATE INDEX timeline_countries ON timeline(source_country, target_country, "
               "event_date);"
               "CREATE INDEX timeline_source ON timeline(source_id);"
               "CREATE INDEX timeline_target ON timeline(target_id)")
    for row in conn.execute(text("SELECT id, record FROM timeline")).all():
        conn.execute(text(UPDATE_TIMELINE_COLUMNS),
                     {"id": row.id, **timeline_filter_columns(json.loads(row.record))})


@migration(6, "store_version: a counter every write transaction bumps")
def _store_version(conn: Connection, dialect: Dialect) -> None:
    # one row; readers compare it to tell whether anything was written since they
    # last looked (the web app's response cache is keyed on it)
    _run(conn, "CREATE TABLE store_version (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);"
               "INSERT INTO store_version (id, n) VALUES (1, 0)")


#: the migration that adds the per-kind write counters behind ``Store.versions()``
STORE_VERSION_MIGRATION = 7


@migration(STORE_VERSION_MIGRATION,
           "store_versions: one counter per kind of data, bumped by the writes that change it")
def _store_versions(conn: Connection, dialect: Dialect) -> None:
    # replaces 6's single counter, which every write moved: a web answer that
    # depends only on the timeline need not be recomputed when an article arrives.
    # The kinds are ``parley.store.base.DATA_KINDS`` as of this migration.
    _run(conn, "CREATE TABLE store_versions (kind TEXT PRIMARY KEY, n BIGINT NOT NULL);"
               "INSERT INTO store_versions (kind, n) VALUES ('articles', 0), "
               "('annotations', 0), ('timeline', 0), ('filters', 0);"
               "DROP TABLE store_version")


@migration(8, "timeline dyad key, indexed with the date order, so a dyad's page is a range read")
def _timeline_dyad(conn: Connection, dialect: Dialect) -> None:
    # the dyad filter was two index ranges ORed, then a sort of every match: a page of
    # one dyad among a million events took over a second
    _run(conn, "ALTER TABLE timeline ADD COLUMN dyad TEXT;"
               "CREATE INDEX timeline_dyad_order ON timeline(dyad, (event_date IS NULL), "
               "event_date, id)")
    rows = conn.execute(text("SELECT id, source_country, target_country FROM timeline "
                             "WHERE source_country IS NOT NULL AND target_country IS NOT NULL"))
    updates = [{"id": r.id, "dyad": dyad_key(r.source_country, r.target_country)}
               for r in rows.all()]
    if updates:
        conn.execute(text("UPDATE timeline SET dyad = :dyad WHERE id = :id"), updates)


def dyad_key(first: str | None, second: str | None) -> str | None:
    """The unordered pair of two different country codes as one value (``JPN|RUS``)."""
    if not first or not second or first == second:
        return None
    return "|".join(sorted((first, second)))


UPDATE_TIMELINE_COLUMNS = (
    "UPDATE timeline SET source_country = :source_country, target_country = :target_country, "
    "source_id = :source_id, target_id = :target_id, source_name = :source_name, "
    "target_name = :target_name WHERE id = :id"
)


def timeline_filter_columns(record: dict[str, Any]) -> dict[str, Any]:
    """The filter columns of a timeline row from its record (names lower-cased in
    Python, so a name filter matches the same on both databases)."""
    columns: dict[str, Any] = {}
    for side in ("source", "target"):
        name = record.get(f"{side}_name")
        columns[f"{side}_country"] = record.get(f"{side}_country")
        columns[f"{side}_id"] = record.get(f"{side}_id")
        columns[f"{side}_name"] = name.lower() if name else None
    columns["dyad"] = dyad_key(columns["source_country"], columns["target_country"])
    return columns


INSERT_TIMELINE_REPORT = (
    "INSERT INTO timeline_reports (timeline_id, article_id, background) "
    "VALUES (:timeline_id, :article_id, :background)"
)


def timeline_report_rows(timeline_id: str, reports: list[dict[str, Any]]
                         ) -> list[dict[str, Any]]:
    """One row per article reporting a merged event; background only if every report is."""
    background: dict[str, bool] = {}
    for report in reports:
        article_id = str(report.get("article_id") or "")
        if article_id:
            background[article_id] = background.get(article_id, True) and bool(
                report.get("background"))
    return [{"timeline_id": timeline_id, "article_id": aid, "background": int(flag)}
            for aid, flag in background.items()]


def latest_version() -> int:
    """The schema version this parley migrates to."""
    return MIGRATIONS[-1].number if MIGRATIONS else 0


def current_version(conn: Connection) -> int:
    row = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
    return int(row or 0)


def migrate(begin: Callable[[], object], dialect: Dialect) -> int:
    """Apply every pending migration; returns the schema version reached.

    ``begin`` opens a write transaction (a context manager yielding a connection);
    each migration and its ``schema_version`` row commit together, so a crash
    between migrations leaves a consistent, resumable schema.
    """
    with begin() as conn:  # type: ignore[attr-defined]
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS schema_version "
                 "(version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied TEXT NOT NULL)")
        )
    version = 0
    for step in MIGRATIONS:
        with begin() as conn:  # type: ignore[attr-defined]
            dialect.lock(conn)
            version = current_version(conn)
            if step.number <= version:
                continue
            step.apply(conn, dialect)
            conn.execute(
                text("INSERT INTO schema_version (version, description, applied) "
                     "VALUES (:version, :description, :applied)"),
                {"version": step.number, "description": step.description,
                 "applied": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")},
            )
            version = step.number
    latest = MIGRATIONS[-1].number if MIGRATIONS else 0
    if version > latest:
        raise StoreError(
            f"the store has schema version {version} but this parley knows only up to "
            f"{latest}: upgrade parley"
        )
    return version
