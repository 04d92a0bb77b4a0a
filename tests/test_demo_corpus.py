"""The bundled demo corpus: what it is made of, and what parley must find in it.

The dispatches are fictional and were written for the project (see the folder's
README), so the expectations below belong to their authors: each dispatch's date,
one speaker, and one event with its participants and day.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from parley.api import demo_corpus_dir
from parley.errors import ParleyError
from parley.inputs.readers import read_file
from parley.model import Article, RawDocument
from parley.pipeline import get_stage
from parley.settings import Settings
from paths import seed_paths

CORPUS = demo_corpus_dir()


def _documents() -> dict[str, RawDocument]:
    """Every dispatch by short name (``01``, ``09#2``, ...), read by parley's readers."""
    found: dict[str, RawDocument] = {}
    for path in sorted(CORPUS.iterdir()):
        if path.name == "README.md":
            continue
        for index, raw in enumerate(read_file(path, Settings()), start=1):
            assert isinstance(raw, RawDocument), f"{path.name}: {raw}"
            key = path.name[:2] if raw.format in ("text", "html") else f"{path.name[:2]}#{index}"
            found[key] = raw
    return found


def _iso(published: str | None) -> str | None:
    """Feed dates come as RFC 822; the library wants ISO 8601."""
    if published and not published[:4].isdigit():
        return email.utils.parsedate_to_datetime(published).isoformat()
    return published


@pytest.fixture(scope="module")
def processed() -> dict[str, Article]:
    import parley

    articles = {}
    for key, raw in _documents().items():
        if raw.format in ("text", "html"):
            text = Path(raw.source).read_text(encoding="utf-8")
            articles[key] = parley.process(text, source=raw.source)
        else:
            articles[key] = parley.process(raw.text, published=_iso(raw.published),
                                           source=raw.source)
    return articles


def _require_stage(name: str) -> None:
    try:
        get_stage(name)
    except ParleyError:
        pytest.skip(f"stage {name!r} is not built yet")


# --------------------------------------------------------------------------- the corpus itself


def test_a_dozen_dispatches_in_every_format() -> None:
    documents = _documents()
    assert 12 <= len(documents) <= 16
    assert {raw.format for raw in documents.values()} == {"text", "html", "jsonl", "feed"}


@pytest.mark.parametrize("key", sorted(_documents()))
def test_dispatch_length(key: str) -> None:
    raw = _documents()[key]
    words = len(raw.text.split())
    assert 150 <= words <= 420, f"{key}: {words} words"


def test_readme_says_fictional() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert "fictional demo" in readme.lower()
    assert "Northwind Wire Service" in readme


def test_background_box_is_recycled() -> None:
    """The same background box appears near-verbatim in several dispatches."""
    anchor = "have never signed a peace treaty to close the Second World War"
    holders = [k for k, raw in _documents().items() if anchor in raw.text]
    assert len(holders) >= 4


def _shingles(text: str, size: int = 12) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_no_text_taken_from_the_seeds(shared_dir: Path) -> None:
    """Written for the project: no twelve-word run is shared with a real article
    (shorter runs are names with titles, "Russian President Vladimir Putin and ...")."""
    seeds: set[tuple[str, ...]] = set()
    for path in seed_paths():
        seeds |= _shingles(path.read_text(encoding="utf-8"))
    for key, raw in _documents().items():
        shared = _shingles(raw.text) & seeds
        assert not shared, f"{key} shares text with a seed: {sorted(shared)[:3]}"


# --------------------------------------------------------------------------- what parley finds


@dataclass
class Expect:
    day: str
    speaker: str  # a surname that must speak at least one quote
    cameo_roots: tuple[str, ...]
    countries: frozenset[str]  # every participant country of the event lies in this set
    event_days: tuple[str, ...]


RUS_JPN = frozenset({"RUS", "JPN"})
IND_PAK = frozenset({"IND", "PAK"})
US_CHN = frozenset({"USA", "CHN"})
SRB_KOS = frozenset({"SRB", "XKX", "KOS", "RKS", "USA"})

EXPECTED = {
    "01": Expect("2019-11-23", "Lavrov", ("04",), RUS_JPN, ("2019-11-23",)),
    "02": Expect("2019-11-23", "Motegi", ("04",), RUS_JPN, ("2019-11-23",)),
    "03": Expect("2019-12-02", "Suga", ("03", "04"), RUS_JPN, ("2019-12-17",)),
    "04": Expect("2020-01-16", "Geng", ("05", "06", "03"), US_CHN, ("2020-01-15",)),
    "05": Expect("2019-03-01", "Kumar", ("05", "08", "01"), IND_PAK, ("2019-03-01",)),
    "06": Expect("2019-02-28", "Khan", ("03", "08"), IND_PAK, ("2019-02-28", "2019-03-01")),
    "07": Expect("2019-12-19", "Zakharova", ("04",), RUS_JPN, ("2019-12-17",)),
    "08": Expect("2019-09-05", "Putin", ("03", "04"), RUS_JPN, ("2019-09-05",)),
    "09#1": Expect("2020-01-15", "Trump", ("05", "06"), US_CHN, ("2020-01-15",)),
    "09#2": Expect("2019-10-24", "Kumar", ("05", "06"), IND_PAK, ("2019-10-24",)),
    "09#3": Expect("2020-01-30", "Motegi", ("03", "04"), RUS_JPN, ("2020-01-30", "2020-02")),
    "10#1": Expect("2020-09-04", "Vucic", ("05", "06"), SRB_KOS, ("2020-09-04",)),
    "10#2": Expect("2020-09-07", "Borrell", ("04",), SRB_KOS, ("2020-09-07",)),
    "11": Expect("2020-02-15", "Lavrov", ("04",), RUS_JPN, ("2020-02-15",)),
}


def test_every_dispatch_has_expectations() -> None:
    assert set(EXPECTED) == set(_documents())


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_publication_day(key: str, processed: dict[str, Article]) -> None:
    published = processed[key].published
    assert published is not None and published.day == EXPECTED[key].day, published


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_speaker(key: str, processed: dict[str, Article]) -> None:
    _require_stage("quotes")
    article = processed[key]
    speakers = set()
    for quote in article.quotes:
        actor = article.actor(quote.speaker_id)
        speakers.add(actor.name if actor else (quote.speaker_text or ""))
    assert any(EXPECTED[key].speaker in name for name in speakers), speakers


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_event(key: str, processed: dict[str, Article]) -> None:
    _require_stage("events")
    article, expected = processed[key], EXPECTED[key]
    seen = []
    for event in article.events:
        countries = {c for c in (_country(article, event.source_id),
                                 _country(article, event.target_id)) if c}
        seen.append((event.cameo, event.date, sorted(countries)))
        if (event.cameo.startswith(expected.cameo_roots) and countries
                and countries <= expected.countries
                and (event.date or "").startswith(expected.event_days)):
            return
    pytest.fail(f"{key}: no event {expected.cameo_roots} on {expected.event_days} "
                f"between {sorted(expected.countries)}; found {seen}")


def _country(article: Article, actor_id: str | None) -> str | None:
    actor = article.actor(actor_id)
    return actor.country if actor else None
