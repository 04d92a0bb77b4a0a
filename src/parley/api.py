"""The library entry points: ``process`` one text, ``ingest`` files into a store.

``process(text)`` runs the whole per-article pipeline in memory: detect the
format, clean, date, parse with spaCy, then every registered analysis stage.
``ingest(paths, store)`` streams inputs into a store: clean and date each one,
write it all or nothing (commits grouped a few times a second), record every
rejected input with its reason, and never let one bad file stop the batch.
Analysis of stored articles is the engine's job (``parley.engine.process_store``).
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parley.errors import InputError, ParleyError, StoreError
from parley.model import Article, PublicationDate, RawDocument, StageError
from parley.pipeline import ANALYSIS_STAGES, Context, Stage, get_stage, run_stages
from parley.settings import Settings
from parley.store.base import Rejection, Store

#: inputs read before cleaning starts, to learn what each outlet repeats (chrome)
CHROME_WINDOW = 50
#: the read-ahead window also stops at this much text, so memory stays bounded
CHROME_WINDOW_CHARS = 2_000_000
DEMO_CORPUS = Path(__file__).resolve().parent / "demo_corpus"

ProgressCallback = Callable[["IngestItem"], None]


# --------------------------------------------------------------------------- one text


def process(
    text: str,
    published: str | None = None,
    *,
    source: str | None = None,
    settings: Settings | None = None,
) -> Article:
    """Clean, date and annotate one article given as text (a scrape or an HTML page).

    ``published`` (ISO 8601, e.g. ``2019-05-10`` or ``2019-05-10T12:00+03:00``)
    overrides the date found in the text, with method ``explicit``.
    """
    return process_raw(read_text(text, source or "<text>"), published,
                       settings=settings or Settings())


def process_file(path: str | Path, settings: Settings | None = None) -> Article:
    """Clean, date and annotate the first article of a file (any input format or
    encoding the readers accept); an unreadable file raises ``InputError``."""
    from parley.inputs.readers import read_file

    settings = settings or Settings()
    for item in read_file(Path(path), settings):
        if isinstance(item, InputError):
            raise item
        return process_raw(item, settings=settings)
    raise InputError(str(path), "no article found in the file")


def process_raw(raw: RawDocument, published: str | None = None, *,
                settings: Settings) -> Article:
    """The per-article pipeline on one input as read: clean, date, parse, analyse."""
    from parley.stages.clean import clean

    article = clean(raw, settings)
    context = Context(settings)
    article = date_article(article, context)
    if published is not None:
        article.published = explicit_date(published)
    return analyse(article, context)


def read_text(text: str, source: str) -> RawDocument:
    """The first article in ``text`` (format detected from the content)."""
    from parley.inputs.readers import parse_text

    for item in parse_text(text, source):
        if isinstance(item, InputError):
            raise item
        return item
    raise InputError(source, "no article found in the text")


def date_article(article: Article, context: Context) -> Article:
    """Run the dating stage when it is installed; a failure is recorded, not raised."""
    stage = _registered("dating")
    return run_stages(article, [stage], context) if stage is not None else article


def analysis_stages() -> list[Stage]:
    """The registered analysis stages whose requirements are met, in pipeline order."""
    available: set[str] = set()
    for done in ("clean", "dating"):
        stage = _registered(done)
        if stage is not None:
            available.update(stage.provides)
    chosen = []
    for name in ANALYSIS_STAGES:
        stage = _registered(name)
        if stage is not None and all(r in available for r in stage.requires):
            chosen.append(stage)
            available.update(stage.provides)
    return chosen


def analyse(article: Article, context: Context) -> Article:
    """Parse with spaCy (when a stage needs it) and run the analysis stages."""
    stages = analysis_stages()
    if any(stage.needs_doc for stage in stages):
        context.doc = context.nlp(article.text)
    try:
        return run_stages(article, stages, context)
    finally:
        context.doc = None


def _registered(name: str) -> Stage | None:
    try:
        return get_stage(name)
    except ParleyError:
        return None


def explicit_date(published: str) -> PublicationDate:
    """A caller-given publication date (ISO 8601 day or timestamp)."""
    value = published.strip()
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return PublicationDate(day.isoformat(), "day", "explicit",
                                   evidence=["given by the caller"])
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise InputError("published", f"{published!r} is not an ISO 8601 date "
                         "(e.g. 2019-05-10 or 2019-05-10T12:00+03:00)") from None
    zone = moment.strftime("%z") or None
    return PublicationDate(
        moment.isoformat(timespec="seconds"), "minute", "explicit",
        timezone=f"{zone[:3]}:{zone[3:]}" if zone else None,
        evidence=["given by the caller"],
    )


# --------------------------------------------------------------------------- ingest


@dataclass
class IngestItem:
    """What happened to one input."""

    source: str
    outcome: str  # ingested, unchanged, revision or skipped
    article_id: str | None = None
    stage: str | None = None
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        """The JSON shape: the article outcome, or ``{"error", "source"}`` when skipped."""
        if self.outcome == "skipped":
            return {"error": self.reason, "source": self.source, "stage": self.stage}
        return {"source": self.source, "outcome": self.outcome, "article_id": self.article_id}


@dataclass
class IngestReport:
    """Counts per outcome and every skipped input with its reason (ids are not kept,
    so a run over millions of inputs stays small)."""

    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[IngestItem] = field(default_factory=list)

    def add(self, item: IngestItem) -> None:
        self.counts[item.outcome] += 1
        if item.outcome == "skipped":
            self.skipped.append(item)

    def count(self, outcome: str) -> int:
        return self.counts[outcome]

    def skip_reasons(self) -> Counter[str]:
        """Skipped inputs grouped by reason (file names left out)."""
        return Counter(item.reason or "unknown" for item in self.skipped)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read, clean and date every input under ``paths`` into ``store``.

    Each article is written all or nothing, and writes are committed a few times
    a second (``Store.grouped_writes``): a killed run loses at most the articles of
    its last half second; a rerun adds them and leaves the others ``unchanged``.
    Unreadable inputs and failures are stored as rejections and reported; only a
    store failure stops the batch.  ``progress(item)`` is called once per input
    with its :class:`IngestItem`.
    """
    settings = settings or Settings()
    from parley.inputs.readers import read_inputs

    report = IngestReport()
    context = Context(settings)
    inputs = iter(read_inputs(paths, settings))
    window = _read_ahead(inputs)
    chrome = OutletChrome(settings, store)
    chrome.learn([item for item in window if isinstance(item, RawDocument)])
    with store.grouped_writes():
        for item in itertools.chain(window, inputs):
            result = _ingest_one(item, store, settings, context, chrome)
            report.add(result)
            if result.outcome == "skipped":
                store.add_rejection(Rejection(result.source, result.stage or "ingest",
                                              result.reason or "unknown"))
            if progress is not None:
                progress(result)
    return report


