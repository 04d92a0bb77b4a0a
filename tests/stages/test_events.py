"""Event coding on short sentences, through the real actors/timex/quotes stages.

Each case gives a sentence and the one event expected from it (code, source, target,
date, place, modality) or nothing at all.
"""

from __future__ import annotations

import pytest

from parley.model import Article, Event, Paragraph, PublicationDate
from parley.pipeline import Context, get_stage


@pytest.fixture(scope="module")
def context() -> Context:
    return Context()


def annotate(context: Context, text: str, published: str = "2019-05-10") -> Article:
    article = Article(
        id="t",
        text=text,
        published=PublicationDate(published, "day", "explicit"),
        paragraphs=[Paragraph(0, 0, len(text))],
    )
    context.doc = context.nlp(text)
    for name in ("actors", "timex", "quotes", "events"):
        article = get_stage(name).func(article, context)
    return article


def names(article: Article, event: Event) -> tuple[str | None, str | None]:
    source, target = article.actor(event.source_id), article.actor(event.target_id)
    return (source.name if source else None, target.name if target else None)


@pytest.mark.parametrize(
    ("text", "cameo", "source", "target", "date", "place", "modality"),
    [
        ("Vladimir Putin and Shinzo Abe held a meeting in Singapore on November 14, 2018.",
         "040", "Vladimir Putin", "Shinzo Abe", "2018-11-14", "Singapore", "occurred"),
        ("Sergey Lavrov met Taro Kono in Moscow on Friday.",
         "040", "Sergey Lavrov", "Taro Kono", "2019-05-10", "Moscow", "occurred"),
        ("Japan and Russia will hold consultations in Moscow on Thursday.",
         "040", "Japan", "Russia", "2019-05-16", "Moscow", "planned"),
        ("Russia and Japan ratified the declaration on December 8, 1956.",
         "057", "Russia", "Japan", "1956-12-08", None, "occurred"),
        ("The Soviet Union withdrew its obligation in 1960.",
         "127", "Soviet Union", None, "1960", None, "occurred"),
        ("Japan rejected the proposal on Monday.",
         "125", "Japan", None, "2019-05-06", None, "occurred"),
        ("Russia did not sign the treaty in 1951.",
         "057", "Russia", None, "1951", None, "negated"),
        ("Sergey Lavrov criticized Japan on Friday.",
         "111", "Sergey Lavrov", "Japan", "2019-05-10", None, "occurred"),
    ],
)  # fmt: skip
def test_single_event(
    context: Context,
    text: str,
    cameo: str,
    source: str,
    target: str | None,
    date: str,
    place: str | None,
    modality: str,
) -> None:
    article = annotate(context, text)
    coded = [e for e in article.events if e.cameo == cameo]
    assert len(coded) == 1, [(e.cameo, e.trigger) for e in article.events]
    event = coded[0]
    assert names(article, event) == (source, target)
    assert (event.date, event.place, event.modality) == (date, place, modality)
    assert text[event.sentence_span.start : event.sentence_span.end] == text


@pytest.mark.parametrize(
    "text",
    [
        "The weather was mild.",
        "The islands lie north of Hokkaido.",
        "Sergey Lavrov is Russia's foreign minister.",
        "The peace treaty talks are a topic of debate.",  # a topic, not an occurrence
    ],
)
def test_no_event(context: Context, text: str) -> None:
    assert annotate(context, text).events == []


def test_agreeing_to_meet_is_intent_to_meet(context: Context) -> None:
    article = annotate(context, "Sergey Lavrov and Taro Kono agreed to meet again in June.")
    codes = sorted(e.cameo for e in article.events)
    assert codes == ["036", "040"]
    meeting = next(e for e in article.events if e.cameo == "040")
    assert meeting.modality == "planned"


def test_several_events_in_one_sentence_are_all_kept(context: Context) -> None:
    text = (
        "On November 14, 2018, Vladimir Putin and Shinzo Abe held a meeting in Singapore "
        "and agreed to speed up negotiations."
    )
    article = annotate(context, text)
    assert {"040", "036"} <= {e.cameo for e in article.events}
    for event in article.events:
        assert event.date == "2018-11-14"


def test_actors_come_from_the_same_clause(context: Context) -> None:
    text = "Taro Kono arrived in Tokyo. Later the officials signed a treaty on Friday."
    article = annotate(context, text)
    (event,) = [e for e in article.events if e.cameo == "057"]
    assert (event.source_id, event.target_id) == (None, None)  # never stitched from sentence 1


def test_statement_without_date_takes_the_publication_day(context: Context) -> None:
    article = annotate(context, "Sergey Lavrov said the issue was closed.")
    (event,) = [e for e in article.events if e.cameo == "010"]
    assert (event.date, event.date_granularity) == ("2019-05-10", "day")


def test_old_events_are_background(context: Context) -> None:
    article = annotate(context, "Russia and Japan signed a declaration on October 19, 1956.")
    (event,) = article.events
    assert event.background and event.cameo == "057"
    assert (event.plover, event.quad_class, event.goldstein) == ("SUPPORT", 1, 8.0)


