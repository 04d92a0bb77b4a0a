"""The JSON API and the pages over HTTP (FastAPI's test client), on the real seeds."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient

import parley
from parley.errors import ParleyError, StoreError
from parley.model import Article, Event, Quote, to_dict
from parley.store.base import TimelineEvent
from parley.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, seeded_store: str) -> Iterator[TestClient]:
    """The app over the seeded store, on SQLite and on PostgreSQL (the same records)."""
    url = seeded_store if request.param == "sqlite" else request.getfixturevalue(
        "seeded_postgres")
    with TestClient(create_app(url, rate_limit_per_minute=None)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def seed_ids(client: TestClient) -> dict[str, str]:
    """Seed number ("000") -> stored article id, from each article's source path."""
    items = client.get("/api/articles", params={"limit": 50}).json()["items"]
    return {Path(item["source_path"]).name[:3]: item["id"] for item in items}


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/actors", "/api/quotes",
                 "/api/events", "/api/timeline", "/api/positions", "/api/search",
                 "/api/dyads/{a}/{b}/trend"):
        assert path in paths
    assert not any(p.startswith("/articles") for p in paths)  # pages are not API


def test_articles_paginate_without_gaps_or_repeats(client: TestClient) -> None:
    whole = client.get("/api/articles", params={"limit": 50}).json()
    assert len(whole["items"]) == 5 and whole["next_offset"] is None
    seen = []
    offset: int | None = 0
    while offset is not None:
        page = client.get("/api/articles", params={"limit": 2, "offset": offset}).json()
        assert page["limit"] == 2 and page["offset"] == offset
        seen += [item["id"] for item in page["items"]]
        offset = page["next_offset"]
    assert seen == [item["id"] for item in whole["items"]]


def test_article_record_has_the_cli_json_shape(client: TestClient, seed_ids: dict[str, str],
                                               seeded_store: str) -> None:
    import parley

    body = client.get(f"/api/articles/{seed_ids['000']}").json()
    assert set(body) == {f.name for f in fields(Article)}
    with parley.open_store(seeded_store) as store:
        assert body == to_dict(store.get_article(seed_ids["000"]))
    assert body["dateline_city"] == "MOSCOW"


def test_filters_narrow_the_articles(client: TestClient, seed_ids: dict[str, str]) -> None:
    by_outlet = client.get("/api/articles", params={"outlet": "TASS"}).json()["items"]
    assert len(by_outlet) == 5
    assert client.get("/api/articles", params={"outlet": "Kyodo"}).json()["items"] == []
    in_2015 = client.get("/api/articles", params={"from": "2015-01-01", "to": "2015-12-31"})
    assert [item["id"] for item in in_2015.json()["items"]] == [seed_ids["001"]]


@pytest.mark.parametrize(("params", "problem"), [
    ({"dyad": "RUS"}, "dyad"),
    ({"dyad": "RUS-J4N"}, "country code"),
    ({"from": "May 2019"}, "from"),
    ({"to": "2019-5-1"}, "to"),
    ({"limit": "0"}, "limit"),
    ({"limit": "100000"}, "limit"),
    ({"offset": "-1"}, "offset"),
])
def test_bad_filters_are_400_with_a_reason(client: TestClient, params: dict[str, str],
                                           problem: str) -> None:
    response = client.get("/api/articles", params=params)
    assert response.status_code == 400
    assert problem in response.json()["error"]


def test_missing_and_malformed_ids(client: TestClient) -> None:
    missing = client.get("/api/articles/ffffffffffffffff")
    assert missing.status_code == 404 and "no article" in missing.json()["error"]
    assert client.get("/articles/ffffffffffffffff").status_code == 404
    assert client.get("/api/actors/no-such-actor").status_code == 404
    for bad in ("a b", "<script>", "x" * 200, "a..b", "-leading-dash"):
        assert client.get(f"/api/articles/{bad}").status_code == 400, bad
        assert client.get(f"/actors/{bad}").status_code == 400, bad


