"""The ``parley`` command line: parse, call one library function, format.

Every command is a few lines over the library (``parley.api``, ``parley.store``,
``parley.engine``...).  A ``ParleyError`` raised anywhere becomes a one-line
``error: ...`` on stderr and exit status 1, never a traceback (see
``_ParleyGroup``).  Listing commands take ``--json`` and print a JSON array in
the ``parley.model.to_dict`` shape; errors in that shape are
``{"error": ..., "source": ...}``.

Adding a command: write a function decorated with ``@app.command()`` in the
section that fits, take the store with ``with _open(ctx) as store:``, print with
``console`` or ``_print_json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from parley.errors import ParleyError
from parley.model import to_dict, with_article
from parley.settings import Settings

if TYPE_CHECKING:
    from parley.model import Article
    from parley.store.base import Store


class _ParleyGroup(typer.core.TyperGroup):
    """Turns library errors from any command into one-line messages with exit status 1."""

    def invoke(self, ctx: Any) -> Any:
        wants_json = "--json" in [*getattr(ctx, "protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except ParleyError as exc:
            if wants_json:  # scripts reading --json get the error in the JSON shape too
                _print_json([{"error": str(exc), "source": getattr(exc, "source", None)}])
            _error_console().print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_ParleyGroup,
    help="parley: diplomatic news into a dated, sourced, deduplicated record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(soft_wrap=False)

JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON array of records.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="At most this many records.")]


def _error_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="PARLEY_DB",
            help="Store: a SQLite file (default parley.db here) or a postgresql:// URL.",
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Name of an installed spaCy pipeline.")
    ] = None,
) -> None:
    """parley: diplomatic news into a dated, sourced, deduplicated record."""
    ctx.obj = Settings.from_env(db=db, spacy_model=model)


# --------------------------------------------------------------------------- helpers


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    return settings if isinstance(settings, Settings) else Settings.from_env()


@contextmanager
def _open(ctx: typer.Context) -> Iterator[Store]:
    """The store named by ``--db``, closed when the command ends."""
    from parley.store import open_store

    settings = _settings(ctx)
    with open_store(settings.db, settings) as store:
        yield store


def _print_json(records: Any) -> None:
    """Print records in their one JSON shape (``parley.model.to_dict``)."""
    typer.echo(json.dumps(to_dict(records), ensure_ascii=False, indent=2))


def _fail(message: str) -> NoReturn:
    raise ParleyError(message)


def _date_label(article: Article) -> str:
    published = article.published
    if published is None:
        return "-"
    if published.value is None:
        return f"? ({published.method})"
    return f"{published.value} ({published.method})"


def _highlight(snippet: str) -> Text:
    """Render a ``[[match]]`` snippet with the matches in bold."""
    text = Text()
    rest = snippet
    while "[[" in rest:
        before, _, after = rest.partition("[[")
        match, _, rest = after.partition("]]")
        text.append(before)
        text.append(match, style="bold yellow")
    text.append(rest)
    return text


# --------------------------------------------------------------------------- ingest


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or globs.")],
    as_json: JsonOption = False,
) -> None:
    """Read, clean and date articles into the store (exit status 1 if any input was skipped)."""
    from parley.api import IngestItem
    from parley.api import ingest as ingest_paths
    from parley.inputs.readers import count_input_files
    from parley.render import IngestProgress, ingest_summary

    settings = _settings(ctx)
    items: list[dict[str, Any]] = []
    total = None if as_json else count_input_files(paths)
    with (
        _open(ctx) as store,
        IngestProgress(_error_console(), enabled=not as_json, total_files=total) as progress,
    ):

        def on_item(item: IngestItem) -> None:
            progress.advance(item.outcome, item.source)
            if as_json:
                items.append(item.record())
            elif item.outcome == "skipped":
                progress.print_error(f"error: {item.source}: {item.reason}")

        report = ingest_paths(paths, store, settings, progress=on_item)
    if as_json:
        _print_json(items)
    else:
        console.print(ingest_summary(report))
    if report.skipped:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- browse


@app.command()
def articles(
    ctx: typer.Context,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only articles mentioning this actor.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on/after.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on/before.")] = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """List stored articles, newest first."""
    from parley.store.base import ArticleFilter

    filters = ArticleFilter(
        outlet=outlet, actor=actor, date_from=date_from, date_to=date_to, limit=limit
    )
    with _open(ctx) as store:
        found = store.list_articles(filters)
    if as_json:
        _print_json(found)
        return
    table = Table(show_header=True)
    for column in ("id", "published", "outlet", "title"):
        table.add_column(column)
    for article in found:
        table.add_row(article.id[:12], _date_label(article), article.outlet or "-", article.title)
    console.print(table)


@app.command()
def show(
    ctx: typer.Context,
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id or unique prefix.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole record.")] = False,
) -> None:
    """Show one article: cleaned text, metadata, date reasoning and removed chrome."""
    with _open(ctx) as store:
        article = store.get_article(article_id)
    if article is None:
        _fail(f"no article with id {article_id!r}; list them with `parley articles`")
    if as_json:
        _print_json(article)
        return
    _print_article(article)


def _print_article(article: Article) -> None:
    console.rule(Text(article.title or "(untitled)", style="bold"))
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="dim")
    meta.add_column()
    for label, value in (
        ("id", article.id),
        ("revision", str(article.revision)),
        ("source", article.source_path),
        ("url", article.url),
        ("outlet", article.outlet),
        ("agency", article.agency),
        ("dateline", article.dateline or article.dateline_city),
        ("previous", article.previous_revision),
        ("section", article.section),
        ("standfirst", article.standfirst),
        ("published", _date_label(article)),
    ):
        if value:
            meta.add_row(label, Text(value))
    console.print(meta)
    if article.published is not None:
        console.rule("publication date: reasoning", style="dim")
        date = article.published
        console.print(
            Text(f"{date.value or 'undecided'}  precision={date.precision}  method={date.method}"
                 + (f"  timezone={date.timezone}" if date.timezone else ""))
        )
        for reason in date.evidence:
            console.print(Text(f"  + {reason}"))
        for candidate in date.rejected:
            console.print(Text(f"  - rejected {candidate.value}: {candidate.reason}"))
    console.rule("text", style="dim")
    for paragraph in article.paragraphs:
        body = article.text[paragraph.start : paragraph.end]
        style = "bold" if paragraph.kind == "heading" else ""
        marker = " [background]" if paragraph.background else ""
        console.print(Text(body + marker, style=style))
        console.print()
    if article.removed:
        console.rule("removed chrome", style="dim")
        for line in article.removed:
            console.print(Text(f"  line {line.line_no:>3}  {line.reason:<22} {line.text}"))
    for error in article.errors:
        console.print(Text(f"stage {error.stage} failed: {error.reason}", style="red"))


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words or a \"quoted phrase\" in body text.")],
    limit: LimitOption = 20,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over article bodies, with highlighted snippets."""
    with _open(ctx) as store:
        hits = store.search(query, limit=limit)
    if as_json:
        _print_json(hits)
        return
    if not hits:
        console.print("no matches")
    for hit in hits:
        console.print(
            Text(f"{hit.article_id[:12]}  {hit.published or '-'}  {hit.title}", style="bold")
        )
        console.print(Text("  ") + _highlight(hit.snippet))


