"""The harness's only doors into parley: processing texts and reading HTML.

Keeping every call into the library here means the scorers can be tested on
hand-made records, and a change in the public API is fixed in one place.
Predicted spans point into ``Article.text`` (the *cleaned* body), while gold
spans point into the original text, so :func:`relocate` maps them back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parley.model import Article
from parley.settings import Settings


@dataclass
class Document:
    """One gold document to run through parley."""

    id: str
    text: str
    published: str | None = None


def process_documents(
    documents: Sequence[Document], settings: Settings | None = None
) -> list[Article]:
    """Annotate every document; one that fails yields an empty article, never an abort.

    Uses the library's batched entry point (``parley.api.process_many``, spaCy
    ``nlp.pipe`` underneath) when it exists, else ``parley.process`` one by one.
    """
    import parley
    from parley import api

    batch = getattr(api, "process_many", None)
    if batch is not None:
        try:
            return list(batch(
                [d.text for d in documents],
                published=[d.published for d in documents],
                sources=[d.id for d in documents],
                settings=settings,
            ))
        except TypeError:
            pass  # a different signature: fall back to one at a time
    articles = []
    for doc in documents:
        try:
            articles.append(parley.process(doc.text, doc.published, source=doc.id,
                                           settings=settings))
        except Exception:  # one document never sinks an evaluation
            articles.append(Article(id=doc.id, text=""))
    return articles


def extract_main_text(html: str, url: str | None = None) -> str:
    """Main text of an HTML page exactly as parley's HTML reader gets it."""
    from parley.inputs.readers import _read_html

    document = _read_html(html, url or "page", "utf-8")
    return "" if isinstance(document, Exception) else document.text


# --------------------------------------------------------------------------- spans


def relocate(article: Article, start: int, end: int, original: str) -> tuple[int, int] | None:
    """Map a span of ``article.text`` onto ``original`` (the text given to parley).

    Cleaning may drop lines and change whitespace, so the span's words are
    searched in the original, the occurrence nearest the same relative position
    winning; ``None`` when they cannot be found.
    """
    snippet = article.text[start:end]
    if not snippet.strip():
        return None
    if article.text == original:
        return start, end
    hint = int(start / max(len(article.text), 1) * len(original))
    found = _occurrences(snippet, original)
    if not found:
        return None
    return min(found, key=lambda span: abs(span[0] - hint))


def _occurrences(snippet: str, original: str) -> list[tuple[int, int]]:
    words = snippet.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, original)]


def relocated_spans(
    article: Article, spans: Iterable[tuple[int, int]], original: str
) -> list[tuple[int, int] | None]:
    return [relocate(article, s, e, original) for s, e in spans]
