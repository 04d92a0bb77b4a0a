"""Property tests over every stage that reads text (hypothesis).

Random Unicode, control characters, unbalanced and nested quotation marks and
brackets, very long lines and paragraphs, empty and whitespace-only text go
through reading, cleaning, dating, actors, time expressions, quotes, events and
the background step.  Properties: no unhandled exception (an unreadable text is an
``InputError`` with a reason; a stage failure recorded in ``article.errors`` counts
as a failure here), every span lies inside the text and points at the characters
it claims, and the same input gives the same record.

Examples per property: ``PARLEY_FUZZ_EXAMPLES`` (30 in the suite; the long run
``benchmarks/reliability_long.sh`` uses 500, with lines up to 20,000 words).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parley
from parley.errors import InputError
from parley.model import Article, Span, to_dict

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "30"))
#: repetitions in the longest generated line (spaCy's parse time grows with it)
LONGEST = int(os.environ.get("PARLEY_FUZZ_LONGEST", "4000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: fragments that reach deep into the stages: datelines, names, cues, dates, marks
FRAGMENTS = [
    "MOSCOW, May 10. /TASS/.", "TOKYO, October 8, 2015, 6:34 UTC+3.", "Sergey Lavrov",
    "Taro Kono", "the Russian diplomat", "he", "said", "told reporters", "stressed that",
    "on Friday", "last week", "in November 2018", "1956", "the 1990s", "next month",
    "met", "held talks with", "agreed to", "did not rule out", "demanded", "Japan", "Russia",
    "the Kuril Islands", "peace treaty", '"', "“", "”", "«", "»", "‘", "’", "'", "(", ")",
    "[", "]", "{", "}", ".", ",", ";", ":", "—", "\n", "\n\n", " ", "\t", "\x00", "\x0b",
    "\u202e", "\u200b", "\ufeff", "\u2028", "All news", "Show more", "© AP Photo/X",
    "1 pages in this article", "<p>", "</p>", "<script>", "&amp;", "%", "\\",
]

wordy = st.lists(st.sampled_from(FRAGMENTS) | st.text(min_size=1, max_size=12),
                 min_size=0, max_size=120).map(" ".join)
random_unicode = st.text(max_size=2000)
whitespace = st.text(alphabet=" \t\r\n\u00a0\u2003\u3000\x0b\x0c", max_size=200)
nested_marks = st.tuples(st.integers(1, 300), st.sampled_from(['"', "«", "(", "[", "“", "‘"])).map(
    lambda t: f"Sergey Lavrov said {t[1] * t[0]}talks on Friday{t[1] * (t[0] // 2)}")
long_line = st.tuples(st.sampled_from(["treaty ", "Lavrov said ", '"a" ', "(", "x"]),
                      st.integers(1_000, LONGEST)).map(lambda t: t[0] * t[1])
TEXTS = wordy | random_unicode | whitespace | nested_marks | long_line


def spans_of(article: Article) -> list[tuple[str, Span, str | None]]:
    """(what, span, the text it claims or None) for every span in the record."""
    found: list[tuple[str, Span, str | None]] = [
        ("paragraph", Span(p.start, p.end), None) for p in article.paragraphs]
    found += [("mention", m.span, m.text) for m in article.mentions]
    found += [("timex", t.span, t.text) for t in article.timexes]
    for q in article.quotes:
        found.append(("quote", q.span, q.text))
        if q.cue_span is not None:
            found.append(("cue", q.cue_span, q.cue))
        if q.speaker_span is not None:
            found.append(("speaker", q.speaker_span, q.speaker_text))
        if q.sentence_span is not None:
            found.append(("quote sentence", q.sentence_span, None))
    for e in article.events:
        found.append(("event sentence", e.sentence_span, None))
        if e.trigger_span is not None:
            found.append(("trigger", e.trigger_span, None))
    return found


def check_record(article: Article) -> None:
    assert article.errors == [], article.errors
    for what, span, claimed in spans_of(article):
        assert 0 <= span.start <= span.end <= len(article.text), (what, span, len(article.text))
        if claimed is not None:
            assert article.text[span.start:span.end] == claimed, (what, span, claimed)
    for paragraph in article.paragraphs:
        assert article.text[paragraph.start:paragraph.end].strip(), "an empty paragraph"


def process_or_refuse(text: str) -> Article | None:
    try:
        return parley.process(text, source="<fuzz>")
    except InputError as refused:
        assert str(refused).strip(), "a refusal must say why"
        return None


@pytest.mark.slow
@FUZZ
@given(TEXTS)
def test_any_text_is_processed_or_refused_with_spans_inside(text: str) -> None:
    article = process_or_refuse(text)
    if article is None:
        return
    check_record(article)
    again = process_or_refuse(text)
    assert again is not None and to_dict(again) == to_dict(article), "not deterministic"


@FUZZ
@given(st.sampled_from(["", " ", "\n\n\n", "\t\r\n", "\u00a0\u3000", "\x00", "\ufeff"]))
def test_empty_and_whitespace_yield_nothing(text: str) -> None:
    article = process_or_refuse(text)
    assert article is None or (not article.quotes and not article.events
                                and not article.mentions)


@pytest.mark.slow
@FUZZ
@given(st.lists(wordy, min_size=2, max_size=4))
def test_background_step_on_fuzzed_articles(texts: list[str]) -> None:
    from parley.analysis.timeline import compute_corpus

    articles = [a for a in map(process_or_refuse, texts) if a is not None]
    links, events = compute_corpus(articles)
    again = compute_corpus(list(reversed(articles)))
    assert sorted(map(repr, links)) == sorted(map(repr, again[0]))
    by_id = {a.id: a for a in articles}
    for link in links:
        assert 0.0 <= link.similarity <= 1.0 + 1e-9
        for article_id, index in ((link.article_id, link.paragraph_index),
                                  (link.earlier_article_id, link.earlier_paragraph_index)):
            assert article_id in by_id
            assert index == -1 or 0 <= index < len(by_id[article_id].paragraphs)
    assert len(events) >= 0
