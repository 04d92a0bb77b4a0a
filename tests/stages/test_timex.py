"""Time expressions on short sentences: normalisation against the publication day."""

from __future__ import annotations

from datetime import date

import pytest

from parley.model import Article, PublicationDate
from parley.pipeline import Context, get_stage
from parley.stages.timex import extract_timexes, relation_to


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return Context().nlp


FRIDAY = date(2019, 5, 10)  # a Friday


@pytest.mark.parametrize(
    ("sentence", "anchor", "text", "value", "granularity", "relation"),
    [
        ("The treaty was signed on October 19, 1956.",
         FRIDAY, "October 19, 1956", "1956-10-19", "day", "past"),
        ("They met in April 2013 in Moscow.", FRIDAY, "April 2013", "2013-04", "month", "past"),
        ("The troops left in 1960.", FRIDAY, "1960", "1960", "year", "past"),
        ("The ministers met on November 14.", FRIDAY, "November 14", "2018-11-14", "day", "past"),
        ("The ministers will meet on November 14.",
         FRIDAY, "November 14", "2019-11-14", "day", "future"),
        ("Lavrov spoke after talks on Friday.", FRIDAY, "Friday", "2019-05-10", "day", "present"),
        ("Lavrov spoke on Monday.", FRIDAY, "Monday", "2019-05-06", "day", "past"),
        ("The talks will be held on Thursday.",
         date(2015, 10, 8), "Thursday", "2015-10-08", "day", "present"),
        ("The talks will be held on Tuesday.", FRIDAY, "Tuesday", "2019-05-14", "day", "future"),
        ("Abe said he would come in early 2019.",
         date(2018, 12, 7), "early 2019", "2019", "year", "future"),
        ("Talks have gone on since the mid-20th century.",
         FRIDAY, "the mid-20th century", "19", "century", "past"),
        ("Relations soured in the 1950s.", FRIDAY, "the 1950s", "195X", "decade", "past"),
        ("Lavrov said earlier that the gap was big.",
         FRIDAY, "earlier", "PAST_REF", "unknown", "past"),
        ("The envoys will meet in the near future.",
         FRIDAY, "the near future", "FUTURE_REF", "unknown", "future"),
        ("Deputies will hold consultations in the coming weeks.",
         FRIDAY, "the coming weeks", "FUTURE_REF", "unknown", "future"),
        ("The situation has changed since then.",
         FRIDAY, "since then", "PAST_REF", "unknown", "past"),
        ("Today, the issue is closed.", FRIDAY, "Today", "2019-05-10", "day", "present"),
        ("The minister arrived yesterday.", FRIDAY, "yesterday", "2019-05-09", "day", "past"),
        ("The talks lasted two weeks.", FRIDAY, "two weeks", "P2W", "week", "unknown"),
        ("Profits fell in the third quarter.",
         FRIDAY, "the third quarter", "2018-Q3", "quarter", "past"),
    ],
)  # fmt: skip
def test_normalisation(nlp, sentence, anchor, text, value, granularity, relation) -> None:  # type: ignore[no-untyped-def]
    found = {t.text: t for t in extract_timexes(sentence, anchor, nlp(sentence))}
    assert text in found, f"{text!r} not found in {list(found)}"
    timex = found[text]
    assert sentence[timex.span.start : timex.span.end] == text
    assert (timex.value, timex.granularity, timex.relation) == (value, granularity, relation)


OCT30 = date(1989, 10, 30)  # a Monday


