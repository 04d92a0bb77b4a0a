"""Crash-safety harness: SIGKILL ``parley ingest`` / ``parley process`` at seeded random
moments, check the store after every kill, rerun, and compare with an uninterrupted run.

Used by ``tests/reliability/test_crash.py`` (a few trials) and by
``benchmarks/crash_trials.py`` (20 trials, the documented long run).  The corpus is
generated at run time by ``benchmarks/generate_corpus.py`` (seed and demo paragraphs
recombined with varied names and dates) into a temporary folder, never committed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from parley.model import to_dict
from parley.store import open_store
from parley.store.sql import SqlStore

ROOT = Path(__file__).resolve().parents[2]
#: environment additions of the ``parley`` subprocesses (see ``freeze_source``)
CHILD_ENV: dict[str, str] = {"PYTHONUNBUFFERED": "1"}
ANNOTATION_TABLES = {"quotes": "quotes", "events": "events", "timexes": "timexes",
                     "mentions": "mentions"}


# --------------------------------------------------------------------------- corpus


def write_corpus(folder: Path, articles: int, seed: int = 7, per_file: int = 25) -> Path:
    """``articles`` generated dispatches as JSONL files of ``per_file`` lines each."""
    spec = importlib.util.spec_from_file_location(
        "generate_corpus", ROOT / "benchmarks" / "generate_corpus.py")
    assert spec is not None and spec.loader is not None
    generator = sys.modules.setdefault("generate_corpus", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(generator)
    pool = generator.load_pool(generator.SHARED)
    folder.mkdir(parents=True, exist_ok=True)
    records = list(generator.generate(pool, articles, seed))
    for start in range(0, len(records), per_file):
        with (folder / f"part-{start // per_file:03d}.jsonl").open("w", encoding="utf-8") as out:
            for record in records[start:start + per_file]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


# --------------------------------------------------------------------------- commands


def parley(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "parley.cli", "--db", db, *args]


def freeze_source(folder: Path) -> None:
    """Run every later command on a copy of ``src/parley`` taken now, so that the
    reference and the trials run the same code even while the tree is edited."""
    import shutil

    shutil.copytree(ROOT / "src" / "parley", folder / "parley",
                    ignore=shutil.ignore_patterns("__pycache__"))
    CHILD_ENV["PYTHONPATH"] = os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])


def run(db: str, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(parley(db, *args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **CHILD_ENV})
    if done.returncode != 0:
        raise AssertionError(f"parley {' '.join(args)} failed ({done.returncode}): "
                             f"{done.stderr[-2000:]}")
    return done


def run_killed(db: str, args: list[str], delay: float) -> bool:
    """Start ``parley ARGS``, SIGKILL it after ``delay`` seconds; True if it was still
    running (the kill landed), False if it had already finished."""
    child = subprocess.Popen(parley(db, *args), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, **CHILD_ENV})
    try:
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.005)
        if child.poll() is not None:
            return False
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
        return True
    finally:  # a test timeout or interrupt must not leave the child running
        if child.poll() is None:
            child.kill()
            child.wait(timeout=60)


# --------------------------------------------------------------------------- checks


def sqlite_path(url: str) -> Path | None:
    if url.startswith("postgres"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def check_store(url: str) -> dict[str, int]:
    """Everything a crash must not break; returns counts (articles, processed).

    SQLite: ``PRAGMA integrity_check`` and ``foreign_key_check``; the FTS index
    holds exactly the body paragraphs.  Both backends: every article has all its
    paragraphs, and its annotation rows match its record (all or nothing).
    """
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():  # killed before the store was created
            return {"articles": 0, "processed": 0}
        with sqlite3.connect(path) as raw:
            tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
            if "articles" not in tables:  # killed before the first migration committed
                assert tables <= {"schema_version"}, f"partial schema: {sorted(tables)}"
                return {"articles": 0, "processed": 0}
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
            indexed = {r[0] for r in raw.execute("SELECT rowid FROM paragraph_fts")}
            bodies = {r[0] for r in raw.execute(
                "SELECT pid FROM paragraphs WHERE kind = 'body'")}
            assert indexed == bodies, "full-text index differs from the body paragraphs"
            fts_check = raw.execute(
                "INSERT INTO paragraph_fts(paragraph_fts) VALUES('integrity-check')")
            fts_check.close()
    store = open_store(url)
    assert isinstance(store, SqlStore)
    counts = {"articles": 0, "processed": 0}
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, signature, record FROM articles")).all()
            for article_id, signature, record_json in rows:
                record = json.loads(record_json)
                paragraphs = conn.execute(
                    text("SELECT COUNT(*) FROM paragraphs WHERE article_id = :id"),
                    {"id": article_id}).scalar()
                assert paragraphs == len(record["paragraphs"]), article_id
                for key, table in ANNOTATION_TABLES.items():
                    stored = conn.execute(
                        text(f"SELECT COUNT(*) FROM {table} WHERE article_id = :id"),
                        {"id": article_id}).scalar()
                    assert stored == len(record[key]), (article_id, key, stored)
                if signature is None:  # not processed yet: no annotation at all
                    assert not any(record[k] for k in (*ANNOTATION_TABLES, "actors")), article_id
                counts["articles"] += 1
                counts["processed"] += signature is not None
            if path is None:  # PostgreSQL enforces foreign keys itself; check the links
                dangling = conn.execute(text(
                    "SELECT COUNT(*) FROM background_links b LEFT JOIN articles a "
                    "ON a.id = b.earlier_article_id WHERE a.id IS NULL")).scalar()
                assert dangling == 0
    finally:
        store.close()
    return counts


def snapshot(url: str) -> dict[str, Any]:
    """The whole record: every article (annotations included), background links,
    the merged timeline and the rejections (without their timestamps)."""
    with open_store(url) as store:
        # the stage signature hashes the code itself: left out so that an edit to a
        # stage between two runs of a shared work tree is not taken for lost data
        articles = {a.id: {**to_dict(a), "stage_signature": None}
                    for a in store.iter_articles()}
        links = sorted(json.dumps(to_dict(link), sort_keys=True)
                       for link in store.background_links())
        timeline = sorted((to_dict(e) for e in store.timeline_events()),
                          key=lambda e: json.dumps(e, sort_keys=True))
        rejections = sorted((r.source, r.stage, r.reason) for r in store.rejections())
    return {"articles": articles, "links": links, "timeline": timeline,
            "rejections": rejections}


def first_difference(got: dict[str, Any], want: dict[str, Any]) -> str:
    """A short description of where two snapshots differ (for assertion messages)."""
    for key in want:
        if got.get(key) == want[key]:
            continue
        if key == "articles":
            missing = set(want[key]) ^ set(got[key])
            if missing:
                return f"articles differ in ids: {sorted(missing)[:3]}"
            for article_id, record in want[key].items():
                if got[key][article_id] != record:
                    fields = [f for f in record if got[key][article_id].get(f) != record[f]]
                    return f"article {article_id} differs in {fields}"
        return f"{key} differ ({len(got.get(key) or [])} vs {len(want[key])})"
    return "identical"


# --------------------------------------------------------------------------- trials


@dataclass
class Trial:
    number: int
    command: str
    delay: float
    killed: bool
    after_kill: dict[str, int]
    identical: bool = False
    difference: str = ""


@dataclass
class TrialReport:
    backend: str
    trials: list[Trial] = field(default_factory=list)
    reference_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def survived(self) -> int:
        return sum(t.identical for t in self.trials)

    def summary(self) -> str:
        killed = sum(t.killed for t in self.trials)
        return (f"{self.backend}: {self.survived}/{len(self.trials)} trials identical to the "
                f"uninterrupted run ({killed} kills landed mid-run)")


def reference_run(url: str, corpus: Path, workers: int) -> tuple[dict[str, Any], ...]:
    """An uninterrupted ``ingest`` then ``process``: the records every trial must reach
    (after ingest, after process) and how long each command took."""
    seconds, snapshots = {}, []
    for name, args in (("ingest", ["ingest", str(corpus)]),
                       ("process", ["process", "--workers", str(workers)])):
        started = time.monotonic()
        run(url, *args)
        seconds[name] = time.monotonic() - started
        check_store(url)
        snapshots.append(snapshot(url))
    return snapshots[0], snapshots[1], seconds


def crash_trials(
    fresh_url: Callable[[], str],
    corpus: Path,
    trials: int,
    seed: int = 20,
    workers: int = 1,
    backend: str = "sqlite",
    log: Callable[[str], None] = lambda line: None,
) -> TrialReport:
    """``trials`` seeded trials alternating between killing ``ingest`` and ``process``.

    An ingest trial kills ``ingest`` at a random moment within the reference run's
    duration, checks the store, reruns ``ingest`` and compares with the reference
    ingest.  A process trial ingests completely, kills ``process`` likewise, checks,
    reruns ``process`` and compares with the reference's final record.
    """
    rng = random.Random(seed)
    report = TrialReport(backend)
    ingested, processed, report.reference_seconds = reference_run(fresh_url(), corpus, workers)
    log(f"reference: {len(processed['articles'])} articles, {len(processed['timeline'])} "
        f"timeline events, {report.reference_seconds}")
    for number in range(trials):
        url = fresh_url()
        command = "ingest" if number % 2 == 0 else "process"
        args = ["ingest", str(corpus)] if command == "ingest" else [
            "process", "--workers", str(workers)]
        if command == "process":
            run(url, "ingest", str(corpus))
        # process loads spaCy and parses before its first write: aim at its second half
        share = rng.uniform(0.1, 0.9) if command == "ingest" else rng.uniform(0.5, 1.0)
        delay = share * report.reference_seconds[command]
        killed = run_killed(url, args, delay)
        trial = Trial(number, command, round(delay, 2), killed, check_store(url))
        run(url, *args)
        check_store(url)
        got = snapshot(url)
        want = ingested if command == "ingest" else processed
        trial.identical = got == want
        trial.difference = "" if trial.identical else first_difference(got, want)
        report.trials.append(trial)
        log(f"trial {number}: kill {command} at {delay:.2f}s (landed: {killed}), after kill "
            f"{trial.after_kill}; identical: {trial.identical} {trial.difference}")
    return report
