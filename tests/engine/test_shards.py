"""Parquet shards: the full record survives the round trip; bad shard folders fail clearly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEEDS
from parley.cli import app
from parley.engine.shards import iter_shards, read_shard, shard_paths, write_shard
from parley.errors import InputError, MissingExtra
from parley.model import (
    Article,
    Event,
    Paragraph,
    PublicationDate,
    Quote,
    Span,
    StageError,
    to_dict,
)

pytest.importorskip("pyarrow")


def _article(number: int) -> Article:
    text = "Tokyo and Moscow held talks on Friday."
    return Article(
        id=f"a{number}", text=text, title="talks", paragraphs=[Paragraph(0, 0, len(text))],
        published=PublicationDate("2019-05-10", "day", "inferred", evidence=["weekday"]),
        quotes=[Quote("q1", "indirect", "held talks", Span(16, 26), "jpn")],
        events=[Event("e1", "040", "CONSULT", 1, 1.0, "JPN", "RUS", Span(0, len(text)), "talks",
                      date="2019-05-10", modality="occurred")],
        errors=[StageError("quotes", "ValueError: x")], stage_signature="sig",
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    articles = [_article(n) for n in range(3)]
    assert write_shard(articles, tmp_path / "part-000000.parquet") == 3
    back = list(read_shard(tmp_path / "part-000000.parquet", batch_size=2))
    assert [to_dict(a) for a in back] == [to_dict(a) for a in articles]


def test_key_columns_are_readable_without_the_record(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write_shard([_article(1)], tmp_path / "s.parquet")
    table = pq.read_table(tmp_path / "s.parquet", columns=["id", "published", "n_events"])
    assert table.to_pylist() == [{"id": "a1", "published": "2019-05-10", "n_events": 1}]


def test_partial_shards_of_a_crashed_run_are_ignored(tmp_path: Path) -> None:
    write_shard([_article(1)], tmp_path / "part-1.parquet")
    (tmp_path / "part-2.parquet.partial").write_bytes(b"half a file")
    assert shard_paths(tmp_path) == [tmp_path / "part-1.parquet"]
    assert [a.id for a in iter_shards(tmp_path)] == ["a1"]


def test_empty_shard_yields_nothing(tmp_path: Path) -> None:
    write_shard([], tmp_path / "empty.parquet")
    assert list(read_shard(tmp_path / "empty.parquet")) == []


def test_bad_inputs_fail_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such shard folder"):
        shard_paths(tmp_path / "missing")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"junk\.parquet: not a readable Parquet shard"):
        list(read_shard(tmp_path / "junk.parquet"))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    with pytest.raises(InputError, match="not a parley shard"):
        list(read_shard(tmp_path / "other.parquet"))


def test_dask_missing_gives_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from parley.engine.dask import dask_client

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtra, match=r"pip install 'parley\[dask\]'"), \
            dask_client(None, 1):
        pass


def test_cli_merge_loads_shards_once(tmp_path: Path, shared_dir: Path) -> None:
    import parley
    from parley.api import ingest
    from parley.settings import Settings

    source = Settings(db=str(tmp_path / "source.db"))
    with parley.open_store(source.db, source) as store:
        ingest([SEEDS], store, source)
        write_shard(store.iter_articles(), tmp_path / "shards" / "part-000000.parquet")
    runner = CliRunner()
    db = str(tmp_path / "merged.db")
    first = runner.invoke(app, ["--db", db, "merge", str(tmp_path / "shards")])
    assert first.exit_code == 0, first.output
    assert "merged 5 articles from 1 shards (5 ingested)" in first.output
    second = runner.invoke(app, ["--db", db, "merge", str(tmp_path / "shards")])
    assert "(5 unchanged)" in second.output
    missing = runner.invoke(app, ["--db", db, "merge", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1
    assert "no such shard folder" in missing.output


def test_cli_process_on_an_empty_store_does_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "empty.db")
    result = runner.invoke(app, ["--db", db, "process", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "processed 0 articles" in result.output
    assert "0 already up to date" in result.output


def test_cli_input_needs_the_dask_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "x.db"), "process", "--input", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "--input runs ingest on Dask: add --engine dask" in result.output
