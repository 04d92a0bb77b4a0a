"""The README's examples are real output: regenerating them must not change them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_readme_examples_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_examples.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_documents_every_command() -> None:
    from typer.main import get_command

    from parley.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = get_command(app).commands  # type: ignore[attr-defined]
    missing = [name for name in commands if f"parley {name}" not in readme
               and f"`{name}" not in readme]
    assert not missing, f"README does not document: {missing}"
