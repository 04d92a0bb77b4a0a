"""A killed ``parley ingest`` or ``parley process`` loses nothing (short variant).

Seeded trials SIGKILL the real CLI at random moments on a generated corpus; after
each kill the store must pass its integrity checks with no half-processed article,
and after a rerun the record must equal an uninterrupted run's.  The long variant
(20 trials per backend) is ``benchmarks/crash_trials.py``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reliability.crash import crash_trials, write_corpus

ARTICLES = 60
TRIALS = 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    return write_corpus(tmp_path_factory.mktemp("crash") / "corpus", ARTICLES, per_file=10)


@pytest.mark.slow
def test_sqlite_survives_kills(corpus: Path, tmp_path: Path) -> None:
    numbers = itertools.count()
    report = crash_trials(lambda: str(tmp_path / f"store-{next(numbers)}.db"), corpus, TRIALS,
                          log=print)
    print(report.summary())
    assert report.survived == TRIALS, [t.difference for t in report.trials if not t.identical]


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_survives_kills(corpus: Path, postgres_server: str) -> None:
    from reliability.conftest import fresh_postgres_url

    report = crash_trials(lambda: fresh_postgres_url(postgres_server), corpus, TRIALS,
                          backend="postgresql", log=print)
    print(report.summary())
    assert report.survived == TRIALS, [t.difference for t in report.trials if not t.identical]
