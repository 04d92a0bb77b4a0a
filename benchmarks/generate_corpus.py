"""Generate a large, realistic JSONL corpus for the benchmarks.

Recombines body paragraphs of the seed articles (read from ../shared at run
time, never copied into the repository) and of the packaged demo corpus, with
names, places, months and years swapped per article from
``benchmarks/data/vocab.yaml``; some articles carry one of a few recycled
"background boxes" verbatim, as wire stories do.  Deterministic for a seed,
streamed line by line (memory does not grow with ``--articles``).

    .venv/bin/python benchmarks/generate_corpus.py --articles 10000 -o /tmp/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VOCAB = Path(__file__).with_name("data") / "vocab.yaml"
DEMO = ROOT / "src" / "parley" / "demo_corpus"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MIN_WORDS = 12


@dataclass
class Pool:
    paragraphs: list[str]
    vocab: dict[str, Any]


def _body_paragraphs(text: str) -> Iterator[str]:
    """Lines that read as prose (long enough, ending a sentence): chrome is left out."""
    for line in text.splitlines():
        line = line.strip()
        if len(line.split()) >= MIN_WORDS and line[-1:] in '.!?"”':
            yield re.sub(r"^[A-Z][A-Z .]+, \w+ \d+\. /\w+/\. ", "", line)


def _demo_texts() -> Iterator[str]:
    for path in sorted(DEMO.rglob("*")):
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield str(json.loads(line).get("text", ""))
        elif path.suffix in (".txt", ".md", "") and path.is_file():
            yield path.read_text(encoding="utf-8")


def load_pool(shared: Path) -> Pool:
    texts = [p.read_text(encoding="utf-8") for p in sorted((shared / "corpus/seeds").glob("*.txt"))]
    texts += list(_demo_texts())
    paragraphs = sorted({p for text in texts for p in _body_paragraphs(text)})
    if not paragraphs:
        sys.exit(f"no source paragraphs found under {shared} or {DEMO}")
    vocab = yaml.safe_load(VOCAB.read_text(encoding="utf-8"))
    return Pool(paragraphs, vocab)


class Rewriter:
    """Swaps people, places, months and recent years consistently within one article."""

    def __init__(self, pool: Pool, rng: random.Random) -> None:
        vocab = pool.vocab
        people = rng.sample(vocab["replacement_people"], len(vocab["people"]))
        places = [rng.choice(vocab["replacement_places"]) for _ in vocab["places"]]
        self.names: dict[str, str] = {}
        for old, new in zip(vocab["people"], people, strict=True):
            self.names[old] = new
            self.names.setdefault(old.split()[-1], new.split()[-1])
        self.names.update(zip(vocab["places"], places, strict=True))
        month_shift = rng.randrange(12)
        self.names.update({m: MONTHS[(i + month_shift) % 12] for i, m in enumerate(MONTHS)})
        self.year_shift = rng.randint(-6, 6)
        self.pattern = re.compile(r"\b(" + "|".join(
            re.escape(n) for n in sorted(self.names, key=len, reverse=True)) + r"|20[012]\d)\b")
        self.people = people
        self.places = places

    def __call__(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            word = match.group(0)
            if word.isdigit():
                return str(int(word) + self.year_shift)
            return self.names[word]

        return self.pattern.sub(swap, text)


#: a new background box every BOX_EVERY articles; articles pick among the last BOXES_LIVE
BOX_EVERY = 50
BOXES_LIVE = 4
SUFFIXES = ("tion", "ment", "ing", "ed", "ly", "s", "")


def _suffix_class(word: str) -> str:
    return next(suffix for suffix in SUFFIXES if word.endswith(suffix))


class Varier:
    """Makes a paragraph *new reporting*: swaps a share of its lower-case words of 4+ letters
    for other words of the pool with the same ending (-tion, -ment, -ing, -ed, -ly, -s),
    which keeps it readable for the parser but breaks its word trigrams."""

    def __init__(self, pool: Pool, share: float) -> None:
        self.share = share
        words = sorted({w for p in pool.paragraphs for w in re.findall(r"\b[a-z]{4,}\b", p)})
        self.by_class: dict[str, list[str]] = {}
        for word in words:
            self.by_class.setdefault(_suffix_class(word), []).append(word)

    def __call__(self, text: str, rng: random.Random) -> str:
        if not self.share:
            return text

        def swap(match: re.Match[str]) -> str:
            word = match.group(0)
            if rng.random() >= self.share:
                return word
            return rng.choice(self.by_class[_suffix_class(word)])

        return re.sub(r"\b[a-z]{4,}\b", swap, text)


def generate(
    pool: Pool, n_articles: int, seed: int, vary: float = 0.0
) -> Iterator[dict[str, Any]]:
    """Articles as JSONL records; ``vary`` is the share of words swapped in the body
    paragraphs and in each new background box (0: recombined source prose); a box
    is then repeated verbatim by the articles that carry it."""
    rng = random.Random(seed)
    vocab = pool.vocab
    varier = Varier(pool, vary)
    boxes: list[list[str]] = []
    for number in range(n_articles):
        if number % BOX_EVERY == 0:  # background boxes are rewritten now and then
            boxes = [*boxes[-(BOXES_LIVE - 1):], [
                varier(Rewriter(pool, rng)(p), rng)
                for p in rng.sample(pool.paragraphs, rng.randint(2, 3))]]
        rewrite = Rewriter(pool, rng)
        year = 2014 + rng.randrange(11)
        month = rng.randrange(12)
        day = rng.randint(1, 28)
        body = [varier(rewrite(p), rng)
                for p in rng.sample(pool.paragraphs, rng.randint(3, 7))]
        standfirst = re.split(r"(?<=[.!?])\s", body[0], maxsplit=1)[0]
        city = rng.choice(vocab["datelines"])
        outlet = rng.choice(vocab["outlets"])
        body[0] = f"{city}, {MONTHS[month]} {day}. /{outlet}/. {body[0]}"
        lines = ["All news", ""] if rng.random() < 0.5 else []
        title = rng.choice(vocab["title_templates"]).format(
            a=rewrite.people[0], b=rewrite.people[1], topic=rng.choice(vocab["topics"]),
            place=rewrite.places[0])
        lines += [title, "", standfirst, ""]
        for paragraph in body:
            lines += [paragraph, ""]
        if rng.random() < 0.4:
            lines += [rng.choice(vocab["background_headings"]), ""]
            for paragraph in rng.choice(boxes):
                lines += [paragraph, ""]
        record: dict[str, Any] = {
            "url": f"https://bench.example/{seed}/{number}",
            "title": title,
            "text": "\n".join(lines),
            "outlet": outlet,
        }
        if rng.random() < 0.5:
            record["published"] = f"{year}-{month + 1:02d}-{day:02d}T{rng.randrange(24):02d}:00:00"
        yield record


def write_corpus(records: Iterator[dict[str, Any]], out: TextIO) -> tuple[int, int]:
    articles = words = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        articles += 1
        words += len(record["text"].split())
    return articles, words


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vary", type=float, default=0.0,
                        help="share of body words swapped so paragraphs read as new (0-1)")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("-o", "--output", type=Path, help="JSONL file (default: stdout)")
    args = parser.parse_args(argv)
    pool = load_pool(args.shared)
    records = generate(pool, args.articles, args.seed, args.vary)
    if args.output:
        with args.output.open("w", encoding="utf-8") as out:
            articles, words = write_corpus(records, out)
    else:
        articles, words = write_corpus(records, sys.stdout)
    print(f"{articles} articles, {words} words from {len(pool.paragraphs)} source paragraphs",
          file=sys.stderr)


if __name__ == "__main__":
    main()