@app.command()
def quotes(
    ctx: typer.Context,
    speaker: Annotated[str | None, typer.Option(help="Speaker actor id or name.")] = None,
    limit: LimitOption = 1000,
    as_json: JsonOption = False,
) -> None:
    """Quotes from processed articles, optionally by one speaker."""
    with _open(ctx) as store:
        found = store.quotes(speaker=speaker, limit=limit)
    if as_json:
        _print_json(with_article(found))
        return
    table = Table(show_header=True)
    for column in ("article", "speaker", "kind", "cue", "quote"):
        table.add_column(column)
    for article_id, quote in found:
        table.add_row(
            article_id[:12], quote.speaker_text or quote.speaker_id or "?", quote.kind,
            quote.cue or "", quote.text,
        )
    console.print(table)


@app.command()
def events(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="Source or target actor id or name.")] = None,
    limit: LimitOption = 1000,
    as_json: JsonOption = False,
) -> None:
    """Coded events from processed articles."""
    with _open(ctx) as store:
        found = store.events(actor=actor, limit=limit)
    if as_json:
        _print_json(with_article(found))
        return
    table = Table(show_header=True)
    for column in ("article", "date", "cameo", "source", "target", "modality", "trigger"):
        table.add_column(column)
    for article_id, event in found:
        table.add_row(
            article_id[:12], event.date or "?", f"{event.cameo} {event.plover}",
            event.source_id or "-", event.target_id or "-", event.modality, event.trigger,
        )
    console.print(table)


