"""Trend, plot, export and positions over hand-built records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from analysis_helpers import ABE, JAPAN, KONO, LAVROV, PUTIN, RUSSIA, add_event, add_quote, article

from parley.analysis.export import COLUMNS, export_events
from parley.analysis.merge import merge_events
from parley.analysis.positions import load_issues, stated_positions
from parley.analysis.timeline import filter_timeline, format_timeline
from parley.analysis.trend import dyad_trend, plot_trend
from parley.errors import ParleyError
from parley.store.base import BackgroundLink


def _corpus() -> tuple[list, list[BackgroundLink]]:
    a = article("a", "2019-05-10", [
        "Lavrov and Kono held talks today.",
        "Lavrov said Japan must recognise the outcome of World War II.",
        "Kono said Tokyo is ready to continue the dialogue on a peace treaty.",
        "Back in November 2018 Putin and Abe met in Singapore.",
    ])
    add_event(a, 0, "040", LAVROV, KONO, "2019-05-10", goldstein=1.0)
    add_event(a, 1, "112", LAVROV, JAPAN, "2019-05-10", quad_class=3, goldstein=-2.0,
              plover="ACCUSE", modality="demanded")
    add_event(a, 3, "040", PUTIN, ABE, "2018-11", goldstein=1.0)
    add_event(a, 2, "036", KONO, RUSSIA, "2019-06-01", modality="planned", goldstein=4.0)
    add_quote(a, 1, LAVROV, kind="indirect")
    add_quote(a, 2, KONO, kind="indirect")
    b = article("b", "2019-05-11", ["Repeating: Putin and Abe met in Singapore in November 2018.",
                                    "Lavrov said Japan must recognise the outcome of World War II.",
                                    "Undated news about a visit by Abe to Russia."])
    add_event(b, 0, "040", ABE, PUTIN, "2018-11-14", goldstein=1.0)
    add_event(b, 2, "042", ABE, RUSSIA, None, goldstein=1.9)
    add_quote(b, 1, LAVROV, kind="indirect")
    return [a, b], [BackgroundLink("b", 0, "a", 3, 0.8)]


def test_trend_counts_each_event_once_in_the_month_it_happened() -> None:
    articles, links = _corpus()
    trend = dyad_trend(merge_events(articles, links), "JPN", "RUS")
    assert [(m.month, m.cooperative, m.conflictual) for m in trend] == [
        ("2018-11", 1, 0),  # two reports, one event, counted at its date
        ("2019-05", 2, 1),  # talks + undated new report (article date) + the demand
    ]
    assert trend[1].mean_goldstein == round((1.0 - 2.0 + 1.9) / 3, 2)
    assert dyad_trend(merge_events(articles, links), "RUS", "USA") == []


def test_plot_writes_a_png(tmp_path: Path) -> None:
    articles, links = _corpus()
    out = plot_trend(dyad_trend(merge_events(articles, links), "RUS", "JPN"), "RUS", "JPN",
                     tmp_path / "trend.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    with pytest.raises(ParleyError, match="no dated events"):
        plot_trend([], "RUS", "USA", tmp_path / "empty.png")


@pytest.mark.parametrize("suffix", ["csv", "tsv", "jsonl", "parquet"])
def test_export_formats_carry_the_event_columns(tmp_path: Path, suffix: str) -> None:
    articles, links = _corpus()
    events = merge_events(articles, links)
    path = tmp_path / f"events.{suffix}"
    assert export_events(events, path) == len(events) == 5
    if suffix == "parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
    elif suffix == "jsonl":
        rows = [json.loads(line) for line in path.read_text().splitlines()]
    else:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="," if suffix == "csv" else "\t"))
    assert list(rows[0]) == list(COLUMNS)
    singapore = next(r for r in rows if r["date"] == "2018-11-14")
    assert int(singapore["num_sources"]) == 2 and singapore["cameo"] == "040"
    assert singapore["source_code"] in ("RUSGOV", "JPNGOV")


def test_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ParleyError, match="--format"):
        export_events([], tmp_path / "events.xlsx")


def test_timeline_filters_and_formats() -> None:
    articles, links = _corpus()
    events = merge_events(articles, links)
    assert len(filter_timeline(events, dyad="JPN-RUS")) == 5
    assert [e.date for e in filter_timeline(events, date_from="2018-11-20",
                                            date_to="2019-05-31")] == ["2019-05-10"] * 2
    assert {e.cameo for e in filter_timeline(events, actor="Kono")} == {"040", "036"}
    assert filter_timeline(events, dyad="USA-CHN") == []
    with pytest.raises(ParleyError, match="RUS-JPN"):
        filter_timeline(events, dyad="RUS")
    records = json.loads(format_timeline(events, "json"))
    (singapore,) = [r for r in records if r["date"] == "2018-11-14"]
    assert [(s["article_id"], s["reporting"]) for s in singapore["sources"]] == [
        ("a", "new"), ("b", "background")]
    text = format_timeline(events, "text")
    assert "2018-11-14 (day)" in text and "b (background)" in text
    assert format_timeline([], "text") == ""


def test_positions_grouped_by_issue_with_sources() -> None:
    articles, _ = _corpus()
    found = stated_positions(articles, "RUS", "JPN")
    wwii = [p for p in found if p.issue == "wwii_outcome"]
    assert len(wwii) == 1 and wwii[0].side == "RUS" and wwii[0].speaker == "Sergey Lavrov"
    assert [s["article_id"] for s in wwii[0].sources] == ["a", "b"]  # same stance, 2 sources
    assert wwii[0].date == "2019-05-10"
    dialogue = [p for p in found if p.issue == "peace_treaty_dialogue"]
    assert [p.side for p in dialogue] == ["JPN"]
    assert stated_positions(articles, "USA", "CHN") == []


def test_issues_file_is_editable(tmp_path: Path) -> None:
    (tmp_path / "issues.yaml").write_text("- id: fish\n  label: Fisheries\n  cues: [fish*]\n")
    (issue,) = load_issues(tmp_path)
    assert issue.matches("quotas for fishermen") and not issue.matches("a peace treaty")
    assert len(load_issues()) == 5
