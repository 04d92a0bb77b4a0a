"""The scorers on tiny hand-made examples, independent of the pipeline:
a perfect prediction scores 1.0, an empty one 0.0, a known partial case its exact figure."""

from __future__ import annotations

import pytest

from parley.eval import entities, events, extraction, quotes, timeline, timex
from parley.eval.common import PRF, accuracy, fast_subset, macro_f1, match_spans
from parley.eval.library import relocate
from parley.model import Article, Event, Span

# --------------------------------------------------------------------------- common

def test_match_spans_exact_and_overlap() -> None:
    gold = [(0, 10), (20, 30)]
    assert match_spans(gold, gold, exact=True).f1 == 1.0
    assert match_spans([], gold, exact=False).f1 == 0.0
    partial = match_spans([(0, 10), (22, 25), (40, 45)], gold, exact=True)
    assert (partial.precision, partial.recall) == (pytest.approx(1 / 3), 0.5)
    loose = match_spans([(0, 10), (22, 25), (40, 45)], gold, exact=False)
    assert (loose.precision, loose.recall) == (pytest.approx(2 / 3), 1.0)
    assert loose.f1 == pytest.approx(0.8)


def test_prf_of_nothing_is_zero_not_an_error() -> None:
    assert (PRF().precision, PRF().recall, PRF().f1) == (0.0, 0.0, 0.0)


def test_macro_f1_and_accuracy() -> None:
    pairs = [("A", "A"), ("A", "B"), ("B", "B"), ("C", "none")]
    assert accuracy(pairs) == 0.5
    # A: P 1, R .5 -> .667; B: P .5, R 1 -> .667; C: 0
    assert macro_f1(pairs, ["A", "B", "C"]) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)


def test_fast_subset_is_fixed_and_ordered() -> None:
    items = list(range(100))
    first, second = fast_subset(items, 10), fast_subset(items, 10)
    assert first == second == sorted(first) and len(first) == 10
    assert fast_subset(items[:5], 10) == items[:5]


def test_relocate_maps_cleaned_spans_back() -> None:
    original = "Menu\nHome\n\nThe minister  said talks\nwent well."
    article = Article(id="a", text="The minister said talks went well.")
    start = article.text.index("talks went")
    assert relocate(article, start, start + len("talks went"), original) == (
        original.index("talks"), original.index("went") + 4)
    assert relocate(article, 0, 0, original) is None


# --------------------------------------------------------------------------- quotes

TEXT = 'Aides met. "We will talk," the minister said. He added that it was "still hard".'


def _gold_quotes() -> list[quotes.GoldQuote]:
    t = TEXT
    return [
        quotes.GoldQuote([(t.index('"We'), t.index("minister") - 5)],
                         [(t.index("the minister"), t.index("minister") + 8)], direct=True),
        quotes.GoldQuote([(t.index("that it"), len(t) - 1)], [(t.index("He"), t.index("He") + 2)],
                         direct=False),
    ]


def test_quotes_perfect_and_empty() -> None:
    gold = _gold_quotes()
    perfect = [quotes.PredictedQuote(g.contents[0], g.sources[0], None, g.direct) for g in gold]
    result = quotes.score([quotes.GoldDoc("d", TEXT, None, gold)], [perfect])
    assert result["all"].overlap.f1 == 1.0 and result["all"].exact.f1 == 1.0
    assert result["all"].speaker_right == result["all"].speaker_matched == 2
    assert result["direct"].overlap.n_gold == 1 and result["direct"].overlap.f1 == 1.0
    empty = quotes.score([quotes.GoldDoc("d", TEXT, None, gold)], [[]])
    assert empty["all"].overlap.f1 == 0.0 and empty["all"].speaker_matched == 0


def test_quotes_partial_case() -> None:
    gold = _gold_quotes()
    t = TEXT
    inner = (t.index("We"), t.index("talk") + 4)  # quote marks trimmed: still exact
    wrong_speaker = quotes.PredictedQuote(inner, (0, 5), "Someone Else", True)
    spurious = quotes.PredictedQuote((0, 9), None, None, False)
    result = quotes.score([quotes.GoldDoc("d", t, None, gold)], [[wrong_speaker, spurious]])
    everything = result["all"]
    assert (everything.overlap.precision, everything.overlap.recall) == (0.5, 0.5)
    assert everything.exact.tp_gold == 1
    assert (everything.speaker_right, everything.speaker_matched) == (0, 1)


