"""Full-text query strings on both backends: 200 or 400 from the API and the search
page, never 500; ``Store.search`` raises nothing but a ``ParleyError``.

``tests/web/test_api.py`` tries its strings on SQLite; these add the operators of
PostgreSQL's ``tsquery`` and more FTS5 syntax, and run every string on PostgreSQL too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parley.errors import ParleyError
from web.test_api import INJECTIONS

MORE = [
    "body:treaty", "{body}: treaty", "paragraph_fts", "treaty NEAR/2 peace", "NEAR/0",
    '"a" NOT "b"', "NOT", "AND", "OR", "treaty AND", "- treaty", "+treaty", "treaty^2",
    "!treaty", "treaty & peace", "treaty | peace", "treaty <-> peace", "treaty <2> peace",
    "treaty:*", ":*", "'treaty'", "''''", "\\'", "treaty:A", "(((((((((", ")))))))))",
    "\u0000treaty", "treaty\u202e", "\ud800"[:0] + "tr\u00e9aty", "ｔｒｅａｔｙ", "*" * 200,
    "treaty " * 300, "%", "_", "$$", "/* */", "1; SELECT pg_sleep(5)", "E'\\x27'",
    "\"treaty' OR 1=1 --", "treaty\n\nOR\n\npeace", "\t", "  ",
]
STRINGS = list(dict.fromkeys([*INJECTIONS, *MORE]))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                scope="module")
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    import parley

    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("search") / "parley.db")
    else:
        from reliability.conftest import fresh_postgres_url

        url = fresh_postgres_url(request.getfixturevalue("postgres_server"))
    with parley.open_store(url) as store:
        parley.ingest([str(Path(parley.__file__).parent / "demo_corpus")], store)
    return url


@pytest.fixture(scope="module")
def client(store_url: str) -> Iterator[TestClient]:
    from parley.web import create_app

    with TestClient(create_app(store_url, rate_limit_per_minute=None)) as test_client:
        yield test_client


def test_every_string_answers_200_or_400(client: TestClient, store_url: str) -> None:
    import parley

    statuses: dict[int, int] = {}
    for query in STRINGS:
        for path in ("/api/search", "/search"):
            response = client.get(path, params={"q": query})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code in (200, 400), (path, query, response.text[:300])
        with parley.open_store(store_url) as store, contextlib.suppress(ParleyError):
            store.search(query)
    print(f"{len(STRINGS)} strings x 2 routes: {statuses}")
    assert len(STRINGS) >= 60


def test_searches_still_find_what_is_there(client: TestClient) -> None:
    """The strings are neutralised, not the search: a plain word still matches."""
    hits = client.get("/api/search", params={"q": "talks"}).json()["items"]
    assert hits
    assert client.get("/api/search", params={"q": "zzzqqqxxx"}).json()["items"] == []
