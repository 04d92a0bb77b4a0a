"""Cross-document timelines: SemEval-2015 Task 4 ("TimeLine"), Track A, trial data.

For each target entity, parley builds its timeline from the 30 raw Wikinews
documents (the CAT token files; creation times from the TimeML copies), with
its per-article pipeline and its cross-article merge, writes it in the task's
format (``ordinal TAB date TAB docid-sentence-token [TAB more mentions]``) and
scores it against the gold timeline with the task's measure.

The measure (temporal awareness, UzZaman & Allen 2011, as used by the task):
a timeline is a graph over event mentions — mentions with the same ordinal are
SIMULTANEOUS, a mention BEFORE every mention of a later ordinal; ordinal-0
lines (not anchorable) are ignored.  Its *explicit* graph holds the relations a
reader gets from the file (simultaneous pairs within an ordinal, before pairs
between consecutive ordinals); its *closure* holds every implied pair.
Precision = |explicit(system) ∩ closure(gold)| / |explicit(system)|,
recall = |explicit(gold) ∩ closure(system)| / |explicit(gold)|; F1 per entity,
then averaged over entities.  (The task's scorer used TimeML time anchors as
extra nodes; here dates only order the lines, so figures are close to but not
identical with the official tool's.)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from parley.eval.common import Row, Table, f1, require
from parley.eval.library import Document, process_documents, relocate
from parley.eval.timex import parse_cat
from parley.model import Article
from parley.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

Relation = tuple[str, str, str]  # (kind "B"/"S", mention, mention)


@dataclass
class TimelineLine:
    ordinal: int
    date: str
    mentions: list[str]


@dataclass
class Timeline:
    entity: str
    lines: list[TimelineLine] = field(default_factory=list)


# --------------------------------------------------------------------------- format


def parse_timeline(text: str) -> Timeline:
    """Read the task's format: the entity on the first line, then one line per event."""
    rows = [line for line in text.splitlines() if line.strip()]
    timeline = Timeline(rows[0].strip() if rows else "")
    for row in rows[1:]:
        parts = row.strip().split("\t")
        if len(parts) >= 3 and parts[0].isdigit():
            timeline.lines.append(TimelineLine(int(parts[0]), parts[1], parts[2:]))
    return timeline


def format_timeline(timeline: Timeline) -> str:
    out = [timeline.entity]
    out += [f"{line.ordinal}\t{line.date}\t" + "\t".join(line.mentions) for line in timeline.lines]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- metric


def _groups(timeline: Timeline) -> list[list[str]]:
    """Mentions grouped by ordinal, in order, ordinal 0 left out."""
    by_ordinal: dict[int, list[str]] = {}
    for line in timeline.lines:
        if line.ordinal > 0:
            by_ordinal.setdefault(line.ordinal, []).extend(line.mentions)
    return [sorted(set(by_ordinal[k])) for k in sorted(by_ordinal)]


def _simultaneous(group: list[str]) -> Iterable[Relation]:
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            yield ("S", *sorted((a, b)))  # type: ignore[misc]


def explicit_relations(timeline: Timeline) -> set[Relation]:
    groups = _groups(timeline)
    relations: set[Relation] = set()
    for group in groups:
        relations.update(_simultaneous(group))
    for earlier, later in itertools.pairwise(groups):
        relations.update(("B", a, b) for a in earlier for b in later if a != b)
    return relations


def closure_relations(timeline: Timeline) -> set[Relation]:
    groups = _groups(timeline)
    relations: set[Relation] = set()
    for i, group in enumerate(groups):
        relations.update(_simultaneous(group))
        for later in groups[i + 1 :]:
            relations.update(("B", a, b) for a in group for b in later if a != b)
    return relations


def temporal_awareness(gold: Timeline, system: Timeline) -> tuple[float, float, float]:
    """Precision, recall and F1 of one system timeline against the gold one."""
    sys_explicit, gold_explicit = explicit_relations(system), explicit_relations(gold)
    precision = (len(sys_explicit & closure_relations(gold)) / len(sys_explicit)
                 if sys_explicit else 0.0)
    recall = (len(gold_explicit & closure_relations(system)) / len(gold_explicit)
              if gold_explicit else 0.0)
    return precision, recall, f1(precision, recall)