def test_speaker_by_resolved_name() -> None:
    gold = _gold_quotes()[1]  # source "He"
    named = quotes.PredictedQuote(gold.contents[0], None, "Sergey Lavrov", False)
    assert not quotes._speaker_right(named, gold, TEXT)
    text = TEXT.replace("He added", "Lavrov added")
    source = (text.index("Lavrov"), text.index("Lavrov") + 6)
    gold_lavrov = quotes.GoldQuote(gold.contents, [source], False)
    assert quotes._speaker_right(named, gold_lavrov, text)


# --------------------------------------------------------------------------- timex

TIMEML = (
    '<?xml version="1.0" ?>\n<TimeML><DOCID>x</DOCID>\n'
    '<DCT><TIMEX3 tid="t0" type="DATE" value="2019-05-10">x</TIMEX3></DCT>\n'
    '<TEXT>Talks on <TIMEX3 tid="t1" type="DATE" value="2019-05-10">Friday</TIMEX3> '
    '<EVENT eid="e1">ended</EVENT>; more in '
    '<TIMEX3 tid="t2" type="DATE" value="2019-06">June</TIMEX3>.</TEXT>\n</TimeML>'
)


def test_timeml_parsing() -> None:
    doc = timex.parse_timeml(TIMEML, "x")
    assert doc.published == "2019-05-10"
    assert doc.text == "Talks on Friday ended; more in June."
    assert [(doc.text[s:e], t.value) for t in doc.timexes for s, e in [t.span]] == [
        ("Friday", "2019-05-10"), ("June", "2019-06")]


def test_timex_perfect_empty_partial() -> None:
    doc = timex.parse_timeml(TIMEML, "x")
    perfect = timex.score([doc], [doc.timexes])
    assert perfect.strict.f1 == perfect.relaxed.f1 == perfect.value.f1 == 1.0
    assert timex.score([doc], [[]]).relaxed.f1 == 0.0
    friday, june = doc.timexes
    predicted = [timex.GoldTimex((friday.span[0] - 3, friday.span[1]), "2019-05-10"),  # "on Friday"
                 timex.GoldTimex(june.span, "2019-07")]  # wrong value
    counts = timex.score([doc], [predicted])
    assert counts.strict.f1 == 0.5
    assert counts.relaxed.f1 == 1.0
    assert counts.value.f1 == 0.5


CAT = """<Document doc_id="1"><token t_id="1" sentence="0">Title</token>
<token t_id="2" sentence="1">May</token><token t_id="3" sentence="1">7</token>
<token t_id="4" sentence="1">,</token><token t_id="5" sentence="1">2005</token>
<token t_id="6" sentence="2">It</token><token t_id="7" sentence="2">rained</token>
<token t_id="8" sentence="2">.</token>
<Markables><TIMEX3 m_id="9" type="DATE" value="2005-05-07" functionInDocument="CREATION_TIME">
<token_anchor t_id="2"/><token_anchor t_id="3"/><token_anchor t_id="4"/><token_anchor t_id="5"/>
</TIMEX3><TIMEX3 m_id="10" type="DATE" value="2005-04-30"/></Markables></Document>"""


def test_meantime_parsing() -> None:
    doc, _, offsets = timex.parse_cat(CAT, "1")
    assert doc.text == "Title\n\nMay 7, 2005\n\nIt rained."
    assert doc.published == "2005-05-07"
    assert len(doc.timexes) == 1  # the anchorless one is not in the text
    start, end = doc.timexes[0].span
    assert doc.text[start:end] == "May 7, 2005"
    assert doc.text[slice(*offsets["7"])] == "rained"


# --------------------------------------------------------------------------- events

def test_plover_labels_and_country_codes() -> None:
    assert events.plover_label("DEMAND") == "REQUEST"
    assert events.plover_label("consult") == "CONSULT"
    assert events.plover_label(None) == "none"
    assert events.country_code("JAPGOV") == "JPN"
    assert events.country_code("RUS") == "RUS"
    assert events.country_code("IGO") is None


def test_plover_scoring() -> None:
    records = [events.PloverRecord("1", "s", "CONSULT", {"RUS"}, {"JPN"}),
               events.PloverRecord("2", "s", "ACCUSE", {"USA"}, set()),
               events.PloverRecord("3", "s", "REQUEST", set(), set())]
    perfect = [events.Prediction("CONSULT", "RUS", "JPN"), events.Prediction("ACCUSE", "USA"),
               events.Prediction("REQUEST")]
    figures = {r.measure: r for r in events.score_plover(records, perfect)}
    assert figures["event-type accuracy"].value == 1.0
    assert figures["event-type macro-F1"].f1 == 1.0
    assert figures["source country accuracy"].value == 1.0
    assert figures["target country accuracy"].value == 1.0
    nothing = [events.Prediction() for _ in records]
    figures = {r.measure: r for r in events.score_plover(records, nothing)}
    assert figures["event-type accuracy"].value == 0.0 and figures["event-type macro-F1"].f1 == 0.0
    partial = [events.Prediction("CONSULT", "JPN", "JPN"), events.Prediction("CONSULT", "USA"),
               events.Prediction()]
    figures = {r.measure: r for r in events.score_plover(records, partial)}
    assert figures["event-type accuracy"].value == pytest.approx(1 / 3)
    # CONSULT: P .5 R 1 -> 2/3; ACCUSE 0; REQUEST 0
    assert figures["event-type macro-F1"].f1 == pytest.approx((2 / 3) / 3)
    assert figures["source country accuracy"].value == 0.5
    assert figures["source country accuracy"].support == 2


