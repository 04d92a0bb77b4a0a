"""Main-text extraction on scrapinghub's article-extraction-benchmark (181 pages).

The benchmark's own measure: the page text and the reference ``articleBody`` are
cut into word tokens (``\\w+``), then into sets of 4-token shingles; precision is
the share of extracted shingles found in the reference, recall the share of
reference shingles extracted; P, R and F1 are computed per page and averaged
over pages (two empty texts agree perfectly).  Extraction is parley's HTML
reader (trafilatura), so this measures what ``parley ingest page.html`` keeps.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from parley.eval.common import Row, Table, f1, fast_subset, require
from parley.eval.library import extract_main_text
from parley.settings import Settings

FAST_PAGES = 40
SHINGLE = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class Page:
    id: str
    html_path: Path
    url: str | None
    reference: str


def shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return {tuple(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 0))}


def page_scores(reference: str, extracted: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of one page."""
    gold, predicted = shingles(reference), shingles(extracted)
    if not gold and not predicted:
        return 1.0, 1.0, 1.0
    common = len(gold & predicted)
    precision = common / len(predicted) if predicted else 0.0
    recall = common / len(gold) if gold else 0.0
    return precision, recall, f1(precision, recall)


def load(eval_root: Path, fast: bool = False) -> list[Page]:
    folder = require(eval_root / "article_extraction_benchmark")
    truth = json.loads(require(folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        Page(key, folder / "html" / f"{key}.html.gz", value.get("url"),
             value.get("articleBody", ""))
        for key, value in sorted(truth.items())
        if (folder / "html" / f"{key}.html.gz").exists()
    ]
    return fast_subset(pages, FAST_PAGES) if fast else pages


def read_html(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes())
    return raw.decode("utf-8", errors="replace")


def score(scores: list[tuple[float, float, float]]) -> list[Row]:
    n = len(scores) or 1
    return [Row("article-extraction-benchmark", "4-gram shingle overlap (mean per page)",
                precision=sum(s[0] for s in scores) / n, recall=sum(s[1] for s in scores) / n,
                f1=sum(s[2] for s in scores) / n, support=len(scores))]


def evaluate(eval_root: Path, fast: bool = False, settings: Settings | None = None) -> Table:
    """``settings`` is accepted for a uniform scorer signature: extraction uses no model."""
    pages = load(eval_root, fast)
    scores = [page_scores(p.reference, extract_main_text(read_html(p.html_path), p.url))
              for p in pages]
    return Table("extraction", score(scores), documents=len(pages), fast=fast)
