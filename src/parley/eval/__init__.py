"""Accuracy harness: each stage scored on public gold data by that data set's rules.

One module per gold set (loader + scoring rules), tested on hand-made examples
independently of the pipeline; :mod:`parley.eval.runner` runs them and checks
the pinned floors in ``floors.yaml``.  The gold data is read from
``../shared/eval`` (or ``$PARLEY_SHARED/eval``) at run time, never copied here.

    parley eval all --fast      # the CI subsets (floors enforced by tests/eval)
    parley eval all             # every document: the figures in README "Accuracy"
"""

from __future__ import annotations

from parley.eval.common import EvalDataMissing, Row, Table
from parley.eval.runner import SCORERS, below_floors, format_tables, load_floors, run, tables_json

__all__ = ["SCORERS", "EvalDataMissing", "Row", "Table", "below_floors", "format_tables",
           "load_floors", "run", "tables_json"]