def _event(n: int, plover: str, start: int) -> Event:
    return Event(id=f"e{n}", cameo="010", plover=plover, quad_class=0, goldstein=0.0,
                 source_id=None, target_id=None, sentence_span=Span(0, 40), trigger="w",
                 trigger_span=Span(start, start + 1))


def test_main_event_skips_the_framing_statement() -> None:
    said, attack, consult = (_event(1, "STATEMENT", 5), _event(2, "ASSAULT", 20),
                             _event(3, "CONSULT", 30))
    article = Article(id="a", text="x" * 40, events=[consult, attack, said])
    assert events.main_event(article) is attack  # the first non-statement, in text order
    only_said = Article(id="b", text="x" * 40, events=[said])
    assert events.main_event(only_said) is said
    assert events.main_event(Article(id="c", text="")) is None


def test_conflibert_scoring() -> None:
    gold = ["0", "1", "3", "4"]
    rows = {r.measure: r for r in events.score_conflibert(gold, gold)}
    assert rows["5-class accuracy"].value == 1.0
    rows = {r.measure: r for r in events.score_conflibert(gold, ["none"] * 4)}
    assert rows["5-class accuracy"].value == 0.0
    assert rows["sentences with an event"].value == 0.0
    rows = {r.measure: r for r in events.score_conflibert(gold, ["0", "1", "4", "none"])}
    assert rows["5-class accuracy"].value == 0.5


# --------------------------------------------------------------------------- entities

def test_entity_scoring_and_country_types() -> None:
    gold = [entities.GoldEntity((0, 5), "Location"), entities.GoldEntity((10, 16), "Person"),
            entities.GoldEntity((20, 30), "Organisation")]
    doc = entities.GoldDoc("d", "x" * 40, gold)
    perfect = [entities.PredictedEntity((0, 5), ("Location", "Organisation")),
               entities.PredictedEntity((10, 16), ("Person",)),
               entities.PredictedEntity((20, 30), ("Location", "Organisation"))]
    counts = entities.score([doc], [perfect])
    overall = {r.measure: r for r in entities.rows(counts)}
    assert overall["overall exact"].f1 == 1.0
    assert overall["Organisation exact"].f1 == 1.0  # the country took the gold's type here
    assert entities.rows(entities.score([doc], [[]]))[-1].f1 == 0.0
    partial = [entities.PredictedEntity((10, 14), ("Person",)),
               entities.PredictedEntity((32, 36), ("Organisation",))]
    rows = {r.measure: r for r in entities.rows(entities.score([doc], [partial]))}
    assert rows["Person overlap"].f1 == 1.0 and rows["Person exact"].f1 == 0.0
    assert rows["overall overlap"].precision == 0.5
    assert rows["overall overlap"].recall == pytest.approx(1 / 3)


# --------------------------------------------------------------------------- extraction

def test_shingle_scores() -> None:
    reference = "one two three four five six"
    assert extraction.page_scores(reference, reference) == (1.0, 1.0, 1.0)
    assert extraction.page_scores(reference, "") == (0.0, 0.0, 0.0)
    assert extraction.page_scores("", "") == (1.0, 1.0, 1.0)
    # reference shingles: 3; extracted "one two three four five" has 2, both right
    p, r, f = extraction.page_scores(reference, "one two three four five")
    assert (p, r) == (1.0, pytest.approx(2 / 3)) and f == pytest.approx(0.8)
    rows = extraction.score([(1.0, 1.0, 1.0), (0.0, 0.0, 0.0)])
    assert rows[0].f1 == 0.5


# --------------------------------------------------------------------------- timeline

GOLD_TIMELINE = ("Entity\n0\tXXXX-XX-XX\t1-3-x\n1\t2008\t1-1-a\t2-1-a\n"
                 "2\t2009-05\t1-2-b\n3\t2010\t2-4-c\n")


def test_timeline_format_round_trip() -> None:
    parsed = timeline.parse_timeline(GOLD_TIMELINE)
    assert parsed.entity == "Entity" and len(parsed.lines) == 4
    assert timeline.format_timeline(parsed) == GOLD_TIMELINE


