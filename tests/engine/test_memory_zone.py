"""spaCy's ``memory_zone`` per batch gives the same records as no zone.

Every batch but the first runs inside ``nlp.memory_zone()`` so that the strings a
batch adds are freed.  The records must be exactly those of a run without the
zone (stage caches built lazily in the first batch keep working).  (The pipeline
is shared across contexts in one process, so string counts are not compared here;
``benchmarks/bench_memory.py`` measures the effect.)
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import parley
from parley.api import ingest
from parley.engine import analysis_stages
from parley.engine.local import process_articles
from parley.model import Article, to_dict
from parley.pipeline import Context
from parley.settings import Settings
from paths import SEEDS


def _seed_articles(folder: Path) -> tuple[Settings, list[Article]]:
    settings = Settings(db=str(folder / "parley.db"), batch_size=1)
    with parley.open_store(settings.db, settings) as store:
        ingest([SEEDS], store, settings)
        return settings, list(store.iter_articles())


def _records(articles: list[Article]) -> list[dict[str, Any]]:
    return [to_dict(a) for a in articles]


def test_zoned_batches_give_the_same_records(tmp_path: Path, shared_dir: Path) -> None:
    settings, articles = _seed_articles(tmp_path)
    assert len(articles) == 5
    stages = analysis_stages()
    context = Context(settings=settings)
    first = list(process_articles(copy.deepcopy(articles[:1]), settings, stages, "sig",
                                  context=context, memory_zone=True))
    zoned = first + list(process_articles(
        copy.deepcopy(articles[1:]), settings, stages, "sig", context=context,
        memory_zone=True))
    # zoned first, so caches that stages build lazily are built in this run
    plain = list(process_articles(copy.deepcopy(articles), settings, stages, "sig",
                                  context=Context(settings=settings), memory_zone=False))
    assert sum(len(a.events) for a in zoned) > 0 and sum(len(a.quotes) for a in zoned) > 0
    assert _records(zoned) == _records(plain)
