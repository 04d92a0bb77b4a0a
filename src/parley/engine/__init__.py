"""The processing engine: run the per-article stages over a store, locally or on Dask.

``process_store`` is incremental: it asks the store which articles were not yet
processed with the current *stage signature* (stage names, the code of their
modules, the knowledge files and the spaCy model), streams only those through
the parse and the stages in batches, writes each article back in its own
transaction from a single writer, and then runs the cross-article step
(background links, merged timeline).  A failure on one article is stored on
that article (``Article.errors``); the batch goes on.

    process_store(store, settings, workers=N, engine="local" | "dask") -> ProcessReport
    process_inputs(paths, settings, store=... | shard_dir=...)  -> InputsReport  (Dask)
    merge_shards(shard_dir, store, settings)                    -> MergeReport
"""

from __future__ import annotations

import hashlib
import inspect
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from parley.errors import ParleyError
from parley.model import Article
from parley.pipeline import Stage, check_order
from parley.settings import Settings

if TYPE_CHECKING:
    from parley.engine.dask import InputsReport
    from parley.store.base import Store

__all__ = [
    "MergeReport",
    "ProcessReport",
    "merge_shards",
    "process_inputs",
    "process_store",
    "resolve_workers",
    "stage_signature",
]

ENGINES = ("local", "dask")


@dataclass
class ProcessReport:
    """What one processing run did."""

    signature: str
    engine: str
    workers: int
    processed: int = 0
    #: articles that carry at least one stage error after this run
    failed: int = 0
    #: articles already up to date with this signature (not touched)
    up_to_date: int = 0
    words: int = 0
    seconds: float = 0.0
    corpus_updated: bool = False
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (article, stage, reason)

    @property
    def articles_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0


def resolve_workers(workers: int | None) -> int:
    """``None`` or 0 means one worker per core."""
    if not workers:
        return os.cpu_count() or 1
    if workers < 0:
        raise ParleyError(f"--workers must be positive, got {workers}")
    return workers


def stage_signature(settings: Settings, stages: Iterable[Stage]) -> str:
    """A short hash naming everything that decides the annotations.

    Stage names, the source of each stage's module (so a code change makes old
    annotations stale), every knowledge data file, the parley version and the
    spaCy pipeline name.  Two runs with the same signature give the same records.
    """
    from parley import __version__

    digest = hashlib.sha256()
    digest.update(f"parley {__version__}\nspacy {settings.spacy_model}\n".encode())
    for stage in stages:
        digest.update(f"stage {stage.name}\n".encode())
        source = inspect.getsourcefile(stage.func)
        if source and Path(source).is_file():
            digest.update(Path(source).read_bytes())
    for path in _knowledge_files(settings):
        digest.update(f"knowledge {path.name}\n".encode())
        digest.update(path.read_bytes())
    return f"{'+'.join(s.name for s in stages)}@{digest.hexdigest()[:16]}"


def _knowledge_files(settings: Settings) -> list[Path]:
    folder = settings.knowledge_dir or Path(__file__).resolve().parents[1] / "knowledge" / "data"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def analysis_stages(names: Iterable[str] | None = None) -> list[Stage]:
    """The per-article stages to run after the parse, order checked once
    (by default every installed analysis stage, as ``parley.process`` runs them)."""
    if names is not None:
        return check_order(list(names))
    from parley.api import analysis_stages as installed

    return installed()