# --------------------------------------------------------------------------- corpus


@dataclass
class RawDoc:
    doc_id: str  # the number that names the document in mentions
    text: str
    published: str | None
    #: token offsets in ``text`` → (sentence, word)
    tokens: list[tuple[int, int, int, str]]


def _doc_number(name: str) -> str:
    match = re.match(r"\d+", name)
    return match.group(0) if match else name


def load_corpus(eval_root: Path) -> list[RawDoc]:
    folder = require(eval_root / "timeline_trial")
    raw_dir = require(folder / "Corpus-trial-data_task4")
    creation = _creation_times(folder / "Corpus-trial-data_task4_TimeML")
    docs = []
    for path in sorted(raw_dir.glob("*.xml")):
        number = _doc_number(path.name)
        gold_doc, root, offsets = parse_cat(path.read_text(encoding="utf-8"), number)
        tokens = _token_table(root, offsets)
        docs.append(RawDoc(number, gold_doc.text, creation.get(number), tokens))
    return docs


def _creation_times(folder: Path) -> dict[str, str]:
    times = {}
    for path in sorted(folder.glob("*.tml")) if folder.is_dir() else []:
        root = ElementTree.fromstring(path.read_text(encoding="utf-8"))
        timex = root.find("DCT/TIMEX3")
        if timex is not None and timex.get("value"):
            times[_doc_number(path.name)] = timex.get("value", "")
    return times


def _token_table(
    root: Element, offsets: dict[str, tuple[int, int]]
) -> list[tuple[int, int, int, str]]:
    table = []
    for token in root.iter("token"):
        start, end = offsets[token.get("t_id", "")]
        table.append((start, end, int(token.get("sentence", "0")), token.text or ""))
    return table


