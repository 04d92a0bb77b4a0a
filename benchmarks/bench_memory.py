"""Peak memory (RSS) of ingest + process as the corpus grows: flat is the goal.

Each size runs in a fresh Python process (so earlier runs cannot inflate the
peak): generate the corpus to a JSONL file, then in the child ingest it into a
new SQLite store, process it with one worker, then run the cross-article step.
Peak RSS is the child's ``ru_maxrss``, read after each of the three phases.

    .venv/bin/python benchmarks/bench_memory.py --sizes 1000 10000 100000
    .venv/bin/python benchmarks/bench_memory.py --sizes 1000 10000 --ingest-only
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
from parley.engine import process_store
started = time.perf_counter()
settings, ingest_seconds = ingest_corpus(__import__("pathlib").Path({corpus!r}),
                                         __import__("pathlib").Path({db!r}))
after_ingest = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
processed = 0
after_process = after_ingest
if {process}:
    from parley.engine import update_corpus
    with parley.open_store(settings.db, settings) as store:
        processed = process_store(store, settings, workers=1, corpus_step=False).processed
        after_process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        update_corpus(store, settings)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"ingest_peak_mb": after_ingest / 1024, "process_peak_mb": after_process / 1024,
                  "peak_mb": peak / 1024, "processed": processed,
                  "seconds": time.perf_counter() - started}}))
"""


def measure(size: int, folder: Path, process: bool) -> dict[str, float]:
    corpus = corpus_file(size, 1, folder)
    db = folder / f"memory-{size}.db"
    code = CHILD.format(bench=str(Path(__file__).parent), corpus=str(corpus), db=str(db),
                        process=process)
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout
    db.unlink(missing_ok=True)
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--ingest-only", action="store_true")
    args = parser.parse_args()
    folder = scratch_dir()
    print(f"# bench_memory {date.today()}  machine: {machine()}")
    what = "ingest" if args.ingest_only else "ingest + process (1 worker)"
    for size in args.sizes:
        result = measure(size, folder, process=not args.ingest_only)
        print(f"{size:>7} articles: peak RSS {result['peak_mb']:7.1f} MB for {what} "
              f"(ingest {result['ingest_peak_mb']:.1f} MB, then per-article processing "
              f"{result['process_peak_mb']:.1f} MB, then the cross-article step), "
              f"{result['seconds']:.0f} s, {result['processed']} processed", flush=True)


if __name__ == "__main__":
    main()
