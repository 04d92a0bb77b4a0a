"""The real pipeline and the SQLite store on the five seeds, through every engine.

Local with one worker, local with two, and Dask on a LocalCluster with two
workers must leave identical records: every article's annotations, the events,
and the merged timeline.  A re-run processes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import parley
from parley.api import ingest
from parley.engine import ProcessReport, analysis_stages, process_inputs, process_store
from parley.model import to_dict
from parley.settings import Settings
from paths import SEEDS


def _ingest(folder: Path) -> Settings:
    settings = Settings(db=str(folder / "parley.db"), batch_size=2)
    with parley.open_store(settings.db, settings) as store:
        report = ingest([SEEDS], store, settings)
    assert report.count("ingested") == 5
    return settings


def _snapshot(settings: Settings) -> dict[str, Any]:
    with parley.open_store(settings.db, settings) as store:
        articles = {a.id: to_dict(a) for a in store.iter_articles()}
        events = sorted(((aid, to_dict(e)) for aid, e in store.events()),
                        key=lambda pair: (pair[0], pair[1]["id"]))
        timeline = sorted((to_dict(t) for t in store.timeline_events()), key=lambda t: t["id"])
    for record in articles.values():
        record.pop("stage_signature")  # a hash of the code: equal across engines anyway
    return {"articles": articles, "events": events, "timeline": timeline}


def _process(settings: Settings, **options: Any) -> ProcessReport:
    with parley.open_store(settings.db, settings) as store:
        return process_store(store, settings, **options)


@pytest.fixture(scope="module")
def local_one(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Settings:
    settings = _ingest(tmp_path_factory.mktemp("local1"))
    report = _process(settings, workers=1)
    assert report.processed == 5
    return settings


def test_seeds_are_processed_with_events(local_one: Settings) -> None:
    snapshot = _snapshot(local_one)
    assert len(snapshot["articles"]) == 5
    expected = [stage.name for stage in analysis_stages()]
    assert expected, "no analysis stage is installed"
    for record in snapshot["articles"].values():
        failed = {error["stage"] for error in record["errors"]}
        ran = [name for name in record["stages_done"] if name in expected]
        assert ran == [name for name in expected if name not in failed]


def test_rerun_processes_nothing(local_one: Settings) -> None:
    before = _snapshot(local_one)
    report = _process(local_one, workers=1)
    assert (report.processed, report.up_to_date) == (0, 5)
    assert report.corpus_updated is False
    assert _snapshot(local_one) == before


def test_two_workers_match_one(local_one: Settings, tmp_path: Path) -> None:
    settings = _ingest(tmp_path)
    assert _process(settings, workers=2).processed == 5
    assert _snapshot(settings) == _snapshot(local_one)


@pytest.mark.slow  # starts a Dask LocalCluster (worker processes load spaCy)
def test_dask_matches_local(local_one: Settings, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    settings = _ingest(tmp_path)
    report = _process(settings, workers=2, engine="dask")
    assert (report.engine, report.processed) == ("dask", 5)
    assert _snapshot(settings) == _snapshot(local_one)


@pytest.mark.slow  # starts a Dask LocalCluster (worker processes load spaCy)
def test_dask_ingest_to_shards_then_merge_matches_local(
    local_one: Settings, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    from parley.engine import merge_shards

    settings = Settings(db=str(tmp_path / "merged.db"), batch_size=5)
    shard_report = process_inputs([SEEDS], settings, shard_dir=tmp_path / "shards", workers=2)
    assert (shard_report.articles, shard_report.skipped) == (5, [])
    assert len(shard_report.shards) == 1
    with parley.open_store(settings.db, settings) as store:
        merged = merge_shards(tmp_path / "shards", store, settings)
        again = merge_shards(tmp_path / "shards", store, settings)
    assert merged.outcomes == {"ingested": 5}
    assert again.outcomes == {"unchanged": 5}
    assert _snapshot(settings) == _snapshot(local_one)