def process_store(
    store: Store,
    settings: Settings,
    *,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    stages: list[Stage] | None = None,
    corpus_step: bool = True,
) -> ProcessReport:
    """Process every article of ``store`` whose annotations are missing or stale.

    ``workers`` (default: one per core) parallelises parse and stages; the
    calling process is the only writer.  ``engine="dask"`` runs the batches on a
    Dask cluster (``scheduler`` URL, or a LocalCluster).  ``stages`` overrides
    the registered analysis stages (tests inject a failing one this way).
    The cross-article step runs when anything was processed or a killed run left it
    owed (``corpus_step=False`` skips it), so a run with nothing to do costs two queries.
    """
    if engine not in ENGINES:
        raise ParleyError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    chosen = stages if stages is not None else analysis_stages()
    signature = stage_signature(settings, chosen)
    n_workers = resolve_workers(workers)
    report = ProcessReport(signature=signature, engine=engine, workers=n_workers)
    started = time.perf_counter()

    pending = store.articles_needing(signature)
    report.up_to_date = max(store.count_articles() - len(pending), 0)
    if not pending:
        if corpus_step and store.corpus_stale():  # a killed run left this step owed
            report.corpus_updated = update_corpus(store, settings)
        report.seconds = time.perf_counter() - started
        return report
    if engine == "local":  # no idle worker processes for a handful of articles
        n_workers = report.workers = min(n_workers, len(pending))
    articles = _load(store, pending)
    batch_settings = settings.with_(batch_size=batch_size_for(len(pending), n_workers, settings))
    if engine == "dask":
        from parley.engine.dask import process_articles_dask

        results = process_articles_dask(
            articles, batch_settings, chosen, signature, workers=n_workers, scheduler=scheduler
        )
    else:
        from parley.engine.local import process_articles

        results = process_articles(articles, batch_settings, chosen, signature, workers=n_workers)
    with store.grouped_writes():
        for article in results:
            store.save_annotations(article)
            _count(report, article)

    if corpus_step and (report.processed or store.corpus_stale()):
        report.corpus_updated = update_corpus(store, settings)
    report.seconds = time.perf_counter() - started
    return report


def batch_size_for(pending: int, workers: int, settings: Settings) -> int:
    """``settings.batch_size``, smaller when that would leave workers idle: each
    worker should get at least four batches of a small run."""
    if workers <= 1:
        return settings.batch_size
    return max(1, min(settings.batch_size, -(-pending // (4 * workers))))


def _load(store: Store, ids: list[str]) -> Iterator[Article]:
    """Articles fetched one at a time, so the corpus is never held in memory."""
    for article_id in ids:
        article = store.get_article(article_id)
        if article is not None:
            yield article


def _count(report: ProcessReport, article: Article) -> None:
    report.processed += 1
    report.words += len(article.text.split())
    if article.errors:
        report.failed += 1
        for error in article.errors:
            report.failures.append((article.id, error.stage, error.reason))


def update_corpus(store: Store, settings: Settings) -> bool:
    """Run the cross-article step (background links, timeline) when it is installed."""
    try:
        from parley.analysis.timeline import update_corpus as update
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("parley.analysis"):
            return False
        raise
    except ImportError:
        return False
    update(store, settings)
    return True


def process_inputs(
    inputs: Iterable[str | Path],
    settings: Settings,
    *,
    store: Store | None = None,
    shard_dir: Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    stages: list[Stage] | None = None,
) -> InputsReport:
    """Ingest *and* process files, folders, JSONL or Parquet shards on Dask.

    The result goes to ``store`` (then the cross-article step runs) or to Parquet
    shards in ``shard_dir`` for ``parley merge`` to load later.
    """
    from parley.engine.dask import run_inputs

    chosen = stages if stages is not None else analysis_stages()
    signature = stage_signature(settings, chosen)
    report = run_inputs(
        inputs, settings, chosen, signature, workers=resolve_workers(workers),
        scheduler=scheduler, store=store, shard_dir=shard_dir,
    )
    if store is not None:
        update_corpus(store, settings)
    return report


@dataclass
class MergeReport:
    shards: int = 0
    articles: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    corpus_updated: bool = False


def merge_shards(folder: Path, store: Store, settings: Settings) -> MergeReport:
    """Load the Parquet shards under ``folder`` into ``store`` (``parley merge``).

    Each article is added (an article already there is left ``unchanged``) and its
    annotations saved, streaming shard by shard, committed a few times a second.
    Loading the same shards twice changes nothing.
    """
    from parley.engine.shards import read_shard, shard_paths

    report = MergeReport()
    with store.grouped_writes():
        for path in shard_paths(folder):
            report.shards += 1
            for article in read_shard(path):
                outcome = store.add_article(article)
                if article.stage_signature:
                    store.save_annotations(article)
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
                report.articles += 1
    report.corpus_updated = update_corpus(store, settings)
    return report
