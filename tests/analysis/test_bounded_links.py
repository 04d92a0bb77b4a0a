"""A paragraph recycled in many articles keeps a bounded number of links, the earliest first.

Linking every copy to every earlier copy grows with the square of the corpus; the
index keeps ``max_links`` earliest occurrences per paragraph, and which ones it
keeps must not depend on the order articles are added or removed in.
"""

from __future__ import annotations

import random

from analysis_helpers import article

from parley.analysis.background import BackgroundIndex, BackgroundParams, find_background_links
from parley.model import Article

BOX = ("The two neighbours have argued over four islands of the northern chain since the "
       "end of the war in the middle of the last century. Talks on a treaty stalled for "
       "decades while each side restated its claim to the whole group of islands.")


def _fresh(n: int) -> str:
    """A paragraph of words no other paragraph shares."""
    return " ".join(f"w{n}x{k}" for k in range(30)) + "."


def _copies(count: int) -> list[Article]:
    return [article(f"a{n:03d}", f"2019-{1 + n // 28:02d}-{1 + n % 28:02d}", [_fresh(n), BOX])
            for n in range(count)]


def test_links_per_paragraph_are_bounded_and_include_the_earliest() -> None:
    articles = _copies(40)
    links = find_background_links(articles)
    limit = BackgroundParams().max_links
    assert len(links) == (40 - limit) * limit + sum(range(limit))  # linear, not 40*39/2
    for later in articles[1:]:
        mine = [link for link in links if link.article_id == later.id]
        assert {link.paragraph_index for link in mine} == {1}  # the fresh paragraph: none
        assert "a000" in {link.earlier_article_id for link in mine}  # the first occurrence
        assert len(mine) <= limit
        earlier = sorted(a.id for a in articles if a.id < later.id)[:limit]
        assert sorted(link.earlier_article_id for link in mine) == earlier
    assert [link for link in links if link.article_id == "a000"] == []


def test_kept_links_do_not_depend_on_add_and_remove_order() -> None:
    articles = _copies(25)
    expected = find_background_links(articles)
    rng = random.Random(11)
    shuffled = articles[:]
    rng.shuffle(shuffled)
    index = BackgroundIndex()
    for item in shuffled:
        index.add(item)
    assert index.all_links() == expected
    # removing the earliest copies lets later ones take their place, as in a fresh index
    for gone in ("a000", "a001", "a013"):
        index.remove(gone)
    rest = [a for a in articles if a.id not in {"a000", "a001", "a013"}]
    assert index.all_links() == find_background_links(rest)
    assert {link.earlier_article_id for link in index.links_of("a010")} == {
        "a002", "a003", "a004"}


def test_one_copy_alone_has_no_links() -> None:
    assert find_background_links(_copies(1)) == []
    assert find_background_links([article("x", "2019-01-01", [_fresh(1)]),
                                  article("y", "2019-01-02", [_fresh(2)])]) == []
