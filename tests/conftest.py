"""Shared fixtures: the real articles in ../shared and the processed seeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARLEY_SHARED", ROOT.parent / "shared")).resolve()
SEEDS = SHARED / "corpus" / "seeds"
EVAL = SHARED / "eval"


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def seed_path(number: str) -> Path:
    """The seed file whose name starts with ``number`` (e.g. ``"000"``)."""
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}: tests read the real articles from it")
    return SHARED


@pytest.fixture(scope="session")
def processed_seeds(shared_dir: Path) -> dict[str, object]:
    """Each seed run through the whole per-article pipeline once: {"000": Article, ...}."""
    import parley

    return {
        path.name[:3]: parley.process(path.read_text(encoding="utf-8"), source=str(path))
        for path in seed_paths()
    }
