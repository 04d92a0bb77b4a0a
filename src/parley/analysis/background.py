"""Recycled background: paragraphs that repeat earlier stories, and re-posted articles.

Wire services wrap each new fact in a background box copied from earlier
dispatches, trimmed, merged with a neighbouring paragraph or lightly edited.

How it is tuned for paragraph length (measured on the five seeds, 40-150 words
per paragraph, texts as word 3-shingles = lower-cased word trigrams hashed with
CRC-32): whole recycled paragraphs share only 25-100 % of their trigrams
(Jaccard), because boxes are cut and re-joined, so a paragraph-level LSH would
need a threshold so low that it drowns in candidates at scale.  Their
*sentences*, though, are copied nearly whole: recycled sentence pairs score
Jaccard 0.33-1.0 (most above 0.55), unrelated sentences about the same dispute
at most 0.16.  So each sentence (5+ trigrams) goes into a MinHash LSH
(datasketch, 126 permutations in 42 bands of 3 rows: a pair at Jaccard 0.56 is
found with probability > 0.99, at 0.16 with 0.16, at 0.05 with 0.005), and every
paragraph that shares a candidate sentence is verified exactly on the stored
trigram hashes with the *overlap coefficient* ``|A ∩ B| / min(|A|, |B|)`` - a
trimmed copy is still a copy.  Recycled paragraph pairs in the seeds score
0.48-1.0, unrelated ones at most 0.25; the cut-off is 0.4.  Paragraphs with
fewer than 8 trigrams (headings, bylines) are not indexed.

"Earlier" means earlier publication date, then article id, so the links never
depend on the order in which articles were ingested.  A whole article sharing
80 % or more of its trigrams with another (Jaccard, separate LSH) is a
near-duplicate (re-post, updated version), recorded as a link whose paragraph
indices are -1 (``WHOLE_ARTICLE``).
"""

from __future__ import annotations

import pickle
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from parley.model import Article
from parley.store.base import BackgroundLink

#: paragraph index used in a link between two whole near-duplicate articles
WHOLE_ARTICLE = -1

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z\"“‘\[])")


@dataclass(frozen=True)
class BackgroundParams:
    """The knobs of recycled-text detection (see the module docstring for why)."""

    shingle_words: int = 3
    #: LSH bands x rows over sentence MinHashes (num_perm = bands * rows)
    bands: int = 42
    rows: int = 3
    min_overlap: float = 0.4
    min_paragraph_shingles: int = 8
    min_sentence_shingles: int = 5
    duplicate_jaccard: float = 0.8

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


def article_order_key(article: Article) -> tuple[str, str]:
    """Sort key saying which of two articles came first: publication date, then id.

    Articles with an undecided date sort after every dated one.
    """
    published = article.published.value if article.published else None
    return (published or "~", article.id)


def shingle_hashes(text: str, words: int = 3) -> np.ndarray:
    """The sorted, unique CRC-32 hashes of the word ``words``-grams of ``text``."""
    tokens = _WORD.findall(text.lower())
    grams = {" ".join(tokens[i : i + words]) for i in range(len(tokens) - words + 1)}
    hashes = [zlib.crc32(gram.encode("utf-8")) for gram in grams]
    return np.unique(np.asarray(hashes, dtype=np.uint32))


def sentences(text: str) -> list[str]:
    """A light sentence split: enough to index copied sentences, no parse needed."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def overlap_coefficient(a: np.ndarray, b: np.ndarray) -> float:
    """``|A ∩ B| / min(|A|, |B|)`` for two sorted unique hash arrays."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / min(len(a), len(b))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) and not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def body_paragraphs(article: Article) -> list[tuple[int, str]]:
    """(index, text) of the article's body paragraphs; blank-line split if none recorded."""
    if article.paragraphs:
        return [
            (p.index, article.text[p.start : p.end])
            for p in article.paragraphs
            if p.kind == "body"
        ]
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", article.text)]
    return [(i, chunk) for i, chunk in enumerate(c for c in chunks if c)]


@dataclass
class _Entry:
    article_id: str
    paragraph_index: int
    order: tuple[str, str]
    hashes: np.ndarray


def _int_hash(value: Any) -> int:
    """Identity hash: shingles are already CRC-32 hashed (module level so it pickles)."""
    return int(value)


