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
