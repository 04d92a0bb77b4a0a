"""Recycled-background detection over a growing corpus of realistic paragraphs.

Streams generated articles (generate_corpus.py: seed and demo paragraphs
recombined, with recycled background boxes) into
``parley.analysis.background.BackgroundIndex`` one article at a time, as an
incremental run does, and reports paragraphs/s at checkpoints, the links found
and the peak RSS.  Articles are built straight from the generated paragraphs
(no cleaning or parse), so the figure is the background step alone.

    .venv/bin/python benchmarks/bench_background.py --paragraphs 1000000
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

from common import machine
from generate_corpus import SHARED, generate, load_pool
from parley.analysis.background import BackgroundIndex
from parley.model import Article, Paragraph, PublicationDate


def to_article(number: int, record: dict[str, str]) -> Article:
    paragraphs = [p for p in record["text"].split("\n\n") if p.strip()]
    text = "\n\n".join(paragraphs)
    spans, start = [], 0
    for index, paragraph in enumerate(paragraphs):
        spans.append(Paragraph(index, start, start + len(paragraph)))
        start += len(paragraph) + 2
    day = f"20{10 + number % 15:02d}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    return Article(id=f"a{number:08d}", text=text, title=record["title"], paragraphs=spans,
                   published=PublicationDate(day, "day", "explicit"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vary", type=float, default=0.6,
                        help="share of words swapped in new-reporting paragraphs")
    args = parser.parse_args()
    print(f"# bench_background {date.today()}  machine: {machine()}")
    index = BackgroundIndex()
    pool = load_pool(SHARED)
    seen = links = 0
    every = max(args.paragraphs // 10, 1)
    checkpoint = every
    started = time.perf_counter()
    for number, record in enumerate(generate(pool, 10**9, args.seed, args.vary)):
        article = to_article(number, record)
        links += len(index.add(article))
        seen += len(article.paragraphs)
        if seen >= checkpoint or seen >= args.paragraphs:
            elapsed = time.perf_counter() - started
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{seen:>9} paragraphs ({number + 1} articles): {seen / elapsed:8.0f} "
                  f"paragraphs/s overall, {links} links, peak RSS {rss:.0f} MB", flush=True)
            checkpoint += every
        if seen >= args.paragraphs:
            break

if __name__ == "__main__":
    main()
