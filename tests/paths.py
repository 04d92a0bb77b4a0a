"""Where the real articles and gold data live (``../shared`` beside the repo)."""

from __future__ import annotations

import os
from pathlib import Path

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
