"""The local engine: batches through spaCy and the stages, on one or more processes.

Articles arrive as a stream and leave as a stream in the same order; at most
``2 × workers`` batches are in flight, so memory does not grow with the corpus.
With one worker everything runs in this process (``nlp.pipe`` over the batch);
with more, worker processes (forked where the platform allows, so that they
share the pipeline and knowledge loaded once here) handle whole batches — parse
*and* stages, which parallelises the stages too; spaCy's own ``n_process``
would leave them on one core.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from parley.model import Article, StageError
from parley.pipeline import Context, Stage, run_stages
from parley.settings import Settings

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: stages run at ingest: their results and errors survive a re-run of the analysis
INGEST_STAGES = ("clean", "dating")

def process_articles(
    articles: Iterable[Article],
    settings: Settings,
    stages: list[Stage],
    signature: str,
    *,
    workers: int = 1,
    context: Context | None = None,
    memory_zone: bool = True,
) -> Iterator[Article]:
    """Annotate ``articles`` (parse + ``stages``), yielding them in input order.

    With one worker, ``context`` (its spaCy pipeline and knowledge) may be reused
    across calls; worker processes build their own.  ``memory_zone``: every batch
    but a process's first runs inside spaCy's ``nlp.memory_zone()`` (see
    :func:`annotate_batch`).
    """
    batches = batched(articles, settings.batch_size)
    if workers <= 1:
        context = context or Context(settings=settings)
        for number, batch in enumerate(batches):
            yield from annotate_batch(batch, stages, context, signature,
                                      memory_zone=memory_zone and number > 0)
        return
    if "fork" in multiprocessing.get_all_start_methods():
        # Load the pipeline and knowledge once here; forked workers share them
        # (copy-on-write) and start at once, as spaCy's own n_process does.
        warm = warm_context(context or Context(settings=settings))
        method, initargs = "fork", (warm,)
    else:
        method, initargs = "spawn", (Context(settings=settings),)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=initargs,
    ) as pool:
        in_flight: deque[Future[list[Article]]] = deque()
        for batch in batches:
            in_flight.append(pool.submit(_annotate_in_worker, batch, stages, signature,
                                         memory_zone))
            if len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()


def annotate_batch(
    batch: list[Article], stages: list[Stage], context: Context, signature: str,
    *, memory_zone: bool = False,
) -> list[Article]:
    """Parse a batch with ``nlp.pipe`` and run the stages on each article.

    Old analysis annotations are cleared first so that a re-run replaces them;
    an article whose parse or stage fails carries the error and the batch goes on.

    ``memory_zone``: parse and stages run inside ``nlp.memory_zone()``, so the
    strings and lexemes that the batch adds to the shared vocabulary are freed
    afterwards (otherwise memory grows with every new name in the corpus).  The
    records hold plain strings, never spaCy objects, so nothing outlives the
    zone; a process's first batch runs outside it, so the caches that stages
    build lazily on first use keep their strings.
    """
    if memory_zone and any(s.needs_doc for s in stages) and hasattr(context.nlp, "memory_zone"):
        with context.nlp.memory_zone():
            return _annotate(batch, stages, context, signature)
    return _annotate(batch, stages, context, signature)


def _annotate(
    batch: list[Article], stages: list[Stage], context: Context, signature: str
) -> list[Article]:
    for article in batch:
        reset_annotations(article)
    docs = _parse(batch, context) if any(s.needs_doc for s in stages) else [None] * len(batch)
    for article, doc in zip(batch, docs, strict=True):
        if isinstance(doc, Exception):
            article.errors.append(StageError("parse", f"{type(doc).__name__}: {doc}"))
            context.doc = None
            runnable = [s for s in stages if not s.needs_doc]
        else:
            context.doc = doc
            runnable = stages
        try:
            run_stages(article, runnable, context)
        finally:
            context.doc = None
        article.stage_signature = signature
    return batch


def _parse(batch: list[Article], context: Context) -> list[Doc | Exception]:
    """One ``nlp.pipe`` over the batch; when it fails, parse one by one to find the culprit."""
    nlp = context.nlp
    texts = [article.text for article in batch]
    try:
        return list(nlp.pipe(texts, batch_size=len(texts) or 1))
    except Exception:  # isolate the failing article below
        docs: list[Doc | Exception] = []
        for text in texts:
            try:
                docs.append(nlp(text))
            except Exception as exc:  # recorded on the article
                docs.append(exc)
        return docs


def reset_annotations(article: Article) -> None:
    """Drop what any earlier analysis produced, keeping the cleaned, dated article."""
    article.actors = []
    article.mentions = []
    article.quotes = []
    article.timexes = []
    article.events = []
    article.errors = [e for e in article.errors if e.stage in INGEST_STAGES]
    article.stages_done = [s for s in article.stages_done if s in INGEST_STAGES]
    article.stage_signature = None


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, max(size, 1))):
        yield batch


def warm_context(context: Context) -> Context:
    """Load the spaCy pipeline, the knowledge base and the codebook now (those that exist)."""
    _ = context.nlp
    for name in ("knowledge", "codebook"):
        with contextlib.suppress(ImportError):
            getattr(context, name)
    return context


# ----------------------------------------------------------------- worker processes
# Each worker process keeps one Context (spaCy pipeline, knowledge, codebook) for
# every batch it is given: inherited from the parent when forked, loaded once in
# the pool initializer when spawned.

_worker_context: Context | None = None
_worker_batches = 0


def _init_worker(context: Context) -> None:
    global _worker_context
    _worker_context = warm_context(context)


def _annotate_in_worker(batch: list[Article], stages: list[Stage], signature: str,
                        memory_zone: bool = True) -> list[Article]:
    global _worker_batches
    assert _worker_context is not None, "worker used before its initializer ran"
    _worker_batches += 1
    return annotate_batch(batch, stages, _worker_context, signature,
                          memory_zone=memory_zone and _worker_batches > 1)
