"""Time expressions on TempEval-3 (TimeBank + AQUAINT training data) and MEANTIME.

The TempEval-3 measures (UzZaman et al. 2013): *strict* span F1 (same
boundaries), *relaxed* span F1 (overlap), and *value* F1 — precision and recall
where a relaxed match counts only when the normalised value is also right.
The document creation time given in each file is passed as ``published``; the
creation-time expression itself is not scored in TimeML files (it lies outside
``<TEXT>``).  MEANTIME prints it as the text's second line; parley reads that line as the
publication date and removes it, so it is not scored there either.  MEANTIME annotates only
the title and the first five sentences of each article (sentences 0-5), so predictions after
that point are not scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from parley.eval.common import PRF, Row, Table, fast_subset, overlaps, prf_row, require
from parley.eval.library import Document, process_documents, relocate
from parley.model import Article
from parley.settings import Settings

FAST_TIMEML_DOCS = 20
FAST_MEANTIME_DOCS = 8
#: MEANTIME's document-level annotation covers the title, the creation time and 4 sentences
MEANTIME_ANNOTATED_SENTENCES = 6
_NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "%", "'s", "n't", "'", "’s"}
_NO_SPACE_AFTER = {"(", "$", "``"}
#: Penn Treebank quote tokens shown as plain quotation marks
_PTB_QUOTES = {"``": '"', "''": '"'}


@dataclass
class GoldTimex:
    span: tuple[int, int]
    value: str
    type: str = "DATE"
    creation_time: bool = False


@dataclass
class GoldDoc:
    id: str
    text: str
    published: str | None
    timexes: list[GoldTimex] = field(default_factory=list)
    #: gold annotation ends at this offset: later predictions are not scored
    annotated_until: int | None = None


# --------------------------------------------------------------------------- loaders


def parse_timeml(content: str, doc_id: str) -> GoldDoc:
    """Plain text of ``<TEXT>`` with the TIMEX3 spans, and the creation time."""
    root = ElementTree.fromstring(content)
    published = None
    dct = root.find("DCT")
    if dct is not None:
        timex = dct.find("TIMEX3")
        if timex is not None:
            published = timex.get("value")
    body = root.find("TEXT")
    parts: list[str] = []
    timexes: list[GoldTimex] = []

    def walk(node: Element) -> None:
        start = sum(len(p) for p in parts)
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if node.tag == "TIMEX3":
            end = sum(len(p) for p in parts)
            timexes.append(GoldTimex((start, end), node.get("value", ""), node.get("type", "DATE")))

    if body is not None:
        walk(body)
    return GoldDoc(doc_id, "".join(parts), published, timexes)


def load_timeml(eval_root: Path, fast: bool = False) -> list[GoldDoc]:
    folder = require(eval_root / "tempeval3" / "Training" / "TBAQ-cleaned")
    paths = sorted(folder.glob("*/*.tml"))
    docs = [parse_timeml(p.read_text(encoding="utf-8"), p.stem) for p in paths]
    return fast_subset(docs, FAST_TIMEML_DOCS) if fast else docs


def detokenise(tokens: list[tuple[str, int, str]]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Rebuild text from ``(t_id, sentence, word)`` tokens with light spacing rules;
    the title and dateline sentences (0 and 1) become lines of their own."""
    text = ""
    offsets: dict[str, tuple[int, int]] = {}
    previous_sentence = None
    previous_word = ""
    for t_id, sentence, word in tokens:
        if previous_sentence is None:
            gap = ""
        elif sentence != previous_sentence and previous_sentence <= 1:
            gap = "\n\n"
        elif word in _NO_SPACE_BEFORE or previous_word in _NO_SPACE_AFTER:
            gap = ""
        else:
            gap = " "
        text += gap
        shown = _PTB_QUOTES.get(word, word)
        offsets[t_id] = (len(text), len(text) + len(shown))
        text += shown
        previous_sentence, previous_word = sentence, word
    return text, offsets


