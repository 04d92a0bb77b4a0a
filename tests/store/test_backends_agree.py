"""SQLite and PostgreSQL give the same records for the same real input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.api import ingest
from parley.cli import app
from parley.model import to_dict
from parley.store import open_store

pytestmark = pytest.mark.postgres


def _without_store_fields(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "revision"}


def test_seeds_give_the_same_records_and_hits(shared_dir: Path, tmp_path: Path,
                                              postgres_url: str) -> None:
    seeds = shared_dir / "corpus" / "seeds"
    results = {}
    for name, url in (("sqlite", str(tmp_path / "p.db")), ("postgres", postgres_url)):
        with open_store(url) as store:
            report = ingest([seeds], store)
            assert report.count("ingested") == 5
            assert ingest([seeds], store).count("unchanged") == 5
            records = {a.id: _without_store_fields(to_dict(a)) for a in store.iter_articles()}
            hits = {(h.article_id, h.paragraph_index) for h in store.search("Kuril Islands")}
            phrase = {(h.article_id, h.paragraph_index)
                      for h in store.search('"security treaty"')}
            results[name] = (records, hits, phrase)
    assert results["sqlite"] == results["postgres"]
    records, hits, phrase = results["postgres"]
    assert len(records) == 5 and len(hits) >= 4 and phrase


def test_cli_against_postgres(shared_dir: Path, postgres_url: str) -> None:
    runner = CliRunner()
    seeds = str(shared_dir / "corpus" / "seeds")
    result = runner.invoke(app, ["--db", postgres_url, "ingest", seeds])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["--db", postgres_url, "search", "--json", "Shikotan"])
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert len(hits) == 5 and all("[[Shikotan]]" in h["snippet"] for h in hits)
    result = runner.invoke(app, ["--db", postgres_url, "show", hits[0]["article_id"][:10]])
    assert result.exit_code == 0 and "publication date: reasoning" in result.stdout


def test_unreachable_postgres_is_one_line_error() -> None:
    result = CliRunner().invoke(app, ["--db", "postgresql://nobody:s3cret@127.0.0.1:1/none",
                                      "articles"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: store postgresql://nobody:***@127.0.0.1:1/none")
    assert "s3cret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
