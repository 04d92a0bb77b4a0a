"""Events merged across reports, actors merged across articles (hand-built records)."""

from __future__ import annotations

from analysis_helpers import (
    ABE,
    JAPAN,
    KONO,
    LAVROV,
    PUTIN,
    RUSSIA,
    SOVIET,
    add_event,
    add_quote,
    article,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.analysis.merge import merge_actors, merge_events
from parley.model import Actor, Article, PublicationDate
from parley.store.base import BackgroundLink


def _two_reports_of_talks() -> list[Article]:
    russian = article("ru", "2019-05-10", ["Lavrov met Kono in Moscow today.",
                                           "Lavrov said the task was hard."])
    add_event(russian, 0, "040", LAVROV, KONO, "2019-05-10", place="Moscow")
    add_quote(russian, 1, LAVROV)
    japanese = article("jp", "2019-05-10", ["Kono held talks with Lavrov.",
                                            "Kono said Tokyo will keep talking."])
    add_event(japanese, 0, "043", KONO, LAVROV, "2019-05-10")
    add_quote(japanese, 1, KONO)
    return [russian, japanese]


def test_two_sides_reporting_one_meeting_make_one_event() -> None:
    (event,) = merge_events(_two_reports_of_talks())
    assert event.date == "2019-05-10" and event.date_granularity == "day"
    assert sorted(r["article_id"] for r in event.reports) == ["jp", "ru"]
    assert {q["speaker_id"] for q in event.quotes} == {"sergey-lavrov", "taro-kono"}
    assert {q["side"] for q in event.quotes} == {"RUS", "JPN"}
    assert event.place == "Moscow"
    assert event.conflicts == ["cameo: 040 (ru), 043 (jp)"]
    assert {event.source_country, event.target_country} == {"RUS", "JPN"}


def test_month_report_joins_the_day_and_keeps_the_day() -> None:
    day = article("a", "2019-05-10", ["Putin and Abe met in Singapore on 14 November."])
    add_event(day, 0, "040", PUTIN, ABE, "2018-11-14", place="Singapore")
    month = article("b", "2019-02-25", ["Putin and Abe met in November 2018."])
    add_event(month, 0, "040", ABE, PUTIN, "2018-11")
    country = article("c", "2018-12-07", ["Russia and Japan agreed in Singapore."])
    add_event(country, 0, "040", RUSSIA, JAPAN, "2018-11-14", place="the ASEAN summit in Singapore")
    (event,) = merge_events([month, country, day])
    assert event.date == "2018-11-14"
    assert sorted(r["article_id"] for r in event.reports) == ["a", "b", "c"]
    assert event.place == "the ASEAN summit in Singapore"
    assert any(c.startswith("place:") for c in event.conflicts)


def test_different_days_types_pairs_and_places_stay_apart() -> None:
    a = article("a", "2019-05-10", ["x one.", "x two.", "x three.", "x four.", "x five."])
    add_event(a, 0, "040", LAVROV, KONO, "2019-05-10")
    add_event(a, 1, "040", LAVROV, KONO, "2019-02-16")  # another day
    add_event(a, 2, "173", LAVROV, KONO, "2019-05-10", quad_class=4, plover="COERCE")
    add_event(a, 3, "040", PUTIN, ABE, "2019-05-10")  # another pair of people
    b = article("b", "2019-05-11", ["y one."])
    add_event(b, 0, "040", LAVROV, KONO, "2019-05-10", place="Tokyo")
    add_event(a, 4, "040", LAVROV, KONO, "2019-05-10", place="Moscow")
    events = merge_events([a, b])
    assert len(events) == 5
    assert [e.date for e in events] == ["2019-02-16"] + ["2019-05-10"] * 4


def test_undated_reports_never_merge_across_articles() -> None:
    a = article("a", "2019-05-10", ["x."])
    add_event(a, 0, "040", LAVROV, KONO, None)
    b = article("b", "2019-05-10", ["y."])
    add_event(b, 0, "040", LAVROV, KONO, None)
    events = merge_events([a, b])
    assert len(events) == 2 and all(e.date is None for e in events)


def test_soviet_union_counts_on_russias_side() -> None:
    a = article("a", "2018-12-07", ["The declaration was signed on 19 October 1956."])
    add_event(a, 0, "057", SOVIET, JAPAN, "1956-10-19", plover="AGREE")
    b = article("b", "2019-05-10", ["In 1956 the two countries signed a declaration."])
    add_event(b, 0, "057", RUSSIA, JAPAN, "1956", plover="AGREE")
    (event,) = merge_events([a, b])
    assert event.date == "1956-10-19" and len(event.reports) == 2


def test_background_reports_are_marked() -> None:
    reports = _two_reports_of_talks()
    reports[1].published = PublicationDate("2019-05-11", "day", "explicit")
    link = BackgroundLink("jp", 0, "ru", 0, 0.9)
    (event,) = merge_events(reports, [link])
    flags = {r["article_id"]: r["background"] for r in event.reports}
    assert flags == {"ru": False, "jp": True}


def test_recycled_sentence_dated_on_its_own_publication_day_loses_that_date() -> None:
    first = article("first", "2019-02-25", ["Moscow has often said the matter is closed."])
    add_event(first, 0, "010", RUSSIA, None, "2019-02-25", plover="STATEMENT")
    again = article("again", "2019-05-10", ["Moscow has often said the matter is closed."])
    add_event(again, 0, "010", RUSSIA, None, "2019-05-10", plover="STATEMENT")
    links = [BackgroundLink("again", 0, "first", 0, 1.0)]
    events = merge_events([first, again], links)
    assert [e.date for e in events] == ["2019-02-25", None]
    # two copies of a recycled sentence, both undated, are one event
    third = article("third", "2019-06-01", ["Moscow has often said the matter is closed."])
    add_event(third, 0, "010", RUSSIA, None, "2019-06-01", plover="STATEMENT")
    links.append(BackgroundLink("third", 0, "first", 0, 1.0))
    undated = [e for e in merge_events([first, again, third], links) if e.date is None]
    assert [sorted(r["article_id"] for r in e.reports) for e in undated] == [["again", "third"]]


def test_partial_reports_join_a_complete_one_but_not_each_other() -> None:
    full = article("full", "2019-05-10", ["Lavrov held talks with Kono."])
    add_event(full, 0, "040", LAVROV, KONO, "2019-05-10")
    partial = article("partial", "2019-05-10", ["Kono held talks.", "Talks with Lavrov."])
    add_event(partial, 0, "040", KONO, None, "2019-05-10")
    add_event(partial, 1, "040", None, LAVROV, "2019-05-10")
    (event,) = merge_events([full, partial])
    assert len(event.reports) == 3
    one = article("one", "2019-05-10", ["Lavrov spoke."])
    add_event(one, 0, "010", LAVROV, None, "2019-05-10", plover="STATEMENT")
    other = article("other", "2019-05-10", ["Lavrov spoke again."])
    add_event(other, 0, "010", LAVROV, None, "2019-05-10", plover="STATEMENT")
    assert len(merge_events([one, other])) == 2


def test_actors_merge_by_id_and_unknown_people_by_name() -> None:
    a = article("a", "2015-10-08", ["x."], actors=(
        Actor("sergey-lavrov", "Sergei Lavrov", "person", "RUS", "RUSGOV"),
        Actor("a:p1", "Igor Morgulov", "person", "RUS", in_kb=False)))
    b = article("b", "2019-05-10", ["y."], actors=(
        Actor("sergey-lavrov", "Sergey Lavrov", "person", "RUS", "RUSGOV", aliases=["Lavrov"]),
        Actor("b:p7", "Igor Morgulov", "person", "RUS", in_kb=False)))
    table = merge_actors([b, a])
    assert set(table.actors) == {"sergey-lavrov", "person:igor morgulov"}
    lavrov = table.actors["sergey-lavrov"]
    assert lavrov.aliases == sorted({"Sergei Lavrov", "Sergey Lavrov", "Lavrov"} - {lavrov.name})
    assert table.resolve("b", "b:p7") is table.resolve("a", "a:p1")


# ----------------------------------------------------------------- order independence

_PEOPLE = [LAVROV, KONO, PUTIN, ABE, RUSSIA, JAPAN]
_DATES = ["2018-11-14", "2018-11", "2018", "2019-05-10", "2019-05", "2019-02-16", None]
_report = st.tuples(
    st.integers(0, 3),  # article
    st.sampled_from(["040", "043", "057", "173"]),
    st.sampled_from(_PEOPLE), st.sampled_from(_PEOPLE),
    st.sampled_from(_DATES),
    st.sampled_from([None, "Moscow", "Singapore"]),
)


def _build(reports: list[tuple]) -> list[Article]:
    articles = [article(f"art{n}", f"2019-0{n + 1}-01", [f"p{i}." for i in range(len(reports))])
                for n in range(4)]
    for number, (which, cameo, source, target, date, place) in enumerate(reports):
        add_event(articles[which], number, cameo, source, target, date, place=place)
    return articles


def _shape(events: list) -> list:
    return [(e.id, e.date, sorted((r["article_id"], r["event_id"]) for r in e.reports),
             e.cameo, e.conflicts) for e in events]


@settings(max_examples=150, deadline=None)
@given(reports=st.lists(_report, min_size=1, max_size=12), order=st.randoms(use_true_random=False))
def test_merged_timeline_does_not_depend_on_ingest_order(reports: list[tuple], order) -> None:
    articles = _build(reports)
    shuffled = list(articles)
    order.shuffle(shuffled)
    assert _shape(merge_events(shuffled)) == _shape(merge_events(articles))
