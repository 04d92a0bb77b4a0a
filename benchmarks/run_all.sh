#!/usr/bin/env bash
# Every benchmark, with the sizes reported in BENCHMARKS.md.  Run from the repository
# root:  bash benchmarks/run_all.sh  (several hours on 2 cores at the full sizes;
# SMALL=1 runs the reduced sizes reported in BENCHMARKS.md, about an hour).  Results go to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [[ "${SMALL:-0}" == "1" ]]; then
    $PY benchmarks/bench_throughput.py --articles 300 --rounds 1 --batch-size 32
    $PY benchmarks/bench_memory.py --sizes 1000 10000 --ingest-only
    $PY benchmarks/bench_memory.py --sizes 300 1000
    $PY benchmarks/background_lsh.py 10000
    $PY benchmarks/bench_background.py --paragraphs 20000
    $PY benchmarks/bench_latency.py --events 100000 --repeat 8
else
    $PY benchmarks/bench_throughput.py --articles 1000 --rounds 1 --batch-size 32
    $PY benchmarks/bench_memory.py --sizes 1000 10000 100000 --ingest-only
    $PY benchmarks/bench_memory.py --sizes 1000 10000 100000
    $PY benchmarks/background_lsh.py 10000 100000 1000000
    $PY benchmarks/bench_background.py --paragraphs 1000000
    $PY benchmarks/bench_latency.py --events 1000000
fi
