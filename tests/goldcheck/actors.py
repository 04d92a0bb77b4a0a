"""Checker for the ``actors:`` section of a golden record.

Keys (all optional):
  present: [actor ids]              each is in article.actors
  absent: [actor ids]               none is
  mentions: [{text, actor, nth}]    the nth (1-based) mention whose text is `text`
                                    resolves to `actor` (null = unresolved)
  offices: [{actor, office}]        some mention of `actor` carries that apposition
  holders: [{title, country, date, actor}]   KB office holder on that date
"""

from __future__ import annotations

from typing import Any


def check(article: Any, expected: dict[str, Any]) -> None:
    ids = {a.id for a in article.actors}
    for actor_id in expected.get("present", []):
        assert actor_id in ids, f"{actor_id} not among actors {sorted(ids)}"
    for actor_id in expected.get("absent", []):
        assert actor_id not in ids, f"{actor_id} should not be an actor"
    for want in expected.get("mentions", []):
        found = [m for m in article.mentions if m.text == want["text"]]
        nth = want.get("nth", 1)
        assert len(found) >= nth, f"mention {want['text']!r} #{nth} not found"
        got = found[nth - 1].actor_id
        assert got == want["actor"], f"{want['text']!r} #{nth} -> {got}, expected {want['actor']}"
        assert article.text[found[nth - 1].span.start : found[nth - 1].span.end] == want["text"]
    for want in expected.get("offices", []):
        offices = {m.office for m in article.mentions if m.actor_id == want["actor"]}
        assert want["office"] in offices, f"{want['actor']} offices seen: {offices}"
    if expected.get("holders"):
        from parley.knowledge import load_knowledge

        kb = load_knowledge()
        for want in expected["holders"]:
            holders = [a.id for a in kb.office_holders_at(want["title"], want["country"],
                                                          want["date"])]
            assert holders == [want["actor"]], f"{want}: got {holders}"
