"""parley: diplomatic news into a dated, sourced, deduplicated record.

The public surface is small and deliberate::

    parley.process(text, published=None) -> Article    # one article, annotated
    parley.ingest(paths, store) -> IngestReport         # files into a store
    parley.open_store(url) -> Store                     # SQLite path or postgresql:// URL
    parley.timeline(store, ...) -> list[TimelineEvent]  # merged events in order
    parley.Settings, parley.model records, parley.errors

Everything else is private to the package and may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parley.errors import InputError, KnowledgeError, MissingExtra, ParleyError, StoreError
from parley.model import Article, Event, Quote, TimeExpr
from parley.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Event",
    "InputError",
    "KnowledgeError",
    "MissingExtra",
    "ParleyError",
    "Quote",
    "Settings",
    "StoreError",
    "TimeExpr",
    "ingest",
    "open_store",
    "process",
    "timeline",
]

_LAZY = {
    "process": "parley.api",
    "ingest": "parley.api",
    "open_store": "parley.store",
    "timeline": "parley.analysis.timeline",
}

if TYPE_CHECKING:
    from parley.analysis.timeline import timeline
    from parley.api import ingest, process
    from parley.store import open_store


def __getattr__(name: str) -> Any:
    """Import the heavier entry points only when first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'parley' has no attribute {name!r}")
