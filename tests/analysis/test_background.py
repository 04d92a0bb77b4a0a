"""Recycled paragraphs across the real seeds, and the index's own behaviour."""

from __future__ import annotations

import pickle
import random
import re
from pathlib import Path

import numpy as np
import pytest
from analysis_helpers import article

from parley.analysis import background
from parley.analysis.background import (
    WHOLE_ARTICLE,
    BackgroundIndex,
    BandTable,
    article_order_key,
    background_paragraphs,
    duplicate_groups,
    find_background_links,
    mark_background,
    overlap_coefficient,
    shingle_hashes,
)
from parley.model import Article, Paragraph, PublicationDate
from parley.store.base import BackgroundLink
from paths import seed_path

# publication dates of the seeds (facts, read from their datelines)
PUBLISHED = {"000": "2019-05-10", "001": "2015-10-08", "002": "2018-12-07",
             "003": "2019-05-10", "004": "2019-02-25"}


def _seed(number: str, shared_dir: Path) -> Article:
    """A seed with blank-line paragraphs and its known date (independent of other stages)."""
    text = seed_path(number).read_text(encoding="utf-8")
    paragraphs = [Paragraph(i, m.start(), m.end())
                  for i, m in enumerate(re.finditer(r"[^\n]+", text))]
    return Article(id=number, text=text, paragraphs=paragraphs,
                   published=PublicationDate(PUBLISHED[number], "day", "explicit"))


def _anchor(article: Article, words: str) -> int:
    """Index of the paragraph starting with these few words."""
    (index,) = [p.index for p in article.paragraphs
                if article.text[p.start : p.end].startswith(words)]
    return index


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> dict[str, Article]:
    return {n: _seed(n, shared_dir) for n in PUBLISHED}


def test_recycled_box_links_000_003_004_with_004_first(seeds: dict[str, Article]) -> None:
    links = find_background_links(seeds.values())
    pairs = {(lk.article_id, lk.earlier_article_id) for lk in links}
    assert {("000", "004"), ("003", "004"), ("003", "000")} <= pairs
    # 004 is the earliest of the three: none of its paragraphs points to 000 or 003
    assert not any(lk.article_id == "004" and lk.earlier_article_id in ("000", "003")
                   for lk in links)
    # the Singapore paragraph, rewritten in 004, still links (three-word anchors)
    anchors = {"000": "On November 14,", "003": "On November 14,", "004": "In November 2018,"}
    singapore = {n: _anchor(seeds[n], words) for n, words in anchors.items()}
    for later in ("000", "003"):
        (link,) = [lk for lk in links if lk.article_id == later
                   and lk.paragraph_index == singapore[later] and lk.earlier_article_id == "004"]
        assert link.earlier_paragraph_index == singapore["004"]
        assert 0.4 <= link.similarity < 0.7


def test_memorandum_paragraph_first_appears_in_002(seeds: dict[str, Article]) -> None:
    links = find_background_links(seeds.values())
    recycled = background_paragraphs(links)
    assert "002" not in recycled  # 002 is the earliest to carry it
    assert any(lk.article_id == "004" and lk.earlier_article_id == "002" for lk in links)


def test_new_reporting_is_not_linked(seeds: dict[str, Article]) -> None:
    links = find_background_links(seeds.values())
    recycled = background_paragraphs(links)
    assert "001" not in recycled
    assert not any(lk.earlier_article_id == "001" for lk in links)
    lead = {n: _anchor(seeds[n], "MOSCOW, May 10") for n in ("000", "003")}
    assert lead["000"] not in recycled["000"] and lead["003"] not in recycled["003"]
    assert not duplicate_groups(links)


def test_links_do_not_depend_on_ingest_order(seeds: dict[str, Article]) -> None:
    forward = find_background_links(seeds.values())
    assert forward == find_background_links(reversed(list(seeds.values())))
    index = BackgroundIndex()
    incremental = []
    for number in ("000", "003", "002", "001", "004"):  # 004 arrives last but is earliest
        incremental.extend(index.add(seeds[number]))
    assert sorted(incremental, key=repr) == sorted(forward, key=repr)


def test_whole_article_repost_is_grouped(seeds: dict[str, Article]) -> None:
    repost = _seed("003", Path())
    repost.id = "003-repost"
    repost.published = PublicationDate("2019-05-11", "day", "explicit")
    links = find_background_links([seeds["003"], seeds["001"], repost])
    assert duplicate_groups(links) == [["003", "003-repost"]]
    whole = [lk for lk in links if lk.paragraph_index == WHOLE_ARTICLE]
    assert whole and whole[0].earlier_article_id == "003" and whole[0].similarity == 1.0


