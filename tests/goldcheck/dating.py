"""Gold checker for the ``dating:`` section: value, precision, method, zone, and the
candidate years rejected on the way."""

from __future__ import annotations

from typing import Any

from parley.model import Article


def check(article: Article, expected: dict[str, Any]) -> None:
    published = article.published
    assert published is not None
    assert published.value == expected["value"]
    assert published.precision == expected["precision"]
    assert published.method == expected["method"]
    assert published.timezone == expected["timezone"]
    assert published.evidence, "a date always says how it was found"
    if "rejected" in expected:
        assert sorted(c.value for c in published.rejected) == expected["rejected"]
        assert all(c.reason for c in published.rejected)
