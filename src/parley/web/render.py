"""Markup built from untrusted article text, safely.

Every piece of article text is escaped *before* it is wrapped in markup, and
markup is only ever assembled with ``Markup.format`` (which escapes its
arguments).  Templates never mark article text ``|safe``: they receive the
``Markup`` objects made here and plain strings that Jinja escapes itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from parley.analysis.trend import MonthCount
from parley.model import Article

#: characters XML 1.0 forbids even when escaped (Atom feeds must stay well-formed)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SNIPPET_MARKER = re.compile(r"(\[\[|\]\])")


@dataclass(frozen=True)
class Highlight:
    """A span of ``Article.text`` to mark, with what it is and where it links."""

    start: int
    end: int
    kind: str  # "quote", "actor", "date"
    title: str | None = None
    href: str | None = None


def xml_safe(value: object) -> str:
    """Drop characters that would make an XML document ill-formed."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL safe to link to; None for any other scheme."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value.strip()
    return None


def atom_date(article: Article, fallback: str) -> str:
    """The article's publication time as RFC 3339 (Atom needs a full timestamp)."""
    value = article.published.value if article.published else None
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", value):
        return fallback
    if len(value) == 10:
        return value + "T00:00:00Z"
    if re.search(r"(Z|[+-]\d{2}:\d{2})$", value):
        return value
    return value + "Z"


def snippet_markup(snippet: str) -> Markup:
    """Turn a store snippet with ``[[ ]]`` match markers into escaped text with <mark>.

    The text between markers is escaped first; stray or unbalanced markers are
    shown as text, and an unclosed <mark> is closed, so the markup is balanced.
    """
    parts: list[Markup] = []
    open_mark = False
    for piece in _SNIPPET_MARKER.split(snippet):
        if piece == "[[" and not open_mark:
            parts.append(Markup("<mark>"))
            open_mark = True
        elif piece == "]]" and open_mark:
            parts.append(Markup("</mark>"))
            open_mark = False
        elif piece:
            parts.append(escape(piece))
    if open_mark:
        parts.append(Markup("</mark>"))
    return Markup("").join(parts)


def highlight_text(text: str, start: int, end: int, marks: Iterable[Highlight]) -> Markup:
    """``text[start:end]`` escaped, with the overlapping highlights as flat <span>s.

    Overlaps (a name inside a quote) are handled by cutting the range at every
    highlight boundary and giving each piece the classes of all highlights over
    it, so no tags ever need to nest across each other.
    """
    inside = [m for m in marks if m.end > start and m.start < end and m.end > m.start]
    cuts = sorted({start, end, *(max(start, m.start) for m in inside),
                   *(min(end, m.end) for m in inside)})
    parts: list[Markup] = []
    for left, right in itertools.pairwise(cuts):
        piece = text[left:right]
        over = [m for m in inside if m.start <= left and m.end >= right]
        if not over:
            parts.append(escape(piece))
            continue
        classes = " ".join(sorted({f"hl-{m.kind}" for m in over}))
        title = "; ".join(dict.fromkeys(m.title for m in over if m.title))
        span = Markup('<span class="{}" title="{}">{}</span>').format(classes, title, piece)
        href = next((m.href for m in over if m.href), None)
        if href:
            span = Markup('<a href="{}">{}</a>').format(href, span)
        parts.append(span)
    return Markup("").join(parts)


def article_highlights(article: Article, actor_href: str = "/actors/") -> list[Highlight]:
    """Quotes, actor mentions and dates of an article as highlights."""
    marks: list[Highlight] = []
    for quote in article.quotes:
        speaker = quote.speaker_text or _actor_name(article, quote.speaker_id)
        title = f"{quote.kind} quote" + (f" by {speaker}" if speaker else "")
        marks.append(Highlight(quote.span.start, quote.span.end, "quote", title))
    for mention in article.mentions:
        name = _actor_name(article, mention.actor_id)
        href = f"{actor_href}{mention.actor_id}" if mention.actor_id else None
        marks.append(Highlight(mention.span.start, mention.span.end, "actor", name, href))
    for timex in article.timexes:
        title = f"{timex.value} ({timex.granularity}, {timex.relation})"
        marks.append(Highlight(timex.span.start, timex.span.end, "date", title))
    return marks


def _actor_name(article: Article, actor_id: str | None) -> str | None:
    actor = article.actor(actor_id)
    return actor.name if actor else None


def paragraph_markup(article: Article, marks: Sequence[Highlight]) -> list[Markup]:
    """Each paragraph of the cleaned text with its highlights."""
    return [highlight_text(article.text, p.start, p.end, marks) for p in article.paragraphs]


# --------------------------------------------------------------------------- trend chart


def trend_svg(months: Sequence[MonthCount], width: int = 640, height: int = 260) -> Markup:
    """A dyad's monthly trend drawn server-side as inline SVG.

    Above the axis: cooperative events (green) with neutral ones stacked on top
    (grey); below it: conflictual events (red).  Styling is by class only, so
    the strict Content-Security-Policy (no inline styles) holds.
    """
    if not months:
        return Markup('<p class="empty">No events between these two yet.</p>')
    pad_left, pad_right, pad_top, pad_bottom = 30, 8, 10, 40
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    top = max(1, max(m.cooperative + m.neutral for m in months))
    bottom = max(m.conflictual for m in months)
    unit = plot_h / (top + bottom)
    zero_y = pad_top + top * unit
    slot = plot_w / len(months)
    bar_w = max(2.0, min(40.0, slot * 0.7))
    shapes: list[Markup] = [Markup(
        '<line class="axis" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"/>'
        '<text class="tick" x="{}" y="{:.1f}">0</text>'
        '<text class="tick" x="{}" y="{:.1f}">{}</text>'
    ).format(pad_left, zero_y, width - pad_right, zero_y, pad_left - 4, zero_y + 4,
             pad_left - 4, pad_top + 8, top)]
    label_every = max(1, len(months) // 8)
    for i, month in enumerate(months):
        x = pad_left + i * slot + (slot - bar_w) / 2
        summary = Markup("<title>{}: {} cooperative, {} conflictual, {} neutral; "
                         "mean Goldstein {:+.2f}</title>").format(
            month.month, month.cooperative, month.conflictual, month.neutral,
            month.mean_goldstein)
        for kind, base, count, upward in (
            ("coop", 0, month.cooperative, True),
            ("neutral", month.cooperative, month.neutral, True),
            ("conflict", 0, month.conflictual, False),
        ):
            if not count:
                continue
            y = zero_y - (base + count) * unit if upward else zero_y
            shapes.append(Markup(
                '<rect class="bar {}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                "{}</rect>"
            ).format(kind, x, y, bar_w, count * unit, summary))
        if i % label_every == 0:
            shapes.append(Markup('<text class="label" x="{:.1f}" y="{}">{}</text>').format(
                x + bar_w / 2, height - pad_bottom + 16, month.month))
    return Markup(
        '<svg class="trend" viewBox="0 0 {} {}" role="img" '
        'aria-label="Cooperative and conflictual events by month">{}</svg>'
    ).format(width, height, Markup("").join(shapes))
