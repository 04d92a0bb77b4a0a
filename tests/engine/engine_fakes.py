"""Test-only helpers for the engine tests: an in-memory store and three small stages.

They live in an importable module (not in a test file) because spawned worker
processes import it to unpickle the stage functions.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager, nullcontext

from parley.model import Article, Mention, Span
from parley.pipeline import Context, Stage

#: an article whose text contains this word makes ``explode`` raise
POISON = "xyzzy-poison"


class MemoryStore:
    """Keeps exactly what the engine reads and writes, with no backend behind it."""

    url = "memory://"

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.id: copy.deepcopy(a) for a in articles}
        self.saves: list[str] = []

    def articles_needing(self, stage_signature: str) -> list[str]:
        return [i for i, a in self.articles.items() if a.stage_signature != stage_signature]

    def count_articles(self) -> int:
        return len(self.articles)

    def get_article(self, article_id: str) -> Article | None:
        article = self.articles.get(article_id)
        return copy.deepcopy(article) if article else None

    def save_annotations(self, article: Article) -> None:
        self.saves.append(article.id)
        self.articles[article.id] = copy.deepcopy(article)

    def grouped_writes(self) -> AbstractContextManager[None]:
        return nullcontext()  # every save is kept at once


def entities(article: Article, context: Context) -> Article:
    """Records every named entity of the parse as a mention (reads ``context.doc``)."""
    assert context.doc is not None
    for ent in context.doc.ents:
        article.mentions.append(
            Mention(Span(ent.start_char, ent.end_char), ent.text, None, kind=ent.label_)
        )
    return article


def explode(article: Article, context: Context) -> Article:
    if POISON in article.text:
        raise ValueError("poisoned article")
    return article


def tag_title(article: Article, context: Context) -> Article:
    """Depends on ``explode``: must be skipped where explode failed."""
    article.section = f"mentions:{len(article.mentions)}"
    return article


ENTITIES = Stage("entities", entities, provides=("mentions",), needs_doc=True)
EXPLODE = Stage("explode", explode, requires=("mentions",), provides=("checked",))
TAG = Stage("tag_title", tag_title, requires=("checked",), provides=("tagged",))
STAGES = [ENTITIES, EXPLODE, TAG]
