"""The runner hands the caller's settings (the global ``--model``) to every scorer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli import app
from parley.eval import runner
from parley.eval.common import Table
from parley.settings import Settings


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Settings | None]:
    calls: list[Settings | None] = []

    def scorer(root: Path, fast: bool, settings: Settings | None) -> Table:
        calls.append(settings)
        return Table("timeline")

    monkeypatch.setattr(runner, "SCORERS", {"timeline": scorer})
    (tmp_path / "eval").mkdir()
    return calls


def test_run_passes_settings_to_the_scorer(seen: list[Settings | None], tmp_path: Path) -> None:
    settings = Settings(spacy_model="some_other_pipeline")
    runner.run("timeline", data=tmp_path / "eval", settings=settings)
    assert seen == [settings]


def test_cli_eval_honours_the_global_model(seen: list[Settings | None], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--model", "some_other_pipeline", "eval", "timeline",
                                      "--data", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1 and seen[0] is not None
    assert seen[0].spacy_model == "some_other_pipeline"
