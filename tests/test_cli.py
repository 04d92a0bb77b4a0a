"""The ``parley`` command end to end (typer's CliRunner, and the installed script once)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli import app
from paths import seed_path

runner = CliRunner()


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeded(tmp_path: Path, shared_dir: Path) -> Path:
    db = tmp_path / "parley.db"
    code, _, _ = run(db, "ingest", str(shared_dir / "corpus" / "seeds"))
    assert code == 0
    return db


def test_every_command_has_help_text() -> None:
    import typer.main

    group = typer.main.get_command(app)
    assert group.commands  # type: ignore[attr-defined]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert (command.help or "").strip(), f"command {name} has no docstring"
        code = runner.invoke(app, [name, "--help"]).exit_code
        assert code == 0, name


def test_ingest_summary_and_rerun(tmp_path: Path, shared_dir: Path) -> None:
    db = tmp_path / "parley.db"
    code, out, _ = run(db, "ingest", str(shared_dir / "corpus" / "seeds"))
    assert code == 0
    assert re.search(r"ingested\s*│\s*5\s*│", out) and re.search(r"skipped\s*│\s*0\s*│", out)
    code, out, _ = run(db, "ingest", "--json", str(shared_dir / "corpus" / "seeds"))
    assert code == 0
    records = json.loads(out)
    assert [r["outcome"] for r in records] == ["unchanged"] * 5


def test_bad_file_gives_one_line_error_and_status_1(tmp_path: Path, shared_dir: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    code, out, err = run(tmp_path / "p.db", "ingest", str(bad), str(seed_path("001")))
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert lines == [f"error: {bad}: empty file"] or (len(lines) == 1 and str(bad) in lines[0])
    assert "Traceback" not in err + out
    code, out, _ = run(tmp_path / "p.db", "articles", "--json")
    assert len(json.loads(out)) == 1  # the good file after the bad one was ingested


def test_ingest_json_lists_errors_in_the_error_shape(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path / "p.db", "ingest", "--json", str(tmp_path / "nope.txt"))
    assert code == 1
    (record,) = json.loads(out)
    assert record["source"] == str(tmp_path / "nope.txt") and "no such file" in record["error"]


def test_articles_and_show(seeded: Path) -> None:
    code, out, _ = run(seeded, "articles", "--json")
    assert code == 0
    articles = json.loads(out)
    assert len(articles) == 5
    assert articles[-1]["published"]["value"] == "2015-10-08T06:34:00+03:00"  # oldest last
    seed0 = next(a for a in articles if a["source_path"].endswith(seed_path("000").name))
    code, out, _ = run(seeded, "show", seed0["id"][:8])
    assert code == 0
    assert "Making peace treaty agreement" in out
    assert "method=inferred" in out and "rejected 2018-05-10" in out
    assert "removed chrome" in out and "All news" in out
    code, out, _ = run(seeded, "show", "--json", seed0["id"])
    assert json.loads(out)["id"] == seed0["id"]


def test_show_unknown_id_is_one_line(seeded: Path) -> None:
    code, _out, err = run(seeded, "show", "ffffffff")
    assert code == 1
    assert err.strip().splitlines() == ["error: no article with id 'ffffffff'; list them with "
                                        "`parley articles`"]


def test_search_highlights_and_hostile_queries(seeded: Path) -> None:
    code, out, _ = run(seeded, "search", "--json", "Shikotan")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 5  # every seed tells the Shikotan story
    assert all("[[Shikotan]]" in hit["snippet"] for hit in hits)
    code, out, _ = run(seeded, "search", "Shikotan")
    assert code == 0 and "Shikotan" in out and "[[" not in out
    code, out, _ = run(seeded, "search", "--json", "Currency converter")
    assert json.loads(out) == []  # chrome of seed 001 is not searchable
    for query in ['"', "NEAR(", "x; DROP TABLE articles; --", "*"]:
        code, out, err = run(seeded, "search", query)
        assert code in (0, 1), query
        assert "Traceback" not in out + err
    code, out, _ = run(seeded, "articles", "--json")
    assert len(json.loads(out)) == 5


def test_listings_on_an_unprocessed_store(seeded: Path) -> None:
    for command in ("quotes", "events", "actors"):
        code, out, _ = run(seeded, command, "--json")
        assert code == 0, command
        assert json.loads(out) == []


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_DB", str(tmp_path / "env.db"))
    result = runner.invoke(app, ["ingest", str(seed_path("004"))])
    assert result.exit_code == 0
    assert (tmp_path / "env.db").is_file()


def test_broken_store_is_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all " * 200)
    code, _out, err = run(broken, "articles")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: store ")


def test_extract_json(tmp_path: Path, shared_dir: Path) -> None:
    code, out, _ = run(tmp_path / "p.db", "extract", "--json", str(seed_path("003")))
    assert code == 0
    record = json.loads(out)
    assert record["published"]["value"] == "2019-05-10"
    assert record["title"].startswith("Japanese top diplomat")


def test_extract_annotated_text(tmp_path: Path, shared_dir: Path) -> None:
    code, out, _ = run(tmp_path / "p.db", "extract", str(seed_path("003")))
    assert code == 0
    assert "legend:" in out and "Japanese top diplomat" in out


def test_extract_missing_file(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "p.db", "extract", str(tmp_path / "gone.txt"))
    assert code == 1 and err.startswith("error: ") and "gone.txt" in err


def test_installed_script_runs(tmp_path: Path, shared_dir: Path) -> None:
    script = shutil.which("parley") or str(Path(sys.executable).with_name("parley"))
    result = subprocess.run([script, "--db", str(tmp_path / "s.db"), "ingest",
                             str(seed_path("001"))], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "ingest summary" in result.stdout


def test_process_then_quotes_events_actors(seeded: Path) -> None:
    code, out, err = run(seeded, "process", "--workers", "1")
    assert code == 0, err
    assert "processed 5 article" in out
    code, out, _ = run(seeded, "quotes", "--json", "--speaker", "Lavrov")
    lavrov = json.loads(out)
    assert lavrov and all(q["article_id"] and q["text"] for q in lavrov)
    code, out, _ = run(seeded, "quotes", "--json", "--speaker", "Nobody Such")
    assert json.loads(out) == []
    code, out, _ = run(seeded, "events", "--json")
    assert len(json.loads(out)) > 0
    code, out, _ = run(seeded, "actors", "--json")
    names = {actor["name"] for actor in json.loads(out)}
    assert {"Sergey Lavrov", "Taro Kono"} <= names
    code, out, _ = run(seeded, "process", "--workers", "1")  # incremental: nothing left
    assert code == 0 and "processed 0 article" in out


def test_actors_check_lists_stale_offices(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path / "p.db", "actors", "--check", "--json")
    stale = json.loads(out)
    assert code == (1 if stale else 0)
    assert all({"actor", "office"} <= set(entry) for entry in stale)
    assert all(entry["office"]["end"] is None for entry in stale)


def test_demo_end_to_end(tmp_path: Path) -> None:
    code, out, err = run(tmp_path / "demo.db", "demo")
    assert code == 0, err
    assert "parley demo" in out and "skipped: 0" in out
    assert "articles" in out and "inferred" in out
    code, out, _ = run(tmp_path / "demo.db", "articles", "--json")
    assert len(json.loads(out)) >= 10


def test_extract_reads_other_encodings(tmp_path: Path) -> None:
    page = tmp_path / "cp1251.txt"
    page.write_bytes(("Посольство сообщило о переговорах\n\n"
                      "Переговоры министров прошли в понедельник в Москве, сообщили в "
                      "посольстве. Стороны договорились продолжить консультации весной, "
                      "добавили дипломаты.\n").encode("cp1251"))
    code, out, err = run(tmp_path / "p.db", "extract", "--json", str(page))
    assert code == 0, err
    assert json.loads(out)["title"] == "Посольство сообщило о переговорах"


def test_json_mode_reports_errors_in_the_error_shape(tmp_path: Path) -> None:
    code, out, err = run(tmp_path / "p.db", "extract", "--json", str(tmp_path / "gone.txt"))
    assert code == 1
    (record,) = json.loads(out)
    assert record["source"] == str(tmp_path / "gone.txt") and record["error"]
    assert err.startswith("error: ")
