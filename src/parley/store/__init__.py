"""Open a store by URL: a SQLite path (default) or a PostgreSQL server.

``open_store("parley.db")`` and ``open_store("sqlite:///data/parley.db")`` give
the SQLite store; ``open_store("postgresql://user@host/db")`` the PostgreSQL
one (needs ``pip install 'parley[postgres]'``).  Both implement
:class:`parley.store.base.Store` and migrate the schema on open.
"""

from __future__ import annotations

from parley.settings import Settings
from parley.store.base import ArticleFilter, Rejection, SearchHit, Store

__all__ = ["ArticleFilter", "Rejection", "SearchHit", "Store", "open_store"]


def open_store(url_or_path: str, settings: Settings | None = None) -> Store:
    """The store at ``url_or_path``, created and migrated if needed."""
    location = str(url_or_path)
    if location.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from parley.store.postgres import PostgresStore

        return PostgresStore(location.replace("postgresql+psycopg://", "postgresql://", 1))
    if location.startswith("sqlite:///"):
        location = location[len("sqlite:///"):]
    elif "://" in location:
        from parley.errors import StoreError

        raise StoreError(f"unknown store URL {location!r}: give a file path, "
                         "sqlite:///PATH or postgresql://...")
    from parley.store.sqlite import SQLiteStore

    return SQLiteStore(location)
