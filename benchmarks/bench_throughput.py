"""Throughput of parley end to end (parse + every stage) against bare spaCy ``nlp.pipe``.

Both run in this one process on the same cleaned texts, interleaved batch by
batch over ``--rounds`` rounds, timed in CPU time of this process (and wall
time).  Then parley with 2 worker processes (pool start-up included, wall time)
for the speed-up, and spaCy's own ``n_process=2`` for reference.

    .venv/bin/python benchmarks/bench_throughput.py --articles 200 --rounds 3

Prints ``ratio parley/spaCy: X.XX`` (target >= 0.70) and the 2-worker speed-up
(target >= 1.8x), plus what each stage costs.
"""

from __future__ import annotations

import argparse
import copy
import resource
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
    """The same stages, each adding its CPU time to ``totals``."""

    def wrap(stage: Stage) -> Callable[[Article, Context], Article]:
        def run(article: Article, context: Context) -> Article:
            started = time.process_time()
            try:
                return stage.func(article, context)
            finally:
                totals[stage.name] = totals.get(stage.name, 0.0) + time.process_time() - started

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
    context = Context(settings=settings)
    list(process_articles(copy.deepcopy(articles[:4]), settings, stages, signature,
                          context=context))  # warm up: pipeline, knowledge, codebook
    # Interleaved batch by batch (alternating which goes first), so that any change
    # in the machine's load hits both sides alike; CPU time of this process is the
    # headline (other processes' load barely moves it), wall time is shown too.
    spacy_cpu = spacy_wall = parley_cpu = parley_wall = 0.0
    stage_costs: dict[str, float] = {}
    timed = timed_stages(stages, stage_costs)
    for _ in range(args.rounds):
        for number, start in enumerate(range(0, len(articles), args.batch_size)):
            batch = copy.deepcopy(articles[start : start + args.batch_size])
            for side in ((0, 1) if number % 2 == 0 else (1, 0)):
                cpu, wall = time.process_time(), time.perf_counter()
                if side == 0:
                    for _ in nlp.pipe([a.text for a in batch], batch_size=args.batch_size):
                        pass
                    spacy_cpu += time.process_time() - cpu
                    spacy_wall += time.perf_counter() - wall
                else:
                    for _ in process_articles(batch, settings, timed, signature,
                                              context=context):
                        pass
                    parley_cpu += time.process_time() - cpu
                    parley_wall += time.perf_counter() - wall

    n = len(articles) * args.rounds
    total_words = words * args.rounds
    for label, cpu, wall in (("spaCy nlp.pipe, 1 process:    ", spacy_cpu, spacy_wall),
                             ("parley parse+stages, 1 worker:", parley_cpu, parley_wall)):
        print(f"{label} {n / cpu:7.2f} articles/s {total_words / cpu:8.0f} words/s (CPU time; "
              f"wall: {n / wall:.2f} articles/s {total_words / wall:.0f} words/s)")
    print(f"ratio parley/spaCy: {spacy_cpu / parley_cpu:.2f}")
    print(f"(ratio on wall time: {spacy_wall / parley_wall:.2f})")
    print(f"per article beyond the parse: {1000 * (parley_cpu - spacy_cpu) / n:.1f} ms CPU; "
          "stages (CPU): " + ", ".join(
              f"{name} {1000 * seconds / n:.1f} ms" for name, seconds in stage_costs.items()))
    parley_best = parley_wall / args.rounds

    if args.skip_parallel:
        return
    n = len(articles)
    parallel = settings.with_(batch_size=batch_size_for(n, 2, settings))
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, started = time.process_time(), time.perf_counter()
    for _ in process_articles(copy.deepcopy(articles), parallel, stages, signature, workers=2):
        pass
    two = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    two_cpu = (time.process_time() - cpu + children.ru_utime - children_before.ru_utime
               + children.ru_stime - children_before.ru_stime)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=args.batch_size, n_process=2):
        pass
    spacy_two = time.perf_counter() - started
    one_cpu = parley_cpu / args.rounds
    print(f"parley, 2 workers (start-up incl.): {n / two:7.2f} articles/s "
          f"{words / two:8.0f} words/s (wall)")
    print(f"speed-up with 2 workers: {parley_best / two:.2f}x (wall time against 1 worker)")
    print(f"  CPU: 1 worker {one_cpu:.1f} s, 2 workers {two_cpu:.1f} s in all processes "
          f"(start-up, pickling); on an idle machine 2 x {one_cpu:.1f} / {two_cpu:.1f} = "
          f"{2 * one_cpu / two_cpu:.2f}x at most")
    print(f"spaCy nlp.pipe n_process=2:        {n / spacy_two:7.2f} articles/s "
          f"(speed-up {spacy_wall / args.rounds / spacy_two:.2f}x, wall)")

if __name__ == "__main__":
    main()
