"""``parley serve``: the real command, started as a process, answering on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_binds_loopback_read_only(seeded_store: str) -> None:
    port = _free_port()
    parley = Path(sys.executable).with_name("parley")
    server = subprocess.Popen([str(parley), "--db", seeded_store, "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/articles?limit=1", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "parley serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and len(response.json()["items"]) == 1
        refused = httpx.post(f"http://127.0.0.1:{port}/ingest", data={"token": "x"})
        assert refused.status_code == 403
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/ (read-only)" in output
