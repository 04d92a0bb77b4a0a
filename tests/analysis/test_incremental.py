"""Scalable, incremental background detection and one entry per occasion."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from analysis_helpers import ABE, KONO, LAVROV, PUTIN, add_event, article
from datasketch import MinHash

from parley.analysis.background import (
    BackgroundIndex,
    BandTable,
    MinHasher,
    find_background_links,
    paragraph_shingles,
    sentences,
    shingle_hashes,
)
from parley.analysis.merge import merge_events
from parley.analysis.timeline import background_index_path, update_corpus
from parley.model import to_dict
from parley.store.sqlite import SQLiteStore


def _identity(value: int) -> int:
    return value


def test_vectorised_minhash_equals_datasketch() -> None:
    rng = random.Random(3)
    sets = [np.unique(np.array([rng.randrange(2**32) for _ in range(rng.randint(1, 40))],
                               dtype=np.uint32)) for _ in range(25)]
    ours = MinHasher(60).signatures(sets)
    for row, values in zip(ours, sets, strict=True):
        theirs = MinHash(num_perm=60, seed=1, hashfunc=_identity)
        theirs.update_batch(values.tolist())
        assert row.tolist() == theirs.hashvalues.tolist()


def test_sentence_shingles_from_one_pass_match_per_sentence_shingling() -> None:
    text = ("The two ministers met in the capital on Friday. They agreed to meet again "
            "next spring! Trade was not on the agenda, officials said.")
    whole, per_sentence = paragraph_shingles(text)
    assert whole.tolist() == shingle_hashes(text).tolist()
    assert [np.unique(s).tolist() for s in per_sentence] == [
        shingle_hashes(s).tolist() for s in sentences(text)]
    assert shingle_hashes("Two words").size == 0


def test_band_table_finds_items_across_merged_runs() -> None:
    table = BandTable()
    for item in range(300):  # many small inserts: runs are merged as they grow
        table.insert(np.array([item * 7, item * 7 + 1], dtype=np.uint64), np.array([item, item]))
    assert len(table) == 600
    found = table.query(np.array([21, 8, 5, 2093], dtype=np.uint64))
    assert sorted(found) == [(0, 3), (1, 1), (3, 299)]
    assert table.query(np.array([6, 10**12], dtype=np.uint64)) == []
    table.insert(np.array([21], dtype=np.uint64), np.array([999]))
    assert sorted(table.query(np.array([21], dtype=np.uint64))) == [(0, 3), (0, 999)]


def test_remove_then_add_equals_a_fresh_index(processed_seeds: dict) -> None:
    seeds = processed_seeds
    index = BackgroundIndex()
    for number in ("000", "004", "003"):
        index.add(seeds[number])
    assert index.links_of(seeds["000"].id)  # 000 recycles 004's box
    index.remove(seeds["004"].id)
    assert not any(link.earlier_article_id == seeds["004"].id for link in index.all_links())
    for number in ("002", "004", "001"):
        index.add(seeds[number])
    assert index.all_links() == find_background_links(seeds.values())


def _store_state(store: SQLiteStore) -> tuple:
    flags = {a.id: [p.background for p in a.paragraphs] for a in store.iter_articles()}
    timeline = [to_dict(event) for event in store.timeline_events()]
    return store.background_links(), flags, timeline


def test_two_batches_equal_one_batch(processed_seeds: dict, tmp_path: Path) -> None:
    seeds = processed_seeds
    with SQLiteStore(tmp_path / "once.db") as once, SQLiteStore(tmp_path / "twice.db") as twice:
        for number in sorted(seeds):
            once.add_article(seeds[number])
            once.save_annotations(seeds[number])
        update_corpus(once)
        # the first batch lacks 004, which holds the first occurrence of the box
        for batch in (("000", "001", "003"), ("002", "004")):
            for number in batch:
                twice.add_article(seeds[number])
                twice.save_annotations(seeds[number])
            update_corpus(twice)
        index_file = background_index_path(twice)
        assert index_file is not None and index_file.exists()
        links, flags, timeline = _store_state(twice)
        assert (links, flags, timeline) == _store_state(once)
        assert any(lk.article_id == seeds["000"].id and lk.earlier_article_id == seeds["004"].id
                   for lk in links)
        assert not any(lk.article_id == seeds["004"].id
                       and lk.earlier_article_id in (seeds["000"].id, seeds["003"].id)
                       for lk in links)
        # nothing new: the index is not rewritten and nothing changes
        written = index_file.stat().st_mtime_ns
        update_corpus(twice)
        assert index_file.stat().st_mtime_ns == written
        assert _store_state(twice) == (links, flags, timeline)


def test_damaged_index_file_is_rebuilt(processed_seeds: dict, tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "c.db") as store:
        for number in ("000", "004"):
            store.add_article(processed_seeds[number])
        index_file = background_index_path(store)
        assert index_file is not None
        index_file.write_bytes(b"not a pickle")
        update_corpus(store)
        assert any(lk.earlier_article_id == processed_seeds["004"].id
                   for lk in store.background_links())


# ----------------------------------------------------------------- one entry per occasion


def _summit(article_id: str, published: str) -> object:
    art = article(article_id, published, ["Putin and Abe met and agreed to speed up talks.",
                                          "Lavrov and Kono met and agreed on a visit."])
    add_event(art, 0, "040", PUTIN, ABE, "2018-11-14")
    add_event(art, 0, "036", PUTIN, ABE, "2018-11-14", plover="AGREE", modality="planned")
    add_event(art, 1, "036", LAVROV, KONO, "2018-11-15", plover="AGREE")
    add_event(art, 1, "040", LAVROV, KONO, "2018-11-16")  # another date: another occasion
    return art


def test_actions_of_one_sentence_are_one_entry_named_by_the_meeting() -> None:
    events = merge_events([_summit("x", "2018-11-20"), _summit("y", "2018-11-21")])
    (summit,) = [e for e in events if e.date == "2018-11-14"]
    assert summit.cameo == "040" and summit.plover == "CONSULT"
    assert summit.actions == [{"cameo": "036", "plover": "AGREE", "quad_class": 1,
                               "goldstein": 4.0, "modality": "planned"}]
    assert sorted((r["article_id"], r["cameo"]) for r in summit.reports) == [
        ("x", "036"), ("x", "040"), ("y", "036"), ("y", "040")]
    # same sentence and participants but different dates stay apart, without actions
    assert sorted((e.date, e.cameo, e.actions) for e in events if e.source_id == LAVROV.id
                  or e.target_id == LAVROV.id) == [("2018-11-15", "036", []),
                                                   ("2018-11-16", "040", [])]


def test_other_participants_in_one_sentence_are_not_one_occasion() -> None:
    art = article("z", "2019-05-10", ["Lavrov met Kono while Putin met Abe."])
    add_event(art, 0, "040", LAVROV, KONO, "2019-05-10")
    add_event(art, 0, "040", PUTIN, ABE, "2019-05-10")
    assert len(merge_events([art])) == 2
