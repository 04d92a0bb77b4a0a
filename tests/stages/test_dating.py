"""Publication dating: explicit timestamps and zones, metadata, yearless datelines
(year inferred or honestly undecided), and the golden ``dating:`` sections."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from goldcheck import dating as gold_dating
from parley.model import Article, RawDocument
from parley.pipeline import Context, check_order, get_stage
from parley.settings import Settings
from parley.stages.clean import clean
from parley.stages.dating import date_article, dated_references, resolve_date
from paths import seed_path

SETTINGS = Settings()
GOLD = Path(__file__).resolve().parents[1] / "gold"


def article_from(text: str, fmt: str = "text", **meta: str) -> Article:
    raw = RawDocument(source="test", format=fmt, text=text, **meta)  # type: ignore[arg-type]
    return clean(raw, SETTINGS)


def dated(text: str, settings: Settings = SETTINGS, context: object = None, **meta: str):
    return resolve_date(article_from(text, **meta), settings, context)


def yearless(body: str, dateline: str = "OSLO, May 10. /TASS/.") -> str:
    return f"A title\n\nA standfirst\n\n{dateline} {body}"


# --------------------------------------------------------------------------- gold


def _gold_dating() -> list[object]:
    cases = []
    for path in sorted(GOLD.glob("seed_*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record.get("dating"):
            cases.append(pytest.param(record["seed"], record["dating"], id=record["seed"]))
    return cases


@pytest.mark.parametrize(("seed", "expected"), _gold_dating())
def test_gold_dating_sections(seed: str, expected: dict, shared_dir: Path) -> None:
    article = article_from(seed_path(seed).read_text(encoding="utf-8"))
    article = date_article(article, Context(settings=SETTINGS))
    gold_dating.check(article, expected)


def test_all_five_seeds_have_a_dating_section() -> None:
    assert len(_gold_dating()) == 5


# --------------------------------------------------------------------------- explicit


def test_timestamp_with_its_own_zone() -> None:
    found = dated("T\n\nJune 02, 2016, 23:05 UTC+5 ASTANA\n\nS\n\nASTANA, June 2. /TASS/. Body.")
    assert (found.value, found.precision, found.method, found.timezone) == (
        "2016-06-02T23:05:00+05:00",
        "minute",
        "explicit",
        "+05:00",
    )


def test_timestamp_without_zone_takes_the_outlet_default() -> None:
    found = dated("T\n\nJune 02, 2016, 23:05\n\nS\n\nASTANA, June 2. /Kyodo/. Body text.")
    assert found.value == "2016-06-02T23:05:00+09:00"
    assert any("Kyodo default +09:00" in line for line in found.evidence)


def test_timestamp_without_any_known_zone_stays_naive() -> None:
    found = dated("T\n\nJune 02, 2016, 23:05\n\nS\n\nASTANA, June 2. /Unknown Wire/. Body text.")
    assert (found.value, found.timezone) == ("2016-06-02T23:05:00", None)
    found = dated(
        "T\n\nJune 02, 2016, 23:05\n\nS\n\nASTANA, June 2. /Unknown Wire/. Body.",
        SETTINGS.with_(default_timezone="+00:00"),
    )
    assert found.value == "2016-06-02T23:05:00+00:00"


def test_dateline_with_a_year_is_explicit() -> None:
    found = dated("T\n\nS\n\nNEW DELHI, Feb. 2, 2021 /Kyodo/. Ministers met on Friday.")
    assert (found.value, found.precision, found.method) == ("2021-02-02", "day", "explicit")


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    ("given", "value", "precision", "zone"),
    [
        ("2019-05-10T14:20:00+03:00", "2019-05-10T14:20:00+03:00", "minute", "+03:00"),
        ("2019-05-10T11:20:00Z", "2019-05-10T11:20:00+00:00", "minute", "+00:00"),
        ("Fri, 10 May 2019 11:20:00 GMT", "2019-05-10T11:20:00+00:00", "minute", "+00:00"),
        ("2019-05-10", "2019-05-10", "day", "+03:00"),
        ("2019-05-10 14:20", "2019-05-10T14:20:00+03:00", "minute", "+03:00"),
    ],
)
def test_metadata_dates(given: str, value: str, precision: str, zone: str) -> None:
    found = dated(yearless("Talks on Friday."), fmt="jsonl", title="T", published=given)
    assert (found.value, found.precision, found.method, found.timezone) == (
        value,
        precision,
        "metadata",
        zone,
    )


def test_unreadable_metadata_falls_back_to_the_text() -> None:
    found = dated(
        "T\n\nJune 02, 2016, 23:05\n\nS\n\nASTANA, June 2. /TASS/. Body.",
        published="sometime last week",
    )
    assert (found.method, found.value) == ("explicit", "2016-06-02T23:05:00+03:00")
    assert "not understood" in found.evidence[0]


def test_a_yearless_metadata_date_never_gets_the_current_year() -> None:
    found = dated(yearless("Talks were held."), published="May 10")
    assert found.method == "undecided" and found.value is None


# --------------------------------------------------------------------------- inferred


def test_weekday_and_latest_reference_decide_the_year() -> None:
    # the March 2019 report bounds the year from below; of 2019..2021 only in 2019
    # is May 10 a Friday (2020: Sunday, 2021: Monday)
    body = "The ministers met on Friday. In March 2019, they had agreed to meet again."
    found = dated(yearless(body))
    assert (found.value, found.method, found.precision) == ("2019-05-10", "inferred", "day")
    assert {c.value for c in found.rejected} == {"2020-05-10", "2021-05-10"}
    assert found.timezone == "+03:00"


def test_no_reference_means_undecided() -> None:
    found = dated(yearless("The ministers met on Friday in the capital."))
    assert (found.value, found.method, found.precision) == (None, "undecided", "unknown")
    assert any("no dated reference" in line for line in found.evidence)


def test_several_consistent_years_mean_undecided_with_candidates() -> None:
    found = dated(yearless("The ministers met in the capital. The treaty dates from June 2017."))
    assert found.method == "undecided" and found.value is None
    assert "2018-05-10, 2019-05-10" in found.evidence[-1]
    assert [c.value for c in found.rejected] == ["2017-05-10"]


def test_weekday_that_fits_no_candidate_is_undecided() -> None:
    # May 10: 2018 Thursday, 2019 Friday, 2020 Sunday; "on Tuesday" fits none
    found = dated(yearless("The ministers met on Tuesday. Talks resumed in January 2018."))
    assert found.value is None and found.method == "undecided"
    assert len(found.rejected) == 3


def test_event_the_day_before_the_dateline_is_accepted() -> None:
    # May 11, 2019 is a Saturday: talks "on Friday" were the day before
    found = dated(
        yearless(
            "The ministers met on Friday. Talks resumed in January 2019.",
            dateline="OSLO, May 11. /TASS/.",
        )
    )
    assert found.value == "2019-05-11"


def test_a_future_reference_does_not_bound_the_year() -> None:
    body = "The ministers met on Thursday. The leader will visit in 2019. Talks began in 2017."
    found = dated(yearless(body))  # May 10, 2018 is a Thursday
    assert found.value == "2018-05-10"
    assert any("looks ahead" in line for line in found.evidence)


def test_next_week_weekdays_are_not_the_event_day() -> None:
    body = "The ministers will meet on Tuesday. Talks began in March 2018."
    found = dated(yearless(body))
    assert found.method == "undecided"


def test_february_29_only_in_leap_years() -> None:
    found = dated(
        yearless(
            "Talks were held on Saturday. Talks began in 2019.",
            dateline="OSLO, February 29. /TASS/.",
        )
    )
    assert found.value == "2020-02-29"
    assert any("does not exist" in c.reason for c in found.rejected)


def test_office_knowledge_can_rule_out_a_year() -> None:
    def office_conflict(text: str, day: str) -> str | None:
        return "the named minister was not in office then" if day.startswith("2019") else None

    context = SimpleNamespace(knowledge=SimpleNamespace(office_conflict=office_conflict))
    body = "The ministers met in the capital. The treaty dates from June 2018."
    found = dated(yearless(body), context=context)
    assert found.value == "2020-05-10"  # 2018-05-10 is before June 2018; 2019 ruled out
    reasons = {c.value: c.reason for c in found.rejected}
    assert reasons["2019-05-10"] == "the named minister was not in office then"


def test_the_packaged_knowledge_rules_out_a_minister_out_of_office() -> None:
    # Taro Kono was Japan's foreign minister from 2017-08 to 2019-09 (people.yaml)
    body = "Japanese Foreign Minister Taro Kono held talks. They first met in November 2018."
    text = yearless(body, dateline="TOKYO, March 3. /TASS/.")
    found = dated(text, context=Context(settings=SETTINGS))
    assert found.value == "2019-03-03"
    reasons = {c.value: c.reason for c in found.rejected}
    assert "was not foreign minister on 2020-03-03" in reasons["2020-03-03"]
    # the same text without knowledge cannot decide between 2019 and 2020
    assert dated(text).method == "undecided"
    # a former minister is no evidence
    former = yearless(
        body.replace("Japanese Foreign", "former Japanese Foreign"),
        dateline="TOKYO, March 3. /TASS/.",
    )
    assert dated(former, context=Context(settings=SETTINGS)).method == "undecided"


def test_missing_or_broken_knowledge_is_ignored() -> None:
    def broken(text: str, day: str) -> str:
        raise RuntimeError("knowledge not ready")

    body = "The ministers met on Friday. Talks resumed in January 2019."
    for context in (
        SimpleNamespace(),
        SimpleNamespace(knowledge=SimpleNamespace(office_conflict=broken)),
    ):
        assert dated(yearless(body), context=context).value == "2019-05-10"


def test_no_dateline_and_nothing_else_is_undecided() -> None:
    found = dated("A title\n\nA paragraph of body text without any dateline at all.")
    assert (found.value, found.method) == (None, "undecided")


# --------------------------------------------------------------------------- references


def test_dated_references() -> None:
    past, future = dated_references(
        "On November 14, 2018, they met. In 1956 a declaration was signed. "
        "He will come in early 2020. The 1950s were different. It cost 2000 dollars in 5 May 2017."
    )
    assert [(r.year, r.month, r.day) for r in past] == [
        (2018, 11, 14),
        (2017, 5, 5),
        (1956, None, None),
    ]
    assert [r.year for r in future] == [2020]
    assert max(r.earliest() for r in past) == date(2018, 11, 14)


# --------------------------------------------------------------------------- the stage


def test_dating_is_registered_after_clean() -> None:
    stage = get_stage("dating")
    assert stage.requires == ("text", "dateline") and stage.provides == ("published",)
    assert [s.name for s in check_order(["dating"], already=("clean",))] == ["dating"]


def test_the_latest_of_several_lead_weekdays_is_the_event_day() -> None:
    # December 19, 2019 is a Thursday; the Tuesday talks were two days earlier
    body = (
        "Talks held on Tuesday were useful, the spokeswoman said at a briefing on Thursday. "
        "They last met on November 14, 2018."
    )
    assert dated(yearless(body, dateline="OSLO, December 19. /TASS/.")).value == "2019-12-19"


def test_a_future_clause_does_not_hide_the_event_day() -> None:
    # "will" belongs to another clause: "told parliament on Thursday" is the event
    body = (
        "The country will release the pilot, the prime minister told parliament on Thursday. "
        "The crisis began on February 14, 2019."
    )
    assert dated(yearless(body, dateline="OSLO, February 28. /TASS/.")).value == "2019-02-28"


def test_a_bare_year_that_looks_ahead_is_dropped_when_no_year_fits() -> None:
    body = (
        "Talks were held on Thursday. They discussed a visit by the leader in 2020. "
        "They last met on November 14, 2018."
    )
    found = dated(yearless(body, dateline="OSLO, December 19. /TASS/."))
    assert found.value == "2019-12-19"
    assert any("retried without bare years" in line for line in found.evidence)
