"""Stated positions of each side over time, from quotes and reported speech, by issue.

A position is one stance (the words of a quote) by a speaker of one side,
filed under every issue whose keyword cues it contains (``issues.yaml`` in the
knowledge data, editable).  The same stance repeated in several articles (a
recycled background sentence, a quote carried by two outlets) is one position
with several sources: stances sharing 80 % of their word trigrams are merged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from parley.analysis.background import article_order_key, overlap_coefficient, shingle_hashes
from parley.analysis.merge import actor_side, merge_actors
from parley.analysis.timeline import parse_dyad
from parley.errors import KnowledgeError
from parley.model import Article
from parley.settings import Settings
from parley.store.base import Store

SAME_STANCE = 0.8
OTHER = "other"


@dataclass
class Issue:
    id: str
    label: str
    patterns: list[re.Pattern[str]]

    def matches(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.patterns)


@dataclass
class Position:
    issue: str
    issue_label: str
    side: str
    speaker: str
    speaker_id: str
    stance: str
    kind: str
    date: str | None
    #: every report: article_id, quote_id, published, title
    sources: list[dict[str, Any]] = field(default_factory=list)


def _cue_pattern(cue: str) -> re.Pattern[str]:
    stem = re.escape(cue.rstrip("*"))
    ending = r"\w*" if cue.endswith("*") else r"\b"
    return re.compile(rf"(?<!\w){stem}{ending}", re.IGNORECASE)


def load_issues(knowledge_dir: Path | None = None) -> list[Issue]:
    """The issues and their cues: ``issues.yaml`` in ``knowledge_dir`` or the packaged one."""
    if knowledge_dir is not None and (Path(knowledge_dir) / "issues.yaml").is_file():
        source = (Path(knowledge_dir) / "issues.yaml").read_text(encoding="utf-8")
        name = str(Path(knowledge_dir) / "issues.yaml")
    else:
        ref = resources.files("parley.knowledge") / "data" / "issues.yaml"
        source, name = ref.read_text(encoding="utf-8"), "issues.yaml"
    try:
        entries = yaml.safe_load(source) or []
        return [
            Issue(str(e["id"]), str(e.get("label", e["id"])),
                  [_cue_pattern(str(cue)) for cue in e["cues"]])
            for e in entries
        ]
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise KnowledgeError(f"{name}: each issue needs an id and a list of cues ({exc})") from None


def stated_positions(
    articles: Iterable[Article], a: str, b: str, issues: list[Issue] | None = None
) -> list[Position]:
    """Positions of the two sides ``a`` and ``b`` (country codes), by issue then date."""
    issues = issues if issues is not None else load_issues()
    sides = parse_dyad((a, b)) or frozenset()
    ordered = sorted(articles, key=article_order_key)
    actors = merge_actors(ordered)
    found: list[tuple[Position, Any]] = []
    for article in ordered:
        published = article.published.value if article.published else None
        for quote in article.quotes:
            speaker = actors.resolve(article.id, quote.speaker_id)
            side = actor_side(speaker)
            if speaker is None or side not in sides or not quote.text.strip():
                continue
            context = quote.text
            if quote.kind == "indirect" and quote.sentence_span is not None:
                context = quote.sentence_span.slice(article.text)
            matched = [issue for issue in issues if issue.matches(context)]
            labels = [(i.id, i.label) for i in matched] or [(OTHER, "Other statements")]
            source = {"article_id": article.id, "quote_id": quote.id,
                      "published": published, "title": article.title}
            hashes = shingle_hashes(quote.text)
            for issue_id, label in labels:
                same = next(
                    (p for p, h in found
                     if p.issue == issue_id and p.speaker_id == speaker.id
                     and _same_stance(hashes, h, p.stance, quote.text)),
                    None,
                )
                if same is not None:
                    same.sources.append(source)
                    continue
                found.append((
                    Position(
                        issue=issue_id, issue_label=label, side=side or "", speaker=speaker.name,
                        speaker_id=speaker.id, stance=quote.text.strip(), kind=quote.kind,
                        date=quote.date or (published[:10] if published else None),
                        sources=[source],
                    ),
                    hashes,
                ))
    order = {issue.id: n for n, issue in enumerate(issues)}
    positions = [p for p, _ in found]
    return sorted(positions, key=lambda p: (order.get(p.issue, len(order)), p.date or "~",
                                            p.side, p.speaker_id, p.stance))


def _same_stance(a: Any, b: Any, text_a: str, text_b: str) -> bool:
    if len(a) == 0 or len(b) == 0:
        return text_a.strip().lower() == text_b.strip().lower()
    return overlap_coefficient(a, b) >= SAME_STANCE


def store_positions(
    store: Store, a: str, b: str, settings: Settings | None = None
) -> list[Position]:
    issues = load_issues(settings.knowledge_dir if settings else None)
    return stated_positions(store.iter_articles(), a, b, issues)
