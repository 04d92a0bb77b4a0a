#!/usr/bin/env bash
# The long reliability runs (issue 7): 20 crash trials per backend on 300 articles,
# ~3,000 hostile files, 500 fuzz examples per property, 50 readers x 40 requests.
# Run from the repository root:  bash benchmarks/reliability_long.sh
# Figures are printed (-s); RELIABILITY.md records the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
PARLEY_CRASH_TRIALS=20 PARLEY_CRASH_ARTICLES=300 \
PARLEY_HOSTILE_PER_KIND=215 \
PARLEY_FUZZ_EXAMPLES=500 PARLEY_FUZZ_LONGEST=20000 \
PARLEY_LOAD_REQUESTS=40 \
  .venv/bin/pytest -q -s --timeout 14400 tests/reliability "$@"
