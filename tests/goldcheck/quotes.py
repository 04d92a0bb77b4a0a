"""Checker for the ``quotes:`` section of a golden record.

Keys (all optional):
  direct: [min, max]           number of direct quotes
  direct_speakers: [ids]       the set of speakers of direct quotes
  speakers_before: {anchor, speakers}   every quote starting before the first
                               occurrence of `anchor` has a speaker in `speakers`
  cues: [texts]                each cue text occurs among the quotes' cues
  kinds: {kind: min}           at least that many quotes of each kind
  expect: [{anchor, speaker, cue, kind}]   the quote whose content starts with the
                               few-word `anchor` has that speaker/cue/kind
  places: [city]               every quote's place is in this list
  dates: [iso]                 every quote's date is in this list
"""

from __future__ import annotations

from typing import Any


def check(article: Any, expected: dict[str, Any]) -> None:
    quotes = article.quotes
    direct = [q for q in quotes if q.kind == "direct"]
    if "direct" in expected:
        low, high = expected["direct"]
        assert low <= len(direct) <= high, f"{len(direct)} direct quotes, expected {low}-{high}"
    if "direct_speakers" in expected:
        speakers = {q.speaker_id for q in direct}
        assert speakers == set(expected["direct_speakers"]), f"direct speakers {speakers}"
    if "speakers_before" in expected:
        limit = article.text.index(expected["speakers_before"]["anchor"])
        allowed = set(expected["speakers_before"]["speakers"])
        for q in quotes:
            if q.span.start < limit:
                assert q.speaker_id in allowed, f"{q.text[:40]!r} by {q.speaker_id}"
    cues = {q.cue for q in quotes}
    for cue in expected.get("cues", []):
        assert cue in cues, f"cue {cue!r} not among {cues}"
    for kind, low in (expected.get("kinds") or {}).items():
        count = sum(q.kind == kind for q in quotes)
        assert count >= low, f"{count} {kind} quotes, expected at least {low}"
    for want in expected.get("expect", []):
        found = [q for q in quotes if q.text.startswith(want["anchor"])]
        assert found, f"no quote starting {want['anchor']!r}"
        q = found[0]
        for key in ("speaker", "cue", "kind"):
            if key in want:
                got = q.speaker_id if key == "speaker" else getattr(q, key)
                assert got == want[key], f"{want['anchor']!r}: {key} {got!r} != {want[key]!r}"
        assert article.text[q.span.start : q.span.end] == q.text
        if q.cue_span is not None:
            assert article.text[q.cue_span.start : q.cue_span.end] == q.cue
    for key, field in (("places", "place"), ("dates", "date")):
        if key in expected:
            got = {getattr(q, field) for q in quotes}
            assert got <= set(expected[key]), f"quote {field}s {got}"