def _ingest_one(item: RawDocument | InputError, store: Store, settings: Settings,
                context: Context, chrome: OutletChrome) -> IngestItem:
    if isinstance(item, InputError):
        return IngestItem(item.source, "skipped", stage="read", reason=item.reason)
    stage = "clean"
    try:
        article = chrome.clean(item)
        stage = "dating"
        article = date_article(article, context)
        stage = "store"
        outcome = store.add_article(article)
    except StoreError:
        raise  # the store itself is failing: no later input could be saved either
    except InputError as exc:
        return IngestItem(item.source, "skipped", stage=stage, reason=exc.reason)
    except Exception as exc:  # one bad input never stops the batch
        return IngestItem(item.source, "skipped", stage=stage,
                          reason=f"{type(exc).__name__}: {exc}")
    return IngestItem(item.source, outcome, article_id=article.id)


def _read_ahead(inputs: Iterator[RawDocument | InputError]) -> list[RawDocument | InputError]:
    """The first inputs of a batch, to learn outlet chrome from: at most
    ``CHROME_WINDOW`` of them and about ``CHROME_WINDOW_CHARS`` of text."""
    window: list[RawDocument | InputError] = []
    size = 0
    for item in inputs:
        window.append(item)
        size += len(item.text) if isinstance(item, RawDocument) else 0
        if len(window) >= CHROME_WINDOW or size >= CHROME_WINDOW_CHARS:
            break
    return window


class OutletChrome:
    """Lines each outlet repeats on every page, learned from the first inputs of a
    batch together with articles of the same outlet already in the store."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.by_outlet: dict[str, frozenset[str]] = {}

    def learn(self, window: list[RawDocument]) -> None:
        from parley.stages.clean import clean, learn_outlet_chrome

        texts: dict[str, list[str]] = {}
        for raw in window:
            if raw.format != "text":
                continue  # HTML, JSONL and feed text is main text already
            try:
                outlet = self._outlet(clean(raw, self.settings), raw)
            except Exception:  # a broken input is reported when its turn comes
                continue
            texts.setdefault(outlet, []).append(raw.text)
        for outlet, outlet_texts in texts.items():
            outlet_texts.extend(self._stored_texts(outlet))
            self.by_outlet[outlet] = learn_outlet_chrome(outlet_texts)

    def _stored_texts(self, outlet: str) -> Iterator[str]:
        from parley.store.base import ArticleFilter

        if not outlet:
            return
        for article in self.store.list_articles(ArticleFilter(outlet=outlet, limit=CHROME_WINDOW)):
            if article.raw:
                yield article.raw

    @staticmethod
    def _outlet(article: Article, raw: RawDocument) -> str:
        return article.outlet or raw.outlet or ""

    def clean(self, raw: RawDocument) -> Article:
        """Clean ``raw``, removing its outlet's learned chrome as well as the general rules."""
        from parley.stages.clean import clean

        article = clean(raw, self.settings)
        learned = self.by_outlet.get(self._outlet(article, raw), frozenset())
        if learned and raw.format == "text":
            article = clean(raw, self.settings, learned)
        return article


# --------------------------------------------------------------------------- demo


def demo_corpus_dir() -> Path:
    """The demo dispatches shipped with the package."""
    return DEMO_CORPUS


@dataclass
class DemoSummary:
    ingest: IngestReport
    processed: Any = None  # the engine's report, when the engine is installed
    errors: list[StageError] = field(default_factory=list)


def run_demo(store: Store, settings: Settings, corpus: Path | None = None) -> DemoSummary:
    """Ingest the demo corpus into ``store`` and run the analysis over it."""
    folder = corpus or demo_corpus_dir()
    if not folder.is_dir() or not any(folder.iterdir()):
        raise ParleyError(f"the demo corpus is missing ({folder}); reinstall parley")
    inputs = [path for path in sorted(folder.iterdir())
              if path.is_file() and not path.name.lower().startswith("readme")]
    summary = DemoSummary(ingest=ingest(inputs, store, settings))
    try:
        from parley.engine import process_store
    except ImportError:
        return summary
    summary.processed = process_store(store, settings, workers=settings.workers or 1)
    return summary
