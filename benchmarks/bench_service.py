"""Service time per API route: one reader, no write, server CPU per request.

Starts uvicorn serving ``create_app(store, rate_limit_per_minute=None,
cache_bytes=...)`` in a child process over an existing store, sends ``--requests``
sequential GETs per route on one keep-alive connection, and prints the reader's
wall-clock p50/mean and the server process's CPU time per request (psutil), the
figure that stays steady on a shared machine.  ``--cache-bytes 0`` measures the
computed answers; the default measures cached ones (after each route's first
request).  ``/api/articles/{id}`` cycles through the 50 newest articles.

    .venv/bin/python benchmarks/bench_service.py STORE.db --requests 100
    .venv/bin/python benchmarks/bench_service.py STORE.db --requests 100 --cache-bytes 0
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time

import httpx
import psutil

from common import machine

SERVER = """
import sys, uvicorn
from parley.web.app import create_app
app = create_app(sys.argv[1], rate_limit_per_minute=None, cache_bytes=int(sys.argv[3]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""

ROUTES = ["/api/articles?limit=20", "/api/articles/{id}", "/api/actors",
          "/api/quotes?limit=50", "/api/events?limit=50", "/api/timeline",
          "/api/search?q=peace treaty", "/api/search?q=talks*"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if client.get("/api/articles?limit=1").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the API server did not start")
        time.sleep(0.2)


def _server_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def measure(db: str, requests: int, cache_bytes: int) -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, db, str(port), str(cache_bytes)])
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_ready(client, server)
            ids = [item["id"] for item in client.get("/api/articles?limit=50").json()["items"]]
            if not ids:
                raise SystemExit(f"{db} holds no article to ask for")
            process = psutil.Process(server.pid)
            for route in ROUTES:
                times, size = [], 0
                cpu_before = _server_cpu(process)
                for n in range(requests):
                    path = route.replace("{id}", ids[n % len(ids)])
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{path}: HTTP {response.status_code}")
                    size = len(response.content)
                cpu = (_server_cpu(process) - cpu_before) * 1000 / requests
                print(f"{route:30s} p50 {statistics.median(times):6.1f} ms  "
                      f"mean {statistics.fmean(times):6.1f} ms  "
                      f"server cpu {cpu:5.1f} ms/request  {size} bytes")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", help="the store to serve (a SQLite path or postgresql:// URL)")
    parser.add_argument("--requests", type=int, default=100, help="GETs per route")
    parser.add_argument("--cache-bytes", type=int, default=64 * 1024 * 1024,
                        help="the server's response cache (0: off)")
    args = parser.parse_args()
    print(f"{machine()}; {args.requests} requests per route, cache_bytes={args.cache_bytes}")
    measure(args.db, args.requests, args.cache_bytes)


if __name__ == "__main__":
    main()
