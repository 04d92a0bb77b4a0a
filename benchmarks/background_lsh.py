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
The generator and the bookkeeping keep a few bytes per paragraph, so the peak RSS
is mostly the index; the size of the saved index is printed last.

    .venv/bin/python benchmarks/background_lsh.py 10000 100000 1000000
    .venv/bin/python benchmarks/background_lsh.py 100000 --bands 42 --rows 3
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from parley.analysis.background import BackgroundIndex, BackgroundParams
from parley.model import Article, Paragraph, PublicationDate

KINDS = ("exact", "light", "heavy")
VOCABULARY = 20_000
SENTENCES, WORDS = 4, 15


class _Fresh:
    """The fresh paragraphs so far, as word numbers in one flat array (2 bytes a
    word): ``made[i]`` is ``(sentences, i)`` as ``random.choice`` expects."""

    def __init__(self) -> None:
        self.words = array("H")

    def __len__(self) -> int:
        return len(self.words) // (SENTENCES * WORDS)

    def __getitem__(self, number: int) -> tuple[list[list[str]], int]:
        start = number * SENTENCES * WORDS
        return ([[f"w{n}" for n in self.words[at : at + WORDS]]
                 for at in range(start, start + SENTENCES * WORDS, WORDS)], number)


def synthetic(total: int, seed: int = 7) -> Iterator[tuple[Article, list[tuple[str, int]]]]:
    """Articles with, per paragraph, (kind, origin): origin is the number of the
    fresh paragraph it was copied from (its own number when fresh)."""
    rng = random.Random(seed)
    numbers = range(VOCABULARY)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in numbers))
    made = _Fresh()

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
                drawn = [rng.choices(numbers, cum_weights=cumulative, k=WORDS)
                         for _ in range(SENTENCES)]
                sentences = [[f"w{n}" for n in words] for words in drawn]
                origins.append(("fresh", len(made)))
                made.words.extend(itertools.chain.from_iterable(drawn))
            bodies.append(". ".join(" ".join(s).capitalize() for s in sentences) + ".")
        text, records = "", []
        for index, body in enumerate(bodies):
            start = len(text) + (2 if text else 0)
            text = f"{text}\n\n{body}" if text else body
            records.append(Paragraph(index, start, start + len(body)))
        day = f"2019-{1 + number % 12:02d}-{1 + number % 28:02d}"
        yield (Article(id=f"a{number:07d}", text=text, paragraphs=records,
                       published=PublicationDate(day, "day", "explicit")), origins)


def _position(article_id: str, paragraph_index: int) -> int:
    """A paragraph's number in the stream (article ids are ``a`` + their number)."""
    return int(article_id[1:]) * 6 + paragraph_index


def run(total: int, params: BackgroundParams) -> None:
    index = BackgroundIndex(params)
    origin_of = array("q")  # by paragraph position
    planted: Counter[str] = Counter()
    copies: dict[int, int] = {}  # copy's position -> its kind (index in KINDS)
    linked: set[int] = set()
    false_links = 0
    seconds = cpu = 0.0
    for article, origins in synthetic(total):
        for kind, origin in origins:
            if kind != "fresh":
                planted[kind] += 1
                copies[len(origin_of)] = KINDS.index(kind)
            origin_of.append(origin)
        started, started_cpu = time.perf_counter(), time.process_time()
        links = index.add(article)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        for link in links:
            if link.paragraph_index < 0:
                continue
            a = _position(link.article_id, link.paragraph_index)
            b = _position(link.earlier_article_id, link.earlier_paragraph_index)
            if origin_of[a] != origin_of[b]:
                false_links += 1
                continue
            linked.update(paragraph for paragraph in (a, b) if paragraph in copies)
    found = Counter(KINDS[copies[p]] for p in linked)
    paragraphs = (total // 6) * 6
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        index.save(Path(folder) / "index.pkl")
        saved = (Path(folder) / "index.pkl").stat().st_size / 1e6
    recall = ", ".join(f"{kind} {found[kind] / max(planted[kind], 1):.3f}" for kind in KINDS)
    print(f"{paragraphs:>9,} paragraphs: {paragraphs / seconds:7,.0f} paragraphs/s "
          f"({seconds:.1f} s in add; {paragraphs / cpu:,.0f}/CPU-s)  recall {recall}  "
          f"(planted {sum(planted.values()):,})  false links {false_links}  "
          f"peak RSS {rss:,.0f} MB  saved index {saved:,.0f} MB", flush=True)


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
