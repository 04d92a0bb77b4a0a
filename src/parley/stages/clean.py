"""Cleaning: site chrome out, article structure in, every removal accounted for.

A scrape like the seeds is a column of lines: navigation, the title, a timestamp
header, the standfirst, photo captions and credits, the body (first paragraph opened
by a dateline, subheadings between paragraphs), then trailers.  ``clean`` sorts the
lines into those roles.  General rules live in ``knowledge/data/chrome.yaml``; lines
an outlet repeats on every page are learned with ``learn_outlet_chrome`` and removed
only before or after the body, so a recurring subheading ("Peace treaty issue") is
never lost.  Every dropped line is kept as a ``RemovedLine`` with its reason.

HTML, JSON Lines and feed inputs arrive as main text already: they get the same
line rules, but the title comes from their metadata.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from parley.errors import KnowledgeError
from parley.model import Article, Paragraph, RawDocument, RemovedLine
from parley.pipeline import Context, register
from parley.settings import Settings

PACKAGED_RULES = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "chrome.yaml"
TIMESTAMP_REASON = "timestamp header"
OUTLET_REASON = "outlet chrome"
#: a line this long (in words) is body text, never chrome or a heading
MAX_HEADING_WORDS = 10
#: learned outlet chrome is short: navigation, trailers, section names
MAX_LEARNED_WORDS = 12
MAX_LEARNED_CHARS = 100
_SENTENCE_END = re.compile(r"[.!?…:;,\"”’')\]]\s*$")
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-"}
)


@dataclass(frozen=True)
class ChromeRules:
    """The compiled contents of ``chrome.yaml``."""

    exact: dict[str, str]  # casefolded line -> reason
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    photo_credit: re.Pattern[str]
    max_caption_words: int
    timestamp_header: re.Pattern[str]
    datelines: tuple[re.Pattern[str], ...]

    def reason_for(self, line: str) -> str | None:
        """The reason a whole line is chrome by a general rule, or None."""
        reason = self.exact.get(line.casefold())
        if reason:
            return reason
        for pattern, pattern_reason in self.patterns:
            if pattern.fullmatch(line):
                return pattern_reason
        return None


def chrome_rules_path(settings: Settings | None = None) -> Path:
    """``chrome.yaml`` from the user's knowledge folder when it has one, else the packaged file."""
    if settings is not None and settings.knowledge_dir is not None:
        candidate = Path(settings.knowledge_dir) / "chrome.yaml"
        if candidate.is_file():
            return candidate
    return PACKAGED_RULES