@app.command()
def actors(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Flag offices with no end date that look stale.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Actors seen in processed articles (with --check: stale offices in the knowledge base)."""
    if check:
        _check_offices(_settings(ctx), as_json)
        return
    with _open(ctx) as store:
        found = store.actors()
    if as_json:
        _print_json(found)
        return
    table = Table(show_header=True)
    for column in ("id", "name", "kind", "country", "code", "aliases"):
        table.add_column(column)
    for actor in found:
        table.add_row(
            actor.id, actor.name, actor.kind, actor.country or "-", actor.code or "-",
            ", ".join(actor.aliases),
        )
    console.print(table)


def _check_offices(settings: Settings, as_json: bool) -> None:
    import datetime
    import importlib

    load_knowledge = getattr(importlib.import_module("parley.knowledge"), "load_knowledge", None)
    if load_knowledge is None:
        _fail("the knowledge base is not available in this installation")
    knowledge = load_knowledge(settings.knowledge_dir)
    today = datetime.date.today().isoformat()
    stale = knowledge.stale_offices(today, settings.stale_office_years)
    if as_json:
        _print_json([{"actor": to_dict(actor), "office": to_dict(office)}
                     for actor, office in stale])
    else:
        for actor, office in stale:
            console.print(Text(f"{actor.name} ({actor.id}): {office.title} "
                               f"[{office.code}] since {office.start}, no end date"))
        console.print(f"{len(stale)} office(s) held with no end date for over "
                      f"{settings.stale_office_years} years")
    if stale:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- process


@app.command()
def process(
    ctx: typer.Context,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: number of cores).")
    ] = None,
    engine: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://HOST:PORT).")
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", help="With --engine dask: ingest and process these files, "
                     "folders, JSONL or Parquet shards on the cluster (repeatable)."),
    ] = None,
    shards_out: Annotated[
        Path | None,
        typer.Option("--shards-out", help="With --input: write Parquet shards here instead "
                     "of the store (load them with `parley merge`)."),
    ] = None,
) -> None:
    """Run the analysis stages over every stored article not yet processed."""
    from parley.engine import process_inputs, process_store

    settings = _settings(ctx)
    if inputs:
        if engine != "dask":
            _fail("--input runs ingest on Dask: add --engine dask (or use `parley ingest`)")
        if shards_out is not None:
            shard_report = process_inputs(inputs, settings, shard_dir=shards_out,
                                          workers=workers, scheduler=scheduler)
        else:
            with _open(ctx) as store:
                shard_report = process_inputs(inputs, settings, store=store, workers=workers,
                                              scheduler=scheduler)
        console.print(f"{shard_report.articles} articles processed on Dask "
                      f"({shard_report.failed} with errors, {len(shard_report.skipped)} "
                      f"inputs skipped, {len(shard_report.shards)} shards written)",
                      soft_wrap=True)
        for source, reason in shard_report.skipped:
            _error_console().print(f"error: {source}: {reason}", markup=False)
        if shard_report.skipped:
            raise typer.Exit(1)
        return
    with _open(ctx) as store:
        report = process_store(store, settings, workers=workers, engine=engine,
                               scheduler=scheduler)
    console.print(
        f"processed {report.processed} articles ({report.words} words) in "
        f"{report.seconds:.1f} s with {report.workers} {report.engine} worker(s); "
        f"{report.up_to_date} already up to date; {report.failed} with errors"
        + ("; timeline updated" if report.corpus_updated else ""),
        soft_wrap=True,
    )
    for article_id, stage, reason in report.failures:
        _error_console().print(f"error: article {article_id[:12]}: stage {stage}: {reason}",
                               markup=False)


@app.command()
def merge(
    ctx: typer.Context,
    shard_dir: Annotated[Path, typer.Argument(metavar="SHARD_DIR",
                                              help="Folder of Parquet shards.")],
) -> None:
    """Load Parquet shards written by `parley process --engine dask --shards-out` into the store."""
    from parley.engine import merge_shards

    settings = _settings(ctx)
    with _open(ctx) as store:
        report = merge_shards(shard_dir, store, settings)
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(report.outcomes.items())) or "nothing"
    console.print(f"merged {report.articles} articles from {report.shards} shards ({outcomes})"
                  + ("; timeline updated" if report.corpus_updated else ""), soft_wrap=True)


@app.command()
def extract(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="One article: text scrape or HTML page.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole record.")] = False,
) -> None:
    """Annotate one article in the terminal: actors, quotes, dates and events."""
    from parley.api import process_file

    article = process_file(file, _settings(ctx))
    if as_json:
        _print_json(article)
        return
    from parley.render import print_annotated

    print_annotated(console, article)


@app.command()
def demo(ctx: typer.Context) -> None:
    """Ingest the bundled demo corpus, process it and print what was found."""
    from parley.api import demo_corpus_dir, run_demo
    from parley.render import print_demo_summary

    settings = _settings(ctx)
    with _open(ctx) as store:
        summary = run_demo(store, settings, corpus=demo_corpus_dir())
        print_demo_summary(console, store, summary)


@app.command(name="eval")
def eval_command(
    ctx: typer.Context,
    which: Annotated[str, typer.Argument(
        help="quotes, timex, events, entities, extraction, timeline or all.")] = "all",
    fast: Annotated[bool, typer.Option("--fast", help="The fixed CI subsets only.")] = False,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Folder of the gold sets (default ../shared/eval or $PARLEY_SHARED).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score each stage on public gold data by that data set's own rules."""
    from parley.eval import format_tables, run, tables_json

    tables = run(which, fast=fast, data=data, settings=_settings(ctx))
    print(tables_json(tables) if as_json else format_tables(tables))


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(envvar="PARLEY_TOKEN", help="Allow browser ingest and saved filters to "
                     "whoever presents this token (default: read-only)."),
    ] = None,
    rate_limit: Annotated[
        int | None,
        typer.Option(min=0, help="Requests per client address per minute, counted by each "
                     "worker; 0 turns the limit off (default 600, or $PARLEY_RATE_LIMIT)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes answering requests (uvicorn workers).")
    ] = 1,
) -> None:
    """Browse the record in a web browser: news feed, timeline, articles, actors, search."""
    try:
        from parley.web.serving import serve as serve_web
    except ImportError:
        _fail("the web interface needs FastAPI and uvicorn: pip install 'parley[web]'")
    settings = _settings(ctx)
    console.print(f"parley: serving {settings.db} on http://{host}:{port}/"
                  + ("" if token else " (read-only)")
                  + (f" with {workers} workers" if workers > 1 else ""))
    limit = settings.rate_limit_per_minute if rate_limit is None else rate_limit
    serve_web(settings.db, settings, host=host, port=port, workers=workers, token=token,
              rate_limit_per_minute=limit or None)


