"""Recycled paragraphs across the real seeds, and the index's own behaviour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parley.analysis.background import (
    WHOLE_ARTICLE,
    BackgroundIndex,
    background_paragraphs,
    duplicate_groups,
    find_background_links,
    mark_background,
    overlap_coefficient,
    shingle_hashes,
)
from parley.model import Article, Paragraph, PublicationDate
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
