"""Peak memory (RSS) of ingest, processing and the cross-article step as the corpus grows.

Each size runs in a fresh Python process (so earlier runs cannot inflate the
peak): generate the corpus to a JSONL file, then in the child ingest it into a
new SQLite store, process it (``--workers``), then run the cross-article step
(background links and the merged timeline).  Peak RSS is ``ru_maxrss`` of the
child (the only writer) and of its largest worker process, read after each phase.

    .venv/bin/python benchmarks/bench_memory.py --sizes 1000 10000 100000 --workers 2
    .venv/bin/python benchmarks/bench_memory.py --sizes 1000 10000 --ingest-only

The cross-article step can be measured on its own, in a fresh process, on stores
kept by an earlier run (``--keep DIR`` processes and keeps them, without the step):

    .venv/bin/python benchmarks/bench_memory.py --sizes 100000 --workers 2 --keep /tmp/mem
    .venv/bin/python benchmarks/bench_memory.py --corpus-step /tmp/mem/memory-100000.db

A processing run that was stopped part-way is finished with ``--resume DB``: the
articles already processed are skipped, and the peaks are those of the rest.

    .venv/bin/python benchmarks/bench_memory.py --resume /tmp/mem/memory-100000.db --workers 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from common import corpus_file, machine, scratch_dir

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {bench!r})
from common import ingest_corpus
import parley
from parley.engine import process_store, update_corpus
started = time.perf_counter()
settings, ingest_seconds = ingest_corpus(__import__("pathlib").Path({corpus!r}),
                                         __import__("pathlib").Path({db!r}))
after_ingest = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
processed = 0
after_process = after_ingest
corpus_seconds = 0.0
if {process}:
    with parley.open_store(settings.db, settings) as store:
        processed = process_store(store, settings, workers={workers},
                                  corpus_step=False).processed
        after_process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if {corpus_step}:
            corpus_started = time.perf_counter()
            update_corpus(store, settings)
            corpus_seconds = time.perf_counter() - corpus_started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({{"ingest_peak_mb": after_ingest / 1024, "process_peak_mb": after_process / 1024,
                  "peak_mb": peak / 1024, "workers_peak_mb": workers_peak / 1024,
                  "processed": processed, "ingest_seconds": ingest_seconds,
                  "corpus_seconds": corpus_seconds,
                  "seconds": time.perf_counter() - started}}))
"""

CORPUS_STEP = """
import json, resource, time
import parley
from parley.analysis.timeline import update_background, update_timeline
from parley.settings import Settings
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
settings = Settings(db={db!r})
started = time.perf_counter()
with parley.open_store(settings.db, settings) as store:
    articles = store.count_articles()
    before, cpu_before = peak(), cpu()
    update_background(store)  # the passes of update_corpus, measured apart
    background_mb, background_cpu = peak(), cpu() - cpu_before
    update_timeline(store)
    seconds, step_peak, step_cpu = time.perf_counter() - started, peak(), cpu() - cpu_before
    # counted a page at a time, after the peak is read: loading the whole timeline
    # at once would be a peak of its own
    entries = 0
    while batch := len(store.timeline_events(limit=5000, offset=entries)):
        entries += batch
print(json.dumps({{"articles": articles, "open_mb": before, "background_mb": background_mb,
                  "background_cpu": background_cpu, "peak_mb": step_peak, "entries": entries,
                  "seconds": seconds, "cpu_seconds": step_cpu}}))
"""

RESUME = """
import json, resource, time
import parley
from parley.engine import process_store
from parley.settings import Settings
settings = Settings(db={db!r})
started = time.perf_counter()
with parley.open_store(settings.db, settings) as store:
    report = process_store(store, settings, workers={workers}, corpus_step=False)
print(json.dumps({{"articles": report.up_to_date + report.processed,
                  "skipped": report.up_to_date, "processed": report.processed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - started}}))
"""


def _child(code: str) -> dict[str, float]:
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def measure(size: int, folder: Path, *, process: bool, workers: int,
            corpus_step: bool, keep: Path | None) -> dict[str, float]:
    corpus = corpus_file(size, 1, folder)
    db = (keep or folder) / f"memory-{size}.db"
    db.unlink(missing_ok=True)
    result = _child(CHILD.format(bench=str(Path(__file__).parent), corpus=str(corpus),
                                 db=str(db), process=process, workers=workers,
                                 corpus_step=corpus_step))
    if keep is None:
        db.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--ingest-only", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the processed stores here "
                        "(the cross-article step is then left to --corpus-step)")
    parser.add_argument("--corpus-step", type=Path, nargs="+", metavar="DB",
                        help="only run the cross-article step on these kept stores")
    parser.add_argument("--resume", type=Path, metavar="DB",
                        help="finish processing a kept store that a stopped run left")
    args = parser.parse_args()
    print(f"# bench_memory {date.today()}  machine: {machine()}", flush=True)
    if args.resume:
        result = _child(RESUME.format(db=str(args.resume), workers=args.workers))
        print(f"{result['articles']:>7} articles ({result['skipped']} already processed): "
              f"peak RSS writer {result['peak_mb']:7.1f} MB, largest worker "
              f"{result['workers_peak_mb']:7.1f} MB ({args.workers} worker(s)); "
              f"{result['processed']} processed, {result['seconds']:.0f} s", flush=True)
        return
    if args.corpus_step:
        for db in args.corpus_step:
            result = _child(CORPUS_STEP.format(db=str(db)))
            print(f"{result['articles']:>7} articles: cross-article step peak RSS "
                  f"{result['peak_mb']:7.1f} MB (store opened: {result['open_mb']:.1f} MB, "
                  f"after the background pass: {result['background_mb']:.1f} MB), "
                  f"{result['entries']} timeline entries, {result['seconds']:.0f} s "
                  f"({result['cpu_seconds']:.0f} CPU-s, background pass "
                  f"{result['background_cpu']:.0f})", flush=True)
        return
    folder = scratch_dir()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        result = measure(size, folder, process=not args.ingest_only, workers=args.workers,
                         corpus_step=args.keep is None, keep=args.keep)
        if args.ingest_only:
            print(f"{size:>7} articles: ingest peak RSS {result['ingest_peak_mb']:7.1f} MB, "
                  f"{result['ingest_seconds']:.0f} s", flush=True)
            continue
        step = ("cross-article step left to --corpus-step" if args.keep else
                f"after the cross-article step {result['peak_mb']:.1f} MB "
                f"({result['corpus_seconds']:.0f} s)")
        print(f"{size:>7} articles: peak RSS writer {result['process_peak_mb']:7.1f} MB, "
              f"largest worker {result['workers_peak_mb']:7.1f} MB "
              f"({args.workers} worker(s); ingest {result['ingest_peak_mb']:.1f} MB, "
              f"{result['ingest_seconds']:.0f} s; {step}); {result['processed']} processed, "
              f"{result['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
