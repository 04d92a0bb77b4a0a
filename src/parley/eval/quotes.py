"""Quotes and attributions on PolNeAR (Newell, Margolin, Ruths 2018), dev split.

Scoring rules (``../shared/eval/README.md``): a predicted quote matches a gold
attribution when their *content* spans overlap; content precision/recall/F1 is
reported with overlap matching and with exact matching; speaker accuracy is
measured on matched gold attributions (correct when the predicted speaker span
overlaps a gold source span, or the resolved speaker's surname occurs in it).
Direct quotes (gold ``direct: true`` against our ``direct`` and ``partial``
quotes) and all attributions are reported separately.

Exact matching compares boundaries after trimming whitespace, quotation marks and
final punctuation on both sides (annotators differ on whether those belong in).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from parley.eval.common import PRF, Row, Table, fast_subset, overlaps, prf_row, require
from parley.eval.library import Document, process_documents, relocate
from parley.model import Article
from parley.settings import Settings

FAST_DOCS = 12
_TRIM = " \t\n\r\"'“”‘’«»,.;:—–-"


@dataclass
class GoldQuote:
    contents: list[tuple[int, int]]
    sources: list[tuple[int, int]]
    direct: bool


@dataclass
class GoldDoc:
    id: str
    text: str
    published: str | None
    quotes: list[GoldQuote] = field(default_factory=list)


@dataclass
class PredictedQuote:
    content: tuple[int, int]
    speaker: tuple[int, int] | None
    speaker_name: str | None
    direct: bool


def load(eval_root: Path, fast: bool = False) -> list[GoldDoc]:
    path = require(eval_root / "polnear" / "dev.jsonl")
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        quotes = [
            GoldQuote(
                contents=[(c["start"], c["end"]) for c in q["contents"]],
                sources=[(s["start"], s["end"]) for s in q["sources"]],
                direct=bool(q["direct"]),
            )
            for q in record["quotes"]
        ]
        docs.append(GoldDoc(record["id"], record["text"], record.get("publication_date"), quotes))
    return fast_subset(docs, FAST_DOCS) if fast else docs


def predicted_quotes(article: Article, original: str) -> list[PredictedQuote]:
    """parley's quotes with spans mapped back onto the original text."""
    found = []
    for quote in article.quotes:
        content = relocate(article, quote.span.start, quote.span.end, original)
        if content is None:
            continue
        speaker = None
        if quote.speaker_span is not None:
            speaker = relocate(article, quote.speaker_span.start, quote.speaker_span.end, original)
        actor = article.actor(quote.speaker_id)
        name = actor.name if actor is not None else quote.speaker_text
        found.append(PredictedQuote(content, speaker, name, quote.kind in ("direct", "partial")))
    return found


def _trim(span: tuple[int, int], text: str) -> tuple[int, int]:
    start, end = span
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _extent(spans: list[tuple[int, int]]) -> tuple[int, int]:
    return min(s for s, _ in spans), max(e for _, e in spans)


def _content_match(pred: PredictedQuote, gold: GoldQuote, text: str, exact: bool) -> bool:
    if not gold.contents:
        return False
    if exact:
        return _trim(pred.content, text) == _trim(_extent(gold.contents), text)
    return any(overlaps(pred.content, c) for c in gold.contents)


def _speaker_right(pred: PredictedQuote, gold: GoldQuote, text: str) -> bool:
    if pred.speaker is not None and any(overlaps(pred.speaker, s) for s in gold.sources):
        return True
    if pred.speaker_name:
        surname = pred.speaker_name.split()[-1].lower()
        return any(surname in text[s:e].lower().split() for s, e in gold.sources)
    return False


@dataclass
class QuoteCounts:
    overlap: PRF = field(default_factory=PRF)
    exact: PRF = field(default_factory=PRF)
    speaker_right: int = 0
    speaker_matched: int = 0


def score_document(
    text: str, gold: list[GoldQuote], predicted: list[PredictedQuote], counts: QuoteCounts
) -> None:
    """Add one document's matches to ``counts`` (gold and predictions already filtered)."""
    for exact, prf in ((False, counts.overlap), (True, counts.exact)):
        prf.n_pred += len(predicted)
        prf.n_gold += len(gold)
        prf.tp_pred += sum(1 for p in predicted if any(_content_match(p, g, text, exact)
                                                       for g in gold))
        prf.tp_gold += sum(1 for g in gold if any(_content_match(p, g, text, exact)
                                                  for p in predicted))
    for g in gold:
        matches = [p for p in predicted if _content_match(p, g, text, exact=False)]
        if matches:
            counts.speaker_matched += 1
            counts.speaker_right += any(_speaker_right(p, g, text) for p in matches)


def score(
    docs: list[GoldDoc], predictions: list[list[PredictedQuote]]
) -> dict[str, QuoteCounts]:
    """Counts for ``direct`` and ``all`` over aligned documents and predictions."""
    result = {"direct": QuoteCounts(), "all": QuoteCounts()}
    for doc, predicted in zip(docs, predictions, strict=True):
        score_document(doc.text, doc.quotes, predicted, result["all"])
        score_document(doc.text, [q for q in doc.quotes if q.direct],
                       [p for p in predicted if p.direct], result["direct"])
    return result


def rows(result: dict[str, QuoteCounts]) -> list[Row]:
    out = []
    for subset, counts in result.items():
        out.append(prf_row("PolNeAR dev", f"{subset} content overlap", counts.overlap))
        out.append(prf_row("PolNeAR dev", f"{subset} content exact", counts.exact))
        out.append(Row("PolNeAR dev", f"{subset} speaker accuracy (matched)",
                       value=(counts.speaker_right / counts.speaker_matched
                              if counts.speaker_matched else 0.0),
                       support=counts.speaker_matched))
    return out


def evaluate(eval_root: Path, fast: bool = False, settings: Settings | None = None) -> Table:
    docs = load(eval_root, fast)
    articles = process_documents([Document(d.id, d.text, d.published) for d in docs],
                                  settings)
    predictions = [predicted_quotes(a, d.text) for a, d in zip(articles, docs, strict=True)]
    return Table("quotes", rows(score(docs, predictions)), documents=len(docs), fast=fast)
