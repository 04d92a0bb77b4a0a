"""Shared fixtures: the real articles in ../shared and the processed seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import EVAL, ROOT, SEEDS, SHARED, seed_path, seed_paths

__all__ = ["EVAL", "ROOT", "SEEDS", "SHARED", "seed_path", "seed_paths"]


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
