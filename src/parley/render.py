"""Terminal rendering for the CLI (rich): annotated articles and the demo summary.

Kept out of ``cli.py`` so that commands stay a few lines each.  Nothing here
computes facts; it only formats records the library produced.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from parley.api import IngestReport
from parley.model import Article
from parley.store.base import ArticleFilter, Store

#: how each kind of fact is highlighted in the article text
STYLES = {
    "mention": "bold cyan",
    "quote": "green",
    "timex": "bold magenta",
    "event": "bold red underline",
}


def date_label(article: Article) -> str:
    published = article.published
    if published is None:
        return "-"
    return f"{published.value or 'undecided'} ({published.method})"


def annotated_text(article: Article) -> Text:
    """The article text with quotes, mentions, time expressions and event triggers styled."""
    text = Text(article.text)
    for quote in article.quotes:
        text.stylize(STYLES["quote"], quote.span.start, quote.span.end)
    for mention in article.mentions:
        text.stylize(STYLES["mention"], mention.span.start, mention.span.end)
    for timex in article.timexes:
        text.stylize(STYLES["timex"], timex.span.start, timex.span.end)
    for event in article.events:
        if event.trigger_span is not None:
            text.stylize(STYLES["event"], event.trigger_span.start, event.trigger_span.end)
    return text


def print_annotated(console: Console, article: Article) -> None:
    """One article in the terminal: highlighted text, then a table per kind of fact."""
    console.rule(Text(article.title or "(untitled)", style="bold"))
    console.print(Text(f"published {date_label(article)}   id {article.id}", style="dim"))
    legend = Text("legend: ")
    for name, style in STYLES.items():
        legend.append(name, style=style)
        legend.append("  ")
    console.print(legend)
    console.print(annotated_text(article))
    names = {actor.id: actor.name for actor in article.actors}
    if article.actors:
        table = _table("actors", "id", "name", "kind", "country", "code")
        for actor in article.actors:
            table.add_row(actor.id, actor.name, actor.kind, actor.country or "-",
                          actor.code or "-")
        console.print(table)
    if article.quotes:
        table = _table("quotes", "speaker", "kind", "cue", "quote")
        for quote in article.quotes:
            speaker = names.get(quote.speaker_id or "", quote.speaker_text or "?")
            table.add_row(speaker, quote.kind, quote.cue or "", quote.text)
        console.print(table)
    if article.timexes:
        table = _table("dates", "text", "value", "granularity", "relation")
        for timex in article.timexes:
            table.add_row(timex.text, timex.value, timex.granularity, timex.relation)
        console.print(table)
    if article.events:
        table = _table("events", "date", "cameo", "source", "target", "modality", "trigger")
        for event in article.events:
            table.add_row(event.date or "?", f"{event.cameo} {event.plover}",
                          names.get(event.source_id or "", event.source_id or "-"),
                          names.get(event.target_id or "", event.target_id or "-"),
                          event.modality, event.trigger)
        console.print(table)
    for error in article.errors:
        console.print(Text(f"stage {error.stage} failed: {error.reason}", style="red"))


def print_demo_summary(console: Console, store: Store, summary: Any) -> None:
    """What the demo found: each part only when the stages that produce it exist."""
    report = summary.ingest
    console.rule(Text("parley demo", style="bold"))
    console.print(
        f"inputs: {report.total}  ingested: {report.count('ingested')}  "
        f"revisions: {report.count('revision')}  unchanged: {report.count('unchanged')}  "
        f"skipped: {report.count('skipped')}"
    )
    articles = store.list_articles(ArticleFilter(limit=1000))
    table = _table(f"{len(articles)} articles", "published", "how", "dateline", "title")
    for article in articles:
        published = article.published
        table.add_row(
            (published.value or "undecided") if published else "-",
            published.method if published else "-",
            article.dateline_city or "-",
            article.title,
        )
    console.print(table)
    if summary.processed is not None:
        console.print(Text(process_line(summary.processed), style="dim"))
    actors = store.actors()
    names = {actor.id: actor.name for actor in actors}
    if actors:
        table = _table(f"{len(actors)} actors", "name", "kind", "country", "code")
        for actor in actors[:25]:
            table.add_row(actor.name, actor.kind, actor.country or "-", actor.code or "-")
        console.print(table)
    quotes = store.quotes(limit=10)
    if quotes:
        table = _table("quotes (first 10)", "speaker", "kind", "quote")
        for _article_id, quote in quotes:
            speaker = names.get(quote.speaker_id or "", quote.speaker_text or "?")
            table.add_row(speaker, quote.kind, _shorten(quote.text))
        console.print(table)
    events = [(aid, e) for aid, e in store.events(limit=5000)
              if _calendar(e.date) and not e.background][-15:]
    if events:
        table = _table("latest dated events reported as new (not background)", "date", "cameo",
                       "source", "target", "modality")
        for _article_id, event in events:
            table.add_row(event.date or "?", f"{event.cameo} {event.plover}",
                          names.get(event.source_id or "", event.source_id or "-"),
                          names.get(event.target_id or "", event.target_id or "-"),
                          event.modality)
        console.print(table)
    timeline = store.timeline_events()
    dated = [entry for entry in timeline if _calendar(entry.date)]
    if dated:
        table = _table(f"timeline: latest 20 of {len(timeline)} merged events", "date",
                       "event", "participants", "reports")
        for entry in dated[-20:]:
            table.add_row(entry.date or "?", f"{entry.cameo} {entry.plover}",
                          f"{entry.source_name or entry.source_id or '-'} -> "
                          f"{entry.target_name or entry.target_id or '-'}",
                          str(len(entry.reports)))
        console.print(table)


def process_line(report: Any) -> str:
    """One line for the engine's report (any object with the usual counters)."""
    fields = {name: getattr(report, name, None)
              for name in ("processed", "failed", "up_to_date", "seconds", "engine", "workers")}
    if fields["processed"] is None:
        return str(report)
    line = (f"processed {fields['processed']} article(s), {fields['failed'] or 0} with a "
            f"failed stage, {fields['up_to_date'] or 0} already up to date")
    if isinstance(fields["seconds"], int | float):
        line += f", in {fields['seconds']:.1f} s"
    if fields["engine"]:
        line += f" ({fields['engine']} engine, {fields['workers']} worker(s))"
    return line