def test_index_persists_and_forgets(seeds: dict[str, Article], tmp_path: Path) -> None:
    index = BackgroundIndex()
    index.add(seeds["004"])
    index.save(tmp_path / "bg.pkl")
    loaded = BackgroundIndex.load(tmp_path / "bg.pkl")
    assert "004" in loaded and len(loaded) == len(index)
    assert any(lk.earlier_article_id == "004" for lk in loaded.add(seeds["000"]))
    loaded.remove("004")
    loaded.remove("000")
    assert len(loaded) == 0 and not loaded.add(seeds["003"])


def test_mark_background_sets_paragraph_flags(seeds: dict[str, Article]) -> None:
    links = find_background_links(seeds.values())
    article = mark_background(seeds["000"], links)
    flagged = [p.index for p in article.paragraphs if p.background]
    assert flagged == sorted(background_paragraphs(links)["000"])


def test_overlap_of_unrelated_text_is_low() -> None:
    a = shingle_hashes("the delegations agreed to meet again next spring in the capital")
    b = shingle_hashes("fishing quotas for the coming season were not discussed at all")
    assert overlap_coefficient(a, b) == 0.0
    assert overlap_coefficient(a, a) == 1.0
    assert overlap_coefficient(a, shingle_hashes("")) == 0.0


# ------------------------------------------------------------------ the compact index


def _recycling_corpus(count: int, seed: int) -> list[Article]:
    """Articles of four paragraphs; about a third of the paragraphs copy the first
    sentences of an earlier one with a word changed per sentence, dated at random
    (so copies often arrive before their source)."""
    rng = random.Random(seed)
    vocabulary = [f"word{n}" for n in range(400)]
    made: list[list[str]] = []
    articles = []
    for number in range(count):
        paragraphs = []
        for _ in range(4):
            if made and rng.random() < 0.35:
                source = rng.choice(made)
                sentences = []
                for sentence in source[: rng.randint(1, len(source))]:
                    words = sentence.split()
                    words[rng.randrange(1, len(words))] = rng.choice(vocabulary)
                    sentences.append(" ".join(words))
            else:
                sentences = [" ".join(rng.choices(vocabulary, k=12)) for _ in range(3)]
                made.append(sentences)
            paragraphs.append(". ".join(s.capitalize() for s in sentences) + ".")
        day = f"2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        articles.append(article(f"r{number:03d}", day, paragraphs))
    return articles


def _fresh_links(articles: list[Article]) -> list[BackgroundLink]:
    index = BackgroundIndex()
    for item in sorted(articles, key=lambda a: a.id, reverse=True):
        index.add(item)
    return index.all_links()


def test_many_copies_out_of_date_order_keep_the_same_links() -> None:
    """A later-added, earlier-published copy displaces a kept link: the displaced
    link must not survive in ``find_background_links``."""
    box = ("The two neighbours have argued over the islands since the war ended. "
           "Talks on a treaty stalled for decades while each side restated its claim.")
    copies = [article(f"c{n}", f"2019-01-{n + 1:02d}", [box]) for n in range(6)]
    links = find_background_links(copies)
    assert links == find_background_links(reversed(copies))
    for paragraph_index in (0, WHOLE_ARTICLE):  # the box, and the whole re-posted article
        later = [link.earlier_article_id for link in links
                 if link.article_id == "c5" and link.paragraph_index == paragraph_index]
        assert sorted(later) == ["c0", "c1", "c2"]


def test_compacting_after_removals_keeps_the_links_of_a_fresh_index(tmp_path: Path) -> None:
    articles = _recycling_corpus(60, seed=3)
    index = BackgroundIndex()
    for item in articles:
        index.add(item)
    assert index.all_links() == _fresh_links(articles)
    assert len(index.all_links()) > 20  # the corpus does recycle
    gone = {item.id for item in random.Random(4).sample(articles, 20)}
    for article_id in sorted(gone):
        index.remove(article_id)
    rest = [item for item in articles if item.id not in gone]
    before = index.all_links()
    index.compact()
    assert index.all_links() == before == _fresh_links(rest)
    assert len(index) == sum(len(item.paragraphs) for item in rest)
    assert index.article_ids() == {item.id for item in rest}
    index.save(tmp_path / "bg.pkl")
    loaded = BackgroundIndex.load(tmp_path / "bg.pkl")
    assert all(loaded.is_current(item) for item in rest)
    # the renumbered, reloaded index goes on as a fresh one would
    for item in articles:
        if item.id in gone:
            loaded.add(item)
    assert loaded.all_links() == _fresh_links(articles)


