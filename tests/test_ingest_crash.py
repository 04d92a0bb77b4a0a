"""A killed ingest (kill -9) leaves a consistent store, and a rerun completes it.

A real ``parley ingest`` subprocess is killed while it writes; the SQLite file must
pass ``PRAGMA integrity_check``, hold no half-written article (every stored article
has all its paragraphs and index entries), and a rerun must end with exactly the
records an uninterrupted run produces.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ARTICLES = 600
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
TOPICS = ["fisheries", "visas", "energy", "trade", "culture", "border crossings"]


def write_corpus(folder: Path) -> None:
    """Small dispatches written for this test, in the seeds' shape (chrome, title, dateline)."""
    folder.mkdir()
    for n in range(ARTICLES):
        topic = TOPICS[n % len(TOPICS)]
        day = WEEKDAYS[n % len(WEEKDAYS)]
        (folder / f"{n:04d}.txt").write_text(
            "All news\n\n"
            f"Envoys discuss {topic} in round {n}\n\n"
            f"Officials met on {day} for round {n} of talks on {topic}.\n\n"
            f"MOSCOW, March {n % 28 + 1}, 2021. /TASS/. Envoys of the two countries met on "
            f"{day} for round {n} of their consultations on {topic}, the foreign ministry "
            "said in a statement.\n\n"
            f"The sides agreed to continue the talks on {topic} next month, the statement "
            "added.\n\nShow more\n",
            encoding="utf-8",
        )


def parley_command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "parley.cli", "--db", str(db), *args]


def count_articles(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def records(db: Path) -> dict[str, dict]:
    """Every stored record, without the store's own timestamps."""
    with sqlite3.connect(db) as conn:
        return {row[0]: json.loads(row[1])
                for row in conn.execute("SELECT id, record FROM articles")}


def assert_consistent(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = 0
        for article_id, record in conn.execute("SELECT id, record FROM articles").fetchall():
            paragraphs = json.loads(record)["paragraphs"]
            body = sum(1 for p in paragraphs if p["kind"] == "body")
            rows = conn.execute("SELECT COUNT(*) FROM paragraphs WHERE article_id = ?",
                                (article_id,)).fetchone()[0]
            indexed = conn.execute(
                "SELECT COUNT(*) FROM paragraph_fts WHERE rowid IN "
                "(SELECT pid FROM paragraphs WHERE article_id = ?)", (article_id,)).fetchone()[0]
            assert (rows, indexed) == (len(paragraphs), body), article_id
            stored += 1
        orphans = conn.execute("SELECT COUNT(*) FROM paragraph_fts WHERE rowid NOT IN "
                               "(SELECT pid FROM paragraphs)").fetchone()[0]
        assert orphans == 0
    return stored


@pytest.mark.slow
def test_kill_9_mid_ingest_then_rerun(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    db = tmp_path / "killed.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    process = subprocess.Popen(parley_command(db, "ingest", str(corpus)), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count_articles(db) < 25 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    stored = assert_consistent(db)
    assert 0 < stored < ARTICLES, "the ingest was not killed midway: make the corpus larger"

    rerun = subprocess.run(parley_command(db, "ingest", "--json", str(corpus)), env=env,
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    outcomes = [item["outcome"] for item in json.loads(rerun.stdout)]
    assert outcomes.count("unchanged") == stored
    assert outcomes.count("ingested") == ARTICLES - stored
    assert assert_consistent(db) == ARTICLES

    reference = tmp_path / "reference.db"
    once = subprocess.run(parley_command(reference, "ingest", str(corpus)), env=env,
                          capture_output=True, text=True, timeout=600)
    assert once.returncode == 0, once.stderr
    assert records(db) == records(reference)
