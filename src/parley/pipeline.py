"""Stage registry and runner.

A stage is a plain function ``(article, context) -> article`` registered with
the names of what it *requires* and what it *provides*.  The runner checks the
order once, runs the stages and turns a failure on one article into a stored
``StageError`` record instead of killing the batch (spaCy's error-handler idea).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from parley.errors import ParleyError
from parley.model import Article, StageError
from parley.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

StageFunc = Callable[[Article, "Context"], Article]


@dataclass(frozen=True)
class Stage:
    name: str
    func: StageFunc
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    #: True when the stage reads the spaCy parse (``context.doc``)
    needs_doc: bool = False


_REGISTRY: dict[str, Stage] = {}


def register(
    name: str,
    *,
    requires: Iterable[str] = (),
    provides: Iterable[str] = (),
    needs_doc: bool = False,
) -> Callable[[StageFunc], StageFunc]:
    """Register a stage function under ``name`` (decorator)."""

    def decorate(func: StageFunc) -> StageFunc:
        _REGISTRY[name] = Stage(name, func, tuple(requires), tuple(provides), needs_doc)
        return func

    return decorate


def get_stage(name: str) -> Stage:
    _load_builtin_stages()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ParleyError(f"unknown stage {name!r}; known stages: {known}") from None


#: the per-article analysis stages, in order (cleaning and dating run at ingest)
ANALYSIS_STAGES = ("actors", "timex", "quotes", "events")


def check_order(names: Iterable[str], already: Iterable[str] = ("clean", "dating")) -> list[Stage]:
    """Resolve stage names and check each one's requirements are met before it runs."""
    available: set[str] = set()
    for done in already:
        available.update(get_stage(done).provides)
    stages = []
    for name in names:
        stage = get_stage(name)
        missing = [r for r in stage.requires if r not in available]
        if missing:
            raise ParleyError(f"stage {name!r} needs {', '.join(missing)} from an earlier stage")
        available.update(stage.provides)
        stages.append(stage)
    return stages


@dataclass
class Context:
    """Shared knowledge handed to every stage: settings, knowledge base, spaCy."""

    settings: Settings = field(default_factory=Settings)
    #: the spaCy parse of the article currently being processed
    doc: Doc | None = None
    _nlp: Any = None

    @cached_property
    def knowledge(self) -> Any:
        from parley.knowledge import load_knowledge

        return load_knowledge(self.settings.knowledge_dir)

    @cached_property
    def codebook(self) -> Any:
        from parley.knowledge.codebook import load_codebook

        return load_codebook(self.settings.knowledge_dir)

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            from parley.nlp import load_pipeline

            self._nlp = load_pipeline(self.settings.spacy_model)
        return self._nlp


def run_stages(article: Article, stages: list[Stage], context: Context) -> Article:
    """Run ``stages`` on one article; a failing stage is recorded, later ones still run
    when they do not depend on what it provides."""
    failed: set[str] = set()
    for stage in stages:
        if failed.intersection(stage.requires):
            article.errors.append(StageError(stage.name, "skipped: an earlier stage failed"))
            failed.update(stage.provides)
            continue
        try:
            article = stage.func(article, context)
            if stage.name not in article.stages_done:
                article.stages_done.append(stage.name)
        except Exception as exc:  # one article never sinks a batch
            article.errors.append(StageError(stage.name, f"{type(exc).__name__}: {exc}"))
            failed.update(stage.provides)
    return article


def _load_builtin_stages() -> None:
    """Import the stage modules so that their ``@register`` calls run."""
    import importlib

    for module in ("clean", "dating", "actors", "timex", "quotes", "events"):
        try:
            importlib.import_module(f"parley.stages.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"parley.stages.{module}":
                raise
