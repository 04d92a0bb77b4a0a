"""``Store.grouped_writes``: a long ingest commits a few times a second, each write all
or nothing, on SQLite and PostgreSQL (see conftest.py)."""

from __future__ import annotations

import threading
import time

import pytest

from parley.errors import StoreError
from parley.store import open_store
from parley.store.base import Store

from .test_store import BODY, make_article


def _ids(n: int) -> list[str]:
    return [f"{number:016x}" for number in range(1, n + 1)]


def test_writes_are_seen_by_others_only_when_the_group_commits(
    store: Store, store_url: str
) -> None:
    with open_store(store_url) as reader:
        before = reader.versions()
        with store.grouped_writes(seconds=3600):
            for article_id in _ids(3):
                store.add_article(make_article(article_id, BODY))
            assert store.count_articles() == 3  # the writer reads its own writes
            assert store.get_article(_ids(1)[0]) is not None
            assert reader.count_articles() == 0  # not committed yet
            assert reader.versions() == before  # cached answers stay valid
        assert reader.count_articles() == 3
        assert reader.versions() != before


def test_a_group_commits_once_its_transaction_is_old_enough(
    store: Store, store_url: str
) -> None:
    with open_store(store_url) as reader, store.grouped_writes(seconds=0.2):
        first, second, third = _ids(3)
        store.add_article(make_article(first, BODY))
        assert reader.count_articles() == 0
        time.sleep(0.3)
        store.add_article(make_article(second, BODY))  # the transaction is 0.3 s old
        assert reader.count_articles() == 2
        store.add_article(make_article(third, BODY))
        assert reader.count_articles() == 2


def test_a_failing_write_is_undone_alone(store: Store) -> None:
    broken = make_article("c000000000000001", BODY)
    broken.paragraphs[1].index = 0  # duplicate paragraph index: the insert fails midway
    first, second = _ids(2)
    with store.grouped_writes(seconds=3600):
        store.add_article(make_article(first, BODY))
        with pytest.raises(StoreError):
            store.add_article(broken)
        store.add_article(make_article(second, BODY))  # the group goes on
    assert sorted(a.id for a in store.iter_articles()) == [first, second]
    assert [hit.article_id for hit in store.search("Lavrov")].count(broken.id) == 0


def test_an_exception_rolls_back_what_was_not_committed(store: Store) -> None:
    first, second, lost = _ids(3)
    with pytest.raises(RuntimeError), store.grouped_writes(seconds=1):
        store.add_article(make_article(first, BODY))
        time.sleep(1.1)
        store.add_article(make_article(second, BODY))  # commits both: 1.1 s old
        with store.grouped_writes(seconds=3600):  # nested: still the one group
            store.add_article(make_article(lost, BODY))
            raise RuntimeError("killed")
    assert [a.id for a in store.iter_articles()] == [first, second]
    store.add_article(make_article(lost, BODY))  # the store is usable afterwards
    assert store.count_articles() == 3


def test_other_threads_are_not_in_the_group(store: Store) -> None:
    """The web server shares a store between threads: only the grouping thread's
    writes and reads go through its transaction."""
    with store.grouped_writes(seconds=3600):
        store.add_article(make_article(_ids(1)[0], BODY))
        seen: list[int] = []
        reader = threading.Thread(target=lambda: seen.append(store.count_articles()))
        reader.start()
        reader.join()
        assert seen == [0]
        assert store.count_articles() == 1
