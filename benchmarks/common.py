"""Helpers shared by the benchmark scripts: a generated corpus ingested into a store."""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_corpus
from parley.model import Article
from parley.settings import Settings


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def corpus_file(articles: int, seed: int, folder: Path) -> Path:
    """A generated JSONL corpus of ``articles`` articles (see generate_corpus.py)."""
    path = folder / f"corpus-{articles}-{seed}.jsonl"
    if not path.exists():
        pool = generate_corpus.load_pool(generate_corpus.SHARED)
        with path.open("w", encoding="utf-8") as out:
            generate_corpus.write_corpus(generate_corpus.generate(pool, articles, seed), out)
    return path


def ingest_corpus(path: Path, db: Path) -> tuple[Settings, float]:
    """Ingest ``path`` into a fresh SQLite store; returns settings and seconds taken."""
    import parley
    from parley.api import ingest

    settings = Settings(db=str(db))
    started = time.perf_counter()
    with parley.open_store(settings.db, settings) as store:
        ingest([path], store, settings)
    return settings, time.perf_counter() - started


def load_articles(settings: Settings) -> list[Article]:
    import parley

    with parley.open_store(settings.db, settings) as store:
        return list(store.iter_articles())


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="parley-bench-"))
