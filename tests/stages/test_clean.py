"""Cleaning: chrome rules one by one (with lines that must stay), structure, ids,
learned outlet chrome, and the golden ``clean:`` sections run directly on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from goldcheck import clean as gold_clean
from parley.model import RawDocument
from parley.settings import Settings
from parley.stages.clean import clean, content_id, learn_outlet_chrome, match_dateline
from paths import seed_path, seed_paths

SETTINGS = Settings()
GOLD = Path(__file__).resolve().parents[1] / "gold"

# A dispatch written for these tests, shaped like a wire scrape.
SCRAPE = """All news

Ministers agree to meet again in spring

The two foreign ministers also discussed fishing quotas

Foreign Minister Anna Berg Ivan Petrov/TASS
Foreign Minister Anna Berg
© Ivan Petrov/TASS

OSLO, March 3. /TASS/. The foreign ministers of the two countries agreed on Tuesday to hold \
another round of talks in the spring, a ministry spokesman said.

"We have a long road ahead of us," the minister told reporters.

Fishing talks

The fishing talks began in 2017 and have stalled twice since then.

Show more
In other media"""


def raw(text: str, fmt: str = "text", **meta: str) -> RawDocument:
    return RawDocument(source="test", format=fmt, text=text, **meta)  # type: ignore[arg-type]


def removed_reasons(text: str, **kwargs: object) -> dict[str, str]:
    article = clean(raw(text), SETTINGS, **kwargs)  # type: ignore[arg-type]
    return {r.text: r.reason for r in article.removed}


# --------------------------------------------------------------------------- gold


def _gold_clean() -> list[object]:
    cases = []
    for path in sorted(GOLD.glob("seed_*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record.get("clean"):
            cases.append(pytest.param(record["seed"], record["clean"], id=record["seed"]))
    return cases


@pytest.mark.parametrize(("seed", "expected"), _gold_clean())
def test_gold_clean_sections(seed: str, expected: dict, shared_dir: Path) -> None:
    path = seed_path(seed)
    article = clean(raw(path.read_text(encoding="utf-8")), SETTINGS)
    gold_clean.check(article, expected)


def test_every_seed_has_a_clean_gold_section() -> None:
    assert len(_gold_clean()) == len(seed_paths()) == 5


@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name[:3])
def test_no_body_character_is_lost(path: Path) -> None:
    """Every non-chrome character of the input is in title, standfirst, dateline or text."""
    text = path.read_text(encoding="utf-8")
    article = clean(raw(text), SETTINGS)
    removed = {r.line_no for r in article.removed}
    kept = "".join(
        line.strip() for n, line in enumerate(text.splitlines(), start=1) if n not in removed
    )
    output = (
        article.title
        + (article.standfirst or "")
        + (article.dateline or "")
        + article.text.replace("\n\n", "")
    )
    assert sorted(kept.replace(" ", "")) == sorted(output.replace(" ", ""))


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("All news", "navigation"),
        ("Currency converter", "navigation"),
        ("News Search Topics", "navigation"),
        ("Use filter", "navigation"),
        ("You can filter your feed,", "navigation"),
        ("1 pages in this article", "paging"),
        ("3 pages in this article", "paging"),
        ("© AP Photo/Some Photographer", "photo credit"),
        ("Show more", "trailer"),
        ("In other media", "trailer"),
        ("Partner News", "trailer"),
        ("Read more on the site →", "trailer"),
    ],
)
def test_general_rules_remove_chrome(line: str, reason: str) -> None:
    text = f"A title\n\n{line}\n\nOSLO, March 3. /TASS/. Talks were held on Tuesday in the capital."
    assert removed_reasons(text) == {line: reason}


@pytest.mark.parametrize(
    "line",
    [
        "The minister said all news of the talks would be published later.",
        "Officials will show more flexibility, the envoy said on Monday in a statement.",
        "Two pages in this article's annex were left blank, the report said in March.",
        "Partner news agencies reported the same figures from the summit on Friday.",
    ],
)
def test_body_sentences_that_resemble_chrome_stay(line: str) -> None:
    text = f"A title\n\nOSLO, March 3. /TASS/. Talks were held on Tuesday in the capital.\n\n{line}"
    article = clean(raw(text), SETTINGS)
    assert article.removed == []
    assert line in article.text


def test_photo_caption_credit_and_repeated_caption() -> None:
    reasons = removed_reasons(SCRAPE)
    assert reasons["Foreign Minister Anna Berg Ivan Petrov/TASS"] == "photo caption and credit"
    assert reasons["Foreign Minister Anna Berg"] == "photo caption"
    assert reasons["© Ivan Petrov/TASS"] == "photo credit"


def test_caption_next_to_a_credit_without_its_own_credit() -> None:
    text = SCRAPE.replace("Foreign Minister Anna Berg Ivan Petrov/TASS\n", "Photo: Ivan Petrov\n")
    reasons = removed_reasons(text)
    assert reasons["Photo: Ivan Petrov"] == "photo credit"
    assert reasons["Foreign Minister Anna Berg"] == "photo caption"


def test_a_name_in_the_body_is_not_a_caption() -> None:
    text = (
        SCRAPE
        + "\n\nFollowing the talks, Foreign Minister Anna Berg flew home to prepare the next round."
    )
    article = clean(raw(text), SETTINGS)
    assert "Foreign Minister Anna Berg flew home" in article.text


def test_structure_of_a_scrape() -> None:
    article = clean(raw(SCRAPE), SETTINGS)
    assert article.title == "Ministers agree to meet again in spring"
    assert article.standfirst == "The two foreign ministers also discussed fishing quotas"
    assert (article.dateline, article.dateline_city, article.agency, article.outlet) == (
        "OSLO, March 3. /TASS/.",
        "OSLO",
        "TASS",
        "TASS",
    )
    texts = article.paragraph_texts()
    assert texts[0].startswith("The foreign ministers of the two countries")
    assert [p.kind for p in article.paragraphs] == ["body", "body", "heading", "body"]
    assert texts[2] == "Fishing talks"
    for p in article.paragraphs:
        assert article.text[p.start : p.end] == texts[p.index]
    assert {r.reason for r in article.removed} >= {"navigation", "trailer"}


def test_timestamp_header_and_section_are_kept_for_dating() -> None:
    text = (
        "A title\n\nWorld Affairs March 03, 2020, 9:15\n\nA standfirst line\n\n"
        "OSLO, March 3. /TASS/. Talks were held on Tuesday in the capital of the country."
    )
    article = clean(raw(text), SETTINGS)
    assert article.section == "World Affairs"
    assert [(r.line_no, r.reason) for r in article.removed] == [(3, "timestamp header")]
    assert article.standfirst == "A standfirst line"


def test_a_body_sentence_with_a_date_is_not_a_timestamp_header() -> None:
    text = (
        "A title\n\nOSLO, March 3. /TASS/. Talks were held on Tuesday in the capital.\n\n"
        "The treaty was signed on March 03, 2020, 9:15 local time, officials said."
    )
    assert clean(raw(text), SETTINGS).removed == []


def test_hard_wrapped_lines_form_one_paragraph() -> None:
    text = (
        "A title\n\nOSLO, March 3. /TASS/. Talks were held on Tuesday in the capital\n"
        "of the country, officials said.\n\nA second paragraph follows here."
    )
    article = clean(raw(text), SETTINGS)
    assert article.paragraph_texts() == [
        "Talks were held on Tuesday in the capital of the country, officials said.",
        "A second paragraph follows here.",
    ]


@pytest.mark.parametrize(
    ("opening", "city", "agency", "month", "day", "year"),
    [
        ("MOSCOW, May 10. /TASS/. Text", "MOSCOW", "TASS", "May", 10, None),
        ("NEW DELHI, Feb. 2, 2021 /Kyodo/. Text", "NEW DELHI", "Kyodo", "Feb", 2, 2021),
        ("WASHINGTON, May 10 (Reuters) - Text", "WASHINGTON", "Reuters", "May", 10, None),
        ("TOKYO (AP) — Text", "TOKYO", "AP", None, None, None),
    ],
)
def test_datelines(
    opening: str, city: str, agency: str, month: str | None, day: int | None, year: int | None
) -> None:
    found = match_dateline(opening)
    assert found is not None
    assert (found.city, found.agency, found.month, found.day, found.year) == (
        city,
        agency,
        month,
        day,
        year,
    )
    assert opening[len(found.text) :].strip() == "Text"


@pytest.mark.parametrize(
    "opening", ["Moscow, May 10, officials said", "The MOSCOW talks on May 10 ended", ""]
)
def test_not_datelines(opening: str) -> None:
    assert match_dateline(opening) is None


# --------------------------------------------------------------------------- ids


def test_id_is_stable_across_chrome_quotes_and_spacing() -> None:
    base = clean(raw(SCRAPE), SETTINGS)
    rescraped = (
        "Currency converter\nUse filter\n"
        + SCRAPE.replace('"', "“", 1)
        .replace('"', "”", 1)
        .replace("two countries", "two  countries")
        + "\nPartner News"
    )
    again = clean(raw(rescraped), SETTINGS)
    assert again.id == base.id
    assert len(base.id) == 16


def test_id_changes_with_the_body() -> None:
    base = clean(raw(SCRAPE), SETTINGS)
    changed = clean(raw(SCRAPE.replace("stalled twice", "stalled three times")), SETTINGS)
    assert changed.id != base.id
    assert content_id("t", "a") != content_id("t", "b")


# --------------------------------------------------------------------------- learned chrome


def _outlet_pages(n: int) -> list[str]:
    pages = []
    for i in range(n):
        pages.append(
            f"Weather widget\nBreaking ticker\n\nHeadline number {i}\n\n"
            f"OSLO, March {i + 1}. /NTB/. Story number {i} reports that the ministers met "
            "on Tuesday and agreed to continue the talks next month in the capital.\n\n"
            "Background box\n\n"
            "The dispute over the islands dates back decades and has resisted several "
            "attempts at settlement.\n\n"
            "Subscribe to our newsletter"
        )
    return pages


def test_learn_outlet_chrome_finds_repeated_short_lines_only() -> None:
    learned = learn_outlet_chrome(_outlet_pages(5))
    assert {"Weather widget", "Breaking ticker", "Subscribe to our newsletter"} <= learned
    # a body-length paragraph repeated in every page is never chrome
    assert not any(len(line.split()) > 12 for line in learned)
    assert "Headline number 0" not in learned


def test_learn_outlet_chrome_needs_enough_articles() -> None:
    assert learn_outlet_chrome(_outlet_pages(2)) == frozenset()
    assert learn_outlet_chrome([]) == frozenset()


def test_learned_chrome_is_removed_outside_the_body_only() -> None:
    pages = _outlet_pages(5)
    learned = learn_outlet_chrome(pages)
    assert "Background box" in learned  # it repeats, but sits between body paragraphs
    article = clean(raw(pages[0]), SETTINGS, learned)
    reasons = {r.text: r.reason for r in article.removed}
    assert reasons == {
        "Weather widget": "outlet chrome",
        "Breaking ticker": "outlet chrome",
        "Subscribe to our newsletter": "outlet chrome",
    }
    assert "Background box" in article.paragraph_texts()
    assert article.title == "Headline number 0"


def test_without_learned_chrome_unknown_lines_stay() -> None:
    article = clean(raw(_outlet_pages(1)[0]), SETTINGS)
    assert "Subscribe to our newsletter" in article.text


# --------------------------------------------------------------------------- light cleaning


def test_main_text_inputs_take_title_from_metadata() -> None:
    text = (
        "Ministers agree to meet\n"
        "OSLO, March 3. /TASS/. Talks were held on Tuesday in the capital.\n"
        "A second paragraph."
    )
    article = clean(
        raw(text, "jsonl", title="Ministers agree to meet", outlet="Wire", published="2020-03-03"),
        SETTINGS,
    )
    assert article.title == "Ministers agree to meet"
    assert [(r.line_no, r.reason) for r in article.removed] == [(1, "title repeated")]
    assert article.outlet == "Wire" and article.agency == "TASS"
    assert article.paragraph_texts() == [
        "Talks were held on Tuesday in the capital.",
        "A second paragraph.",
    ]
    assert article.published_given == "2020-03-03"


def test_main_text_without_dateline_keeps_every_line() -> None:
    text = "First paragraph of the story, as extracted.\nSecond paragraph of the story."
    article = clean(raw(text, "html", title="Some title"), SETTINGS)
    assert article.paragraph_texts() == text.splitlines()
    assert article.standfirst is None and article.dateline is None
