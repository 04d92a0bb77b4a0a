"""The same corpus gives the same record: ingested twice, or in another order.

The corpus is larger than the window of inputs ingest reads ahead to learn each
outlet's chrome, so the order of the inputs can matter and is tested.  Where an
article was read from (``source_path``, with its line number) legitimately changes
with the order; every other field must not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reliability.crash import check_store, snapshot, write_corpus

ARTICLES = 60


def build(db: str, inputs: list[str]) -> dict[str, Any]:
    import parley
    from parley.engine import process_store
    from parley.settings import Settings

    settings = Settings(db=db, workers=1)
    with parley.open_store(db) as store:
        report = parley.ingest(inputs, store, settings)
        assert not report.skipped, report.skip_reasons()
        process_store(store, settings, workers=1)
    check_store(db)
    record = snapshot(db)
    for article in record["articles"].values():
        article["source_path"] = None
    return record


def reversed_copy(corpus: Path, folder: Path) -> list[str]:
    """The same articles, files in reverse order and lines reversed inside each."""
    folder.mkdir()
    names = []
    for path in sorted(corpus.iterdir(), reverse=True):
        lines = path.read_text(encoding="utf-8").splitlines()
        target = folder / f"r-{path.name}"
        target.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
        names.append(str(target))
    return names


@pytest.mark.slow
def test_same_corpus_twice_and_reversed_gives_the_same_record(tmp_path: Path,
                                                                 shared_dir: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", ARTICLES, seed=5, per_file=20)
    first = build(str(tmp_path / "first.db"), [str(corpus)])
    second = build(str(tmp_path / "second.db"), [str(corpus)])
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert len(first["articles"]) == ARTICLES and first["timeline"]

    shuffled = build(str(tmp_path / "reversed.db"),
                     reversed_copy(corpus, tmp_path / "reversed"))
    assert set(shuffled["articles"]) == set(first["articles"])
    for article_id, record in first["articles"].items():
        other = shuffled["articles"][article_id]
        assert other == record, (article_id, [k for k in record if other[k] != record[k]])
    assert shuffled["links"] == first["links"]
    assert shuffled["timeline"] == first["timeline"]
