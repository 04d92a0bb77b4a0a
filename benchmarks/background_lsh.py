"""Throughput and recall of recycled-background detection on synthetic paragraphs.

Streams articles of 6 paragraphs x 4 sentences x 15 words (Zipf-like
vocabulary of 20,000 words) into ``BackgroundIndex.add``; 10 % of the
paragraphs are copies of a random earlier paragraph, trimmed to their first
three sentences and edited in one of three ways: ``exact`` (no change),
``light`` (one word per sentence replaced: sentence Jaccard ~0.6, like most
recycled seed sentences) or ``heavy`` (two words per sentence: Jaccard ~0.4,
the low end seen in the seeds).  Only ``add`` is timed (shingling, MinHash, LSH
query and insert, exact verification).  Prints, per corpus size, paragraphs/s,
the recall on each kind of planted copy (copy linked to its source), the links
between paragraphs of different origin (false links) and the peak RSS.
Paragraphs per CPU-second is printed too: it does not depend on other load.

    .venv/bin/python benchmarks/background_lsh.py 10000 100000 1000000
    .venv/bin/python benchmarks/background_lsh.py 100000 --bands 42 --rows 3
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import time
from collections import Counter
from collections.abc import Iterator

from parley.analysis.background import BackgroundIndex, BackgroundParams
from parley.model import Article, Paragraph, PublicationDate

KINDS = ("exact", "light", "heavy")


def synthetic(total: int, seed: int = 7) -> Iterator[tuple[Article, list[tuple[str, int]]]]:
    """Articles with, per paragraph, (kind, origin): origin is the number of the
    fresh paragraph it was copied from (its own number when fresh)."""
    rng = random.Random(seed)
    vocab = [f"w{n}" for n in range(20_000)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    made: list[tuple[list[list[str]], int]] = []

    def words(k: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cumulative, k=k)

    for number in range(total // 6):
        bodies, origins = [], []
        for _ in range(6):
            if made and rng.random() < 0.1:
                source, origin = rng.choice(made)
                kind = rng.choice(KINDS)
                edits = KINDS.index(kind)
                sentences = []
                for sentence in source[:3]:
                    copy = list(sentence)
                    for position in rng.sample(range(2, len(copy) - 2), edits):
                        copy[position] = f"x{rng.randrange(10**9)}"
                    sentences.append(copy)
                origins.append((kind, origin))
            else:
                sentences = [words(15) for _ in range(4)]
                origins.append(("fresh", len(made)))
                made.append((sentences, len(made)))
            bodies.append(". ".join(" ".join(s).capitalize() for s in sentences) + ".")
        text, records = "", []
        for index, body in enumerate(bodies):
            start = len(text) + (2 if text else 0)
            text = f"{text}\n\n{body}" if text else body
            records.append(Paragraph(index, start, start + len(body)))
        day = f"2019-{1 + number % 12:02d}-{1 + number % 28:02d}"
        yield (Article(id=f"a{number:07d}", text=text, paragraphs=records,
                       published=PublicationDate(day, "day", "explicit")), origins)


def run(total: int, params: BackgroundParams) -> None:
    index = BackgroundIndex(params)
    origin_of: dict[tuple[str, int], int] = {}
    planted: Counter[str] = Counter()
    copies: dict[tuple[str, int], tuple[str, int]] = {}  # copy -> (kind, origin)
    linked: set[tuple[str, int]] = set()
    false_links = 0
    seconds = cpu = 0.0
    for article, origins in synthetic(total):
        for index_in_article, (kind, origin) in enumerate(origins):
            origin_of[(article.id, index_in_article)] = origin
            if kind != "fresh":
                planted[kind] += 1
                copies[(article.id, index_in_article)] = (kind, origin)
        started, started_cpu = time.perf_counter(), time.process_time()
        links = index.add(article)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        for link in links:
            a = (link.article_id, link.paragraph_index)
            b = (link.earlier_article_id, link.earlier_paragraph_index)
            if link.paragraph_index < 0:
                continue
            if origin_of[a] != origin_of[b]:
                false_links += 1
                continue
            for paragraph in (a, b):
                if paragraph in copies:
                    linked.add(paragraph)
    found = Counter(copies[p][0] for p in linked)
    paragraphs = (total // 6) * 6
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    recall = ", ".join(f"{kind} {found[kind] / max(planted[kind], 1):.3f}" for kind in KINDS)
    print(f"{paragraphs:>9,} paragraphs: {paragraphs / seconds:7,.0f} paragraphs/s "
          f"({seconds:.1f} s in add; {paragraphs / cpu:,.0f}/CPU-s)  recall {recall}  "
          f"(planted {sum(planted.values()):,})  false links {false_links}  "
          f"peak RSS {rss:,.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--bands", type=int, default=BackgroundParams.bands)
    parser.add_argument("--rows", type=int, default=BackgroundParams.rows)
    args = parser.parse_args()
    params = BackgroundParams(bands=args.bands, rows=args.rows)
    print(f"# background_lsh: sentence LSH {params.bands} bands x {params.rows} rows")
    for size in args.sizes:
        run(size, params)


if __name__ == "__main__":
    main()