def test_demand_with_must(context: Context) -> None:
    text = "Japan must recognize the outcome of the war, Sergey Lavrov said."
    article = annotate(context, text)
    demands = [e for e in article.events if e.cameo.startswith("10")]
    assert len(demands) == 1
    assert names(article, demands[0]) == ("Sergey Lavrov", "Japan")
    assert demands[0].modality == "demanded"


@pytest.mark.parametrize(
    ("text", "plover"),
    [
        ("Japan imposed sanctions on Iran on Monday.", "COERCE"),
        ("Russia lifted the embargo on Japanese fish on Monday.", "RETREAT"),
        ("Ukrainian soldiers shelled the village on Monday.", "ASSAULT"),
        ("Students staged a demonstration in Tokyo on Monday.", "PROTEST"),
        ("Russia expelled two Japanese diplomats on Monday.", "SANCTION"),
        ("Japan lodged a protest with Russia on Monday.", "ACCUSE"),
        ("Russia deployed troops to the islands on Monday.", "MOBILIZE"),
        ("The rebels surrendered on Monday.", "RETREAT"),
    ],
)
def test_plover_categories_beyond_diplomacy(context: Context, text: str, plover: str) -> None:
    assert [e.plover for e in annotate(context, text).events] == [plover]


def test_a_statement_carrying_an_act_is_coded_as_the_act(context: Context) -> None:
    article = annotate(context, "Russian troops attacked the village on Monday, officials said.")
    assert [e.plover for e in article.events] == ["ASSAULT"]  # no bare 010 beside it


def test_a_stated_future_act_is_an_intent(context: Context) -> None:
    article = annotate(context, "Japan will provide aid to Ukraine.")
    (event,) = article.events
    assert (event.cameo, event.plover, event.modality) == ("033", "AGREE", "occurred")
    assert names(article, event) == ("Japan", "Ukraine")


def test_a_stated_future_attack_is_a_threat(context: Context) -> None:
    article = annotate(context, "Iran said it would attack the ships.")
    assert [(e.cameo, e.plover) for e in article.events] == [("138", "THREATEN")]
    assert article.actor(article.events[0].source_id).country == "IRN"  # "it" = the speaker


def test_readiness_adjective_expresses_intent(context: Context) -> None:
    article = annotate(context, "Russia is ready to withdraw its troops.")
    assert "035" in {e.cameo for e in article.events}


def test_a_country_adjective_names_the_group_and_its_country(context: Context) -> None:
    article = annotate(context, "Israeli soldiers arrested two men on Monday.")
    (event,) = article.events
    source = article.actor(event.source_id)
    assert source is not None and source.country == "ISR"


def test_an_unknown_person_takes_the_country_of_the_phrase(context: Context) -> None:
    article = annotate(context, "Israeli Defence Minister Avner Golan visited Tokyo on Monday.")
    (event,) = [e for e in article.events if e.cameo == "042"]
    source = article.actor(event.source_id)
    assert source is not None and source.country == "ISR"


def test_a_conditional_without_actors_is_no_event(context: Context) -> None:
    text = "The memorandum said the islands would be handed over only if troops were withdrawn."
    article = annotate(context, text)
    assert "087" not in {e.cameo for e in article.events}


@pytest.mark.parametrize(
    "text",
    [
        "The talks on the ceasefire were the subject of a book.",  # topics, not acts
        "Officials said the weather was mild.",  # a statement stays a statement
    ],
)
def test_no_act_beyond_what_is_said(context: Context, text: str) -> None:
    assert {e.plover for e in annotate(context, text).events} <= {"STATEMENT"}



@pytest.mark.parametrize(
    ("text", "trigger", "modality"),
    [
        ('"Trade will grow," Sergey Lavrov went on to say.', "say", "occurred"),
        ("Sergey Lavrov continued to criticize Japan on Friday.", "criticize", "occurred"),
        ("Sergey Lavrov and Taro Kono agreed to meet in March.", "meet", "planned"),
    ],
)
def test_aspectual_verbs_keep_their_tense(
    context: Context, text: str, trigger: str, modality: str
) -> None:
    """"went on to say" happened; "agreed to meet" is a plan."""
    article = annotate(context, text)
    found = [e for e in article.events if e.trigger == trigger]
    assert found, [(e.trigger, e.cameo) for e in article.events]
    assert found[0].modality == modality


def test_statement_inside_a_quotation_is_not_dated_by_the_report(context: Context) -> None:
    """What a speaker says someone else said on some occasion did not happen today."""
    text = ('"Ties must grow, as President Putin has emphasized many times," '
            "Sergey Lavrov said on Friday.")
    article = annotate(context, text)
    by_trigger = {e.trigger: e for e in article.events}
    assert by_trigger["said"].date == "2019-05-10"
    assert by_trigger["emphasized"].date is None