TRAVERSALS = [
    "/static/../pyproject.toml",
    "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/api/articles/..%2f..%2f..%2fetc%2fpasswd",
    "/api/articles/%2e%2e",
    "/articles/..%5c..%5cpyproject.toml",
    "/actors/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/timeline/..%2fpasswd",
    "/api/dyads/..%2f..%2f/etc/trend",
    "/dyads/../../etc/passwd",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_is_refused(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404), response.status_code
    assert "[build-system]" not in response.text and "root:" not in response.text


INJECTIONS = [
    '"peace treaty', 'peace" OR "1"="1', "treaty*", "*", "**", "peace NEAR treaty",
    "NEAR(peace treaty, 3)", "(peace OR", ")", "peace -- comment", "; DROP TABLE articles;",
    "'; DELETE FROM paragraphs; --", "peace AND NOT", "title:peace", "^peace", "\\",
    '"', "''", "%_", "\x00", "Лавров", "平和条約", "<script>alert(1)</script>", "a" * 500,
]


@pytest.mark.parametrize("query", INJECTIONS)
def test_search_strings_never_cause_500(client: TestClient, query: str,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="parley.web")
    api = client.get("/api/search", params={"q": query})
    page = client.get("/search", params={"q": query})
    assert api.status_code in (200, 400), (query, api.text)
    assert page.status_code in (200, 400), (query, page.text[:300])
    if api.status_code == 400:
        assert api.json()["error"]
    assert [r.getMessage() for r in caplog.records] == []  # nothing failed server-side


@pytest.mark.parametrize(("failure", "status"), [
    (ParleyError("the search has no words"), 400),
    (StoreError("store x: connection lost"), 500),
    (RuntimeError("bug in the search"), 500),
])
def test_only_bad_queries_are_400_other_failures_500_and_logged(
    seeded_store: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    failure: Exception, status: int,
) -> None:
    from parley.store.sql import SqlStore

    def failing_search(self: SqlStore, query: str, limit: int = 20, offset: int = 0) -> Any:
        raise failure

    monkeypatch.setattr(SqlStore, "search", failing_search)
    caplog.set_level(logging.WARNING, logger="parley.web")
    app = create_app(seeded_store, rate_limit_per_minute=None)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        api = test_client.get("/api/search", params={"q": "treaty"})
        page = test_client.get("/search", params={"q": "treaty"})
    assert api.status_code == status and page.status_code == status
    assert api.json()["status"] == status and api.json()["error"]
    assert "content-security-policy" in api.headers
    assert "bug in the search" not in api.text  # internals stay in the log
    logged = [r for r in caplog.records if r.exc_info]
    assert (len(logged) == 2) == (status == 500), [r.getMessage() for r in caplog.records]


def test_search_marks_matches_escaped(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "Kuril"}).json()["items"]
    assert len(hits) >= 3 and all("[[Kuril" in hit["snippet"] for hit in hits)
    page = client.get("/search", params={"q": "Kuril"}).text
    assert "<mark>Kuril</mark>" in page and "[[" not in page
    none = client.get("/api/search", params={"q": "xylophonist"}).json()
    assert none["items"] == [] and none["next_offset"] is None


def test_quotes_events_actors_and_timeline_shapes(client: TestClient) -> None:
    actors = client.get("/api/actors", params={"limit": 200}).json()["items"]
    assert any(a["name"] in ("Sergey Lavrov", "Sergei Lavrov") for a in actors)
    assert client.get("/api/actors", params={"q": "zzzz-nobody"}).json()["items"] == []
    for url, record in (("/api/quotes", Quote), ("/api/events", Event)):
        items = client.get(url, params={"limit": 5}).json()["items"]
        assert len(items) == 5
        for item in items:
            assert set(item) == {"article_id"} | {f.name for f in fields(record)}
    lavrov = client.get("/api/quotes", params={"speaker": "Lavrov", "limit": 200}).json()
    assert len(lavrov["items"]) >= 5
    assert client.get("/api/quotes", params={"speaker": "Nobody Atall"}).json()["items"] == []
    timeline = client.get("/api/timeline", params={"limit": 200}).json()["items"]
    for event in timeline:
        assert set(event) == {f.name for f in fields(TimelineEvent)}
    dates = [e["date"] or "~" for e in timeline]
    assert dates == sorted(dates)


def test_merged_talks_of_10_may_2019_have_both_sources(
    client: TestClient, seed_ids: dict[str, str]
) -> None:
    """Acceptance: one timeline event for the Lavrov-Kono talks, reported by 000 and 003."""
    events = client.get("/api/timeline", params={"from": "2019-05-10", "to": "2019-05-10",
                                                 "limit": 200}).json()["items"]
    merged = [e for e in events
              if {r["article_id"] for r in e["reports"]} >= {seed_ids["000"], seed_ids["003"]}]
    assert merged, [(e["date"], [r["article_id"] for r in e["reports"]]) for e in events]


def test_dyad_trend_and_positions(client: TestClient) -> None:
    trend = client.get("/api/dyads/rus/JPN/trend").json()
    assert trend["dyad"] == ["RUS", "JPN"]
    months = [m["month"] for m in trend["items"]]
    assert months == sorted(months)
    assert client.get("/api/dyads/RUS/J1N/trend").status_code == 400
    assert client.get("/api/dyads/AAA/BBB/trend").json()["items"] == []
    assert client.get("/api/positions").status_code == 400
    assert client.get("/api/positions", params={"dyad": "RUS-JPN"}).status_code == 200


