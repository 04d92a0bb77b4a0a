"""A killed ``parley ingest`` or ``parley process`` loses nothing (short variant).

Seeded trials SIGKILL the real CLI at random moments on a generated corpus; after
each kill the store must pass its integrity checks with no half-processed article,
and after a rerun the record must equal an uninterrupted run's.  The long variant
(20 trials per backend on 300 articles) is ``benchmarks/reliability_long.sh``.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from reliability.crash import check_store, crash_trials, freeze_source, snapshot, write_corpus

ARTICLES = int(os.environ.get("PARLEY_CRASH_ARTICLES", "40"))
TRIALS = int(os.environ.get("PARLEY_CRASH_TRIALS", "4"))
#: a run's time grows with trials x articles (the suite's 900 s would cut a long run)
LONG_ENOUGH = pytest.mark.timeout(900 + 120 * TRIALS * max(1, ARTICLES // 40))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("crash")
    freeze_source(folder / "code")
    return write_corpus(folder / "corpus", ARTICLES, per_file=10)


@pytest.mark.slow
@LONG_ENOUGH
def test_sqlite_survives_kills(corpus: Path, tmp_path: Path) -> None:
    numbers = itertools.count()
    report = crash_trials(lambda: str(tmp_path / f"store-{next(numbers)}.db"), corpus, TRIALS,
                          log=print)
    print(report.summary())
    assert report.survived == TRIALS, [t.difference for t in report.trials if not t.identical]


@pytest.mark.slow
@pytest.mark.postgres
@LONG_ENOUGH
def test_postgres_survives_kills(corpus: Path, postgres_server: str) -> None:
    from reliability.conftest import fresh_postgres_url

    report = crash_trials(lambda: fresh_postgres_url(postgres_server), corpus, TRIALS,
                          backend="postgresql", log=print)
    print(report.summary())
    assert report.survived == TRIALS, [t.difference for t in report.trials if not t.identical]


def test_a_run_killed_before_its_corpus_step_is_completed_by_the_next(tmp_path: Path) -> None:
    """The window a random kill rarely hits: every annotation saved, the background
    links and timeline not yet.  The next ``process`` must redo the corpus step."""
    import parley
    from parley.engine import process_store
    from parley.settings import Settings

    demo = str(Path(parley.__file__).parent / "demo_corpus")
    reference, killed = str(tmp_path / "reference.db"), str(tmp_path / "killed.db")
    for db, corpus_step in ((reference, True), (killed, False)):
        settings = Settings(db=db, workers=1)
        with parley.open_store(db) as store:
            parley.ingest([demo], store, settings)
            process_store(store, settings, workers=1, corpus_step=corpus_step)
    with parley.open_store(killed) as store:
        assert store.timeline_events() == [] and store.corpus_stale()
        again = process_store(store, Settings(db=killed, workers=1), workers=1)
        assert again.processed == 0 and again.corpus_updated
        assert not store.corpus_stale()
    check_store(killed)
    assert snapshot(killed) == snapshot(reference)
    assert snapshot(reference)["timeline"], "the demo corpus should give a timeline"
