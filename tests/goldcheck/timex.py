"""Golden check for the ``timex:`` section: expected expressions with their normalisation.

Each expected item names the expression by its (short) text, and ``nth`` when the same
words occur more than once; ``value``, ``granularity``, ``relation``, ``mod`` are checked
when given.  ``min_count`` bounds the number of expressions found from below.
"""

from __future__ import annotations

from typing import Any

from parley.model import Article


def check(article: Article, expected: dict[str, Any]) -> None:
    found = article.timexes
    assert len(found) >= expected.get("min_count", 0), f"only {len(found)} time expressions"
    for item in expected.get("items", []):
        same_text = [t for t in found if t.text == item["text"]]
        nth = item.get("nth", 1)
        assert len(same_text) >= nth, f"time expression {item['text']!r} (#{nth}) not found"
        timex = same_text[nth - 1]
        for key in ("value", "granularity", "relation", "mod", "type"):
            if key in item:
                assert getattr(timex, key) == item[key], (
                    f"{item['text']!r}: {key} is {getattr(timex, key)!r}, expected {item[key]!r}"
                )
    for text in expected.get("absent", []):
        assert not [t for t in found if t.text == text], f"{text!r} must not be a time expression"
