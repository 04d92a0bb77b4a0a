"""Fixtures of the web tests: real stores, a live server, headless Chromium.

``seeded_store`` is a SQLite store with the five seeds ingested and processed by
the real pipeline.  ``hostile_store`` holds records whose every text field is an
XSS payload.  ``live_server`` runs uvicorn on 127.0.0.1 and a free port in a
thread; ``browser`` is Playwright driving the system Chromium (never a
downloaded one), skipped with a clear message only when it is missing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from paths import seed_paths
from store.conftest import (  # noqa: F401 (fixtures: the store suite's, SQLite and PostgreSQL)
    fresh_postgres_url,
    postgres_server,
    store,
    store_url,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> str:
    """A SQLite store with the five seeds ingested and processed (timeline included)."""
    import parley
    from parley.engine import process_store
    from parley.settings import Settings

    db = str(tmp_path_factory.mktemp("seeded") / "parley.db")
    settings = Settings(db=db, workers=1)
    with parley.open_store(db) as seeded:
        report = parley.ingest([str(p) for p in seed_paths()], seeded, settings)
        assert report.count("ingested") == 5
        process_store(seeded, settings, workers=1, engine="local")
    return db


@pytest.fixture(scope="session")
def seeded_postgres(seeded_store: str, request: pytest.FixtureRequest) -> str:
    """The seeded store copied record by record into a fresh PostgreSQL schema."""
    from parley.store import open_store

    url = fresh_postgres_url(request.getfixturevalue("postgres_server"))
    with open_store(seeded_store) as source, open_store(url) as target:
        ids = []
        for article in source.iter_articles():
            target.add_article(article)
            ids.append(article.id)
        for article_id in ids:  # links point both ways in ingest order: articles first
            target.replace_background_links(article_id, source.background_links(article_id))
        for rejection in source.rejections():
            target.add_rejection(rejection)
        target.replace_timeline(source.timeline_events())
        assert target.count_articles() == source.count_articles()
    return url


@pytest.fixture
def seeded_copy(seeded_store: str, tmp_path: Path) -> str:
    """A private copy of ``seeded_store`` for tests that write (ingest, saved filters)."""
    import sqlite3

    copy = str(tmp_path / "copy.db")
    with sqlite3.connect(seeded_store) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    from web.payloads import build_hostile_store

    db = str(tmp_path_factory.mktemp("hostile") / "parley.db")
    build_hostile_store(db)
    return db


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[Callable[[FastAPI], LiveServer]]:
    """Start an app on a free loopback port: ``with live_server(app) as server: ...``."""
    yield LiveServer


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install the Debian package 'chromium' "
                    "(make system-deps) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
