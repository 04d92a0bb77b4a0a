"""Load: concurrent readers of the HTTP API while an ingest writes to the same store.

The server is the real command, ``parley serve --workers N`` on 127.0.0.1 and a
free port, over the store; ``readers`` concurrent readers each send a fixed number
of GET requests, one after the other with no pause (closed loop: a bounded client
that stops by itself); meanwhile ``parley ingest`` writes a generated corpus into
the same store.  The readers are threads, each with one keep-alive
``http.client`` connection (``client="stdlib"``, the default), threads with one
``httpx.Client`` each (``"threads"``), or asyncio tasks with one
``httpx.AsyncClient`` each (``"async"``).  The client shares the cores with the
server, so the lightest is the default: per request it costs about a sixth of the
CPU time of either httpx client (BENCHMARKS.md).  The CPU time of the client, the
server processes and the ingest is measured.  The request-rate limit
is off (``--rate-limit 0``) because every reader shares one loopback address.
The server's and the ingest's output go to ``server.log`` and ``ingest.log`` beside
the store.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

QUERIES = ["treaty", "peace treaty", "Lavrov", '"islands', "talks*", "NEAR(a b)", "(x OR"]


@dataclass
class LoadReport:
    readers: int = 0
    workers: int = 1
    client: str = "stdlib"
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    #: (route without its query and id, latency) for the per-route breakdown
    timed: list[tuple[str, float]] = field(default_factory=list)
    #: when each request started (``time.perf_counter()``), in ``latencies_ms`` order
    started: list[float] = field(default_factory=list)
    #: when the ingest's first article had committed, and when its process ended
    writes_started: float = 0.0
    ingest_ended: float | None = None
    #: answers the server's response cache gave (``X-Parley-Cache: hit``)
    cache_hits: int = 0
    ingest_returncode: int | None = None
    articles_before: int = 0
    articles_after: int = 0
    #: articles in the store when the readers started and when they were done
    articles_at_start: int = 0
    articles_at_end: int = 0
    seconds: float = 0.0
    #: CPU seconds (user + system) over the readers' run
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    ingest_cpu: float = 0.0

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
        seconds = max(self.seconds, 1e-9)
        return (f"{self.readers} readers ({self.client} client), {self.workers} server "
                f"worker(s): {self.requests} requests, {len(self.errors)} errors, "
                f"p50 {self.percentile(0.50):.1f} ms, p95 {self.percentile(0.95):.1f} ms, "
                f"mean {statistics.fmean(self.latencies_ms or [0]):.1f} ms, "
                f"{self.requests / seconds:.0f} requests/s, {self.cache_hits} cache hits; "
                f"articles {self.articles_before} -> {self.articles_after} during the run, "
                f"{self.articles_at_end - self.articles_at_start} of them written while the "
                "readers ran\n"
                f"{self.during_ingest()}\n"
                f"CPU over {self.seconds:.1f} s: client {self.client_cpu:.1f} s "
                f"({100 * self.client_cpu / seconds:.0f}% of a core), server "
                f"{self.server_cpu:.1f} s ({1000 * self.server_cpu / max(self.requests, 1):.1f}"
                f" ms/request), ingest {self.ingest_cpu:.1f} s")

    def during_ingest(self) -> str:
        """p50/p95 of the requests that started while the ingest was writing, and after."""
        ended = self.ingest_ended if self.ingest_ended is not None else float("inf")
        parts = []
        for label, writing in (("while the ingest wrote", True), ("after it ended", False)):
            values = sorted(ms for ms, at in zip(self.latencies_ms, self.started, strict=True)
                            if (self.writes_started <= at < ended) == writing)
            if values:
                parts.append(f"{label}: n={len(values)} p50 {values[len(values) // 2]:.0f} ms "
                             f"p95 {values[min(len(values) - 1, int(0.95 * len(values)))]:.0f}"
                             " ms")
        return "; ".join(parts)

    def record(self, path: str, started: float, problem: str | None, hit: bool) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.requests += 1
        self.started.append(started)
        self.latencies_ms.append(elapsed_ms)
        route = path.split("?")[0]
        route = "/api/articles/{id}" if route.count("/") == 3 else route
        self.timed.append((route, elapsed_ms))
        self.cache_hits += hit
        if problem:
            self.errors.append(problem)


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


def _wait_for_first_write(db: str, before: int, ingest: threading.Thread) -> int:
    """Until the store holds more than ``before`` articles (or the ingest ended);
    returns how many it holds."""
    from parley.store import open_store

    with open_store(db) as store:
        deadline = time.monotonic() + 300
        while (count := store.count_articles()) <= before and ingest.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError("the ingest wrote nothing in 5 minutes")
            time.sleep(0.02)
    return count


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


def _problem(path: str, status: int) -> str | None:
    refusal_ok = path.startswith("/api/search") and status == 400  # operators-only queries
    return None if status == 200 or refusal_ok else f"{path}: HTTP {status}"


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _thread_readers(url: str, plans: list[list[str]], report: LoadReport) -> None:
    lock = threading.Lock()

    def reader(paths: list[str]) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for path in paths:
                started = time.perf_counter()
                hit = False
                try:
                    response = client.get(path)
                    problem = _problem(path, response.status_code)
                    hit = response.headers.get("x-parley-cache") == "hit"
                except httpx.HTTPError as exc:
                    problem = f"{path}: {type(exc).__name__}: {exc}"
                with lock:
                    report.record(path, started, problem, hit)

    _in_threads(reader, plans)


def _in_threads(reader: Callable[[list[str]], None], plans: list[list[str]]) -> None:
    """One thread per reader's plan, all started before any is waited for."""
    threads = [threading.Thread(target=reader, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)


def _stdlib_readers(url: str, plans: list[list[str]], report: LoadReport) -> None:
    lock = threading.Lock()
    host, port = url.removeprefix("http://").split(":")

    def reader(paths: list[str]) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            for path in paths:
                started = time.perf_counter()
                hit = False
                try:
                    connection.request("GET", quote(path, safe="/?=&*"))
                    response = connection.getresponse()
                    response.read()
                    problem = _problem(path, response.status)
                    hit = response.getheader("x-parley-cache") == "hit"
                except (OSError, http.client.HTTPException) as exc:
                    problem = f"{path}: {type(exc).__name__}: {exc}"
                    connection.close()
                with lock:
                    report.record(path, started, problem, hit)
        finally:
            connection.close()

    _in_threads(reader, plans)


def _async_readers(url: str, plans: list[list[str]], report: LoadReport) -> None:
    async def reader(client: httpx.AsyncClient, paths: list[str]) -> None:
        for path in paths:
            started = time.perf_counter()
            hit = False
            try:
                response = await client.get(path)
                problem = _problem(path, response.status_code)
                hit = response.headers.get("x-parley-cache") == "hit"
            except httpx.HTTPError as exc:
                problem = f"{path}: {type(exc).__name__}: {exc}"
            report.record(path, started, problem, hit)

    async def own_client(paths: list[str]) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            await reader(client, paths)

    async def main() -> None:
        # one client (one connection) per reader, as the threads have
        await asyncio.wait_for(asyncio.gather(*(own_client(p) for p in plans)), 900)

    asyncio.run(main())


def run_load(db: str, corpus: Path, readers: int = 50, requests_each: int = 20,
             seed: int = 3, workers: int = 1, client: str = "stdlib") -> LoadReport:
    """``readers`` x ``requests_each`` GETs against ``parley serve --workers N`` while
    ``parley ingest CORPUS`` runs: the readers start once its first article has
    committed (the ingest's own start-up takes seconds), and the requests that
    started while it was still writing are reported apart from any after."""
    run_readers: Callable[[str, list[list[str]], LoadReport], None] = {
        "async": _async_readers, "threads": _thread_readers, "stdlib": _stdlib_readers}[client]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    logs = Path(db).parent
    server_log = (logs / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "parley.cli", "--db", db, "serve", "--port", str(port),
         "--rate-limit", "0", *(["--workers", str(workers)] if workers > 1 else [])],
        stdout=server_log, stderr=subprocess.STDOUT)
    report = LoadReport(readers=readers, workers=workers, client=client)
    try:
        _wait_ready(url, server)
        first = httpx.get(f"{url}/api/articles?limit=200", timeout=30).json()["items"]
        article_ids = [item["id"] for item in first]
        report.articles_before = _count_articles(db)
        plans = []
        for number in range(readers):
            paths = _paths(random.Random(seed * 1000 + number), article_ids)
            plans.append([paths[n % len(paths)] for n in range(requests_each)])
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        ingest = subprocess.Popen(
            [sys.executable, "-m", "parley.cli", "--db", db, "ingest", str(corpus)],
            stdout=subprocess.DEVNULL, stderr=(logs / "ingest.log").open("wb"),
            env={**os.environ, "PYTHONUNBUFFERED": "1"})

        def note_the_end() -> None:
            report.ingest_returncode = ingest.wait(timeout=900)
            report.ingest_ended = time.perf_counter()

        waiter = threading.Thread(target=note_the_end, daemon=True)
        waiter.start()
        report.articles_at_start = _wait_for_first_write(db, report.articles_before, waiter)
        report.writes_started = time.perf_counter()
        serving = [psutil.Process(server.pid), *psutil.Process(server.pid).children(True)]
        server_cpu, client_cpu = _cpu_seconds(serving), _own_cpu()
        started = time.perf_counter()
        run_readers(url, plans, report)
        report.seconds = time.perf_counter() - started
        report.client_cpu = _own_cpu() - client_cpu
        report.server_cpu = _cpu_seconds(serving) - server_cpu
        report.articles_at_end = _count_articles(db)
        waiter.join(timeout=900)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the ingest, now reaped
        report.ingest_cpu = (children.ru_utime + children.ru_stime
                             - reaped.ru_utime - reaped.ru_stime)
        report.articles_after = _count_articles(db)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
    return report
