"""The accuracy gate: the fast eval subsets must not drop below the pinned floors.

The floors in ``src/parley/eval/floors.yaml`` sit a little below the figures
measured on the fixed ``--fast`` subsets.  A change that lowers accuracy fails
here; a change that is meant to move a figure rewrites the floors with
``parley.eval.runner.floors_from`` (see the file's header).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.eval import Row, Table, below_floors, load_floors, run
from parley.eval.runner import PINNED, SCORERS


def test_floors_pin_every_named_figure() -> None:
    floors = load_floors()
    assert set(floors) == set(SCORERS)
    for stage, rows in PINNED.items():
        assert set(floors[stage]) == set(rows), stage
        assert all(0.0 <= value <= 1.0 for limits in floors[stage].values()
                   for value in limits.values())


def test_below_floors_catches_a_drop_and_a_missing_figure() -> None:
    floors = {"quotes": {"set/overlap": {"f1": 0.5}, "set/speaker": {"value": 0.8}}}
    fine = Table("quotes", [Row("set", "overlap", f1=0.51), Row("set", "speaker", value=0.8)])
    assert below_floors([fine], floors) == []
    worse = Table("quotes", [Row("set", "overlap", f1=0.49)])
    problems = below_floors([worse], floors)
    assert len(problems) == 2
    assert "overlap f1" in problems[0] and "not measured" in problems[1]


@pytest.fixture(scope="module")
def fast_tables(shared_dir: Path) -> list[Table]:
    return run("all", fast=True, data=shared_dir / "eval")


@pytest.mark.slow
def test_fast_eval_meets_floors(fast_tables: list[Table]) -> None:
    assert below_floors(fast_tables, load_floors()) == []
