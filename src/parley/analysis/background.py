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

import bisect
import functools
import hashlib
import pickle
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from datasketch import MinHash

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
    bands: int = 20
    rows: int = 3
    #: bands x rows of the whole-article near-duplicate LSH (uses the first perms)
    article_bands: int = 12
    article_rows: int = 5
    min_overlap: float = 0.4
    min_paragraph_shingles: int = 8
    min_sentence_shingles: int = 5
    duplicate_jaccard: float = 0.8
    #: earlier occurrences linked per recycled paragraph: the earliest published ones
    max_links: int = 3

    def __post_init__(self) -> None:
        if self.article_bands * self.article_rows > self.num_perm:
            raise ValueError("article_bands * article_rows must not exceed bands * rows")

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
    """The sorted, unique hashes of the lower-cased word ``words``-grams of ``text``."""
    return np.unique(_grams([_token_hash(t) for t in _WORD.findall(text)], words))


@functools.lru_cache(maxsize=1 << 18)
def _token_hash(token: str) -> int:
    """CRC-32 of a lower-cased token (memoised: a corpus reuses a small vocabulary)."""
    return zlib.crc32(token.lower().encode("utf-8"))


_GRAM_MIX = np.uint32(0x9E3779B1)


def _grams(token_hashes: list[int], words: int) -> np.ndarray:
    """Hash of every ``words``-gram, in text order: the token hashes folded in
    order, so equal grams always hash alike."""
    tokens = np.asarray(token_hashes, dtype=np.uint32)
    count = len(tokens) - words + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    grams = tokens[:count].copy()
    for offset in range(1, words):
        grams = grams * _GRAM_MIX + tokens[offset : offset + count]
    return grams


def paragraph_shingles(text: str, words: int = 3) -> tuple[np.ndarray, list[np.ndarray]]:
    """From one tokenisation: the paragraph's ``shingle_hashes`` and, for each of
    its ``sentences``, the hashes of the grams inside it (unsorted, possibly
    repeated: all a MinHash needs)."""
    matches = list(_WORD.finditer(text))
    grams = _grams([_token_hash(m.group()) for m in matches], words)
    starts = [m.start() for m in matches]
    cuts = [bisect.bisect_left(starts, m.end()) for m in _SENTENCE_END.finditer(text)]
    bounds = [0, *cuts, len(matches)]
    per_sentence = [grams[bounds[i] : max(bounds[i], bounds[i + 1] - words + 1)]
                    for i in range(len(bounds) - 1)]
    return np.unique(grams), per_sentence


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


class MinHasher:
    """datasketch's MinHash (scheme ``affine32``, seed 1), computed for many sets at once.

    ``datasketch.MinHash.update_batch`` costs a Python call per shingle and one
    object per set; here all sets of an article go through one numpy pass.  The
    permutations are datasketch's own, and the values equal
    ``MinHash(num_perm, seed=1, hashfunc=int).update_batch(set).hashvalues``
    (a test checks), so signatures stay comparable with the library's.
    """

    def __init__(self, num_perm: int) -> None:
        a, b = MinHash(num_perm=num_perm, seed=1).permutations
        self.a = np.asarray(a, dtype=np.uint32)
        self.b = np.asarray(b, dtype=np.uint32)

    def signatures(self, sets: list[np.ndarray]) -> np.ndarray:
        """One row of ``num_perm`` uint32 values per (non-empty) shingle-hash set."""
        if not sets:
            return np.empty((0, len(self.a)), dtype=np.uint32)
        values = _fmix32(np.concatenate(sets).astype(np.uint32, copy=False))
        permuted = values[:, None] * self.a + self.b  # wraps mod 2**32, as datasketch
        starts = np.cumsum([0] + [len(s) for s in sets[:-1]])
        return np.minimum.reduceat(permuted, starts, axis=0)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (what datasketch applies before permuting)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


_MIX = np.uint64(0x100000001B3)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(sets, bands) uint64 keys: each band's rows folded into one number, salted
    with the band's number so equal rows in different bands never collide."""
    grid = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    keys: np.ndarray = np.zeros((len(signatures), bands), dtype=np.uint64)
    for row in range(rows):
        keys = (keys * _MIX) ^ grid[:, :, row]
    salted: np.ndarray = keys * _MIX + np.arange(1, bands + 1, dtype=np.uint64)
    return salted ^ (salted >> np.uint64(29))