@pytest.mark.parametrize("url", ["/", "/timeline", "/actors", "/search?q=treaty", "/dyads",
                                 "/dyads/RUS/JPN", "/ingest", "/feed.atom", "/api/articles",
                                 "/static/style.css", "/no-such-page"])
def test_security_headers_everywhere(client: TestClient, url: str) -> None:
    response = client.get(url)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "default-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_pages_render(client: TestClient, seed_ids: dict[str, str]) -> None:
    feed = client.get("/").text
    assert feed.count('class="item"') == 5 and "recycled background" in feed
    article = client.get(f"/articles/{seed_ids['000']}").text
    assert "Removed chrome" in article and 'class="hl-' in article
    assert client.get("/timeline").status_code == 200
    actors = client.get("/api/actors", params={"limit": 200}).json()["items"]
    assert client.get(f"/actors/{actors[0]['id']}").status_code == 200


def test_atom_feed_is_well_formed(client: TestClient, seed_ids: dict[str, str]) -> None:
    response = client.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 5
    assert {e.find(f"{ATOM}id").text for e in entries} == {
        f"urn:parley:article:{i}" for i in seed_ids.values()}
    filtered = ElementTree.fromstring(client.get("/feed.atom", params={"from": "2016"}).content)
    assert len(filtered.findall(f"{ATOM}entry")) == 4


def test_read_only_without_token(client: TestClient) -> None:
    assert client.post("/ingest", data={"text": "x", "token": "guess"}).status_code == 403
    assert client.post("/filters", data={"name": "x", "token": "guess"}).status_code == 403
    assert "read-only" in client.get("/ingest").text
    assert 'action="/ingest"' not in client.get("/ingest").text


def test_saved_filters_need_the_token(seeded_copy: str) -> None:
    app = create_app(seeded_copy, token="s3cret")
    with TestClient(app) as test_client:
        data = {"name": "Old news", "query_string": "to=2015-12-31&topic=", "token": "wrong"}
        assert test_client.post("/filters", data=data).status_code == 403
        data["token"] = "s3cret"
        saved = test_client.post("/filters", data=data, follow_redirects=False)
        assert saved.status_code == 303
        page = test_client.get("/", params={"filter": "Old news"}).text
        assert page.count('class="item"') == 1
        atom = ElementTree.fromstring(test_client.get("/feed.atom?filter=Old+news").content)
        assert len(atom.findall(f"{ATOM}entry")) == 1
        assert test_client.get("/", params={"filter": "nope"}).status_code == 404
        bad = dict(data, name="../../etc")
        assert test_client.post("/filters", data=bad).status_code == 400
        assert 'href="/?filter=Old%20news"' in test_client.get("/").text
    with parley.open_store(seeded_copy) as store:  # kept in the store, not beside it
        assert store.filters() == {"Old news": {"to": "2015-12-31"}}
    with TestClient(create_app(seeded_copy, token="s3cret")) as again:
        assert again.get("/", params={"filter": "Old news"}).text.count('class="item"') == 1
        gone = again.post("/filters/delete", data={"name": "Old news", "token": "s3cret"},
                          follow_redirects=False)
        assert gone.status_code == 303
        assert again.get("/", params={"filter": "Old news"}).status_code == 404