def test_removing_many_articles_compacts_by_itself() -> None:
    articles = _recycling_corpus(40, seed=5)
    index = BackgroundIndex()
    for item in articles:
        index.add(item)
    for item in articles[10:]:
        index.remove(item.id)
    uncompacted = len(pickle.dumps(index))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(background, "_COMPACT_MIN", 1)
        index.remove(articles[9].id)  # removed ones are now most of the index
    assert index.all_links() == _fresh_links(articles[:9])
    # what the 31 removed articles left behind is gone: as small as a fresh index
    fresh = len(pickle.dumps(_fresh_index(articles[:9])))
    assert len(pickle.dumps(index)) < fresh * 1.1 < uncompacted


def _fresh_index(articles: list[Article]) -> BackgroundIndex:
    index = BackgroundIndex()
    for item in articles:
        index.add(item)
    return index


def test_saved_index_costs_bytes_per_trigram_and_band_key() -> None:
    """About 12 bytes per sentence band key (20 a sentence) and 4 per trigram, and
    no object per paragraph: well under 2 kB for a 36-word paragraph."""
    articles = _recycling_corpus(100, seed=6)
    paragraphs = sum(len(item.paragraphs) for item in articles)
    assert len(pickle.dumps(_fresh_index(articles))) / paragraphs < 1500


def test_an_index_saved_in_another_format_is_refused(tmp_path: Path) -> None:
    index = _fresh_index(_recycling_corpus(3, seed=7))
    index.format = BackgroundIndex.FORMAT - 1
    index.save(tmp_path / "old.pkl")
    with pytest.raises(TypeError):
        BackgroundIndex.load(tmp_path / "old.pkl")


def test_similarities_survive_their_four_decimal_storage() -> None:
    for ten_thousandths in range(10_001):
        value = ten_thousandths / 10_000
        assert background._similarity(background._code(value)) == round(value, 4)
    rng = random.Random(8)
    for _ in range(10_000):
        value = rng.random()
        assert background._similarity(background._code(value)) == round(value, 4)


def test_band_table_remap_renumbers_and_drops() -> None:
    table = BandTable()
    for item in range(50):
        table.insert(np.array([item, 1000 + item % 5], dtype=np.uint64), np.array([item, item]))
    numbers = np.full(50, 0xFFFF_FFFF, dtype=np.uint32)
    numbers[::2] = np.arange(25)  # keep even items, renumbered n -> n // 2
    table.remap(numbers)
    assert len(table) == 50
    assert table.query(np.array([4, 5], dtype=np.uint64)) == [(0, 2)]
    assert sorted(item for _, item in table.query(np.array([1001], dtype=np.uint64))) == [
        3, 8, 13, 18, 23]  # items 6, 16, 26, 36, 46
    assert sorted(item for _, item in table.query(np.array([1000], dtype=np.uint64))) == [
        0, 5, 10, 15, 20]


