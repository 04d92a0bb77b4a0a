"""Cross-document timelines: SemEval-2015 Task 4 ("TimeLine"), Track A, trial data.

For each target entity, parley builds its timeline from the 30 raw Wikinews
documents (the CAT token files; creation times from the TimeML copies) with its
per-article pipeline and :mod:`parley.analysis.entity_timeline` (event mentions of
the entity, dated by the timex stage, merged across articles), writes it in the
task's format (``ordinal TAB date TAB docid-sentence-token [TAB more mentions]``) and
scores it against the gold timeline with the task's measure.

The measure follows the task's evaluation tool as its description gives it: each
timeline becomes a TimeML-style graph — every time anchor (the line's date) is a
TIMEX3 node, every event mention is related to its anchor by SIMULTANEOUS, mentions
with the same ordinal are SIMULTANEOUS and mentions of consecutive ordinals BEFORE —
and the graphs are compared with TempEval-3's temporal awareness (UzZaman & Allen
2011): precision = |explicit(system) ∩ closure(gold)| / |explicit(system)|, recall
= |explicit(gold) ∩ closure(system)| / |explicit(gold)|.  Anchors tie mentions of the
same date together across ordinals and order dates, so a mention dated right but
ordered wrongly still earns its anchor relation.  The tool's script reports the
*micro* average over timelines (relations summed over entities); the *mean* of the
per-entity F1 is printed too, as the eval README asks.

Remaining differences from the official tool (its code is not in the data): ordinal-0
lines are left out (as the README says); an anchor with no known year ("XXXX-XX-XX")
is no node, and unknown parts are cut ("2007-09-XX" -> "2007-09"); a relation that
contradicts earlier ones (the gold puts one date on several ordinals) is dropped, the
ordering going first, as TempEval-3's Timegraph drops inconsistent links; and the
explicit graph is scored as written, without TempEval-3's removal of redundant links.
"""

from __future__ import annotations

import itertools
import re
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


def _groups(timeline: Timeline) -> list[list[tuple[str, str]]]:
    """``(mention, date)`` grouped by ordinal, in order, ordinal 0 left out."""
    by_ordinal: dict[int, list[tuple[str, str]]] = {}
    for line in timeline.lines:
        if line.ordinal > 0:
            by_ordinal.setdefault(line.ordinal, []).extend((m, line.date) for m in line.mentions)
    return [sorted(set(by_ordinal[k])) for k in sorted(by_ordinal)]


def anchor_node(date: str) -> str | None:
    """The TIMEX3 node of a line's date: its known part ("2007-09-XX" -> "2007-09"),
    ``None`` when even the year is unknown."""
    known = re.match(r"\d{4}(-\d{2}(-\d{2})?)?", date.strip())
    return f"T:{known.group(0)}" if known else None


class TemporalGraph:
    """Events and times under SIMULTANEOUS (equal classes) and BEFORE (edges between
    classes); a relation that contradicts the graph is refused, as in Timegraph."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.after: dict[str, set[str]] = {}  # class -> classes right after it
        self.kept: set[Relation] = set()

    def add_node(self, node: str) -> None:
        self._find(node)

    def _find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def _reaches(self, a: str, b: str) -> bool:
        seen, todo = set(), [a]
        while todo:
            node = todo.pop()
            if node == b:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(self._find(n) for n in self.after.get(node, ()))
        return False

    def add(self, kind: str, a: str, b: str) -> bool:
        ra, rb = self._find(a), self._find(b)
        if kind == "S":
            if ra != rb:
                if self._reaches(ra, rb) or self._reaches(rb, ra):
                    return False
                self.parent[rb] = ra
                self.after.setdefault(ra, set()).update(self.after.pop(rb, set()))
            self.kept.add(("S", *sorted((a, b))))  # type: ignore[arg-type]
            return True
        if ra == rb or self._reaches(rb, ra):
            return False
        self.after.setdefault(ra, set()).add(rb)
        self.kept.add(("B", a, b))
        return True

    def closure(self) -> set[Relation]:
        classes: dict[str, list[str]] = {}
        for node in list(self.parent):
            classes.setdefault(self._find(node), []).append(node)
        relations: set[Relation] = set()
        for members in classes.values():
            relations.update(("S", *sorted(pair)) for pair in  # type: ignore[misc]
                             itertools.combinations(sorted(members), 2))
        for root, members in classes.items():
            for other, later in classes.items():
                if other != root and self._reaches(root, other):
                    relations.update(("B", a, b) for a in members for b in later)
        return relations


def timeline_graph(timeline: Timeline) -> TemporalGraph:
    """The graph the task's tool builds from a timeline: the ordering first, then each
    mention SIMULTANEOUS with its date's anchor."""
    graph = TemporalGraph()
    groups = _groups(timeline)
    for group in groups:
        for (a, _), (b, _) in itertools.combinations(group, 2):
            graph.add("S", a, b)
        graph.add_node(group[0][0])
    for earlier, later in itertools.pairwise(groups):
        for (a, _), (b, _) in itertools.product(earlier, later):
            if a != b:
                graph.add("B", a, b)
    for group in groups:
        for mention, date in group:
            anchor = anchor_node(date)
            if anchor is not None:
                graph.add("S", mention, anchor)
    return graph


