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
