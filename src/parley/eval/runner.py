"""Run the scorers, print their tables, and compare them with the pinned floors.

``parley eval [STAGE|all] [--fast] [--json]`` is a thin call to :func:`run`.
Full runs read every document of each gold set; ``--fast`` uses the fixed,
seeded subsets named in each module (``FAST_*``), small enough for CI.  The
settings (above all the spaCy model chosen with the global ``--model``) are
passed to every scorer, so a figure is always that of the pipeline asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from parley.errors import ParleyError
from parley.eval import entities, events, extraction, quotes, timeline, timex
from parley.eval.common import Row, Table, eval_dir
from parley.model import to_dict
from parley.settings import Settings

Scorer = Callable[[Path, bool, Settings | None], Table]

#: stage name → scorer, in the order ``all`` runs them
SCORERS: dict[str, Scorer] = {
    "quotes": quotes.evaluate,
    "timex": timex.evaluate,
    "events": events.evaluate,
    "entities": entities.evaluate,
    "extraction": extraction.evaluate,
    "timeline": timeline.evaluate,
}
FLOORS = Path(__file__).with_name("floors.yaml")


def stage_names(which: str) -> list[str]:
    if which == "all":
        return list(SCORERS)
    if which not in SCORERS:
        raise ParleyError(f"unknown eval {which!r}; choose one of: {', '.join(SCORERS)}, all")
    return [which]


def run(
    which: str = "all", *, fast: bool = False, data: Path | str | None = None,
    settings: Settings | None = None,
) -> list[Table]:
    """Score the named stage (or all) on the gold data with ``settings`` (default: from
    the environment); raises when the data is missing."""
    root = eval_dir(data)
    return [SCORERS[name](root, fast, settings) for name in stage_names(which)]


# --------------------------------------------------------------------------- output


def _cell(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def format_tables(tables: Iterable[Table]) -> str:
    """Plain-text tables (figures in percent), one per stage."""
    out = []
    for table in tables:
        subset = ", fast subset" if table.fast else ""
        head = f"== {table.stage} ({table.documents} documents{subset})"
        rows = [("data set", "measure", "P", "R", "F1", "acc", "n")]
        rows += [(r.dataset, r.measure, _cell(r.precision), _cell(r.recall), _cell(r.f1),
                  _cell(r.value), str(r.support)) for r in table.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                           for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
                 for row in rows]
        out.append("\n".join([head, *lines, *table.notes]))
    return "\n\n".join(out)


def tables_json(tables: Iterable[Table]) -> str:
    return json.dumps([to_dict(t) for t in tables], indent=2)


# --------------------------------------------------------------------------- floors


def load_floors(path: Path = FLOORS) -> dict[str, dict[str, dict[str, float]]]:
    """``{stage: {"data set/measure": {figure: floor}}}`` from ``floors.yaml``."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {stage: dict(rows or {}) for stage, rows in data.items()}


def below_floors(
    tables: Iterable[Table], floors: dict[str, dict[str, dict[str, float]]]
) -> list[str]:
    """Every figure under its pinned floor, and every pinned figure that is missing."""
    problems = []
    for table in tables:
        by_key: dict[str, Row] = {row.key(): row for row in table.rows}
        for key, limits in floors.get(table.stage, {}).items():
            row = by_key.get(key)
            if row is None:
                problems.append(f"{table.stage}: {key} was not measured")
                continue
            figures = row.figures()
            for figure, floor in limits.items():
                got = figures.get(figure)
                if got is None or got + 1e-9 < floor:
                    problems.append(
                        f"{table.stage}: {key} {figure} = {got} is below its floor {floor}")
    return problems


#: the figure pinned in ``floors.yaml`` for each row (stage → "data set/measure" → figure)
PINNED: dict[str, dict[str, str]] = {
    "quotes": {f"PolNeAR dev/{s} {m}": "f1" for s in ("direct", "all")
               for m in ("content overlap", "content exact")}
    | {f"PolNeAR dev/{s} speaker accuracy (matched)": "value" for s in ("direct", "all")},
    "timex": {f"{d}/{m}": "f1" for d in ("TempEval-3 TBAQ", "MEANTIME apple")
              for m in ("strict span", "relaxed span", "value")},
    "events": {
               "PLOVER GSR/event-type accuracy": "value",
               "PLOVER GSR/event-type macro-F1": "f1",
               "PLOVER GSR/source country accuracy": "value",
               "ConfliBERT cameo_class/5-class accuracy": "value",
               "ConfliBERT cameo_class/5-class macro-F1": "f1"},
    "entities": {f"re3d/{m}": "f1" for m in ("overall exact", "overall overlap",
                                                "Person overlap", "Temporal overlap")},
    "extraction": {
        "article-extraction-benchmark/4-gram shingle overlap (mean per page)": "f1"},
    "timeline": {"SemEval-2015 T4 trial/mean over entities (Track A)": "f1",
                 "SemEval-2015 T4 trial/micro over entities (Track A, task tool)": "f1"},
}


def floors_from(
    tables: Iterable[Table], margin: float = 0.03
) -> dict[str, dict[str, dict[str, float]]]:
    """Floors ``margin`` below the measured figures (half the figure when it is smaller
    than twice the margin; rounded down to 0.01), for the
    figures named in :data:`PINNED`; used to (re)write ``floors.yaml`` after an
    intended change of accuracy."""
    floors: dict[str, dict[str, dict[str, float]]] = {}
    for table in tables:
        rows = {row.key(): row for row in table.rows}
        for key, name in PINNED.get(table.stage, {}).items():
            figure = rows[key].figures().get(name) if key in rows else None
            if figure is not None:
                floor = max(0.0, int((figure - min(margin, figure / 2)) * 100) / 100)
                floors.setdefault(table.stage, {})[key] = {name: floor}
    return floors


def write_floors(tables: Iterable[Table], path: Path = FLOORS) -> None:
    """Re-pin the floors from a fast run:
    ``python -c "from parley.eval.runner import run, write_floors; write_floors(run(fast=True))"``
    """
    import datetime

    header = (
        "# Accuracy floors enforced by tests/eval/test_floors.py on the fixed --fast subsets.\n"
        f"# Each floor is 3 points below the figure measured on {datetime.date.today()}\n"
        "# (half the figure when it is below 6 points), rounded down; 0.85 = 85%.\n"
        "# Re-pin after an intended change (review the diff!):\n"
        '#   python -c "from parley.eval.runner import run, write_floors; '
        'write_floors(run(fast=True))"\n'
    )
    body = yaml.safe_dump(floors_from(tables), sort_keys=False, width=120)
    path.write_text(header + body, encoding="utf-8")