def explicit_relations(timeline: Timeline) -> set[Relation]:
    """The relations written from the timeline (and kept: consistent ones)."""
    return timeline_graph(timeline).kept


def closure_relations(timeline: Timeline) -> set[Relation]:
    """Every relation implied by the timeline's graph."""
    return timeline_graph(timeline).closure()


@dataclass
class AwarenessCounts:
    """The counts behind temporal awareness, summed over timelines for the micro average."""

    system_verified: int = 0  # system relations found in the gold closure
    system: int = 0
    gold_found: int = 0  # gold relations found in the system closure
    gold: int = 0

    def __add__(self, other: AwarenessCounts) -> AwarenessCounts:
        return AwarenessCounts(self.system_verified + other.system_verified,
                               self.system + other.system,
                               self.gold_found + other.gold_found, self.gold + other.gold)

    def scores(self) -> tuple[float, float, float]:
        precision = self.system_verified / self.system if self.system else 0.0
        recall = self.gold_found / self.gold if self.gold else 0.0
        return precision, recall, f1(precision, recall)


def awareness_counts(gold: Timeline, system: Timeline) -> AwarenessCounts:
    gold_graph, system_graph = timeline_graph(gold), timeline_graph(system)
    return AwarenessCounts(len(system_graph.kept & gold_graph.closure()), len(system_graph.kept),
                           len(gold_graph.kept & system_graph.closure()), len(gold_graph.kept))


def temporal_awareness(gold: Timeline, system: Timeline) -> tuple[float, float, float]:
    """Precision, recall and F1 of one system timeline against the gold one."""
    return awareness_counts(gold, system).scores()


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
    """Ways a target entity is written (shared with the entity-timeline builder)."""
    from parley.analysis.entity_timeline import name_variants

    return name_variants(entity)


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
    total = AwarenessCounts()
    for reference in gold:
        clusters = entity_clusters(docs, articles, reference.entity, parsed, nlp)
        system = parse_timeline(format_timeline(order_clusters(reference.entity, clusters)))
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            name = reference.entity.lower().replace(" ", "_") + ".txt"
            (out_dir / name).write_text(format_timeline(system), encoding="utf-8")
        counts = awareness_counts(reference, system)
        total += counts
        p, r, f = counts.scores()
        scores.append((p, r, f))
        table.rows.append(Row("SemEval-2015 T4 trial", f"entity: {reference.entity}",
                              p, r, f, support=len(explicit_relations(reference))))
    n = len(scores) or 1
    table.rows.append(Row("SemEval-2015 T4 trial", "mean over entities (Track A)",
                          sum(s[0] for s in scores) / n, sum(s[1] for s in scores) / n,
                          sum(s[2] for s in scores) / n, support=len(scores)))
    table.rows.append(Row("SemEval-2015 T4 trial", "micro over entities (Track A, task tool)",
                          *total.scores(), support=total.gold))
    return table
