"""The actor knowledge base, loaded from editable YAML files.

``load_knowledge()`` reads the packaged files in ``knowledge/data``; pass a folder
(``settings.knowledge_dir``) holding the same files to use your own.  Files are
validated on load: a bad entry raises :class:`parley.errors.KnowledgeError` naming
the file and the entry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from parley.knowledge.kb import Country, CueWords, Knowledge, Vocabulary

__all__ = ["DATA_DIR", "Country", "CueWords", "Knowledge", "Vocabulary", "load_knowledge"]

DATA_DIR = Path(__file__).parent / "data"


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """The validated knowledge base in ``directory`` (None = packaged data), read once."""
    return _load(Path(directory).resolve() if directory else DATA_DIR)


@lru_cache(maxsize=8)
def _load(directory: Path) -> Knowledge:
    knowledge = Knowledge(directory)
    knowledge.validate()
    return knowledge
