"""Golden facts across the five real seeds, through the whole per-article pipeline."""

from __future__ import annotations

import pytest

from parley.analysis.background import background_paragraphs
from parley.analysis.positions import stated_positions
from parley.analysis.timeline import compute_corpus, event_sources


@pytest.fixture(scope="module")
def corpus(processed_seeds: dict) -> tuple:
    articles = dict(processed_seeds)
    links, events = compute_corpus(articles.values())
    return articles, links, events


def _sources(event) -> set[str]:
    return {s["article_id"] for s in event_sources(event)}


def test_recycled_box_of_000_003_004_is_linked_with_004_first(corpus: tuple) -> None:
    seeds, links, _ = corpus
    ids = {number: article.id for number, article in seeds.items()}
    pairs = {(lk.article_id, lk.earlier_article_id) for lk in links}
    assert {(ids["000"], ids["004"]), (ids["003"], ids["004"])} <= pairs
    assert (ids["003"], ids["000"]) in pairs or (ids["000"], ids["003"]) in pairs
    assert not any(lk.article_id == ids["004"] and lk.earlier_article_id in (ids["000"], ids["003"])
                   for lk in links)
    recycled = background_paragraphs(links)
    assert ids["001"] not in recycled and len(recycled[ids["000"]]) >= 3


def test_may_2019_talks_are_one_event_with_both_sides(corpus: tuple) -> None:
    seeds, _, events = corpus
    both = {seeds["000"].id, seeds["003"].id}
    (talks,) = [e for e in events if e.date == "2019-05-10" and both <= _sources(e)]
    assert {talks.source_country, talks.target_country} == {"RUS", "JPN"}
    speakers = {q["speaker_id"] for q in talks.quotes}
    assert {"sergey-lavrov", "taro-kono"} <= speakers


def test_singapore_meeting_gathers_three_seeds(corpus: tuple) -> None:
    _, _, events = corpus
    singapore = [e for e in events if e.date == "2018-11-14" and len(_sources(e)) >= 3]
    assert singapore
    assert all(s["reporting"] == "background" for e in singapore for s in event_sources(e))


def test_timeline_is_sorted_and_every_report_is_traceable(corpus: tuple) -> None:
    seeds, _, events = corpus
    dates = [e.date for e in events if e.date]
    assert dates == sorted(dates)
    known = {article.id for article in seeds.values()}
    assert all(r["article_id"] in known for e in events for r in e.reports)


def test_positions_of_each_side(corpus: tuple) -> None:
    seeds, _, _ = corpus
    found = stated_positions(seeds.values(), "RUS", "JPN")
    sides = {p.side for p in found}
    assert sides == {"RUS", "JPN"}
    assert any(p.issue == "wwii_outcome" and p.side == "RUS" for p in found)
    assert all(p.sources and p.date for p in found)


def test_timeline_json_has_one_entry_per_occasion(corpus: tuple) -> None:
    """Issue 4's acceptance: one 2019-05-10 entry with both sides' reports, one
    2018-11-14 entry (meeting and agreement of one sentence) with three seeds."""
    import json

    from parley.analysis.timeline import format_timeline

    seeds, _, events = corpus
    records = json.loads(format_timeline(events, "json"))
    both = {seeds["000"].id, seeds["003"].id}
    (talks,) = [r for r in records if r["date"] == "2019-05-10"]
    assert both <= {s["article_id"] for s in talks["sources"]}
    # each minister's remarks after the talks are part of that occasion
    assert {a["plover"] for a in talks["actions"]} >= {"STATEMENT"}
    (singapore,) = [r for r in records if r["date"] == "2018-11-14"]
    assert len(singapore["sources"]) >= 3 and singapore["cameo"].startswith("04")
    assert {a["plover"] for a in singapore["actions"]} == {"AGREE"}
