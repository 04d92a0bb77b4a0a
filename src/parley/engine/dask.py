"""The Dask engine: the same batches as the local engine, run on a Dask cluster.

``--engine dask`` connects to ``--scheduler tcp://HOST:PORT`` or starts a
``LocalCluster`` (one single-threaded worker process per requested worker).
Each task is one batch: parse + stages on a worker, which loads the spaCy
pipeline and the knowledge once and keeps them.  Results come back to the
caller, the only writer, in input order; at most ``2 × workers`` batches are
in flight.  ``run_inputs`` also ingests on the cluster, reading folders, JSONL
files or Parquet shards, and writes to the store or to Parquet shards that
``parley merge`` loads.

Dask is an optional extra, imported only here and only when used.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parley.engine.shards import SHARD_SUFFIX, read_shard, write_shard
from parley.errors import InputError, MissingExtra, ParleyError
from parley.model import Article, RawDocument
from parley.pipeline import Context, Stage
from parley.settings import Settings

if TYPE_CHECKING:
    from parley.store.base import Store

INSTALL = ("the Dask engine", "dask", "dask[distributed]")
#: how long to keep trying to reach a ``--scheduler`` before giving up
CONNECT_TIMEOUT = "20s"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingExtra(*INSTALL) from None
    return distributed


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client on ``scheduler``, or on a LocalCluster that is closed afterwards."""
    distributed = _distributed()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            raise ParleyError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def process_articles_dask(
    articles: Iterable[Article],
    settings: Settings,
    stages: list[Stage],
    signature: str,
    *,
    workers: int,
    scheduler: str | None = None,
) -> Iterator[Article]:
    """Annotate ``articles`` on Dask, yielding them in input order (a generator)."""
    from parley.engine.local import batched

    with dask_client(scheduler, workers) as client:
        window = 2 * max(_worker_count(client), 1)
        in_flight: deque[Any] = deque()
        for batch in batched(articles, settings.batch_size):
            in_flight.append(
                client.submit(annotate_task, batch, stages, signature, settings, pure=False)
            )
            if len(in_flight) >= window:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()


def _worker_count(client: Any) -> int:
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))


# ------------------------------------------------------------------- on the workers
# A worker keeps one Context per thread (the spaCy pipeline itself is cached per
# process by parley.nlp.load_pipeline); Context.doc is per article, hence per thread.

_contexts: dict[tuple[str, int], Context] = {}


def worker_context(settings: Settings) -> Context:
    key = (repr(settings), threading.get_ident())
    context = _contexts.get(key)
    if context is None:
        context = _contexts[key] = Context(settings=settings)
    return context


def annotate_task(
    batch: list[Article], stages: list[Stage], signature: str, settings: Settings
) -> list[Article]:
    """One Dask task: parse and annotate a batch with the worker's cached context."""
    from parley.engine.local import annotate_batch

    return annotate_batch(batch, stages, worker_context(settings), signature)


# ------------------------------------------------------- ingest + process on the cluster


@dataclass
class InputsReport:
    """What ``run_inputs`` did: articles written, inputs skipped, shards produced."""

    articles: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    failed: int = 0
    shards: list[str] = field(default_factory=list)


#: one unit of work: ("files", [paths]) | ("jsonl", path, first_line, last_line) | ("shard", path)
Unit = tuple[Any, ...]


def input_units(inputs: Iterable[str | Path], per_unit: int) -> Iterator[Unit]:
    """Split inputs into tasks of about ``per_unit`` articles, streaming.

    Plain files are grouped, JSON Lines files are cut into line ranges (only the
    line count is read here, not the content), each Parquet shard is one unit.
    """
    from parley.inputs.readers import _expand

    files: list[str] = []
    for item in inputs:
        for path in _expand(item):
            if isinstance(path, InputError):
                yield ("error", path.source, path.reason)
            elif path.suffix == SHARD_SUFFIX:
                yield ("shard", str(path))
            elif path.suffix == ".jsonl":
                yield from _jsonl_units(path, per_unit)
            else:
                files.append(str(path))
                if len(files) >= per_unit:
                    yield ("files", files)
                    files = []
    if files:
        yield ("files", files)


def _jsonl_units(path: Path, per_unit: int) -> Iterator[Unit]:
    with path.open("rb") as handle:
        count = sum(1 for _ in handle)
    for first in range(0, count, per_unit):
        yield ("jsonl", str(path), first, min(first + per_unit, count))


def run_inputs(
    inputs: Iterable[str | Path],
    settings: Settings,
    stages: list[Stage],
    signature: str,
    *,
    workers: int,
    scheduler: str | None = None,
    store: Store | None = None,
    shard_dir: Path | None = None,
) -> InputsReport:
    """Ingest and process ``inputs`` on Dask; write to ``store`` or to ``shard_dir``.

    With ``shard_dir`` each task writes its own shard (``part-NNNNNN.parquet``) on
    the worker and nothing but counts comes back; load them later with
    ``parley merge``.  With ``store`` the caller is the single writer.
    """
    if (store is None) == (shard_dir is None):
        raise ParleyError("give exactly one destination: a store or a shard folder")
    report = InputsReport()
    with dask_client(scheduler, workers) as client:
        window = 2 * max(_worker_count(client), 1)
        in_flight: deque[Any] = deque()
        units = input_units(inputs, settings.batch_size)
        for number, unit in enumerate(units):
            if unit[0] == "error":
                report.skipped.append((unit[1], unit[2]))
                continue
            shard = str(shard_dir / f"part-{number:06d}{SHARD_SUFFIX}") if shard_dir else None
            in_flight.append(client.submit(
                ingest_task, unit, stages, signature, settings, shard, pure=False))
            if len(in_flight) >= window:
                _collect(in_flight.popleft().result(), report, store)
        while in_flight:
            _collect(in_flight.popleft().result(), report, store)
    return report