def parse_cat(content: str, doc_id: str) -> tuple[GoldDoc, Element, dict[str, tuple[int, int]]]:
    """A CAT/NAF-style MEANTIME file: text, timexes, and the root and token offsets
    (the timeline scorer reuses them)."""
    root = ElementTree.fromstring(content)
    tokens = [(t.get("t_id", ""), int(t.get("sentence", "0")), t.text or "")
              for t in root.iter("token")]
    text, offsets = detokenise(tokens)
    published = None
    timexes = []
    markables = root.find("Markables")
    for timex in markables.iter("TIMEX3") if markables is not None else []:
        anchors = [offsets[a.get("t_id", "")] for a in timex.findall("token_anchor")]
        if timex.get("functionInDocument") == "CREATION_TIME":
            published = timex.get("value")
        if anchors:
            span = (min(s for s, _ in anchors), max(e for _, e in anchors))
            timexes.append(GoldTimex(span, timex.get("value", ""), timex.get("type", "DATE"),
                                     timex.get("functionInDocument") == "CREATION_TIME"))
    annotated = [offsets[t_id][1] for t_id, sentence, _ in tokens
                 if sentence < MEANTIME_ANNOTATED_SENTENCES]
    until = max(annotated) if annotated else None
    return GoldDoc(doc_id, text, published, timexes, until), root, offsets


def load_meantime(eval_root: Path, fast: bool = False) -> list[GoldDoc]:
    folder = require(eval_root / "meantime" / "intra-doc_annotation")
    paths = sorted(folder.glob("*/*.xml"))
    docs = [parse_cat(p.read_text(encoding="utf-8"), p.stem)[0] for p in paths]
    for doc in docs:  # the creation time is the publication date, not a scored expression
        doc.timexes = [t for t in doc.timexes if not t.creation_time]
    return fast_subset(docs, FAST_MEANTIME_DOCS) if fast else docs


# --------------------------------------------------------------------------- scoring


@dataclass
class TimexCounts:
    strict: PRF = field(default_factory=PRF)
    relaxed: PRF = field(default_factory=PRF)
    value: PRF = field(default_factory=PRF)


def _same_value(a: str, b: str) -> bool:
    return a.strip().upper() == b.strip().upper()


def score_document(gold: list[GoldTimex], predicted: list[GoldTimex], counts: TimexCounts) -> None:
    for prf in (counts.strict, counts.relaxed, counts.value):
        prf.n_pred += len(predicted)
        prf.n_gold += len(gold)
    for p in predicted:
        counts.strict.tp_pred += any(p.span == g.span for g in gold)
        counts.relaxed.tp_pred += any(overlaps(p.span, g.span) for g in gold)
        counts.value.tp_pred += any(overlaps(p.span, g.span) and _same_value(p.value, g.value)
                                    for g in gold)
    for g in gold:
        counts.strict.tp_gold += any(p.span == g.span for p in predicted)
        counts.relaxed.tp_gold += any(overlaps(p.span, g.span) for p in predicted)
        counts.value.tp_gold += any(overlaps(p.span, g.span) and _same_value(p.value, g.value)
                                    for p in predicted)


def predicted_timexes(
    article: Article, original: str, until: int | None = None
) -> list[GoldTimex]:
    """Predicted spans moved onto ``original``; those from ``until`` on are dropped."""
    found = []
    for timex in article.timexes:
        span = relocate(article, timex.span.start, timex.span.end, original)
        if span is not None and (until is None or span[0] < until):
            found.append(GoldTimex(span, timex.value, timex.type))
    return found


def score(docs: list[GoldDoc], predictions: list[list[GoldTimex]]) -> TimexCounts:
    counts = TimexCounts()
    for doc, predicted in zip(docs, predictions, strict=True):
        score_document(doc.timexes, predicted, counts)
    return counts


def rows(dataset: str, counts: TimexCounts) -> list[Row]:
    return [
        prf_row(dataset, "strict span", counts.strict),
        prf_row(dataset, "relaxed span", counts.relaxed),
        prf_row(dataset, "value", counts.value),
    ]


def titled(doc: GoldDoc) -> str:
    """The text given to parley: TimeML's ``<TEXT>`` is body only, and parley's cleaner
    would take its lead sentence for a headline (and drop its dates), so the document id
    goes first as the headline; MEANTIME texts open with their own title already."""
    return doc.text if doc.annotated_until is not None else f"{doc.id}\n\n{doc.text}"


def evaluate(eval_root: Path, fast: bool = False, settings: Settings | None = None) -> Table:
    table = Table("timex", fast=fast)
    for dataset, docs in (
        ("TempEval-3 TBAQ", load_timeml(eval_root, fast)),
        ("MEANTIME apple", load_meantime(eval_root, fast)),
    ):
        articles = process_documents([Document(d.id, titled(d), d.published) for d in docs],
                                      settings)
        predictions = [predicted_timexes(a, d.text, d.annotated_until)
                       for a, d in zip(articles, docs, strict=True)]
        table.rows.extend(rows(dataset, score(docs, predictions)))
        table.documents += len(docs)
    return table
