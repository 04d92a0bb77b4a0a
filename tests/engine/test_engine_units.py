"""The engine on its own: an in-memory store and test-only stages over the seed texts.

These pin the engine's contract (incremental, order-independent of workers, one
failing article recorded while the rest go on, Dask = local) without depending on
the real stages or store backends, which have their own tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_fakes import POISON, STAGES, MemoryStore

from parley.engine import batch_size_for, process_store, resolve_workers, stage_signature
from parley.engine.local import batched
from parley.errors import ParleyError
from parley.model import Article, to_dict
from parley.settings import Settings
from paths import seed_paths

SETTINGS = Settings(batch_size=2)


def _articles() -> list[Article]:
    articles = [
        Article(id=path.name[:3], text=path.read_text(encoding="utf-8"))
        for path in seed_paths()
    ]
    articles.append(Article(id="poison", text=f"Tokyo and Moscow. {POISON}"))
    articles.append(Article(id="empty", text=""))
    return articles


def _records(store: MemoryStore) -> dict[str, object]:
    return {article_id: to_dict(a) for article_id, a in sorted(store.articles.items())}


@pytest.fixture(scope="module")
def one_worker(shared_dir: Path) -> MemoryStore:
    store = MemoryStore(_articles())
    report = process_store(store, SETTINGS, workers=1, stages=STAGES, corpus_step=False)
    assert report.processed == 7
    assert report.failed == 1
    assert report.failures == [("poison", "explode", "ValueError: poisoned article"),
                               ("poison", "tag_title", "skipped: an earlier stage failed")]
    return store


def test_every_article_is_annotated_and_signed(one_worker: MemoryStore) -> None:
    signature = stage_signature(SETTINGS, STAGES)
    seed = one_worker.articles["000"]
    assert seed.stage_signature == signature
    assert seed.stages_done == ["entities", "explode", "tag_title"]
    names = {m.text for m in seed.mentions}
    assert {"Sergey Lavrov", "Taro Kono"} <= names
    for mention in seed.mentions:
        assert seed.text[mention.span.start : mention.span.end] == mention.text
    assert seed.section == f"mentions:{len(seed.mentions)}"


def test_empty_article_yields_nothing(one_worker: MemoryStore) -> None:
    empty = one_worker.articles["empty"]
    assert empty.mentions == []
    assert empty.errors == []
    assert empty.section == "mentions:0"


def test_failing_article_is_recorded_and_the_others_go_on(one_worker: MemoryStore) -> None:
    poison = one_worker.articles["poison"]
    assert [(e.stage, e.reason) for e in poison.errors] == [
        ("explode", "ValueError: poisoned article"),
        ("tag_title", "skipped: an earlier stage failed"),
    ]
    assert poison.stages_done == ["entities"]
    assert poison.section is None
    assert poison.mentions  # the stage before the failure kept its work
    assert all(not one_worker.articles[s].errors for s in ("000", "001", "002", "003", "004"))


def test_incremental_rerun_processes_nothing(one_worker: MemoryStore) -> None:
    saves_before = len(one_worker.saves)
    report = process_store(one_worker, SETTINGS, workers=1, stages=STAGES, corpus_step=False)
    assert report.processed == 0
    assert report.up_to_date == 7
    assert len(one_worker.saves) == saves_before


def test_changed_stages_make_every_article_stale(one_worker: MemoryStore) -> None:
    store = MemoryStore(list(one_worker.articles.values()))
    report = process_store(store, SETTINGS, workers=1, stages=STAGES[:1], corpus_step=False)
    assert report.processed == 7
    # a re-run replaces annotations instead of appending to them
    assert store.articles["000"].mentions == one_worker.articles["000"].mentions
    assert store.articles["000"].stages_done == ["entities"]
    assert store.articles["poison"].errors == []


def test_two_workers_give_the_same_records(one_worker: MemoryStore) -> None:
    store = MemoryStore(_articles())
    report = process_store(store, SETTINGS, workers=2, stages=STAGES, corpus_step=False)
    assert report.processed == 7
    assert _records(store) == _records(one_worker)


@pytest.mark.slow  # starts a Dask LocalCluster (worker processes load spaCy)
def test_dask_gives_the_same_records_as_local(one_worker: MemoryStore) -> None:
    pytest.importorskip("distributed")
    store = MemoryStore(_articles())
    report = process_store(
        store, SETTINGS, workers=2, engine="dask", stages=STAGES, corpus_step=False
    )
    assert report.processed == 7
    assert report.engine == "dask"
    assert _records(store) == _records(one_worker)


def test_batches_stream_in_order() -> None:
    items = [Article(id=str(i), text="") for i in range(5)]
    assert [[a.id for a in b] for b in batched(iter(items), 2)] == [["0", "1"], ["2", "3"], ["4"]]
    assert list(batched(iter([]), 2)) == []


def test_signature_follows_model_and_knowledge(tmp_path: Path) -> None:
    base = stage_signature(SETTINGS, STAGES)
    assert base == stage_signature(SETTINGS, STAGES)
    assert base.startswith("entities+explode+tag_title@")
    assert stage_signature(SETTINGS.with_(spacy_model="other_model"), STAGES) != base
    assert stage_signature(SETTINGS, STAGES[:1]) != base
    (tmp_path / "people.yaml").write_text("[]\n", encoding="utf-8")
    edited = SETTINGS.with_(knowledge_dir=tmp_path)
    first = stage_signature(edited, STAGES)
    (tmp_path / "people.yaml").write_text("- id: someone\n", encoding="utf-8")
    assert stage_signature(edited, STAGES) != first


def test_batches_shrink_so_that_no_worker_idles() -> None:
    settings = Settings(batch_size=64)
    assert batch_size_for(10_000, 1, settings) == 64
    assert batch_size_for(10_000, 2, settings) == 64
    assert batch_size_for(40, 2, settings) == 5
    assert batch_size_for(1, 4, settings) == 1


def test_workers_default_to_the_cores() -> None:
    import os

    assert resolve_workers(None) == (os.cpu_count() or 1)
    assert resolve_workers(3) == 3
    with pytest.raises(ParleyError, match="--workers must be positive"):
        resolve_workers(-1)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ParleyError, match="unknown engine 'spark'; choose one of: local, dask"):
        process_store(MemoryStore([]), SETTINGS, engine="spark", stages=STAGES)


@pytest.mark.slow  # starts a Dask LocalCluster (worker processes load spaCy)
def test_dask_on_an_existing_scheduler(one_worker: MemoryStore) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=None) as cluster:
        store = MemoryStore(_articles())
        report = process_store(store, SETTINGS, engine="dask", stages=STAGES,
                               scheduler=cluster.scheduler_address, corpus_step=False)
    assert report.processed == 7
    assert _records(store) == _records(one_worker)


def test_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from parley.engine import dask as dask_engine
    from parley.engine.dask import dask_client

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "1s")
    expected = r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    with pytest.raises(ParleyError, match=expected), dask_client("tcp://127.0.0.1:9", 1):
        pass