@lru_cache(maxsize=8)
def load_chrome_rules(path: Path) -> ChromeRules:
    """Read and compile a chrome rules file (cached per path)."""
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        exact: dict[str, str] = {}
        patterns: list[tuple[re.Pattern[str], str]] = []
        for rule in data["rules"]:
            for line in rule.get("lines", []):
                exact[str(line).strip().casefold()] = rule["reason"]
            for pattern in rule.get("patterns", []):
                patterns.append((re.compile(pattern), rule["reason"]))
        suffix = data["photo_credit_suffix"]
        return ChromeRules(
            exact=exact,
            patterns=tuple(patterns),
            photo_credit=re.compile(rf"(?P<caption>.*)\s*(?P<credit>{suffix})"),
            max_caption_words=int(data.get("max_caption_words", 16)),
            timestamp_header=re.compile(data["timestamp_header"]),
            datelines=tuple(re.compile(p) for p in data["datelines"]),
        )
    except (OSError, KeyError, TypeError, re.error, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: invalid chrome rules ({type(exc).__name__}: {exc})") from exc


@dataclass(frozen=True)
class Dateline:
    """A dateline cut from the start of the first paragraph."""

    text: str
    city: str
    agency: str | None
    month: str | None
    day: int | None
    year: int | None


def match_dateline(paragraph: str, rules: ChromeRules | None = None) -> Dateline | None:
    """The dateline opening ``paragraph`` ("MOSCOW, May 10. /TASS/. ..."), or None."""
    rules = rules or load_chrome_rules(chrome_rules_path())
    for pattern in rules.datelines:
        found = pattern.match(paragraph)
        if found:
            groups = found.groupdict()
            return Dateline(
                text=found.group(0).strip(),
                city=groups["city"].strip(),
                agency=(groups.get("agency") or "").strip() or None,
                month=groups.get("month"),
                day=int(groups["day"]) if groups.get("day") else None,
                year=int(groups["year"]) if groups.get("year") else None,
            )
    return None


# --------------------------------------------------------------------------- the stage


@register("clean", provides=("text", "paragraphs", "title", "dateline"))
def clean_stage(article: Article, context: Context) -> Article:
    """Cleaning runs at ingest (from a RawDocument); registered so the runner knows
    what it provides."""
    return article


def clean(
    raw: RawDocument, settings: Settings, outlet_chrome: frozenset[str] = frozenset()
) -> Article:
    """Turn one raw input into an ``Article``: chrome removed (and recorded), title,
    standfirst, section, dateline and paragraphs identified."""
    rules = load_chrome_rules(chrome_rules_path(settings))
    scrape = raw.format == "text"
    lines = [line.strip() for line in raw.text.splitlines()]
    content = [i for i, line in enumerate(lines) if line]
    removed: dict[int, str] = {}

    for i in content:
        reason = rules.reason_for(lines[i])
        if reason:
            removed[i] = reason

    # photo credits ("Name Surname/TASS" at the end of a short line) and the caption
    # repeated without its credit
    captions: set[str] = set()
    for i in content:
        if i in removed or len(lines[i].split()) > rules.max_caption_words:
            continue
        credit = rules.photo_credit.fullmatch(lines[i])
        if credit:
            caption = credit.group("caption").strip()
            removed[i] = "photo caption and credit" if caption else "photo credit"
            if caption:
                captions.add(caption.casefold())
    for i in content:
        if i not in removed and lines[i].casefold() in captions:
            removed[i] = "photo caption"

    # a caption without its own credit, directly above or below a credit line
    credit_lines = {i for i, reason in removed.items() if reason.startswith("photo")}
    for i in content:
        if (
            i not in removed
            and ({i - 1, i + 1} & credit_lines)
            and len(lines[i].split()) <= rules.max_caption_words
            and not _SENTENCE_END.search(lines[i])
            and _before_dateline(lines, content, i, rules)
        ):
            removed[i] = "photo caption"

    kept = [i for i in content if i not in removed]
    first_paragraph, dateline = _find_dateline(lines, kept, rules)
    body_start = first_paragraph if first_paragraph is not None else _first_body_line(lines, kept)
    header = [i for i in kept if body_start is None or i < body_start]

    # learned outlet chrome: only before the body or after its last paragraph
    if outlet_chrome:
        body_end = _last_body_line(lines, kept)
        for i in kept:
            outside = (body_start is not None and i < body_start) or (
                body_end is not None and i > body_end
            )
            if outside and i not in removed and lines[i] in outlet_chrome:
                removed[i] = OUTLET_REASON
        header = [i for i in header if i not in removed]

    # the timestamp header ("October 08, 2015, 6:34 UTC+3 MOSCOW"): kept for dating
    section: str | None = None
    for i in header:
        stamp = rules.timestamp_header.fullmatch(lines[i])
        if stamp and len(lines[i].split()) <= MAX_LEARNED_WORDS:
            removed[i] = TIMESTAMP_REASON
            section = (stamp.group("section") or "").strip() or section
    header = [i for i in header if i not in removed]

    title = raw.title or ""
    if raw.title and header and _normalise(lines[header[0]]) == _normalise(raw.title):
        removed[header.pop(0)] = "title repeated"
    elif scrape and header and not raw.title:
        title = lines[header.pop(0)]
    standfirst: str | None = None
    # the standfirst: the line between title and a dateline-opened body, or (no
    # dateline) a line under the title that does not end like a sentence
    if header and (dateline is not None or (scrape and not _SENTENCE_END.search(lines[header[0]]))):
        standfirst = lines[header.pop(0)]

    body_lines = header + [
        i for i in kept if i not in removed and (body_start is None or i >= body_start)
    ]
    body_lines = [i for i in sorted(set(body_lines)) if i not in removed]
    blocks = _merge_wrapped(lines, body_lines)

    texts: list[str] = []
    kinds: list[str] = []
    for number, (first_line, text) in enumerate(blocks):
        if dateline is not None and first_line == first_paragraph:
            text = text[len(dateline.text) :].lstrip() if text.startswith(dateline.text) else text
        is_last = number == len(blocks) - 1
        kinds.append("heading" if not is_last and _looks_like_heading(text) else "body")
        texts.append(text)

    paragraphs, offset = [], 0
    for index, (text, kind) in enumerate(zip(texts, kinds, strict=True)):
        paragraphs.append(Paragraph(index=index, start=offset, end=offset + len(text), kind=kind))  # type: ignore[arg-type]
        offset += len(text) + 2
    body = "\n\n".join(texts)
    agency = dateline.agency if dateline else None
    return Article(
        id=content_id(title, body),
        text=body,
        title=title,
        standfirst=standfirst,
        url=raw.url,
        source_path=raw.source,
        outlet=raw.outlet or agency,
        agency=agency,
        dateline_city=dateline.city if dateline else None,
        section=section,
        dateline=dateline.text if dateline else None,
        published_given=raw.published,
        paragraphs=paragraphs,
        removed=[RemovedLine(i + 1, lines[i], reason) for i, reason in sorted(removed.items())],
        raw=raw.text,
    )


def content_id(title: str, body: str) -> str:
    """A stable id from the normalised title and body: the same article scraped again
    with other chrome, quotes or spacing gets the same id."""
    digest = hashlib.sha256(f"{_normalise(title)}\n{_normalise(body)}".encode()).hexdigest()
    return digest[:16]


def learn_outlet_chrome(
    texts: Iterable[str], min_articles: int = 3, min_share: float = 0.3
) -> frozenset[str]:
    """Short lines that repeat verbatim across articles of one outlet (navigation,
    trailers): those found in at least ``min_articles`` and ``min_share`` of them."""
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        seen = {line.strip() for line in text.splitlines()}
        counts.update(line for line in seen if _short_line(line))
    if total == 0:
        return frozenset()
    needed = max(min_articles, min_share * total)
    return frozenset(line for line, count in counts.items() if count >= needed)


# --------------------------------------------------------------------------- helpers


def _short_line(line: str) -> bool:
    return bool(line) and len(line) <= MAX_LEARNED_CHARS and len(line.split()) <= MAX_LEARNED_WORDS


def _normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split())


