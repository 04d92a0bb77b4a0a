"""50 concurrent API readers while an ingest writes: no errors, every reader finishes
(latency figures: ``benchmarks/reliability_long.sh`` and BENCHMARKS.md; never asserted)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reliability.crash import write_corpus
from reliability.load import run_load


@pytest.mark.slow
def test_fifty_readers_during_an_ingest(tmp_path: Path, shared_dir: Path) -> None:
    import parley
    from parley.engine import process_store
    from parley.settings import Settings

    db = str(tmp_path / "parley.db")
    settings = Settings(db=db, workers=1)
    with parley.open_store(db) as store:  # a processed store: timeline, events, quotes
        parley.ingest([str(Path(parley.__file__).parent / "demo_corpus")], store, settings)
        process_store(store, settings, workers=1)
    corpus = write_corpus(tmp_path / "corpus", 150, seed=11)
    requests_each = int(os.environ.get("PARLEY_LOAD_REQUESTS", "10"))
    report = run_load(db, corpus, readers=50, requests_each=requests_each)
    print(report.summary())
    print(report.by_path())
    assert report.requests == 50 * requests_each
    assert report.errors == []
    assert report.ingest_returncode == 0
    assert report.articles_after > report.articles_before