# --------------------------------------------------------------------------- across articles


@app.command()
def timeline(
    ctx: typer.Context,
    dyad: Annotated[str | None, typer.Option(help="Two country codes, e.g. RUS-JPN.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Earliest date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Latest date.")] = None,
    actor: Annotated[str | None, typer.Option(help="Actor id or (part of a) name.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, md, json or csv.")] = "text",
) -> None:
    """Merged events in date order, with every source (new reporting or background)."""
    from parley.analysis.timeline import format_timeline
    from parley.analysis.timeline import timeline as merged_timeline

    with _open(ctx) as store:
        found = merged_timeline(store, dyad=dyad, date_from=date_from, date_to=date_to,
                                actor=actor)
    typer.echo(format_timeline(found, fmt), nl=False)


@app.command()
def trend(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Country code, e.g. RUS.")],
    b: Annotated[str, typer.Argument(help="Country code, e.g. JPN.")],
    as_json: JsonOption = False,
) -> None:
    """Monthly cooperative and conflictual events of a dyad, with the mean Goldstein score."""
    from parley.analysis.trend import store_trend

    with _open(ctx) as store:
        months = store_trend(store, a, b)
    if as_json:
        _print_json(months)
        return
    table = Table(show_header=True, title=f"{a.upper()}-{b.upper()} by month of the event")
    for column in ("month", "cooperative", "conflictual", "neutral", "mean Goldstein"):
        table.add_column(column)
    for m in months:
        table.add_row(m.month, str(m.cooperative), str(m.conflictual), str(m.neutral),
                      f"{m.mean_goldstein:+.1f}")
    console.print(table)