def _find_dateline(
    lines: list[str], kept: list[int], rules: ChromeRules
) -> tuple[int | None, Dateline | None]:
    for i in kept:
        found = match_dateline(lines[i], rules)
        if found and len(lines[i]) > len(found.text):
            return i, found
    return None, None


def _before_dateline(lines: list[str], content: list[int], index: int, rules: ChromeRules) -> bool:
    """True when a dateline-opened paragraph follows line ``index`` (the header zone,
    where captions sit; never a line of the body itself)."""
    return any(match_dateline(lines[i], rules) for i in content if i > index)


def _is_prose(line: str) -> bool:
    """A sentence-like line: ends like a sentence and is longer than a heading."""
    return bool(_SENTENCE_END.search(line)) and len(line.split()) > MAX_HEADING_WORDS


def _first_body_line(lines: list[str], kept: list[int]) -> int | None:
    """Without a dateline, the body starts at the first prose line after title and
    standfirst (the first two kept lines)."""
    prose = [i for i in kept[1:] if _is_prose(lines[i])]
    if not prose:
        return kept[1] if len(kept) > 1 else None
    return prose[0]


def _last_body_line(lines: list[str], kept: list[int]) -> int | None:
    prose = [i for i in kept if _is_prose(lines[i])]
    return prose[-1] if prose else None


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= MAX_HEADING_WORDS and text[0].isupper() and not _SENTENCE_END.search(text)
    )


def _merge_wrapped(lines: list[str], numbers: list[int]) -> list[tuple[int, str]]:
    """Join hard-wrapped lines (adjacent, the first not ending a sentence, the next
    starting in lower case) into one paragraph; otherwise a line is a paragraph."""
    blocks: list[tuple[int, str]] = []
    previous = -2
    for i in numbers:
        line = lines[i]
        if (
            blocks
            and i == previous + 1
            and line[:1].islower()
            and not _SENTENCE_END.search(blocks[-1][1])
        ):
            blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]} {line}")
        else:
            blocks.append((i, line))
        previous = i
    return blocks