@pytest.mark.parametrize(
    ("sentence", "anchor", "text", "value", "type_"),
    [
        ("The plane landed at 6:34 in Frankfurt.", FRIDAY, "6:34", "2019-05-10T06:34", "TIME"),
        ("The vote closed at 16:37 GMT.", FRIDAY, "16:37 GMT", "2019-05-10T16:37", "TIME"),
        ("Polls open at 9 a.m. Tuesday in the capital.",
         FRIDAY, "9 a.m. Tuesday", "2019-05-07T09:00", "TIME"),
        ("The envoys talked late on Tuesday night.",
         FRIDAY, "Tuesday night", "2019-05-07TNI", "TIME"),
        ("Shelling resumed last night.", FRIDAY, "last night", "2019-05-09TNI", "TIME"),
        ("The summit will take place this summer.", FRIDAY, "this summer", "2019-SU", "DATE"),
        ("Trade grew in the winter of 1994.", FRIDAY, "the winter of 1994", "1994-WI", "DATE"),
        ("Exports fell last year.", FRIDAY, "last year", "2018", "DATE"),
        ("Talks will resume next month.", FRIDAY, "next month", "2019-06", "DATE"),
        ("Tension rose earlier this year.", FRIDAY, "earlier this year", "2019", "DATE"),
        ("The accord expired in June last year.", FRIDAY, "June last year", "2018-06", "DATE"),
        ("The envoy visited last April.", OCT30, "last April", "1989-04", "DATE"),
        ("A year earlier, the talks had stalled.", FRIDAY, "A year earlier", "2018", "DATE"),
        ("The embassy closed two years ago.", FRIDAY, "two years ago", "2017", "DATE"),
        ("The mission lasted nearly twenty years.",
         FRIDAY, "nearly twenty years", "P20Y", "DURATION"),
        ("The talks went on for five hours.", FRIDAY, "five hours", "PT5H", "DURATION"),
        ("Relations froze for two decades.", FRIDAY, "two decades", "P20Y", "DURATION"),
        ("Profit fell in the first nine months.",
         FRIDAY, "the first nine months", "P9M", "DURATION"),
        ("The bank lost money in the quarter.", OCT30, "the quarter", "1989-Q3", "DATE"),
        ("Sales beat the year-earlier quarter.", OCT30, "the year-earlier quarter", "1988-Q3",
         "DATE"),
        ("The firm posted third-quarter profit.", OCT30, "third-quarter", "1989-Q3", "DATE"),
        ("The ministers confer weekly.", FRIDAY, "weekly", "P1W", "SET"),
        ("The council meets every year in Vienna.", FRIDAY, "every year", "P1Y", "SET"),
        ("The committee met each Thursday.", FRIDAY, "each Thursday", "XXXX-WXX-4", "SET"),
    ],
)  # fmt: skip
def test_more_constructions(nlp, sentence, anchor, text, value, type_) -> None:  # type: ignore[no-untyped-def]
    found = {t.text: t for t in extract_timexes(sentence, anchor, nlp(sentence))}
    assert text in found, f"{text!r} not found in {list(found)}"
    timex = found[text]
    assert sentence[timex.span.start : timex.span.end] == text
    assert (timex.value, timex.type) == (value, type_)


@pytest.mark.parametrize(
    "sentence",
    [
        "A 6-year-old boy waved at the crowd.",
        "The mayor, 52 years old, resigned.",
        "The plan saves $500 million a year.",
        "The airline runs four flights a week.",
        "Nobody expected the fall of the government.",
        "Formerly a diplomat, he now teaches.",
    ],
)
def test_no_time_expression_in_ages_rates_and_nouns(nlp, sentence: str) -> None:  # type: ignore[no-untyped-def]
    found = [t.text for t in extract_timexes(sentence, FRIDAY, nlp(sentence))]
    assert found in ([], ["now"]), found


def test_mod_is_recorded(nlp) -> None:  # type: ignore[no-untyped-def]
    sentence = "Since the mid-20th century the two sides have talked."
    (timex,) = extract_timexes(sentence, FRIDAY, nlp(sentence))
    assert timex.mod == "MID"


@pytest.mark.parametrize(
    "sentence",
    [
        "The weather was mild.",
        "May we ask a question?",
        "The 2000 protesters marched to the square.",
        "Article 9 of the document concerns islands.",
        "He won by 1,956 votes.",
    ],
)
def test_no_time_expression(nlp, sentence: str) -> None:  # type: ignore[no-untyped-def]
    assert extract_timexes(sentence, FRIDAY, nlp(sentence)) == []


def test_without_publication_date_relative_values_stay_unresolved(nlp) -> None:  # type: ignore[no-untyped-def]
    sentence = "They met on November 14 and again on Friday."
    values = [t.value for t in extract_timexes(sentence, None, nlp(sentence))]
    assert values == ["XXXX-11-14", "XXXX-WXX-5"]


def test_relation_of_coarse_values() -> None:
    assert relation_to("2019-05", FRIDAY) == "present"
    assert relation_to("2019", date(2018, 12, 7)) == "future"
    assert relation_to("19", FRIDAY) == "past"


def test_stage_fills_article() -> None:
    text = "The ministers met on Friday in Moscow."
    article = Article(
        id="t1", text=text, published=PublicationDate("2019-05-10", "day", "explicit")
    )
    context = Context()
    context.doc = context.nlp(text)
    article = get_stage("timex").func(article, context)
    assert [(t.text, t.value) for t in article.timexes] == [("Friday", "2019-05-10")]
