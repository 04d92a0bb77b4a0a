"""Throughput of recycled-background detection on synthetic paragraphs.

Generates articles of 6 paragraphs x 4 sentences x 15 words from a Zipf-like
vocabulary of 20,000 words; 10 % of the paragraphs are copies (trimmed to
their first three sentences) of a random earlier paragraph.  Prints paragraphs
per second for the whole ``BackgroundIndex.add`` (shingling, MinHash, LSH query
and insert, exact verification), the recall on the planted copies, the false
links, and the memory held per paragraph.

    .venv/bin/python benchmarks/background_lsh.py [PARAGRAPHS]
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc

from parley.analysis.background import BackgroundIndex
from parley.model import Article, Paragraph, PublicationDate


def main(total: int = 60_000, measure_memory: bool = False) -> None:
    rng = random.Random(7)
    vocab = [f"w{n}" for n in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    pool = rng.choices(vocab, weights, k=total * 60)
    cursor = 0
    made: list[str] = []
    planted = 0
    articles = []
    for number in range(total // 6):
        paragraphs = []
        for _ in range(6):
            if made and rng.random() < 0.1:
                source = rng.choice(made)
                paragraphs.append(". ".join(source.split(". ")[:3]) + ".")
                planted += 1
                continue
            sentences = []
            for _ in range(4):
                words = pool[cursor : cursor + 15]
                cursor += 15
                sentences.append(" ".join(words).capitalize())
            body = ". ".join(sentences) + "."
            made.append(body)
            paragraphs.append(body)
        text, records = "", []
        for index, body in enumerate(paragraphs):
            start = len(text) + (2 if text else 0)
            text = f"{text}\n\n{body}" if text else body
            records.append(Paragraph(index, start, start + len(body)))
        day = f"2019-{1 + number % 12:02d}-{1 + number % 28:02d}"
        articles.append(Article(id=f"a{number:07d}", text=text, paragraphs=records,
                                published=PublicationDate(day, "day", "explicit")))
    if measure_memory:
        tracemalloc.start()
    index = BackgroundIndex()
    links = 0
    started = time.perf_counter()
    for article in articles:
        links += len(index.add(article))
    seconds = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[0] if measure_memory else 0
    paragraphs = len(articles) * 6
    print(f"{paragraphs} paragraphs in {seconds:.1f} s: {paragraphs / seconds:,.0f} paragraphs/s "
          f"(insert + query + verify), {memory / paragraphs:,.0f} bytes/paragraph held")
    print(f"planted copies {planted}, links found {links}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60_000, "--memory" in sys.argv)
