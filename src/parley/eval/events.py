"""Event coding on the PLOVER gold standard records and ConfliBERT's CAMEO classes.

PLOVER GSR: each coded sentence is run through parley as a one-sentence
article; its *main* event is the prediction (:func:`main_event`: the first event,
in text order, that is not a mere statement — a sentence such as "X said Y attacked
Z" is coded for the attack, not for the saying — else the first event).  Scores: event-type
accuracy and macro-F1 over the PLOVER categories present in the gold (labels
renamed from PLOVER 0.5b1 to 2.0, see ``mappings.yaml``), and source and target
country-code accuracy over the records whose gold actor has a country code
(right when the predicted actor's country is one of the gold codes).

ConfliBERT ``cameo_class``: 5 classes (0 statement/appeal, 1 verbal cooperation,
2 material cooperation, 3 verbal conflict, 4 material conflict), compared with
the quad class of parley's main event.  A sentence with no event is predicted
``none`` and counts as wrong: parley never codes a default event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from parley.eval.common import Row, Table, accuracy, fast_subset, macro_f1, require
from parley.eval.library import Document, process_documents
from parley.model import Actor, Article, Event
from parley.settings import Settings

FAST_PLOVER = 100
FAST_CONFLIBERT = 150
NONE = "none"


@cache
def mappings() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (Path(__file__).with_name("mappings.yaml")).read_text(encoding="utf-8"))
    return data


def plover_label(label: str | None) -> str:
    if not label:
        return NONE
    label = label.strip().upper()
    renamed: dict[str, str] = mappings()["plover_renamed"]
    return renamed.get(label, label)


def country_code(code: str | None) -> str | None:
    """ISO-3 country of a gold or CAMEO actor code, ``None`` for non-country codes."""
    if not code or len(code) < 3:
        return None
    head = code[:3].upper()
    if head in mappings()["non_country_codes"]:
        return None
    iso: dict[str, str] = mappings()["cameo_country_to_iso"]
    return iso.get(head, head)


def actor_country(actor: Actor | None) -> str | None:
    if actor is None:
        return None
    if actor.country:
        return actor.country.upper()
    return country_code(actor.code)


# --------------------------------------------------------------------------- PLOVER GSR


@dataclass
class PloverRecord:
    id: str
    text: str
    event: str
    sources: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)


@dataclass
class Prediction:
    event: str = NONE
    source: str | None = None
    target: str | None = None


def _codes(actors: object) -> set[str]:
    if not isinstance(actors, list):
        return set()
    codes = (country_code(a.get("code")) for a in actors if isinstance(a, dict))
    return {c for c in codes if c}


def load_plover(eval_root: Path, fast: bool = False) -> list[PloverRecord]:
    path = require(eval_root / "plover_gsr" / "PLOVER_GSR_CAMEO.json")
    records = [
        PloverRecord(r["id"], r["text"], plover_label(r["event"]),
                     _codes(r.get("source")), _codes(r.get("target")))
        for r in json.loads(path.read_text(encoding="utf-8"))
        if r.get("text") and r.get("event") != "DOCUMENT"
    ]
    return fast_subset(records, FAST_PLOVER) if fast else records


#: PLOVER categories of reporting verbs: they frame the coded event rather than being it
FRAMING_CATEGORIES = frozenset({"STATEMENT"})


def main_event(article: Article) -> Event | None:
    """The event a coder would code for the sentence: the first one (in text order)
    that is not a statement, since a cue verb ("said", "announced") usually frames
    the reported act; the first event when every event is a statement."""
    events = sorted(article.events, key=lambda e: (e.sentence_span.start,
                                                   e.trigger_span.start if e.trigger_span else 0))
    substantive = [e for e in events if plover_label(e.plover) not in FRAMING_CATEGORIES]
    chosen = substantive or events
    return chosen[0] if chosen else None


def predict(article: Article) -> Prediction:
    event = main_event(article)
    if event is None:
        return Prediction()
    return Prediction(plover_label(event.plover), actor_country(article.actor(event.source_id)),
                      actor_country(article.actor(event.target_id)))


def score_plover(records: list[PloverRecord], predictions: list[Prediction]) -> list[Row]:
    pairs = [(r.event, p.event) for r, p in zip(records, predictions, strict=True)]
    labels = sorted({r.event for r in records})
    with_source = [(r, p) for r, p in zip(records, predictions, strict=True) if r.sources]
    with_target = [(r, p) for r, p in zip(records, predictions, strict=True) if r.targets]
    return [
        Row("PLOVER GSR", "event-type accuracy", value=accuracy(pairs), support=len(pairs)),
        Row("PLOVER GSR", "event-type macro-F1", f1=macro_f1(pairs, labels), support=len(pairs),
            note=f"{len(labels)} categories"),
        Row("PLOVER GSR", "source country accuracy",
            value=(sum(p.source in r.sources for r, p in with_source) / len(with_source)
                   if with_source else 0.0), support=len(with_source)),
        Row("PLOVER GSR", "target country accuracy",
            value=(sum(p.target in r.targets for r, p in with_target) / len(with_target)
                   if with_target else 0.0), support=len(with_target)),
    ]


# --------------------------------------------------------------------------- ConfliBERT

CAMEO_CLASSES = ("0", "1", "2", "3", "4")


def load_conflibert(eval_root: Path, fast: bool = False) -> list[tuple[str, str]]:
    """``(sentence, class)`` pairs from ``cameo_class/train.tsv``."""
    path = require(eval_root / "conflibert_cameo" / "cameo_class" / "train.tsv")
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        sentence, _, label = line.rpartition("\t")
        if sentence.strip() and label.strip() in CAMEO_CLASSES:
            pairs.append((sentence.strip(), label.strip()))
    return fast_subset(pairs, FAST_CONFLIBERT) if fast else pairs


def predict_class(article: Article) -> str:
    event = main_event(article)
    return str(event.quad_class) if event is not None else NONE


def score_conflibert(gold: list[str], predicted: list[str]) -> list[Row]:
    pairs = list(zip(gold, predicted, strict=True))
    return [
        Row("ConfliBERT cameo_class", "5-class accuracy", value=accuracy(pairs),
            support=len(pairs)),
        Row("ConfliBERT cameo_class", "5-class macro-F1", f1=macro_f1(pairs, CAMEO_CLASSES),
            support=len(pairs)),
        Row("ConfliBERT cameo_class", "sentences with an event",
            value=sum(p != NONE for p in predicted) / len(predicted) if predicted else 0.0,
            support=len(pairs)),
    ]


def evaluate(eval_root: Path, fast: bool = False, settings: Settings | None = None) -> Table:
    records = load_plover(eval_root, fast)
    articles = process_documents([Document(r.id, r.text) for r in records], settings)
    table = Table("events", score_plover(records, [predict(a) for a in articles]), fast=fast)
    sentences = load_conflibert(eval_root, fast)
    articles = process_documents([Document(f"conflibert:{i}", s)
                                  for i, (s, _) in enumerate(sentences)], settings)
    table.rows.extend(score_conflibert([c for _, c in sentences],
                                       [predict_class(a) for a in articles]))
    table.documents = len(records) + len(sentences)
    return table
