"""The API's response cache: answers are reused until a write that changes what
they read commits, never after.

``Store.versions()`` counts writes per kind of data: each committed write must bump
every kind it changes, whichever connection or process makes it; the app reuses an
answer only while the kinds it read are at the versions it was computed under, so a
request that starts after a write sees the write, and answers that do not read what
the write changed stay cached.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from parley.errors import StoreError
from parley.model import Actor, to_dict
from parley.store import open_store
from parley.store.base import DATA_KINDS, BackgroundLink, Rejection, Store, TimelineEvent
from parley.web.app import create_app
from paths import seed_paths
from store.test_store import BODY, annotate, make_article


def _changed(store: Store, write: Callable[[], object]) -> set[str]:
    """The kinds whose version ``write`` moved."""
    before = store.versions()
    write()
    after = store.versions()
    assert before is not None and after is not None
    return {kind for kind in DATA_KINDS if after[kind] != before[kind]}


def test_each_write_bumps_the_kinds_it_changes(store: Store, store_url: str) -> None:
    plain = make_article("aaaa000000000001", BODY)
    event = TimelineEvent("t1", "2019-05-10", "day", "040", "CONSULT", 1, 1.0, None, None,
                          None, "occurred")
    writes: list[tuple[Callable[[], object], set[str]]] = [
        (lambda: store.add_article(plain), {"articles"}),
        (lambda: store.add_article(annotate(make_article("aaaa000000000002", BODY))),
         {"articles", "annotations"}),
        (lambda: store.add_rejection(Rejection("x.txt", "read", "empty")), {"articles"}),
        (lambda: store.replace_background_links(plain.id, [
            BackgroundLink(plain.id, 0, "aaaa000000000002", 1, 0.9)]), {"timeline"}),
        (lambda: store.replace_timeline([event]), {"timeline"}),  # the timeline is current
        # the first annotations after it make the corpus step owed: timeline state too
        (lambda: store.save_annotations(annotate(plain)),
         {"articles", "annotations", "timeline"}),
        (lambda: store.save_annotations(annotate(plain, "kono")), {"articles", "annotations"}),
        (lambda: store.save_filter("japan", {"dyad": "RUS-JPN"}), {"filters"}),
        (lambda: store.delete_filter("japan"), {"filters"}),
    ]
    for write, kinds in writes:
        assert _changed(store, write) == kinds
    assert _changed(store, lambda: (store.list_articles(), store.actors(),
                                    store.timeline_events(), store.filters())) == set()
    # another connection (another engine, as another process) writing
    with open_store(store_url) as other:
        assert _changed(store, lambda: other.add_rejection(
            Rejection("y.txt", "read", "empty"))) == {"articles"}

    def unnamed_write() -> None:
        with store._write():  # type: ignore[attr-defined]
            pass

    assert _changed(store, unnamed_write) == set(DATA_KINDS)  # no kind named: every kind


def test_a_write_that_fails_leaves_the_versions(store: Store) -> None:
    before = store.versions()
    with pytest.raises(StoreError):
        store.save_annotations(make_article("bbbb000000000002", BODY))  # not stored: refused
    with pytest.raises(RuntimeError), store._write() as conn:  # type: ignore[attr-defined]
        conn.execute(text("DELETE FROM rejections"))
        raise RuntimeError("rolled back")
    assert store.versions() == before


def test_processing_and_the_corpus_step_bump_their_kinds(seeded_copy: str) -> None:
    """The real pipeline: ingesting changes the articles only, processing the
    annotations (and the articles' records), the cross-article step the timeline."""
    import parley
    from parley.engine import process_store, update_corpus
    from parley.settings import Settings

    settings = Settings(db=seeded_copy, workers=1)
    text_ = seed_paths()[0].read_text(encoding="utf-8") + "\n\nThe Kurilzz accord was signed.\n"
    source = Path(seeded_copy).with_name("extra.txt")
    source.write_text(text_, encoding="utf-8")
    with parley.open_store(seeded_copy) as store:
        assert _changed(store, lambda: parley.ingest([str(source)], store, settings)) == {
            "articles"}
        processed = _changed(store, lambda: process_store(
            store, settings, workers=1, engine="local", corpus_step=False))
        assert processed == {"articles", "annotations", "timeline"}  # timeline: now owed
        assert store.corpus_stale()
        assert "timeline" in _changed(store, lambda: update_corpus(store, settings))
        assert not store.corpus_stale()


def _actor_names(client: TestClient) -> tuple[set[str], str]:
    response = client.get("/api/actors", params={"limit": 200})
    assert response.status_code == 200
    return {a["name"] for a in response.json()["items"]}, response.headers["x-parley-cache"]


def _newcomer(number: int) -> Any:
    article = annotate(make_article(f"cccc00000000000{number}", BODY, title=f"Visit {number}"))
    article.actors.append(Actor(f"newcomer{number}", f"Zed Newcomer{number}", "person", "NZL"))
    return article


def test_an_answer_reflects_every_write_committed_before_the_request(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add_article(annotate(make_article("aaaa000000000001", BODY)))
    with TestClient(create_app(store_url, rate_limit_per_minute=None)) as client:
        names, first = _actor_names(client)
        again, second = _actor_names(client)
        assert (first, second) == ("miss", "hit") and again == names
        missing = client.get("/api/articles/cccc000000000001")
        assert missing.status_code == 404
        with open_store(store_url) as writer:  # as an ingest in another process would
            writer.add_article(_newcomer(1))
        names, how = _actor_names(client)
        assert how == "miss" and "Zed Newcomer1" in names
        assert client.get("/api/articles/cccc000000000001").status_code == 200
        listed = client.get("/api/articles", params={"limit": 50}).json()["items"]
        assert "cccc000000000001" in {item["id"] for item in listed}


def test_an_answer_computed_across_a_write_is_not_reused(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that commits while an answer is being computed: the answer is labelled
    with the version read before it, so the next request computes afresh."""
    from parley.store.sql import SqlStore

    with open_store(store_url) as store:
        store.add_article(annotate(make_article("aaaa000000000001", BODY)))
    computed = SqlStore.actors
    pending = [_newcomer(2)]

    def actors_then_a_write(self: SqlStore) -> list[Actor]:
        found = computed(self)
        if pending:
            with open_store(store_url) as writer:
                writer.add_article(pending.pop())
        return found

    monkeypatch.setattr(SqlStore, "actors", actors_then_a_write)
    with TestClient(create_app(store_url, rate_limit_per_minute=None)) as client:
        names, how = _actor_names(client)
        assert how == "miss" and "Zed Newcomer2" not in names  # computed before the write
        names, how = _actor_names(client)
        assert how == "miss" and "Zed Newcomer2" in names


#: one request per cached route, and the kinds each reads
ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "articles": ("/api/articles", {"limit": 50}),
    "record": ("/api/articles/aaaa000000000001", {}),
    "prefix": ("/api/articles/aaaa", {}),  # an id prefix: new articles may match it
    "search": ("/api/search", {"q": "Zebrafishaccordzz"}),
    "positions": ("/api/positions", {"dyad": "RUS-JPN"}),
    "actors": ("/api/actors", {"limit": 200}),
    "quotes": ("/api/quotes", {"limit": 200}),
    "events": ("/api/events", {"limit": 200}),
    "timeline": ("/api/timeline", {"limit": 200}),
    "trend": ("/api/dyads/JPN/RUS/trend", {}),
}


def _ask(client: TestClient) -> tuple[dict[str, Any], set[str]]:
    """Every route's answer, and the routes that computed theirs afresh."""
    answers, misses = {}, set()
    for name, (path, params) in ROUTES.items():
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        answers[name] = response.json()
        if response.headers["x-parley-cache"] == "miss":
            misses.add(name)
    return answers, misses


def _event(event_id: str, date: str) -> TimelineEvent:
    return TimelineEvent(event_id, date, "day", "040", "CONSULT", 1, 1.0, None, None, None,
                         "occurred", source_country="RUS", target_country="JPN")


def test_a_write_invalidates_only_the_answers_reading_what_it_changed(store_url: str) -> None:
    word = ROUTES["search"][1]["q"]
    with open_store(store_url) as writer:
        writer.add_article(annotate(make_article("aaaa000000000001", BODY)))
        writer.replace_timeline([_event("t1", "2019-05-10")])
    with TestClient(create_app(store_url, rate_limit_per_minute=None)) as client:
        answers, misses = _ask(client)
        assert misses == set(ROUTES)
        assert answers["search"]["items"] == [] and len(answers["timeline"]["items"]) == 1
        assert _ask(client) == (answers, set())

        # an article arrives (an ingest, in another connection)
        article = make_article("bbbb000000000002", [f"The {word} was signed.", *BODY[1:]])
        with open_store(store_url) as writer:
            writer.add_article(article)
        answers, misses = _ask(client)
        assert misses == {"articles", "search", "positions", "prefix"}
        assert "bbbb000000000002" in {item["id"] for item in answers["articles"]["items"]}
        assert [hit["article_id"] for hit in answers["search"]["items"]] == [article.id]

        # it is processed: the first annotations since the timeline also make it owed
        with open_store(store_url) as writer:
            writer.save_annotations(annotate(article))
        assert _ask(client)[1] == set(ROUTES)
        with open_store(store_url) as writer:
            writer.save_annotations(annotate(article, "kono"))
        answers, misses = _ask(client)
        assert misses == {"articles", "search", "positions", "actors", "quotes", "events",
                          "record", "prefix"}
        assert "Taro Kono" in {actor["name"] for actor in answers["actors"]["items"]}
        assert "Taro Kono" in {quote["speaker_text"] for quote in answers["quotes"]["items"]}

        # the cross-article step replaces the timeline
        with open_store(store_url) as writer:
            writer.replace_timeline([_event("t1", "2019-05-10"), _event("t2", "2019-06-01")])
        answers, misses = _ask(client)
        assert misses == {"timeline", "trend"}
        assert [event["id"] for event in answers["timeline"]["items"]] == ["t1", "t2"]
        assert [point["month"] for point in answers["trend"]["items"]] == [
            "2019-05", "2019-06"]

        with open_store(store_url) as writer:  # nothing cached reads saved filters
            writer.save_filter("japan", {"dyad": "RUS-JPN"})
        assert _ask(client) == (answers, set())


def test_a_timeline_computed_from_the_articles_follows_them(store_url: str) -> None:
    """With no timeline persisted, the timeline routes compute it from the articles:
    then an article arriving changes their answer; once one is persisted, not."""
    from parley.analysis.timeline import timeline

    with open_store(store_url) as writer:
        writer.add_article(annotate(make_article("aaaa000000000001", BODY)))
    with TestClient(create_app(store_url, rate_limit_per_minute=None)) as client:
        def ask() -> tuple[list[Any], str]:
            response = client.get("/api/timeline", params={"limit": 200})
            return response.json()["items"], response.headers["x-parley-cache"]

        first, how = ask()
        assert how == "miss" and len(first) == 1 and ask() == (first, "hit")
        other = annotate(make_article("bbbb000000000002", BODY, published="2019-07-02"))
        other.events[0].date = "2019-07-02"
        with open_store(store_url) as writer:
            writer.add_article(other)
            computed = timeline(writer)
        items, how = ask()
        assert how == "miss" and items == to_dict(computed) and len(items) == 2

        with open_store(store_url) as writer:
            writer.replace_timeline(computed)
        assert ask() == (items, "miss")
        with open_store(store_url) as writer:
            writer.add_article(annotate(make_article("cccc000000000003", BODY)))
        assert ask() == (items, "hit")  # the persisted timeline waits for the corpus step


def test_a_write_from_another_process_is_seen(seeded_copy: str) -> None:
    """``parley ingest`` in its own process, then the API (SQLite, WAL)."""
    word = "Kurilfisheriesaccordzz"
    article = seed_paths()[0].read_text(encoding="utf-8") + f"\n\nThe {word} was signed.\n"
    with TestClient(create_app(seeded_copy, rate_limit_per_minute=None)) as client:
        assert client.get("/api/search", params={"q": word}).json()["items"] == []
        before = client.get("/api/articles", params={"limit": 50}).json()["items"]
        assert client.get("/api/articles", params={"limit": 50}).headers[
            "x-parley-cache"] == "hit"
        source = Path(seeded_copy).with_name("extra.txt")
        source.write_text(article, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "parley.cli", "--db", seeded_copy, "ingest",
                        str(source)], check=True, capture_output=True, timeout=300)
        after = client.get("/api/articles", params={"limit": 50}).json()["items"]
        assert len(after) == len(before) + 1
        hits = client.get("/api/search", params={"q": word}).json()["items"]
        assert len(hits) == 1 and word in hits[0]["snippet"]


def test_only_successful_store_answers_are_kept(seeded_store: str) -> None:
    with TestClient(create_app(seeded_store, token="t", rate_limit_per_minute=None)) as client:
        for _ in range(2):
            missing = client.get("/api/articles/ffff000000000000")
            assert missing.status_code == 404 and missing.headers["x-parley-cache"] == "miss"
            assert "x-parley-cache" not in client.get("/api/jobs/abc").headers
            page = client.get("/timeline")
            assert page.status_code == 200 and "x-parley-cache" not in page.headers
        client.get("/api/timeline")
        cached = client.get("/api/timeline")
        assert cached.status_code == 200 and cached.headers["x-parley-cache"] == "hit"
        assert "content-security-policy" in cached.headers  # headers on cached answers too


def test_the_cache_is_bounded(seeded_store: str) -> None:
    """Answers beyond the byte budget push out the least recently used."""
    def first_again(budget: int) -> str:
        app = create_app(seeded_store, rate_limit_per_minute=None, cache_bytes=budget)
        with TestClient(app) as client:
            client.get("/api/articles", params={"limit": 1})
            for n in range(20):  # unknown parameters: the same answer under another key
                client.get("/api/articles", params={"limit": 1, "other": n})
            return client.get("/api/articles", params={"limit": 1}).headers["x-parley-cache"]

    with TestClient(create_app(seeded_store, rate_limit_per_minute=None)) as client:
        size = len(client.get("/api/articles", params={"limit": 1}).content)
    assert first_again(64 * 1024 * 1024) == "hit"
    assert first_again(8 * (size + 100)) == "miss"  # room for about 8 such answers


def test_jobs_share_a_folder_across_worker_processes(tmp_path: Path) -> None:
    """Two boards over one folder, as two workers: each answers for the other's jobs,
    and jobs run one at a time across them."""
    from parley.web.jobs import Job, JobBoard

    first, second = JobBoard(tmp_path), JobBoard(tmp_path)
    first_running, release, second_started = (threading.Event() for _ in range(3))

    def blocked(job: Job) -> None:
        job.set_state("ingesting")
        first_running.set()
        assert release.wait(30)

    def quick(job: Job) -> None:
        second_started.set()

    running = first.start(["a.txt"], blocked)
    assert first_running.wait(30)
    waiting = second.start(["b.txt"], quick)
    seen = second.get(running.id)
    assert seen is not None and seen.to_dict()["inputs"] == 1 and not seen.final
    assert not second_started.wait(0.5)  # the first job holds the lock
    release.set()
    assert second_started.wait(30)
    for _ in range(200):
        if running.final and waiting.final:
            break
        threading.Event().wait(0.05)
    seen = second.get(running.id)
    assert seen is not None and seen.final and seen.to_dict()["state"] == "done"
    assert first.get("0123456789abcdef") is None
