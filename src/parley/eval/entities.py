"""Entity mentions on re3d (Dstl): per-type and overall precision/recall/F1,
exact and overlap.

Gold mentions are those with confidence >= 0.5.  parley's mentions get re3d
types from their actor's kind (``mappings.yaml``: person → Person; government,
ministry, organisation, group → Organisation; a country → Location or
Organisation, whichever the annotators chose at that position; a country
written as an adjective or demonym → Nationality) and its time expressions
become Temporal.  Only the re3d types parley can produce are scored (gold of
other types — Weapon, Money, MilitaryPlatform, ... — is left out of both sides);
a mention whose actor is unknown counts as a Person when the mention kind says
so, and is otherwise not scored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from parley.eval.common import PRF, Row, Table, fast_subset, match_spans, overlaps, prf_row
from parley.eval.events import mappings
from parley.eval.library import Document, process_documents, relocate
from parley.model import Article
from parley.settings import Settings

FAST_DOCS = 15
MIN_CONFIDENCE = 0.5
_NATIONALITY_KINDS = ("adjective", "demonym", "nationality", "adj")


@dataclass
class GoldEntity:
    span: tuple[int, int]
    type: str


@dataclass
class GoldDoc:
    id: str
    text: str
    entities: list[GoldEntity] = field(default_factory=list)


@dataclass
class PredictedEntity:
    span: tuple[int, int]
    #: admissible re3d types, the preferred first
    types: tuple[str, ...]


def scored_types() -> list[str]:
    types: list[str] = []
    for options in mappings()["re3d_types"].values():
        types.extend(t for t in options if t not in types)
    return types


def _read_lines(path: Path) -> Iterable[dict[str, object]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def load(eval_root: Path, fast: bool = False) -> list[GoldDoc]:
    from parley.eval.common import require

    folder = require(eval_root / "re3d")
    docs: dict[str, GoldDoc] = {}
    wanted = set(scored_types())
    for source in sorted(p for p in folder.iterdir() if p.is_dir()):
        for record in _read_lines(source / "documents.json"):
            docs[str(record["_id"])] = GoldDoc(str(record["_id"]), str(record["text"]))
        for record in _read_lines(source / "entities.json"):
            doc = docs.get(str(record["documentId"]))
            confidence = float(record.get("confidence") or 0)  # type: ignore[arg-type]
            if doc is None or confidence < MIN_CONFIDENCE or record["type"] not in wanted:
                continue
            span = (int(record["begin"]), int(record["end"]))  # type: ignore[call-overload]
            doc.entities.append(GoldEntity(span, str(record["type"])))
    ordered = [docs[key] for key in sorted(docs)]
    return fast_subset(ordered, FAST_DOCS) if fast else ordered


def _mention_types(kind: str, mention_kind: str) -> tuple[str, ...]:
    table: dict[str, list[str]] = mappings()["re3d_types"]
    if kind == "country" and any(k in mention_kind.lower() for k in _NATIONALITY_KINDS):
        return tuple(table["nationality"])
    return tuple(table.get(kind, ()))


def predicted_entities(article: Article, original: str) -> list[PredictedEntity]:
    found = []
    for mention in article.mentions:
        actor = article.actor(mention.actor_id)
        kind = actor.kind if actor is not None else ("person" if "person" in mention.kind
                                                      else "")
        types = _mention_types(kind, mention.kind)
        if not types or mention.kind == "pronoun":
            continue
        span = relocate(article, mention.span.start, mention.span.end, original)
        if span is not None:
            found.append(PredictedEntity(span, types))
    for timex in article.timexes:
        span = relocate(article, timex.span.start, timex.span.end, original)
        if span is not None:
            found.append(PredictedEntity(span, tuple(mappings()["re3d_types"]["timex"])))
    return found


def assign_types(predicted: list[PredictedEntity], gold: list[GoldEntity]) -> list[GoldEntity]:
    """One re3d type per prediction: the first admissible type found in the gold at an
    overlapping position, else the preferred one."""
    typed = []
    for p in predicted:
        chosen = next((t for t in p.types
                       if any(g.type == t and overlaps(p.span, g.span) for g in gold)),
                      p.types[0])
        typed.append(GoldEntity(p.span, chosen))
    return typed


@dataclass
class EntityCounts:
    exact: dict[str, PRF] = field(default_factory=dict)
    overlap: dict[str, PRF] = field(default_factory=dict)


def score_document(gold: list[GoldEntity], predicted: list[PredictedEntity],
                   counts: EntityCounts) -> None:
    typed = assign_types(predicted, gold)
    for entity_type in scored_types():
        p_spans = [e.span for e in typed if e.type == entity_type]
        g_spans = [e.span for e in gold if e.type == entity_type]
        for exact, table in ((True, counts.exact), (False, counts.overlap)):
            table[entity_type] = table.get(entity_type, PRF()) + match_spans(
                p_spans, g_spans, exact=exact)


def score(docs: list[GoldDoc], predictions: list[list[PredictedEntity]]) -> EntityCounts:
    counts = EntityCounts()
    for doc, predicted in zip(docs, predictions, strict=True):
        score_document(doc.entities, predicted, counts)
    return counts


def rows(counts: EntityCounts) -> list[Row]:
    out = []
    for name, table in (("exact", counts.exact), ("overlap", counts.overlap)):
        total = PRF()
        for entity_type in scored_types():
            prf = table.get(entity_type, PRF())
            total = total + prf
            out.append(prf_row("re3d", f"{entity_type} {name}", prf))
        out.append(prf_row("re3d", f"overall {name}", total))
    return out


def evaluate(eval_root: Path, fast: bool = False, settings: Settings | None = None) -> Table:
    docs = load(eval_root, fast)
    articles = process_documents([Document(d.id, d.text) for d in docs], settings)
    predictions = [predicted_entities(a, d.text) for a, d in zip(articles, docs, strict=True)]
    return Table("entities", rows(score(docs, predictions)), documents=len(docs), fast=fast)
