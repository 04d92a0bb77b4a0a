"""Golden records: one parametrised test over every ``tests/gold/*.yaml`` section.

Each gold file points at a real article in ``../shared`` and lists expected facts
by section (``clean``, ``dating``, ``actors``, ``quotes``, ``timex``, ``events``).
The checker for a section lives in ``tests/goldcheck/<section>.py`` as
``check(article, expected)``; cross-article sections (``corpus``) receive all seeds.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

GOLD = Path(__file__).parent / "gold"
PER_ARTICLE = ("clean", "dating", "actors", "quotes", "timex", "events")


def _cases() -> list[object]:
    cases = []
    for path in sorted(GOLD.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in PER_ARTICLE:
            if record.get(section):
                cases.append(pytest.param(record["seed"], section, record[section],
                                          id=f"{path.stem}-{section}"))
    return cases


@pytest.mark.parametrize(("seed", "section", "expected"), _cases())
def test_gold(seed: str, section: str, expected: object, processed_seeds: dict) -> None:
    checker = importlib.import_module(f"goldcheck.{section}")
    checker.check(processed_seeds[seed], expected)