class BandTable:
    """An LSH hash table: band key -> the numbers of the items that have it.

    Each insert becomes a small sorted numpy run, and runs of similar size are
    merged (as in a log-structured merge tree; a stable sort of two sorted runs
    is a linear merge), so memory is 16 bytes a key and a lookup is a few
    binary searches whatever the size.  Items are never removed: a caller
    forgets an item by dropping its number from its own records.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def query(self, keys: np.ndarray) -> list[tuple[int, int]]:
        """(position in ``keys``, item) for every stored item sharing a key."""
        found: list[tuple[int, int]] = []
        order = np.argsort(keys)
        wanted = keys[order]  # sorted queries keep the binary searches in cache
        for run_keys, run_items in self._runs:
            left = np.searchsorted(run_keys, wanted, "left")
            inside = left < len(run_keys)
            hits = np.flatnonzero(inside)[run_keys[left[inside]] == wanted[inside]]
            for hit in hits.tolist():
                at, key, position = int(left[hit]), wanted[hit], int(order[hit])
                while at < len(run_keys) and run_keys[at] == key:
                    found.append((position, int(run_items[at])))
                    at += 1
        return found

    def insert(self, keys: np.ndarray, items: np.ndarray) -> None:
        """Store ``items[i]`` under ``keys[i]``."""
        if not len(keys):
            return
        self._runs.append(_sorted_run(keys, items.astype(np.int64)))
        while len(self._runs) >= 2 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k2, i2), (k1, i1) = self._runs.pop(), self._runs.pop()
            self._runs.append(_sorted_run(np.concatenate((k1, k2)), np.concatenate((i1, i2))))


def _sorted_run(keys: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    return keys[order], items[order]


@dataclass
class _Entry:
    """One indexed paragraph (``keys``: its sentences' LSH band keys, to look it up again)."""

    article_id: str
    paragraph_index: int
    order: tuple[str, str]
    hashes: np.ndarray
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))


@dataclass
class _Indexed:
    """What the index holds about one article."""

    number: int
    order: tuple[str, str]
    fingerprint: str
    entries: list[int]
    whole_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))


_LinkKey = tuple[str, int, str, int]
_Slot = tuple[str, int]  # (article id, paragraph index) of the later side of links


def _link_key(link: BackgroundLink) -> _LinkKey:
    return (link.article_id, link.paragraph_index, link.earlier_article_id,
            link.earlier_paragraph_index)


def article_fingerprint(article: Article) -> str:
    """Changes whenever what the index saw of an article changes (date or body)."""
    digest = hashlib.sha1("|".join(article_order_key(article)).encode("utf-8"))
    for index, text in body_paragraphs(article):
        digest.update(f"\x00{index}\x00{text}".encode())
    return digest.hexdigest()


