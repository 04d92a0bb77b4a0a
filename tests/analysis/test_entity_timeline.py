"""Entity timelines from raw text: mentions (with simple coreference), the events the
entity takes part in, their dates, and the merge across articles."""

from __future__ import annotations

import pytest

from parley.analysis.entity_timeline import (
    EntityEvent,
    entity_events,
    entity_mentions,
    merge_entity_events,
    name_variants,
)
from parley.model import Article, PublicationDate, Span, TimeExpr
from parley.nlp import load_pipeline
from parley.settings import Settings


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline(Settings().spacy_model)


def _mentioned(nlp, text: str, entity: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [text[s.start:s.end] for s in entity_mentions(nlp(text), entity)]


def test_name_variants() -> None:
    assert name_variants("Steve Jobs") == ["Steve Jobs", "Jobs"]
    assert name_variants("Beatles Apple Corps") == ["Beatles Apple Corps", "Apple Corps"]
    assert name_variants("iPod") == ["iPod"]


def test_mentions_names_surnames_and_pronouns(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Chief executive Steve Jobs spoke on Monday. Later Jobs said he was pleased."
    assert _mentioned(nlp, text, "Steve Jobs") == ["Steve Jobs", "Jobs", "he"]
    # the words of a name in order, inside a longer name
    assert _mentioned(nlp, "Users left the iTunes Music Store.", "iTunes store") == [
        "iTunes Music Store"]


def test_a_pronoun_after_another_person_is_not_the_entity(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Steve Jobs left. Then Tim Cook arrived and he spoke."
    assert _mentioned(nlp, text, "Steve Jobs") == ["Steve Jobs"]


def test_no_mention_no_event(nlp) -> None:  # type: ignore[no-untyped-def]
    article = Article(id="a", text="The minister met his counterpart in Tokyo on Friday.")
    assert entity_mentions(nlp(article.text), "Steve Jobs") == []
    assert entity_events(article, "Steve Jobs", nlp) == []


def test_events_of_the_entity_dated(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("Steve Jobs unveiled the phone and demoed its camera. "
            "Jobs founded the company in 1976. Analysts were pleased.")
    year = text.index("1976")
    article = Article(
        id="a", text=text,
        published=PublicationDate("2010-06-08", "day", "explicit"),
        timexes=[TimeExpr("1976", Span(year, year + 4), "1976", granularity="year")])
    events = entity_events(article, "Steve Jobs", nlp)
    found = {(e.trigger, e.date, e.date_source) for e in events}
    assert ("unveiled", "2010-06-08", "publication") in found
    assert ("demoed", "2010-06-08", "publication") in found  # shares the subject
    assert ("founded", "1976", "timex") in found
    assert not any(e.lemma == "please" for e in events)  # analysts, not Jobs


def test_a_date_under_a_verbless_root_anchors_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Steve Jobs. June 6, 2005."
    start = text.index("June")
    article = Article(id="a", text=text,
                      timexes=[TimeExpr("June 6, 2005", Span(start, start + 12), "2005-06-06")])
    assert entity_events(article, "Steve Jobs", nlp) == []


def _event(article: str, lemma: str, date: str | None) -> EntityEvent:
    return EntityEvent(article, lemma, lemma, Span(0, 1), Span(0, 10), date)


def test_merge_across_articles_by_lemma_and_date() -> None:
    merged = merge_entity_events([
        _event("b", "unveil", "2010-06-07"), _event("a", "unveil", "2010-06-07"),
        _event("a", "found", "1976"), _event("a", "say", None), _event("b", "say", None)])
    assert [(e.date, e.lemma, len(e.mentions)) for e in merged] == [
        ("1976", "found", 1), ("2010-06-07", "unveil", 2), (None, "say", 1), (None, "say", 1)]