def load_gold(eval_root: Path) -> list[Timeline]:
    folder = require(eval_root / "timeline_trial" / "TimeLines_trial_data_task4_v1.2")
    return [parse_timeline(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


# --------------------------------------------------------------------------- system


@dataclass
class Cluster:
    """One merged event: its date and every mention (with its sentence) reporting it."""

    date: str | None
    mentions: list[str]
    sentences: list[str] = field(default_factory=list)


def mention_id(doc: RawDoc, start: int, end: int | None = None) -> str | None:
    """The task's name of the tokens from character ``start`` (to ``end``):
    ``docid-sentence-word``, several words joined by ``_`` ("taking_out")."""
    end = start + 1 if end is None else max(end, start + 1)
    found = [(sentence, word) for token_start, token_end, sentence, word in doc.tokens
             if token_start < end and start < token_end]
    if not found:
        return None
    return f"{doc.doc_id}-{found[0][0]}-" + "_".join(word for _, word in found)


def entity_names(entity: str) -> list[str]:
    """Ways a target entity is written: the full name, its trailing phrases of two
    words or more, and the surname of a two-word personal name."""
    words = entity.split()
    names = [" ".join(words[i:]) for i in range(len(words) - 1)] or [entity]
    if len(words) == 2 and all(w.isalpha() and w[0].isupper() for w in words):
        names.append(words[1])
    return names


def _day_or_less(value: str | None) -> str | None:
    if not value or not re.match(r"\d{4}", value):
        return None
    return value[:10]


def build_timeline(entity: str, clusters: list[Cluster]) -> Timeline:
    """The entity's timeline: the merged events whose sentences name it, ordered by
    date (events on the same date share an ordinal), undated ones at ordinal 0."""
    names = [n.lower() for n in entity_names(entity)]
    mine = [c for c in clusters
            if c.mentions and any(n in s.lower() for s in c.sentences for n in names)]
    return order_clusters(entity, mine)


def order_clusters(entity: str, mine: list[Cluster]) -> Timeline:
    """Clusters already about ``entity`` in the task's order: by date, one ordinal per
    distinct date (less precise dates first), undated ones at ordinal 0."""
    dates = sorted({d for c in mine if (d := _day_or_less(c.date)) is not None})
    timeline = Timeline(entity)
    for cluster in sorted(mine, key=lambda c: (_day_or_less(c.date) or "", c.mentions)):
        date = _day_or_less(cluster.date)
        ordinal = dates.index(date) + 1 if date is not None else 0
        timeline.lines.append(TimelineLine(ordinal, date or "XXXX-XX-XX",
                                           sorted(set(cluster.mentions))))
    timeline.lines.sort(key=lambda line: (line.ordinal, line.mentions))
    return timeline


def merged_clusters(docs: list[RawDoc], articles: list[Article]) -> list[Cluster]:
    """parley's cross-article merge over the corpus, with mentions in the task's naming."""
    from parley.analysis.merge import merge_events

    by_article = {a.id: (d, a) for d, a in zip(docs, articles, strict=True)}
    clusters = []
    for merged in merge_events(articles):
        cluster = Cluster(merged.date, [])
        for report in merged.reports:
            doc, article = by_article[report["article_id"]]
            event = next(e for e in article.events if e.id == report["event_id"])
            span = event.trigger_span or event.sentence_span
            located = relocate(article, span.start, span.end, doc.text)
            mention = mention_id(doc, located[0]) if located is not None else None
            if mention is not None:
                cluster.mentions.append(mention)
                cluster.sentences.append(event.sentence_span.slice(article.text))
        clusters.append(cluster)
    return clusters


def entity_clusters(docs: list[RawDoc], articles: list[Article], entity: str,
                    parsed: list[Doc], nlp: Language) -> list[Cluster]:
    """The entity's events by :mod:`parley.analysis.entity_timeline` (event mentions of
    the entity, dated by the timex stage, merged across articles), in the task's naming."""
    from parley.analysis.entity_timeline import entity_events, merge_entity_events

    by_article = {a.id: (d, a) for d, a in zip(docs, articles, strict=True)}
    events = [e for article, doc in zip(articles, parsed, strict=True)
              for e in entity_events(article, entity, nlp, doc)]
    clusters = []
    for entry in merge_entity_events(events):
        cluster = Cluster(entry.date, [])
        for event in entry.mentions:
            raw, article = by_article[event.article_id]
            located = relocate(article, event.span.start, event.span.end, raw.text)
            mention = mention_id(raw, *located) if located is not None else None
            if mention is not None:
                cluster.mentions.append(mention)
                cluster.sentences.append(event.sentence_span.slice(article.text))
        if cluster.mentions:
            clusters.append(cluster)
    return clusters


def evaluate(eval_root: Path, fast: bool = False, settings: Settings | None = None,
             out_dir: Path | None = None) -> Table:
    from parley.nlp import load_pipeline

    docs = load_corpus(eval_root)
    gold = load_gold(eval_root)
    articles = process_documents([Document(d.doc_id, d.text, d.published) for d in docs],
                                 settings)
    nlp = load_pipeline((settings or Settings()).spacy_model)
    parsed = list(nlp.pipe(a.text for a in articles))
    table = Table("timeline", documents=len(docs), fast=fast)
    scores = []
    for reference in gold:
        clusters = entity_clusters(docs, articles, reference.entity, parsed, nlp)
        system = parse_timeline(format_timeline(order_clusters(reference.entity, clusters)))
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            name = reference.entity.lower().replace(" ", "_") + ".txt"
            (out_dir / name).write_text(format_timeline(system), encoding="utf-8")
        p, r, f = temporal_awareness(reference, system)
        scores.append((p, r, f))
        table.rows.append(Row("SemEval-2015 T4 trial", f"entity: {reference.entity}",
                              p, r, f, support=len(explicit_relations(reference))))
    n = len(scores) or 1
    table.rows.append(Row("SemEval-2015 T4 trial", "mean over entities (Track A)",
                          sum(s[0] for s in scores) / n, sum(s[1] for s in scores) / n,
                          sum(s[2] for s in scores) / n, support=len(scores)))
    return table