@dataclass
class BackgroundIndex:
    """An incremental, picklable index of every paragraph seen so far, and its links.

    Each recycled paragraph keeps links to at most ``params.max_links`` earlier
    occurrences: the earliest-published ones (so its first occurrence always),
    not every copy - a background box repeated for years would otherwise make
    the links grow with the square of the corpus.  The kept set depends only on
    which articles are indexed, never on the order they arrived in.

    ``add(article)`` returns the links that the new article creates, in either
    direction: when an article arrives that was published *before* articles
    already indexed, their paragraphs get links to it (which may displace a later
    occurrence).  ``remove`` looks the paragraphs that linked to the removed
    article up again, so ``links_of`` answers for any article after any sequence
    of ``add``/``remove`` exactly as a fresh index fed the same articles would.
    """

    params: BackgroundParams = field(default_factory=BackgroundParams)

    #: bumped when the pickled layout changes, so an older saved index is rebuilt
    FORMAT = 2

    def __post_init__(self) -> None:
        self._hasher = MinHasher(self.params.num_perm)
        self._sentences = BandTable()
        self._whole = BandTable()
        self._entries: dict[int, _Entry] = {}
        self._articles: dict[str, _Indexed] = {}
        self._article_ids: dict[int, str] = {}
        #: every kept link, under both of its articles (for removal)
        self._links: dict[str, dict[_LinkKey, BackgroundLink]] = {}
        #: the kept links of each later paragraph, earliest first
        self._kept: dict[_Slot, list[BackgroundLink]] = {}
        self._counter = 0
        self.format = self.FORMAT

    def __len__(self) -> int:
        """Number of indexed paragraphs."""
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._articles

    def article_ids(self) -> set[str]:
        return set(self._articles)

    def is_current(self, article: Article) -> bool:
        """Is this article indexed as it is now (same date, same body)?"""
        known = self._articles.get(article.id)
        return known is not None and known.fingerprint == article_fingerprint(article)

    def links_of(self, article_id: str) -> list[BackgroundLink]:
        """The links from this article's paragraphs to earlier ones, sorted."""
        mine = self._links.get(article_id, {})
        return sort_links(link for link in mine.values() if link.article_id == article_id)

    def all_links(self) -> list[BackgroundLink]:
        return sort_links(link for article_id in self._links
                          for link in self._links[article_id].values()
                          if link.article_id == article_id)

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def remove(self, article_id: str) -> set[str]:
        """Forget an article and its links; returns the articles whose links changed."""
        known = self._articles.pop(article_id, None)
        if known is None:
            return set()
        for number in known.entries:
            del self._entries[number]
        del self._article_ids[known.number]
        touched = {article_id}
        refill: set[_Slot] = set()
        for key, link in self._links.pop(article_id, {}).items():
            slot = (link.article_id, link.paragraph_index)
            if link.article_id == article_id:
                self._kept.pop(slot, None)
                other = link.earlier_article_id
            else:  # a later paragraph loses this occurrence: look for the next one
                self._kept[slot] = [k for k in self._kept.get(slot, []) if _link_key(k) != key]
                refill.add(slot)
                other = link.article_id
            self._links.get(other, {}).pop(key, None)
            touched.add(other)
        for slot in sorted(refill):
            self._refill(slot)
        return touched

    def _order_of(self, article_id: str) -> tuple[str, str]:
        return self._articles[article_id].order

    def _rank(self, link: BackgroundLink) -> tuple[tuple[str, str], int]:
        """Which earlier occurrences a paragraph keeps first: the earliest published."""
        return (self._order_of(link.earlier_article_id), link.earlier_paragraph_index)

    def _offer(self, link: BackgroundLink) -> None:
        """Keep ``link`` if it is among its paragraph's ``max_links`` earliest occurrences."""
        slot = (link.article_id, link.paragraph_index)
        kept = self._kept.setdefault(slot, [])
        key = _link_key(link)
        if any(_link_key(k) == key for k in kept):
            return
        kept.append(link)
        kept.sort(key=self._rank)
        self._register(link)
        while len(kept) > self.params.max_links:
            dropped = kept.pop()
            dropped_key = _link_key(dropped)
            self._links.get(dropped.article_id, {}).pop(dropped_key, None)
            self._links.get(dropped.earlier_article_id, {}).pop(dropped_key, None)

    def _register(self, link: BackgroundLink) -> None:
        key = _link_key(link)
        self._links.setdefault(link.article_id, {})[key] = link
        self._links.setdefault(link.earlier_article_id, {})[key] = link

    def _paragraph_links(self, entry: _Entry, keys: np.ndarray) -> list[BackgroundLink]:
        """Links between ``entry`` and the indexed paragraphs of other articles
        sharing a sentence band key with it."""
        links = []
        for item in sorted({item for _, item in self._sentences.query(keys)}):
            other = self._entries.get(item)
            if other is None or other.article_id == entry.article_id:
                continue
            similarity = overlap_coefficient(entry.hashes, other.hashes)
            if similarity >= self.params.min_overlap:
                links.append(_directed_link(entry, other, similarity))
        return links

    def _refill(self, slot: _Slot) -> None:
        """Recompute the kept links of one later paragraph from the index."""
        article_id, paragraph_index = slot
        known = self._articles.get(article_id)
        if known is None:
            return
        if paragraph_index == WHOLE_ARTICLE:
            entries = [self._entries[n] for n in known.entries]
            whole = _Entry(article_id, WHOLE_ARTICLE, known.order, self._whole_hashes(entries))
            found = self._whole_links(whole, known.whole_keys)
        else:
            entry = next(self._entries[n] for n in known.entries
                         if self._entries[n].paragraph_index == paragraph_index)
            found = self._paragraph_links(entry, entry.keys)
        for link in found:
            if link.article_id == article_id:
                self._offer(link)

    def add(self, article: Article) -> list[BackgroundLink]:
        """Index one article's paragraphs; return the kept links it creates."""
        self.remove(article.id)
        p = self.params
        order = article_order_key(article)
        paragraphs: list[_Entry] = []
        sentence_sets: list[np.ndarray] = []
        owners: list[int] = []
        for index, text in body_paragraphs(article):
            hashes, sentence_hashes_list = paragraph_shingles(text, p.shingle_words)
            if len(hashes) < p.min_paragraph_shingles:
                continue
            for sentence_hashes in sentence_hashes_list:
                if len(sentence_hashes) >= p.min_sentence_shingles:
                    sentence_sets.append(sentence_hashes)
                    owners.append(len(paragraphs))
            paragraphs.append(_Entry(article.id, index, order, hashes))
        links: list[BackgroundLink] = []
        numbers = [self._next() for _ in paragraphs]
        if sentence_sets:
            keys = band_keys(self._hasher.signatures(sentence_sets), p.bands, p.rows)
            owner_of_key = np.repeat(np.asarray(owners), p.bands)
            flat = keys.reshape(-1)
            for position, entry in enumerate(paragraphs):
                entry.keys = flat[owner_of_key == position]
                links.extend(self._paragraph_links(entry, entry.keys))
            self._sentences.insert(flat, np.asarray(numbers)[owner_of_key])
        for number, entry in zip(numbers, paragraphs, strict=True):
            self._entries[number] = entry
        article_number = self._next()
        whole_keys = np.zeros(0, dtype=np.uint64)
        if paragraphs:
            whole = _Entry(article.id, WHOLE_ARTICLE, order, self._whole_hashes(paragraphs))
            signature = self._hasher.signatures([whole.hashes])
            whole_keys = band_keys(signature, p.article_bands, p.article_rows).reshape(-1)
            links.extend(self._whole_links(whole, whole_keys))
            self._whole.insert(whole_keys, np.full(len(whole_keys), article_number))
        self._articles[article.id] = _Indexed(
            article_number, order, article_fingerprint(article), numbers, whole_keys)
        self._article_ids[article_number] = article.id
        for link in links:
            self._offer(link)
        return sort_links(link for link in links
                          if _link_key(link) in self._links.get(link.article_id, {}))

    def _whole_hashes(self, entries: Iterable[_Entry]) -> np.ndarray:
        return np.unique(np.concatenate([entry.hashes for entry in entries]))

    def _whole_links(self, whole: _Entry, keys: np.ndarray) -> list[BackgroundLink]:
        """Whole-article near-duplicates (re-posts, updated versions) of ``whole``."""
        links = []
        for other_number in sorted({item for _, item in self._whole.query(keys)}):
            other_id = self._article_ids.get(other_number)
            if other_id is None or other_id == whole.article_id:
                continue
            known = self._articles[other_id]
            other_whole = self._whole_hashes(self._entries[n] for n in known.entries)
            similarity = jaccard(whole.hashes, other_whole)
            if similarity >= self.params.duplicate_jaccard:
                other = _Entry(other_id, WHOLE_ARTICLE, known.order, other_whole)
                links.append(_directed_link(whole, other, similarity))
        return links

    def save(self, path: Path) -> None:
        """Persist the index (a pickle; rebuild it with ``find_background_links`` if lost)."""
        with open(path, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> BackgroundIndex:
        with open(path, "rb") as handle:
            index = pickle.load(handle)
        if not isinstance(index, cls) or getattr(index, "format", 1) != cls.FORMAT:
            raise TypeError(f"{path} does not hold a background index of this version")
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
