"""The JSON API and the pages over HTTP (FastAPI's test client), on the real seeds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient

from parley.model import Article, Event, Quote, to_dict
from parley.store.base import TimelineEvent
from parley.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(seeded_store: str) -> Iterator[TestClient]:
    with TestClient(create_app(seeded_store, rate_limit_per_minute=None)) as test_client:
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
def test_search_strings_never_cause_500(client: TestClient, query: str) -> None:
    api = client.get("/api/search", params={"q": query})
    page = client.get("/search", params={"q": query})
    assert api.status_code in (200, 400), (query, api.text)
    assert page.status_code in (200, 400), (query, page.text[:300])
    if api.status_code == 400:
        assert api.json()["error"]


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


def test_saved_filters_need_the_token(seeded_store: str, tmp_path: Path) -> None:
    app = create_app(seeded_store, token="s3cret", filters_path=tmp_path / "filters.json")
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
