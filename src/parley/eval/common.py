"""What every gold set shares: where the data lives, scores, span matching, subsets.

The gold data is never copied into the project; it is read at run time from
``../shared/eval`` (or ``$PARLEY_SHARED/eval``, or an explicit folder).
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from parley.errors import ParleyError

T = TypeVar("T")

#: the seed of every fixed ``--fast`` subset (changing it changes the pinned floors)
FAST_SEED = 2015


class EvalDataMissing(ParleyError):
    """The public gold data is not where the harness looks for it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"gold data not found at {path}: put the shared eval folder there, "
            "set PARLEY_SHARED to the folder holding eval/, or pass --data DIR"
        )
        self.path = path


def eval_dir(data: Path | str | None = None) -> Path:
    """The folder holding the gold sets (``polnear/``, ``tempeval3/``, ...)."""
    if data is not None:
        root = Path(data)
    elif os.environ.get("PARLEY_SHARED"):
        root = Path(os.environ["PARLEY_SHARED"]) / "eval"
    else:
        root = Path.cwd().parent / "shared" / "eval"
    if root.name != "eval" and (root / "eval").is_dir():
        root = root / "eval"
    if not root.is_dir():
        raise EvalDataMissing(root)
    return root


def require(path: Path) -> Path:
    """``path`` itself, or a clear error when that part of the gold data is missing."""
    if not path.exists():
        raise EvalDataMissing(path)
    return path


def fast_subset(items: Sequence[T], size: int, seed: int = FAST_SEED) -> list[T]:
    """A fixed pseudo-random subset of ``items`` (order kept), the same on every run."""
    if size >= len(items):
        return list(items)
    chosen = sorted(random.Random(seed).sample(range(len(items)), size))
    return [items[i] for i in chosen]


# --------------------------------------------------------------------------- scores


@dataclass
class PRF:
    """Counts behind precision, recall and F1 (micro-averaged when added up)."""

    tp_pred: int = 0  # predictions that match some gold item
    n_pred: int = 0
    tp_gold: int = 0  # gold items matched by some prediction
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    def __add__(self, other: PRF) -> PRF:
        return PRF(
            self.tp_pred + other.tp_pred,
            self.n_pred + other.n_pred,
            self.tp_gold + other.tp_gold,
            self.n_gold + other.n_gold,
        )


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Row:
    """One line of a result table: a measure on a data set."""

    dataset: str
    measure: str
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    #: accuracy-style figures (speaker accuracy, event-type accuracy)
    value: float | None = None
    support: int = 0
    note: str = ""

    def key(self) -> str:
        return f"{self.dataset}/{self.measure}"

    def figures(self) -> dict[str, float]:
        """The named figures of this row that are set (used by the floors)."""
        named = {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                 "value": self.value}
        return {name: v for name, v in named.items() if v is not None}


def prf_row(dataset: str, measure: str, counts: PRF, note: str = "") -> Row:
    return Row(dataset, measure, counts.precision, counts.recall, counts.f1,
               support=counts.n_gold, note=note)


@dataclass
class Table:
    """The result of scoring one stage: rows plus how it was run."""

    stage: str
    rows: list[Row] = field(default_factory=list)
    documents: int = 0
    fast: bool = False
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- spans


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Half-open character ranges share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def match_spans(
    predicted: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]], *, exact: bool
) -> PRF:
    """Span precision/recall: a prediction counts when it matches some gold span and a
    gold span counts when some prediction matches it (overlap or exact boundaries)."""

    def same(p: tuple[int, int], g: tuple[int, int]) -> bool:
        return p == g if exact else overlaps(p, g)

    return PRF(
        tp_pred=sum(1 for p in predicted if any(same(p, g) for g in gold)),
        n_pred=len(predicted),
        tp_gold=sum(1 for g in gold if any(same(p, g) for p in predicted)),
        n_gold=len(gold),
    )


def macro_f1(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> float:
    """Macro-averaged F1 over ``labels`` from ``(gold, predicted)`` pairs."""
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        n_pred = sum(1 for _, p in pairs if p == label)
        n_gold = sum(1 for g, _ in pairs if g == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        scores.append(f1(precision, recall))
    return sum(scores) / len(scores) if scores else 0.0


def accuracy(pairs: Sequence[tuple[str, str]]) -> float:
    return sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0
