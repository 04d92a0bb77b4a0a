"""``parley serve``: the real command, started as a process, answering on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(seeded_store: str, *options: str) -> tuple[subprocess.Popen[str], str, httpx.Response]:
    """``parley serve`` on a free port; the first successful answer to an API request."""
    port = _free_port()
    parley = Path(sys.executable).with_name("parley")
    server = subprocess.Popen([str(parley), "--db", seeded_store, "serve", "--port", str(port),
                               *options],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            return server, url, httpx.get(f"{url}/api/articles?limit=1", timeout=2)
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError("parley serve did not start: "
                                     + (server.communicate()[0] or "")) from None
            time.sleep(0.2)


def test_serve_binds_loopback_read_only(seeded_store: str) -> None:
    server, url, response = _start(seeded_store)
    try:
        assert response.status_code == 200 and len(response.json()["items"]) == 1
        refused = httpx.post(f"{url}/ingest", data={"token": "x"})
        assert refused.status_code == 403
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"{url}/ (read-only)" in output


@pytest.mark.parametrize(("option", "allowed"), [("2", 2), ("0", 700)])
def test_serve_rate_limit_option(seeded_store: str, monkeypatch: pytest.MonkeyPatch,
                                 option: str, allowed: int) -> None:
    """``--rate-limit N`` reaches the app (0: no limit); the server itself is mocked."""
    import uvicorn
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from parley.cli import app as cli

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **_: served.append(web_app))
    result = CliRunner().invoke(cli, ["--db", seeded_store, "serve", "--rate-limit", option])
    assert result.exit_code == 0, result.output
    with TestClient(served[0]) as client:
        codes = [client.get("/static/style.css").status_code for _ in range(allowed + 1)]
    assert codes.count(200) == (allowed if option != "0" else allowed + 1)
    assert codes.count(429) == (1 if option != "0" else 0)


def test_rate_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from parley.settings import Settings

    assert Settings().rate_limit_per_minute == 600
    monkeypatch.setenv("PARLEY_RATE_LIMIT", "0")
    assert Settings.from_env().rate_limit_per_minute == 0


def test_serve_with_two_workers_keeps_the_token_and_jobs(seeded_copy: str) -> None:
    """``--workers 2``: both worker processes answer with the same options; a browser
    ingest job started on one is followed from any (each poll is a new connection)."""
    server, url, response = _start(seeded_copy, "--workers", "2", "--token", "s3cret")
    try:
        assert response.status_code == 200 and len(response.json()["items"]) == 1
        assert httpx.get(f"{url}/api/actors").status_code == 200
        assert httpx.get(f"{url}/timeline").status_code == 200
        for _ in range(4):  # whichever worker answers has the token
            assert httpx.post(f"{url}/filters", data={"name": "x", "token": "wrong"}
                              ).status_code == 403
        saved = httpx.post(f"{url}/filters", data={"name": "Japan", "token": "s3cret",
                                                   "query_string": "dyad=RUS-JPN"})
        assert saved.status_code == 303
        text = ("MOSCOW, March 3. /TASS/. Russian Foreign Minister Sergey Lavrov will meet "
                "Japanese Foreign Minister Taro Kono in Tokyo on Monday, the ministry said.\n")
        started = httpx.post(f"{url}/ingest", data={"token": "s3cret", "text": text})
        assert started.status_code == 303
        job_id = started.headers["location"].rsplit("/", 1)[-1]
        for _ in range(600):
            status = httpx.get(f"{url}/api/jobs/{job_id}", timeout=10).json()
            if status["final"]:
                break
            time.sleep(0.2)
        assert status["state"] == "done", status
        new_id = status["results"][0]["article_id"]
        for _ in range(4):
            assert httpx.get(f"{url}/api/articles/{new_id}").status_code == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"{url}/ with 2 workers" in output


def test_served_connections_send_without_delay() -> None:
    """Nagle is off on every connection, even on a listening socket bound as uvicorn's
    ``--workers`` binds it (not marked TCP, so asyncio leaves Nagle on): otherwise each
    keep-alive response waits ~40 ms for the client's delayed ACK."""
    import socket
    import threading

    import uvicorn

    from parley.web.serving import NoDelayH11Protocol

    async def hello(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    listener = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket makes it
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(hello, http=NoDelayH11Protocol, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        port = listener.getsockname()[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.get("/").text == "ok" and client.get("/").text == "ok"
            sockets = [c.transport.get_extra_info("socket")  # type: ignore[attr-defined]
                       for c in server.server_state.connections]
            assert sockets and all(
                s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