plot_app = typer.Typer(help="Charts.", no_args_is_help=True)
app.add_typer(plot_app, name="plot")


@plot_app.command("dyad")
def plot_dyad_command(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Country code, e.g. RUS.")],
    b: Annotated[str, typer.Argument(help="Country code, e.g. JPN.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Image file.")] = Path(
        "trend.png"),
    date_from: Annotated[str | None, typer.Option("--from", help="First month (YYYY-MM).")] = None,
) -> None:
    """Plot the monthly trend of a dyad (cooperation, conflict, mean Goldstein)."""
    from parley.analysis.trend import plot_dyad

    with _open(ctx) as store:
        path = plot_dyad(store, a, b, output, date_from=date_from)
    console.print(f"wrote {path}")


@app.command()
def positions(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Country code, e.g. RUS.")],
    b: Annotated[str, typer.Argument(help="Country code, e.g. JPN.")],
    as_json: JsonOption = False,
) -> None:
    """Stated positions of each side over time, grouped by issue, with sources."""
    from parley.analysis.positions import store_positions

    with _open(ctx) as store:
        found = store_positions(store, a, b, _settings(ctx))
    if as_json:
        _print_json(found)
        return
    for p in found:
        sources = ", ".join(s["article_id"][:12] for s in p.sources)
        console.print(f"[bold]{p.issue_label}[/bold]  {p.date or '?'}  {p.side}  "
                      f"{p.speaker}: {p.stance}  [dim]({sources})[/dim]", highlight=False)


@app.command()
def export(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="What to export: events.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", help="csv, tsv, jsonl or parquet (default: from the extension).")] = None,
) -> None:
    """Export the merged event table (CSV/TSV, JSON Lines, Parquet) for R, pandas, etc."""
    from parley.analysis.export import export_events
    from parley.analysis.timeline import timeline as merged_timeline

    if what != "events":
        _fail(f"cannot export {what!r}: only 'events' can be exported")
    with _open(ctx) as store:
        rows = export_events(merged_timeline(store), output, fmt)
    console.print(f"wrote {rows} events to {output}")


# --------------------------------------------------------------------------- entry point


def main() -> None:
    """Console entry point (``parley``)."""
    try:
        app()
    except ParleyError as exc:  # raised outside a command (e.g. in option parsing)
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
