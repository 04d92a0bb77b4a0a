"""Memory against progress during a long run: RSS of the writer and its workers, sampled
while they process a store, beside the number of articles processed so far.

Peak RSS read once at the end says nothing of the trend; this prints one line per
sample, so "flat as the corpus grows" can be read off a single long run:

    .venv/bin/python benchmarks/watch_memory.py --db /tmp/mem/memory-100000.db --every 60

Processes are found by ``--match`` in their command line (default: the store's path).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path


def _status(pid: int) -> dict[str, int]:
    fields: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "PPid"):
                fields[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return {}
    return fields


def matching_processes(match: str) -> dict[int, dict[str, int]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if match in command and "watch_memory" not in command:
            status = _status(int(entry.name))
            if status:
                found[int(entry.name)] = status
    return found


def processed(db: Path) -> tuple[int, int]:
    """(articles, processed): read-only, so the writer is never blocked."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            row = conn.execute("SELECT count(*), count(signature) FROM articles").fetchone()
            return int(row[0]), int(row[1])
    except sqlite3.Error:
        return -1, -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--match", help="text in the command line of the processes to watch")
    parser.add_argument("--every", type=float, default=60.0)
    args = parser.parse_args()
    match = args.match or str(args.db)
    started, seen = time.time(), False
    print("  minutes   articles  processed   RSS writer+workers (MB)   peak per process (MB)",
          flush=True)
    while True:
        procs = matching_processes(match)
        if not procs:
            if seen:
                break  # the run ended
            time.sleep(args.every)  # not started yet
            continue
        seen = True
        articles, done = processed(args.db) if args.db.exists() else (0, 0)
        ordered = sorted(procs.items(), key=lambda item: -item[1].get("VmHWM", 0))
        rss = " ".join(f"{s.get('VmRSS', 0) / 1024:.0f}" for _, s in ordered)
        peak = " ".join(f"{s.get('VmHWM', 0) / 1024:.0f}" for _, s in ordered)
        print(f"{(time.time() - started) / 60:9.1f} {articles:10d} {done:10d}   {rss:<25} "
              f"{peak}", flush=True)
        time.sleep(args.every)


if __name__ == "__main__":
    main()
