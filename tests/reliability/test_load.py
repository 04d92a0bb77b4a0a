"""50 concurrent API readers while an ingest writes: no errors, every reader finishes
(latency figures: ``benchmarks/reliability_long.sh`` and BENCHMARKS.md; never asserted).

``PARLEY_LOAD_REQUESTS`` (GETs per reader, default 10), ``PARLEY_LOAD_ARTICLES``
(articles the ingest writes, default 150: enough to outlast the short run),
``PARLEY_LOAD_WORKERS`` (``parley serve --workers``, default 2) and
``PARLEY_LOAD_CLIENT`` (``stdlib``, ``threads`` or ``async``, see ``load.py``)
choose the run.
"""

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
    corpus = write_corpus(tmp_path / "corpus", int(os.environ.get("PARLEY_LOAD_ARTICLES", "150")),
                          seed=11)
    requests_each = int(os.environ.get("PARLEY_LOAD_REQUESTS", "10"))
    report = run_load(db, corpus, readers=50, requests_each=requests_each,
                      workers=int(os.environ.get("PARLEY_LOAD_WORKERS", "2")),
                      client=os.environ.get("PARLEY_LOAD_CLIENT", "stdlib"))
    print(report.summary())
    print(report.by_path())
    assert report.requests == 50 * requests_each
    assert report.errors == []
    assert report.ingest_returncode == 0
    assert report.articles_after > report.articles_before
