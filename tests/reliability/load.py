"""Load: concurrent readers of the HTTP API while an ingest writes to the same store.

The server runs in its own process (uvicorn on 127.0.0.1, a free port) over the
store; ``readers`` threads each send a fixed number of GET requests with httpx
(a bounded client: it stops by itself); meanwhile ``parley ingest`` writes a
generated corpus into the same store.  The request-rate limit is off for this
server because every reader shares one loopback address.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVER = """
import sys, uvicorn
from parley.web.app import create_app
uvicorn.run(create_app(sys.argv[1], rate_limit_per_minute=None), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning")
"""
QUERIES = ["treaty", "peace treaty", "Lavrov", '"islands', "talks*", "NEAR(a b)", "(x OR"]


@dataclass
class LoadReport:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    #: (route without its query and id, latency) for the per-route breakdown
    timed: list[tuple[str, float]] = field(default_factory=list)
    ingest_returncode: int | None = None
    articles_before: int = 0
    articles_after: int = 0
    seconds: float = 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def by_path(self) -> str:
        """p50/p95 per route: which endpoint is slow."""
        routes: dict[str, list[float]] = {}
        for route, ms in self.timed:
            routes.setdefault(route, []).append(ms)
        lines = []
        for route, values in sorted(routes.items()):
            values.sort()
            lines.append(f"{route}: n={len(values)} p50 {values[len(values) // 2]:.0f} ms "
                         f"p95 {values[min(len(values) - 1, int(0.95 * len(values)))]:.0f} ms")
        return "\n".join(lines)

    def summary(self) -> str:
        return (f"{self.requests} requests, {len(self.errors)} errors, "
                f"p50 {self.percentile(0.50):.1f} ms, p95 {self.percentile(0.95):.1f} ms, "
                f"mean {statistics.fmean(self.latencies_ms or [0]):.1f} ms, "
                f"{self.requests / max(self.seconds, 1e-9):.0f} requests/s; articles "
                f"{self.articles_before} -> {self.articles_after} during the run")


def _count_articles(db: str) -> int:
    from parley.store import open_store

    with open_store(db) as store:
        return store.count_articles()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/articles?limit=1", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.2)


def _paths(rng: random.Random, article_ids: list[str]) -> list[str]:
    choices = ["/api/articles?limit=20", "/api/timeline", "/api/events?limit=50",
               "/api/actors", "/api/quotes?limit=50"]
    paths = []
    for _ in range(8):
        paths.append(rng.choice(choices))
        paths.append(f"/api/search?q={rng.choice(QUERIES)}")
        if article_ids:
            paths.append(f"/api/articles/{rng.choice(article_ids)}")
    return paths


def run_load(db: str, corpus: Path, readers: int = 50, requests_each: int = 20,
             seed: int = 3) -> LoadReport:
    """``readers`` threads x ``requests_each`` GETs while ``parley ingest CORPUS`` runs."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-c", SERVER, db, str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    report = LoadReport()
    lock = threading.Lock()
    try:
        _wait_ready(url, server)
        first = httpx.get(f"{url}/api/articles?limit=200", timeout=30).json()["items"]
        article_ids = [item["id"] for item in first]
        report.articles_before = _count_articles(db)
        ingest = subprocess.Popen(
            [sys.executable, "-m", "parley.cli", "--db", db, "ingest", str(corpus)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})

        def reader(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            paths = _paths(rng, article_ids)
            with httpx.Client(base_url=url, timeout=60) as client:
                for n in range(requests_each):
                    path = paths[n % len(paths)]
                    started = time.perf_counter()
                    try:
                        response = client.get(path)
                        refusal_ok = path.startswith("/api/search") and response.status_code == 400
                        problem = None if response.status_code == 200 or refusal_ok else (
                            f"{path}: HTTP {response.status_code}")
                    except httpx.HTTPError as exc:
                        problem = f"{path}: {type(exc).__name__}: {exc}"
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        report.requests += 1
                        report.latencies_ms.append(elapsed)
                        route = path.split("?")[0]
                        route = "/api/articles/{id}" if route.count("/") == 3 else route
                        report.timed.append((route, elapsed))
                        if problem:
                            report.errors.append(problem)

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=900)
        report.seconds = time.perf_counter() - started
        report.ingest_returncode = ingest.wait(timeout=900)
        report.articles_after = _count_articles(db)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return report