def test_colliding_short_keys_are_confirmed_on_the_whole_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentence table stores 32-bit keys; with 6-bit ones nearly every paragraph
    is a candidate, and confirming on the whole key keeps the links unchanged."""
    articles = _recycling_corpus(40, seed=9)
    expected = _fresh_links(articles)
    gone = [item.id for item in articles[::4]]
    expected_after = _fresh_links([item for item in articles if item.id not in gone])
    monkeypatch.setattr(background, "_short", lambda keys: (keys % 64).astype(np.uint32))
    index = BackgroundIndex()
    for item in reversed(articles):
        index.add(item)
    assert index.all_links() == expected
    for article_id in gone:
        index.remove(article_id)
    assert index.all_links() == expected_after


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_band_table_lookup_through_run_directories_finds_every_item(dtype: type) -> None:
    """Runs over ``_DIRECTORY_MIN`` keys are searched through their directory."""
    rng = np.random.default_rng(10)
    high = np.iinfo(dtype).max
    table = BandTable()
    stored: dict[int, list[int]] = {}
    for start in range(0, 120_000, 1_000):
        keys = rng.integers(0, high, 1_000, dtype=dtype, endpoint=True)
        keys[:50] = keys[0]  # a key under many items
        keys[50:60] = [0, high, 1, high - 1, 7, 7, 8, 2**31, 2**31 - 1, 2**31 + 1]
        table.insert(keys, np.arange(start, start + 1_000))
        for offset, key in enumerate(keys.tolist()):
            stored.setdefault(key, []).append(start + offset)
    assert max(len(run.keys) for run in table._runs) >= background._DIRECTORY_MIN
    wanted = np.concatenate([rng.choice(np.array(list(stored), dtype=dtype), 300),
                             rng.integers(0, high, 300, dtype=dtype, endpoint=True),
                             np.array([0, high, 7, 2**31], dtype=dtype)])
    found: dict[int, list[int]] = {}
    for position, item in table.query(wanted):
        found.setdefault(position, []).append(item)
    expected = {position: stored[key] for position, key in enumerate(wanted.tolist())
                if key in stored}
    assert {p: sorted(items) for p, items in found.items()} == expected


def test_earliest_copies_are_found_past_candidates_that_overlap_too_little() -> None:
    """Candidates are checked earliest first, a batch at a time: ten earlier articles
    share one sentence of the box (an LSH candidate) but too little of it, so every
    copy must look past them, beyond the first batches, for its earliest real copies.
    The links are the same whatever order the articles arrive in."""
    box = ("The two neighbours have argued over the islands since the war ended. "
           "Talks on a treaty stalled for decades while each side restated its claim. "
           "Fishing crews from both countries are still detained near the disputed reefs.")
    first_sentence = box.split(". ")[0] + "."
    rng = random.Random(11)
    words = ["harbour", "budget", "railway", "orchestra", "glacier", "senate", "copper",
             "festival", "satellite", "vineyard", "tariff", "museum", "monsoon", "cabinet"]
    partial = [article(f"p{n:02d}", f"2019-01-{n + 1:02d}", [
        first_sentence + " " + " ".join(
            " ".join(rng.choices(words, k=10)).capitalize() + "." for _ in range(5))])
        for n in range(10)]
    copies = [article(f"c{n:02d}", f"2019-02-{n + 1:02d}", [box]) for n in range(30)]
    everything = partial + copies
    expected = find_background_links(everything)
    for seed in range(3):
        shuffled = list(everything)
        random.Random(seed).shuffle(shuffled)
        assert find_background_links(shuffled) == expected
    boxed: dict[str, list[str]] = {}
    for link in expected:
        if link.paragraph_index == 0:
            boxed.setdefault(link.article_id, []).append(link.earlier_article_id)
    assert all(not article_id.startswith("p") for ids in boxed.values() for article_id in ids)
    for number in range(3, 30):
        assert sorted(boxed[f"c{number:02d}"]) == ["c00", "c01", "c02"]


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_band_table_lookup_first_reads_the_smallest_items_and_bounds_the_rest(
        dtype: type) -> None:
    """Items inserted in increasing order: ``lookup_first`` returns, per key, the
    smallest ones (at most ``limit`` a run) and a bound every skipped item reaches."""
    rng = np.random.default_rng(4)
    table = BandTable()
    stored: dict[int, list[int]] = {}
    for start in range(0, 60_000, 500):  # runs large enough to get directories too
        keys = rng.integers(0, 40, 500).astype(dtype)  # few keys: long buckets
        keys[:5] = rng.integers(0, np.iinfo(dtype).max, 5, dtype=dtype, endpoint=True)
        table.insert(keys, np.arange(start, start + 500))
        for offset, key in enumerate(keys.tolist()):
            stored.setdefault(key, []).append(start + offset)
    wanted = np.array([3, 17, 39, 12345, *list(stored)[-3:]], dtype=dtype)
    for limit in (1, 7, 100_000):
        positions, items, bound = table.lookup_first(wanted, limit)
        for position, key in enumerate(wanted.tolist()):
            read = sorted(items[positions == position].tolist())
            everything = stored.get(key, [])
            assert set(read) <= set(everything)
            assert len(read) <= limit * len(table._runs)
            skipped = sorted(set(everything) - set(read))
            if skipped:
                assert bound[position] <= skipped[0]
                assert read[: limit] == everything[: limit]  # the smallest come first
            else:
                assert bound[position] == background._NO_BOUND


def test_publication_order_reads_few_candidates_and_keeps_the_same_links() -> None:
    """Added in publication order, the index reads only the first items of each band
    key.  Each sentence of a box is also quoted alone, too briefly to count, by forty
    earlier articles (more than one read's worth for every key of the box), so the
    copies must read again, further, to find their real earliest copies; every link
    must equal the one found in any other order."""
    box = ("The two neighbours have argued over the islands since the war ended. "
           "Talks on a treaty stalled for decades while each side restated its claim. "
           "Fishing crews from both countries are still detained near the disputed reefs.")
    rng = random.Random(5)
    words = ["harbour", "budget", "railway", "orchestra", "glacier", "senate", "copper",
             "festival", "satellite", "vineyard", "tariff", "museum", "monsoon", "cabinet"]
    partial = [article(f"p{n:03d}", f"2018-{1 + n // 28:02d}-{1 + n % 28:02d}", [
        box.split(". ")[n % 3].rstrip(".") + ". " + " ".join(
            " ".join(rng.choices(words, k=10)).capitalize() + "." for _ in range(5))])
        for n in range(120)]
    copies = [article(f"c{n:03d}", f"2019-{1 + n // 28:02d}-{1 + n % 28:02d}", [box])
              for n in range(60)]
    everything = partial + copies
    in_order = BackgroundIndex()
    for item in sorted(everything, key=article_order_key):
        in_order.add(item)
    assert in_order._in_rank_order
    shuffled = list(everything)
    random.Random(2).shuffle(shuffled)
    out_of_order = BackgroundIndex()
    for item in shuffled:
        out_of_order.add(item)
    assert not out_of_order._in_rank_order
    assert in_order.all_links() == out_of_order.all_links()
    boxed: dict[str, list[str]] = {}
    for link in in_order.all_links():
        if link.paragraph_index == 0:
            boxed.setdefault(link.article_id, []).append(link.earlier_article_id)
    assert not any(article_id.startswith("p") for article_id in boxed)
    for number in range(3, 60):
        assert sorted(boxed[f"c{number:03d}"]) == ["c000", "c001", "c002"]


def test_near_duplicate_articles_are_those_of_a_check_of_every_pair() -> None:
    """Whole-article near-duplicates are checked only among candidates whose sizes
    could reach ``duplicate_jaccard``; every pair at or above it must still be found,
    whatever the size ratio.  Articles are drawn from a small pool of paragraphs, with
    one added or not, so that pairs sit on either side of the line."""
    rng = random.Random(11)
    words = ["harbour", "budget", "railway", "orchestra", "glacier", "senate", "copper",
             "festival", "satellite", "vineyard", "tariff", "museum", "monsoon", "cabinet",
             "envoy", "treaty", "summit", "border", "fishing", "reef"]

    def paragraph() -> str:
        return " ".join(" ".join(rng.choices(words, k=12)).capitalize() + "."
                        for _ in range(3))

    pool = [paragraph() for _ in range(24)]
    articles = []
    for n in range(80):
        # six paragraphs of one of four groups, and none or one of its own: copies
        # with one added paragraph have a Jaccard of about 0.85, two such 0.75
        group = pool[(n % 4) * 6 : (n % 4) * 6 + 6]
        articles.append(article(f"a{n:03d}", f"2019-{1 + n // 28:02d}-{1 + n % 28:02d}",
                                group + [paragraph() for _ in range(n // 4 % 2)]))
    index = BackgroundIndex()
    for item in articles:
        index.add(item)
    grams = {a.id: set().union(*(shingle_hashes(a.text[p.start : p.end]).tolist()
                                 for p in a.paragraphs)) for a in articles}
    order = {a.id: article_order_key(a) for a in articles}
    found = {(lk.article_id, lk.earlier_article_id) for lk in index.all_links()
             if lk.paragraph_index == WHOLE_ARTICLE}
    assert len(found) > 20
    ratios = []
    for later in articles:
        a = grams[later.id]
        matches = sorted((e.id for e in articles if order[e.id] < order[later.id]
                          and len(a & grams[e.id]) / len(a | grams[e.id])
                          >= index.params.duplicate_jaccard), key=order.__getitem__)
        kept = {e for lt, e in found if lt == later.id}
        assert kept == set(matches[: index.params.max_links]), later.id
        ratios += [min(len(a), len(grams[e])) / max(len(a), len(grams[e])) for e in kept]
    assert min(ratios) < 0.9  # found across sizes apart, not only between equals
