"""The library entry points: ``parley.process`` and ``parley.ingest``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import parley
from parley.api import IngestItem, explicit_date, ingest
from parley.errors import InputError
from parley.model import to_dict
from parley.store import open_store
from paths import seed_path, seed_paths

SMALL_PAGE = """<html><head><title>Ministers agree on fishing quotas</title></head>
<body><nav>Home | World | Markets</nav><article><h1>Ministers agree on fishing quotas</h1>
<p>The two foreign ministers agreed on Tuesday to set new fishing quotas for the coming season,
officials said after the talks in the capital.</p>
<p>The talks will continue in April, the ministry said in a statement released after the
meeting ended late in the evening.</p></article></body></html>"""


def scrape(title: str, body: list[str], chrome: tuple[str, ...] = ()) -> str:
    """A text scrape in the seeds' shape: chrome lines, title, blank-separated paragraphs."""
    return "\n\n".join([*chrome, title, *body])


# --------------------------------------------------------------------------- process


def test_process_seed_cleans_and_dates(shared_dir: Path) -> None:
    article = parley.process(seed_path("002").read_text(encoding="utf-8"),
                             source=str(seed_path("002")))
    assert len(article.id) == 16
    assert article.title.startswith("Japan must recognize")
    assert article.published is not None
    assert article.published.value == "2018-12-07T16:37:00+03:00"
    assert article.published.method == "explicit"
    assert "Read more on the site" not in article.text
    assert article.source_path == str(seed_path("002"))
    assert "dating" in article.stages_done


def test_published_overrides_with_method_explicit(shared_dir: Path) -> None:
    text = seed_path("000").read_text(encoding="utf-8")
    article = parley.process(text, published="2019-05-11")
    assert article.published is not None
    assert (article.published.value, article.published.precision,
            article.published.method) == ("2019-05-11", "day", "explicit")


@pytest.mark.parametrize(
    ("given", "value", "precision", "zone"),
    [("2019-05-10", "2019-05-10", "day", None),
     ("2019-05-10T12:30+03:00", "2019-05-10T12:30:00+03:00", "minute", "+03:00"),
     ("2019-05-10 12:30", "2019-05-10T12:30:00", "minute", None)],
)
def test_explicit_date(given: str, value: str, precision: str, zone: str | None) -> None:
    date = explicit_date(given)
    assert (date.value, date.precision, date.method, date.timezone) == (
        value, precision, "explicit", zone)


@pytest.mark.parametrize("bad", ["May 10", "2019-13-01", "yesterday", ""])
def test_explicit_date_refuses_non_iso(bad: str) -> None:
    with pytest.raises(InputError, match="ISO 8601"):
        explicit_date(bad)


def test_process_html_page() -> None:
    article = parley.process(SMALL_PAGE, source="page.html")
    assert article.title == "Ministers agree on fishing quotas"
    assert "Markets" not in article.text
    assert len(article.paragraphs) == 2
    assert article.text.startswith("The two foreign ministers")


@pytest.mark.parametrize("empty", ["", "   \n\n  "])
def test_process_empty_text_is_an_input_error(empty: str) -> None:
    with pytest.raises(InputError, match="empty"):
        parley.process(empty, source="blank.txt")


# --------------------------------------------------------------------------- ingest


def test_public_ingest_is_the_function() -> None:
    """Importing the readers must not shadow the public ``parley.ingest`` function."""
    import parley.inputs.readers

    assert callable(parley.ingest)


def test_ingest_seeds_then_again_unchanged(shared_dir: Path, tmp_path: Path) -> None:
    seen: list[IngestItem] = []
    with open_store(str(tmp_path / "p.db")) as store:
        report = ingest([shared_dir / "corpus" / "seeds"], store, progress=seen.append)
        assert (report.count("ingested"), report.count("skipped"), report.total) == (5, 0, 5)
        assert [item.source for item in seen] == [str(p) for p in seed_paths()]
        assert store.count_articles() == 5
        again = ingest([shared_dir / "corpus" / "seeds"], store)
        assert (again.count("unchanged"), again.count("ingested")) == (5, 0)
        dates = {a.source_path[-24:-21]: a.published.value  # type: ignore[index, union-attr]
                 for a in store.list_articles()}
        assert dates == {"000": "2019-05-10", "001": "2015-10-08T06:34:00+03:00",
                         "002": "2018-12-07T16:37:00+03:00", "003": "2019-05-10",
                         "004": "2019-02-25"}