class IngestProgress:
    """A progress bar over the input files, with the running count of outcomes.

    The bar counts files (a JSON Lines file or feed holds many articles); the
    label counts articles as they stream by.
    """

    def __init__(self, console: Console, enabled: bool, total_files: int | None = None) -> None:
        self.enabled = enabled
        self.counts: dict[str, int] = {}
        self.files_seen: set[str] = set()
        self.progress = Progress(
            SpinnerColumn(),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files  {task.description}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not enabled,
        )
        self.task = self.progress.add_task("", total=total_files)

    def __enter__(self) -> IngestProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def advance(self, outcome: str, source: str = "") -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        self.files_seen.add(_file_of(source))
        done = sum(self.counts.values())
        label = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        self.progress.update(
            self.task, completed=len(self.files_seen), description=f"{done} inputs ({label})"
        )

    def print_error(self, line: str) -> None:
        self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)


def _file_of(source: str) -> str:
    """The file an input came from: ``a.jsonl:12`` and ``feed.xml#3`` name lines/entries."""
    return re.sub(r"(:\d+|#\d+)$", "", source)


def ingest_summary(report: IngestReport) -> Table:
    """The counts per outcome, and skipped inputs grouped by reason."""
    table = Table(title="ingest summary", show_header=True)
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for outcome in ("ingested", "revision", "unchanged", "skipped"):
        table.add_row(outcome, str(report.count(outcome)))
    for reason, count in sorted(report.skip_reasons().items()):
        table.add_row(f"  skipped: {reason}", str(count))
    return table


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=True)
    for column in columns:
        table.add_column(column)
    return table


def _calendar(value: str | None) -> bool:
    """A calendar date (``2019``, ``2019-05-10``), not unknown or ``FUTURE_REF``."""
    return value is not None and value[:1].isdigit()


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