def test_temporal_awareness() -> None:
    gold = timeline.parse_timeline(GOLD_TIMELINE)
    # explicit: S(1-1-a,2-1-a), B a->b twice, B b->c, and each of the 4 mentions S its
    # anchor (T:2008, T:2009-05, T:2010): 8 relations
    assert len(timeline.explicit_relations(gold)) == 8
    # closure over 7 nodes in 3 classes of sizes 3, 2, 2: S 3+1+1, B 3*2+3*2+2*2
    assert len(timeline.closure_relations(gold)) == 5 + 16
    assert timeline.temporal_awareness(gold, gold) == (1.0, 1.0, 1.0)
    assert timeline.temporal_awareness(gold, timeline.Timeline("Entity")) == (0.0, 0.0, 0.0)
    only_zero = timeline.parse_timeline("Entity\n0\tXXXX-XX-XX\t1-1-a\t1-2-b\n")
    assert timeline.temporal_awareness(gold, only_zero) == (0.0, 0.0, 0.0)
    # system: a(1-1-a) before c, each on its date: 3 explicit relations, all implied by
    # the gold -> P 1; recall: of the gold's 8, the two anchor links of a and c -> 2/8
    system = timeline.parse_timeline("Entity\n1\t2008\t1-1-a\n2\t2010\t2-4-c\n")
    assert timeline.temporal_awareness(gold, system) == (1.0, 0.25, 0.4)
    # system a < b < c (drops 2-1-a, dates b 2009 where the gold says 2009-05): explicit
    # B a<b, B b<c, S a~2008, S b~2009, S c~2010; all but S b~2009 verified -> P 4/5;
    # recall: B a<b, B b<c, S a~2008, S c~2010 of the gold's 8 -> 4/8
    system = timeline.parse_timeline("Entity\n1\t2008\t1-1-a\n2\t2009\t1-2-b\n3\t2010\t2-4-c\n")
    p, r, f = timeline.temporal_awareness(gold, system)
    assert (p, r) == (0.8, 0.5) and f == pytest.approx(2 * 0.8 * 0.5 / 1.3)


def test_time_anchors_and_inconsistent_links() -> None:
    assert timeline.anchor_node("2007-09-XX") == "T:2007-09"
    assert timeline.anchor_node("2010-06-07") == "T:2010-06-07"
    assert timeline.anchor_node("XXXX-XX-XX") is None
    # one date on two ordinals: x before y, so y cannot also be simultaneous with the
    # date x already holds; that link is dropped, the ordering kept
    same_day = timeline.parse_timeline("E\n1\t2005-06-06\t1-1-x\n2\t2005-06-06\t1-2-y\n")
    assert timeline.explicit_relations(same_day) == {
        ("B", "1-1-x", "1-2-y"), ("S", "1-1-x", "T:2005-06-06")}
    # undated but ordered mentions are ordered, with no anchor
    undated = timeline.parse_timeline("E\n1\tXXXX-XX-XX\t1-1-x\n2\t2006\t1-2-y\n")
    assert timeline.closure_relations(undated) == {
        ("B", "1-1-x", "1-2-y"), ("B", "1-1-x", "T:2006"), ("S", "1-2-y", "T:2006")}


def test_micro_average_sums_relations_over_timelines() -> None:
    big = timeline.AwarenessCounts(system_verified=9, system=10, gold_found=9, gold=10)
    small = timeline.AwarenessCounts(system_verified=0, system=10, gold_found=0, gold=10)
    assert (big + small).scores() == (0.45, 0.45, pytest.approx(0.45))


def test_build_timeline_orders_merged_events() -> None:
    clusters = [
        timeline.Cluster("2010-06-07", ["2-4-unveiled"], ["Apple unveiled the iPhone 4."]),
        timeline.Cluster("2008-06-09", ["1-2-launched", "3-1-launch"],
                         ["The iPhone 3G launched.", "Its launch of the iPhone 3G"]),
        timeline.Cluster(None, ["1-5-said"], ["iPhone 3G buyers said so."]),
        timeline.Cluster("2009-01-01", ["4-1-rose"], ["Shares rose."]),  # not about it
    ]
    built = timeline.build_timeline("iPhone 3G", clusters)
    assert [(line.ordinal, line.mentions) for line in built.lines] == [
        (0, ["1-5-said"]), (1, ["1-2-launched", "3-1-launch"])]
    assert timeline.entity_names("Steve Jobs") == ["Steve Jobs", "Jobs"]
    assert timeline.entity_names("Beatles Apple Corps") == ["Beatles Apple Corps", "Apple Corps"]