def test_bad_inputs_are_skipped_and_stored_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_empty.txt").write_text("")
    (folder / "b_binary.bin").write_bytes(b"\x00\x01\x02\xff" * 64)
    (folder / "c_good.txt").write_text(scrape("Envoys hold talks on fisheries", [
        "Envoys of the two governments held a round of talks on fisheries on Monday, "
        "the foreign ministry said in a statement.",
        "The next round is planned for the autumn, the statement added."]))
    with open_store(str(tmp_path / "p.db")) as store:
        report = ingest([folder, tmp_path / "missing.txt"], store)
        assert report.count("ingested") == 1
        assert report.count("skipped") == 3
        skipped = {Path(item.source).name: item.stage for item in report.skipped}
        assert skipped == {"a_empty.txt": "read", "b_binary.bin": "read", "missing.txt": "read"}
        assert sorted(Path(r.source).name for r in store.rejections()) == [
            "a_empty.txt", "b_binary.bin", "missing.txt"]
        assert all(r.reason for r in store.rejections())
        records = [item.record() for item in report.skipped]
        assert all(set(r) == {"error", "source", "stage"} for r in records)
        json.dumps(records)


def test_changed_version_of_same_url_is_a_revision(tmp_path: Path) -> None:
    lines = [
        {"url": "https://wire.example/talks", "title": "Talks planned",
         "text": "The ministers will meet in May to discuss the fisheries accord.",
         "published": "2019-04-01T10:00:00+03:00", "outlet": "Wire"},
        {"url": "https://wire.example/talks", "title": "Talks planned",
         "text": "The ministers will meet in June to discuss the fisheries accord.",
         "published": "2019-04-01T12:00:00+03:00", "outlet": "Wire"},
    ]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with open_store(str(tmp_path / "p.db")) as store:
        report = ingest([dump], store)
        assert (report.count("ingested"), report.count("revision")) == (1, 1)
        newest, oldest = sorted(store.iter_articles(), key=lambda a: -a.revision)
        assert (newest.revision, newest.previous_revision) == (2, oldest.id)
        assert "June" in newest.text and "May" in oldest.text


def test_outlet_chrome_is_learned_from_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "outlet"
    folder.mkdir()
    for n, topic in enumerate(["fisheries", "visas", "energy", "trade"]):
        (folder / f"{n}.txt").write_text(scrape(
            f"Ministers discuss {topic} at round {n}",
            [f"The ministers discussed {topic} during a long meeting on Monday, according to "
             f"officials who briefed reporters on round {n} of the consultations.",
             f"Further talks on {topic} are planned, the officials added."],
            chrome=("Zebra Menu Items", "Quick Links Panel"),
        ))
    with open_store(str(tmp_path / "p.db")) as store:
        ingest([folder], store)
        articles = list(store.iter_articles())
    assert [a.title for a in articles] == [
        f"Ministers discuss {t} at round {n}"
        for n, t in enumerate(["fisheries", "visas", "energy", "trade"])]
    for article in articles:
        assert "Zebra Menu Items" not in article.text
        assert {r.text for r in article.removed} >= {"Zebra Menu Items", "Quick Links Panel"}


def test_single_article_outlet_keeps_its_lines(tmp_path: Path) -> None:
    """With one article nothing repeats: no line is taken for outlet chrome."""
    path = tmp_path / "one.txt"
    path.write_text(scrape("Ministers discuss visas", [
        "Zebra Menu Items",
        "The ministers discussed visas during a long meeting on Monday, officials said."]))
    with open_store(str(tmp_path / "p.db")) as store:
        ingest([path], store)
        (article,) = store.iter_articles()
    assert not any(r.reason == "outlet chrome" for r in article.removed)


def test_record_round_trips_through_the_store(shared_dir: Path, tmp_path: Path) -> None:
    article = parley.process(seed_path("003").read_text(encoding="utf-8"),
                             source=str(seed_path("003")))
    with open_store(str(tmp_path / "p.db")) as store:
        store.add_article(article)
        loaded = store.get_article(article.id)
    assert loaded is not None
    assert to_dict(loaded) == to_dict(article)


def test_a_crashing_stage_skips_one_input_only(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import parley.stages.clean as cleaning

    real_clean = cleaning.clean

    def fragile_clean(raw, settings, outlet_chrome=frozenset()):  # type: ignore[no-untyped-def]
        if raw.source.endswith("boom.txt"):
            raise RuntimeError("cleaner exploded")
        return real_clean(raw, settings, outlet_chrome)

    monkeypatch.setattr(cleaning, "clean", fragile_clean)
    for name in ("a.txt", "boom.txt", "c.txt"):
        (tmp_path / name).write_text(scrape(f"Talks on {name}", [
            f"Officials held talks about {name} on Monday, the ministry said in a statement."]))
    with open_store(str(tmp_path / "p.db")) as store:
        report = ingest(sorted(tmp_path.glob("*.txt")), store)
        assert (report.count("ingested"), report.count("skipped")) == (2, 1)
        (skipped,) = report.skipped
        assert (Path(skipped.source).name, skipped.stage) == ("boom.txt", "clean")
        assert skipped.reason == "RuntimeError: cleaner exploded"
        assert [(r.stage, r.reason) for r in store.rejections()] == [
            ("clean", "RuntimeError: cleaner exploded")]