@dataclass
class BackgroundIndex:
    """An incremental, picklable index of every paragraph seen so far.

    ``add(article)`` returns the links that the new article creates, in either
    direction: when an article arrives that was published *before* articles
    already indexed, their paragraphs become links to it.
    """

    params: BackgroundParams = field(default_factory=BackgroundParams)
    _lsh: MinHashLSH = field(init=False)
    _article_lsh: MinHashLSH = field(init=False)
    #: paragraph key ("article#index") or article key ("article#") -> entry
    _entries: dict[str, _Entry] = field(init=False, default_factory=dict)
    #: article id -> keys it put into the two LSH tables
    _keys: dict[str, tuple[list[str], list[str]]] = field(init=False, default_factory=dict)
    _permutations: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        p = self.params
        self._lsh = MinHashLSH(num_perm=p.num_perm, params=(p.bands, p.rows))
        self._article_lsh = MinHashLSH(threshold=p.duplicate_jaccard, num_perm=p.num_perm)

    def __len__(self) -> int:
        """Number of indexed paragraphs."""
        return sum(1 for e in self._entries.values() if e.paragraph_index != WHOLE_ARTICLE)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._keys

    def _minhash(self, hashes: np.ndarray) -> MinHash:
        # generating the permutations is the slow part of MinHash(): do it once
        if self._permutations is None:
            prototype = MinHash(num_perm=self.params.num_perm, seed=1)
            self._permutations = (prototype.permutations, prototype.scheme)
        permutations, scheme = self._permutations
        minhash = MinHash(num_perm=self.params.num_perm, seed=1, hashfunc=_int_hash,
                          permutations=permutations, scheme=scheme)
        minhash.update_batch(hashes.tolist())
        return minhash

    def remove(self, article_id: str) -> None:
        """Forget an article (before re-adding a new revision of it)."""
        sentence_keys, entry_keys = self._keys.pop(article_id, ([], []))
        for key in sentence_keys:
            self._lsh.remove(key)
        for key in entry_keys:
            del self._entries[key]
            if key.endswith("#"):
                self._article_lsh.remove(key)

    def add(self, article: Article) -> list[BackgroundLink]:
        """Index one article's paragraphs; return the links it creates."""
        if article.id in self._keys:
            self.remove(article.id)
        p = self.params
        order = article_order_key(article)
        links: list[BackgroundLink] = []
        sentence_keys: list[str] = []
        entry_keys: list[str] = []
        everything: list[np.ndarray] = []
        for index, text in body_paragraphs(article):
            hashes = shingle_hashes(text, p.shingle_words)
            if len(hashes) < p.min_paragraph_shingles:
                continue
            everything.append(hashes)
            entry = _Entry(article.id, index, order, hashes)
            key = f"{article.id}#{index}"
            candidates: set[str] = set()
            for number, sentence in enumerate(sentences(text)):
                sentence_hashes = shingle_hashes(sentence, p.shingle_words)
                if len(sentence_hashes) < p.min_sentence_shingles:
                    continue
                minhash = self._minhash(sentence_hashes)
                candidates.update(k.rpartition("#")[0] for k in self._lsh.query(minhash))
                self._lsh.insert(f"{key}#{number}", minhash, check_duplication=False)
                sentence_keys.append(f"{key}#{number}")
            for other_key in sorted(candidates):
                other = self._entries.get(other_key)
                if other is None or other.article_id == article.id:
                    continue
                similarity = overlap_coefficient(hashes, other.hashes)
                if similarity >= p.min_overlap:
                    links.append(_directed_link(entry, other, similarity))
            self._entries[key] = entry
            entry_keys.append(key)
        if everything:
            whole = np.unique(np.concatenate(everything))
            entry = _Entry(article.id, WHOLE_ARTICLE, order, whole)
            minhash = self._minhash(whole)
            for other_key in self._article_lsh.query(minhash):
                other = self._entries[other_key]
                similarity = jaccard(whole, other.hashes)
                if similarity >= p.duplicate_jaccard:
                    links.append(_directed_link(entry, other, similarity))
            key = f"{article.id}#"
            self._article_lsh.insert(key, minhash, check_duplication=False)
            self._entries[key] = entry
            entry_keys.append(key)
        self._keys[article.id] = (sentence_keys, entry_keys)
        return links

    def save(self, path: Path) -> None:
        """Persist the index (a pickle; rebuild it with ``find_background_links`` if lost)."""
        with open(path, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> BackgroundIndex:
        with open(path, "rb") as handle:
            index = pickle.load(handle)
        if not isinstance(index, cls):
            raise TypeError(f"{path} does not hold a background index")
        return index


def _directed_link(a: _Entry, b: _Entry, similarity: float) -> BackgroundLink:
    later, earlier = (a, b) if a.order > b.order else (b, a)
    return BackgroundLink(
        article_id=later.article_id,
        paragraph_index=later.paragraph_index,
        earlier_article_id=earlier.article_id,
        earlier_paragraph_index=earlier.paragraph_index,
        similarity=round(similarity, 4),
    )


def find_background_links(
    articles: Iterable[Article], params: BackgroundParams | None = None
) -> list[BackgroundLink]:
    """Every link between the given articles, sorted; independent of their order."""
    index = BackgroundIndex(params or BackgroundParams())
    links: list[BackgroundLink] = []
    for article in articles:
        links.extend(index.add(article))
    return sort_links(links)


def sort_links(links: Iterable[BackgroundLink]) -> list[BackgroundLink]:
    return sorted(
        links,
        key=lambda link: (link.article_id, link.paragraph_index,
                          link.earlier_article_id, link.earlier_paragraph_index),
    )


def background_paragraphs(links: Iterable[BackgroundLink]) -> dict[str, set[int]]:
    """Article id -> indices of its paragraphs that recycle earlier text."""
    result: dict[str, set[int]] = {}
    for link in links:
        if link.paragraph_index != WHOLE_ARTICLE:
            result.setdefault(link.article_id, set()).add(link.paragraph_index)
    return result


def duplicate_groups(links: Iterable[BackgroundLink]) -> list[list[str]]:
    """Groups of whole-article near-duplicates (each sorted, earliest link target first)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        if link.paragraph_index == WHOLE_ARTICLE:
            parent[find(link.article_id)] = find(link.earlier_article_id)
    groups: dict[str, list[str]] = {}
    for member in parent:
        groups.setdefault(find(member), []).append(member)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def mark_background(article: Article, links: Iterable[BackgroundLink]) -> Article:
    """Set ``Paragraph.background`` on the article's recycled paragraphs."""
    recycled = background_paragraphs(links).get(article.id, set())
    for paragraph in article.paragraphs:
        paragraph.background = paragraph.index in recycled
    return article
