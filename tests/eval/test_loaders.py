"""The loaders read the real gold sets in ../shared/eval with the sizes their READMEs state."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.eval import entities, events, extraction, quotes, timeline, timex
from parley.eval.common import EvalDataMissing, eval_dir


@pytest.fixture(scope="module")
def root(shared_dir: Path) -> Path:
    return eval_dir(shared_dir / "eval")


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvalDataMissing, match="PARLEY_SHARED"):
        eval_dir(tmp_path / "nowhere")
    with pytest.raises(EvalDataMissing, match="polnear"):
        quotes.load(tmp_path)


def test_polnear(root: Path) -> None:
    docs = quotes.load(root)
    assert len(docs) == 84 and sum(len(d.quotes) for d in docs) == 2193
    assert sum(q.direct for d in docs for q in d.quotes) == 624
    assert len(quotes.load(root, fast=True)) == quotes.FAST_DOCS


def test_tempeval_and_meantime(root: Path) -> None:
    docs = timex.load_timeml(root)
    assert len(docs) == 183 + 73
    assert sum(len(d.timexes) for d in docs) == 1243 + 579
    assert all(d.published for d in docs)
    # every gold span holds text, never markup
    assert all(d.text[s:e].strip() and "<" not in d.text[s:e]
               for d in docs for t in d.timexes for s, e in [t.span])
    meantime = timex.load_meantime(root)
    assert len(meantime) == 30 and all(d.published for d in meantime)


def test_events_sets(root: Path) -> None:
    records = events.load_plover(root)
    assert len(records) == 322
    assert "DEMAND" not in {r.event for r in records} and "REQUEST" in {r.event for r in records}
    classes = events.load_conflibert(root)
    assert len(classes) == 1349 and {c for _, c in classes} == set(events.CAMEO_CLASSES)


def test_re3d_extraction_timeline(root: Path) -> None:
    docs = entities.load(root)
    assert len(docs) == 98
    assert {e.type for d in docs for e in d.entities} <= set(entities.scored_types())
    assert len(extraction.load(root)) == 181
    gold = timeline.load_gold(root)
    assert len(gold) == 6 and "Steve Jobs" in {t.entity for t in gold}
    corpus = timeline.load_corpus(root)
    assert len(corpus) == 30 and all(d.published for d in corpus)
    # gold mention ids name real tokens of the raw documents (multi-word ones by their
    # first word; a few gold lines cite documents outside the trial corpus)
    by_id = {d.doc_id: d for d in corpus}
    mentions = [m.split("-", 2) for t in gold for line in t.lines for m in line.mentions]
    found = [any(s == int(sentence) and w.lower() == word.split("_")[0].lower()
                 for _, _, s, w in by_id[doc_id].tokens)
             for doc_id, sentence, word in mentions if doc_id in by_id]
    assert len(found) > 150 and sum(found) / len(found) > 0.95