def _collect(result: TaskResult, report: InputsReport, store: Store | None) -> None:
    report.skipped.extend(result.skipped)
    if result.shard:
        report.shards.append(result.shard)
        report.articles += result.count
        report.failed += result.failed
    for article in result.articles:
        assert store is not None
        outcome = store.add_article(article)
        store.save_annotations(article)
        report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
        report.articles += 1
        report.failed += bool(article.errors)
    if store is not None:
        from parley.store.base import Rejection

        for source, reason in result.skipped:
            store.add_rejection(Rejection(source=source, stage="read", reason=reason))



@dataclass
class TaskResult:
    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    shard: str | None = None
    count: int = 0
    failed: int = 0


def ingest_task(
    unit: Unit, stages: list[Stage], signature: str, settings: Settings, shard: str | None
) -> TaskResult:
    """One Dask task: read a unit of input, clean, date, parse and annotate it."""
    from parley.engine.local import annotate_batch

    result = TaskResult()
    context = worker_context(settings)
    todo: list[Article] = []
    done: list[Article] = []
    raws: list[RawDocument] = []
    for item in _read_unit(unit, settings):
        if isinstance(item, InputError):
            result.skipped.append((item.source, item.reason))
        elif isinstance(item, Article):
            (done if item.stage_signature == signature else todo).append(item)
        else:
            raws.append(item)
    for raw, article_or_error in zip(raws, prepare_articles(raws, settings, context),
                                     strict=True):
        if isinstance(article_or_error, Article):
            todo.append(article_or_error)
        else:
            result.skipped.append((raw.source, article_or_error))
    done += annotate_batch(todo, stages, context, signature)
    if shard is not None:
        result.shard = shard
        result.count = write_shard(done, Path(shard))
        result.failed = sum(bool(a.errors) for a in done)
    else:
        result.articles = done
    return result


def _read_unit(unit: Unit, settings: Settings) -> Iterator[RawDocument | Article | InputError]:
    from parley.inputs.readers import read_file

    kind = unit[0]
    if kind == "files":
        for path in unit[1]:
            yield from read_file(Path(path), settings)
    elif kind == "shard":
        yield from read_shard(Path(unit[1]))
    elif kind == "jsonl":
        yield from _read_jsonl_range(Path(unit[1]), unit[2], unit[3], settings)


def _read_jsonl_range(
    path: Path, first: int, last: int, settings: Settings
) -> Iterator[RawDocument | InputError]:
    """Lines ``first`` to ``last`` (0-based, end exclusive) of a JSON Lines file."""
    import json

    from parley.inputs.readers import jsonl_record

    with path.open("rb") as handle:
        for line_no, line in enumerate(islice(handle, first, last), start=first + 1):
            source = f"{path}:{line_no}"
            if not line.strip():
                continue
            if len(line) > settings.max_input_bytes:
                yield InputError(source, f"line too large: {len(line)} bytes")
                continue
            try:
                record = json.loads(line.decode("utf-8-sig" if line_no == 1 else "utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                yield InputError(source, f"invalid JSON line: {exc}")
                continue
            yield jsonl_record(record, source)


def prepare_articles(
    raws: list[RawDocument], settings: Settings, context: Context
) -> Iterator[Article | str]:
    """Clean and date documents as ``parley ingest`` does, learning each outlet's
    repeated chrome from the documents of this unit; a failure yields its reason."""
    from parley.api import date_article
    from parley.stages.clean import clean, learn_outlet_chrome

    first = [_clean_or_none(raw, settings) if raw.format == "text" else None for raw in raws]
    texts: dict[str, list[str]] = {}
    for raw, article in zip(raws, first, strict=True):
        if article is not None:
            texts.setdefault(article.outlet or raw.outlet or "", []).append(raw.text)
    learned = {outlet: learn_outlet_chrome(group) for outlet, group in texts.items()}
    for raw, article in zip(raws, first, strict=True):
        try:
            if article is None:  # not a text scrape, or its first cleaning failed
                article = clean(raw, settings)
            elif chrome := learned.get(article.outlet or raw.outlet or ""):
                article = clean(raw, settings, chrome)
            yield date_article(article, context)
        except InputError as exc:
            yield exc.reason
        except Exception as exc:
            yield f"{type(exc).__name__}: {exc}"


def _clean_or_none(raw: RawDocument, settings: Settings) -> Article | None:
    from parley.stages.clean import clean

    try:
        return clean(raw, settings)
    except Exception:
        return None
