"""Throughput of parley end to end (parse + every stage) against bare spaCy ``nlp.pipe``.

Both run in this one process on the same cleaned texts, alternating over
``--rounds`` rounds; the best round of each counts (the least disturbed by other
load on the machine).  Then parley with 2 worker processes (pool start-up
included) for the speed-up, and spaCy's own ``n_process=2`` for reference.

    .venv/bin/python benchmarks/bench_throughput.py --articles 200 --rounds 3

Prints ``ratio parley/spaCy: X.XX`` (target >= 0.70) and the 2-worker speed-up
(target >= 1.8x), plus what each stage costs.
"""

from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Callable
from datetime import date

from common import corpus_file, ingest_corpus, load_articles, machine, scratch_dir
from parley.engine import analysis_stages, batch_size_for, stage_signature
from parley.engine.local import process_articles
from parley.model import Article
from parley.nlp import load_pipeline
from parley.pipeline import Context, Stage


def timed_stages(stages: list[Stage], totals: dict[str, float]) -> list[Stage]:
    """The same stages, each adding its time to ``totals``."""

    def wrap(stage: Stage) -> Callable[[Article, Context], Article]:
        def run(article: Article, context: Context) -> Article:
            started = time.perf_counter()
            try:
                return stage.func(article, context)
            finally:
                totals[stage.name] = totals.get(stage.name, 0.0) + time.perf_counter() - started

        return run

    return [Stage(s.name, wrap(s), s.requires, s.provides, s.needs_doc) for s in stages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--skip-parallel", action="store_true")
    args = parser.parse_args()

    folder = scratch_dir()
    corpus = corpus_file(args.articles, args.seed, folder)
    settings, ingest_seconds = ingest_corpus(corpus, folder / "bench.db")
    settings = settings.with_(batch_size=args.batch_size)
    articles = load_articles(settings)
    texts = [a.text for a in articles]
    words = sum(len(t.split()) for t in texts)
    print(f"# bench_throughput {date.today()}  machine: {machine()}")
    print(f"corpus: {len(articles)} articles, {words} words ({words / len(articles):.0f}/article)")
    print(f"ingest (read+clean+date+store): {len(articles) / ingest_seconds:.1f} articles/s")

    nlp = load_pipeline(settings.spacy_model)
    stages = analysis_stages()
    signature = stage_signature(settings, stages)
    print(f"stages: {', '.join(s.name for s in stages)}; spaCy pipeline {settings.spacy_model}")
    list(nlp.pipe(texts[:8]))  # warm up
    spacy_best = parley_best = float("inf")
    stage_costs: dict[str, float] = {}
    for number in range(args.rounds):
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=args.batch_size):
            pass
        spacy_seconds = time.perf_counter() - started

        totals: dict[str, float] = {}
        batch = copy.deepcopy(articles)
        started = time.perf_counter()
        for _ in process_articles(batch, settings, timed_stages(stages, totals), signature):
            pass
        parley_seconds = time.perf_counter() - started
        print(f"round {number + 1}: spaCy {spacy_seconds:.1f} s, parley {parley_seconds:.1f} s")
        spacy_best = min(spacy_best, spacy_seconds)
        if parley_seconds < parley_best:
            parley_best, stage_costs = parley_seconds, totals

    n = len(articles)
    print(f"spaCy nlp.pipe, 1 process:        {n / spacy_best:7.2f} articles/s "
          f"{words / spacy_best:8.0f} words/s")
    print(f"parley parse+stages, 1 worker:    {n / parley_best:7.2f} articles/s "
          f"{words / parley_best:8.0f} words/s")
    print(f"ratio parley/spaCy: {spacy_best / parley_best:.2f}")
    stage_total = sum(stage_costs.values())
    print(f"cost beyond the parse: {parley_best - spacy_best:.1f} s; per stage "
          f"(best round, {stage_total:.1f} s): " + ", ".join(
              f"{name} {seconds:.2f} s ({1000 * seconds / n:.1f} ms/article)"
              for name, seconds in stage_costs.items()))

    if args.skip_parallel:
        return
    parallel = settings.with_(batch_size=batch_size_for(n, 2, settings))
    started = time.perf_counter()
    for _ in process_articles(copy.deepcopy(articles), parallel, stages, signature, workers=2):
        pass
    two = time.perf_counter() - started
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=args.batch_size, n_process=2):
        pass
    spacy_two = time.perf_counter() - started
    print(f"parley, 2 workers (start-up incl.): {n / two:7.2f} articles/s "
          f"{words / two:8.0f} words/s")
    print(f"speed-up with 2 workers: {parley_best / two:.2f}x")
    print(f"spaCy nlp.pipe n_process=2:        {n / spacy_two:7.2f} articles/s "
          f"(speed-up {spacy_best / spacy_two:.2f}x)")


if __name__ == "__main__":
    main()