def test_rate_limit_per_client(seeded_store: str) -> None:
    with TestClient(create_app(seeded_store, rate_limit_per_minute=5)) as test_client:
        codes = [test_client.get("/api/articles?limit=1").status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_upload_size_limit(seeded_store: str) -> None:
    app = create_app(seeded_store, token="t", max_upload_bytes=2000)
    with TestClient(app) as test_client:
        response = test_client.post("/ingest", data={"token": "t"},
                                    files={"files": ("big.txt", b"x" * 5000, "text/plain")})
    assert response.status_code == 413


def test_timeline_page_is_paged_by_year_and_offset(client: TestClient) -> None:
    everything = client.get("/api/timeline", params={"limit": 200}).json()["items"]
    in_2019 = [e for e in everything if (e["date"] or "").startswith("2019")]
    assert len(in_2019) >= 2
    first = client.get("/timeline", params={"limit": 3}).text
    assert first.count('<details class="event"') == 3
    assert f"Events 1–3 of {len(everything)}" in first
    assert 'href="/timeline?limit=3&amp;offset=3"' in first and "Earlier events" not in first
    second = client.get("/timeline", params={"limit": 3, "offset": 3}).text
    assert "Events 4–6" in second and 'href="/timeline?limit=3"' in second
    year = client.get("/timeline", params={"year": "2019"}).text
    assert year.count('<details class="event"') == len(in_2019)
    assert all(f'id="event-{e["id"]}"' in year for e in in_2019)
    assert '<h2 id="y2019">' in year and '<h2 id="y1956">' not in year
    assert 'href="/timeline?year=1956"' in year  # the year index stays complete
    nothing = client.get("/timeline", params={"year": "1066"}).text
    assert "No events in 1066" in nothing and '<details class="event"' not in nothing
    assert client.get("/timeline", params={"year": "19xx"}).status_code == 400
    last = client.get("/timeline", params={"offset": len(everything) - 1}).text
    assert last.count('<details class="event"') == 1 and "Later events" not in last


def test_other_media_reads_only_the_events_of_the_page(
    client: TestClient, seed_ids: dict[str, str], seeded_store: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The feed names seed 003 under seed 000 without reading the whole timeline."""
    from parley.store.sql import SqlStore

    def whole_timeline(self: SqlStore) -> list[TimelineEvent]:
        raise AssertionError("the feed read the whole timeline")

    monkeypatch.setattr(SqlStore, "timeline_events", whole_timeline)
    feed = client.get("/", params={"to": "2019-05-10", "from": "2019-05-10"}).text
    assert f'href="/articles/{seed_ids["003"]}"' in feed
    article = client.get(f"/articles/{seed_ids['000']}").text
    assert f'href="/articles/{seed_ids["003"]}"' in article


def _wait_for_job(test_client: TestClient, job_url: str) -> dict[str, Any]:
    """Poll the job's status (a bounded number of times) until it is final."""
    import time

    for _ in range(600):
        status = test_client.get(job_url).json()
        if status["final"]:
            return status
        time.sleep(0.2)
    raise AssertionError(f"the ingest job did not finish: {status}")


def test_browser_ingest_runs_as_a_job_with_per_file_results(seeded_copy: str) -> None:
    from parley.web.jobs import FINAL_STATES

    article = ("MOSCOW, March 3. /TASS/. Russian Foreign Minister Sergey Lavrov will meet "
               "Japanese Foreign Minister Taro Kono in Tokyo on Monday, the ministry said.\n\n"
               "The ministers will discuss a peace treaty, the ministry's spokeswoman said.\n")
    with TestClient(create_app(seeded_copy, token="t")) as test_client:
        started = test_client.post(
            "/ingest", data={"token": "t", "text": article}, follow_redirects=False,
            files=[("files", ("empty.txt", b"", "text/plain")),
                   ("files", ("noise.bin", b"\x00\xff\xfe\x00" * 64, "application/x-bin"))])
        assert started.status_code == 303
        job_id = started.headers["location"].rsplit("/", 1)[-1]
        page = test_client.get(started.headers["location"]).text
        assert f'data-job="{job_id}"' in page and 'id="job-results"' in page
        status = _wait_for_job(test_client, f"/api/jobs/{job_id}")
        assert status["state"] == "done" and status["state"] in FINAL_STATES
        assert status["inputs"] == 3 and status["error"] is None
        by_name = {r["name"]: r for r in status["results"]}
        assert by_name["pasted.txt"]["outcome"] == "ingested"
        assert by_name["pasted.txt"]["article_id"]
        assert by_name["empty.txt"]["outcome"] in ("skipped", "error")
        assert by_name["noise.bin"]["outcome"] in ("skipped", "error")
        assert by_name["noise.bin"]["reason"]
        assert status["counts"]["ingested"] == 1 and sum(status["counts"].values()) == len(
            status["results"])
        done = test_client.get(f"/ingest/jobs/{job_id}").text
        assert 'data-state="done"' in done and "noise.bin" in done
        new_id = by_name["pasted.txt"]["article_id"]
        assert test_client.get(f"/api/articles/{new_id}").json()["stages_done"]
        assert test_client.get("/api/jobs/no-such-job").status_code == 404
        assert test_client.get("/ingest/jobs/..%2f..").status_code in (400, 404)


def test_jobs_exist_only_with_a_token(client: TestClient) -> None:
    assert client.get("/api/jobs/anything").status_code == 404
    assert client.get("/ingest/jobs/anything").status_code == 404


def test_a_failing_job_reports_its_error() -> None:
    from parley.web.jobs import Job, JobBoard

    def explode(job: Job) -> None:
        raise RuntimeError("disk full")

    board = JobBoard()
    job = board.start(["a.txt"], explode)
    for _ in range(100):
        if job.final:
            break
        import time

        time.sleep(0.05)
    status = job.to_dict()
    assert status["state"] == "failed" and "disk full" in status["error"]
    assert board.get(job.id) is job and board.get("other") is None
