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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    grams, spans = _sentence_grams(text, words)
    return np.unique(grams), [grams[start:stop] for start, stop in spans]


def _sentence_grams(text: str, words: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The hashes of the ``words``-grams of ``text`` in text order, and for each
    sentence the (start, stop) of the grams that lie inside it."""
    matches = list(_WORD.finditer(text))
    grams = _grams([_token_hash(m.group()) for m in matches], words)
    starts = [m.start() for m in matches]
    cuts = [bisect.bisect_left(starts, m.end()) for m in _SENTENCE_END.finditer(text)]
    bounds = [0, *cuts, len(matches)]
    return grams, [(bounds[i], max(bounds[i], bounds[i + 1] - words + 1))
                   for i in range(len(bounds) - 1)]


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


#: an empty cell of a kept-link row, and the owner of a removed paragraph
_NONE = 0xFFFF_FFFF
_LOW = np.uint64(0xFFFF_FFFF)
#: similarities are kept to 4 decimals (as links always were), as ten-thousandths
_SCALE = 10_000
#: band-table runs stop merging at this many entries (8 or 12 bytes each), so a merge
#: never needs a second copy of the whole table
_MAX_RUN = 1 << 23
#: removed articles' storage is dropped once it is a quarter of the index and at least this
_COMPACT_MIN = 1 << 14
#: ``BandTable.lookup_first``'s bound of a key none of whose items was left out
_NO_BOUND = 1 << 40


def concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated ``arange(start, start + length)`` of each pair: a gather index."""
    lengths = np.asarray(lengths, dtype=np.int64)
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    shift = np.asarray(starts, dtype=np.int64) - (ends - lengths)
    return np.repeat(shift, lengths) + np.arange(total, dtype=np.int64)


def _code(similarity: float) -> int:
    """A similarity as the ten-thousandths that ``round(similarity, 4)`` keeps."""
    return round(round(similarity, 4) * _SCALE)


def _similarity(code: int) -> float:
    """Back from ``_code``: the same float as ``round(similarity, 4)`` (a test checks)."""
    return code / _SCALE


class BandTable:
    """An LSH hash table: band key -> the numbers of the items that have it.

    Each insert becomes a small sorted numpy run, and runs of similar size are
    merged (as in a log-structured merge tree, by a linear merge), up to
    ``_MAX_RUN`` entries, so memory is 12 bytes a key (a uint64 key, a uint32
    item; 8 with uint32 keys) and a merge never copies the whole table.  A
    small run is searched by bisection, a large one through a directory of its
    keys' top bits (8-16 keys a bucket, 3-6 % more memory): one read and a
    short scan instead of two dozen probes.  Keys are unsigned integers of one
    width, items numbers below 2**32.  A caller forgets items by dropping their
    numbers from its own records, and renumbers them with ``remap``.
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []

    def __len__(self) -> int:
        return sum(len(run.keys) for run in self._runs)

    def query(self, keys: np.ndarray) -> list[tuple[int, int]]:
        """(position in ``keys``, item) for every stored item sharing a key."""
        positions, items = self.lookup(keys)
        return list(zip(positions.tolist(), items.tolist(), strict=True))

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``query`` as two arrays: positions in ``keys`` and the items found there."""
        positions: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        items: list[np.ndarray] = [np.zeros(0, dtype=np.uint32)]
        if self._runs and len(keys):
            order = np.argsort(keys, kind="stable")
            wanted = keys[order].astype(self._runs[0].keys.dtype, copy=False)  # sorted: cached
            for run in self._runs:
                found = run.find(wanted)
                if found is not None:
                    positions.append(order[found[0]])
                    items.append(found[1])
        return np.concatenate(positions), np.concatenate(items)

    def lookup_first(self, keys: np.ndarray, limit: int,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``lookup`` reading at most ``limit`` items per key from each run, and for
        each key a bound: every item left out is at least it (``_NO_BOUND``: none
        was left out).

        Within a run the items of one key are in the order they were inserted
        (inserts sort stably, merges keep the older run first), so when items
        were inserted in increasing order, the ones read are the smallest.  A
        bucket shared by thousands of copies then costs ``limit`` reads."""
        positions: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        items: list[np.ndarray] = [np.zeros(0, dtype=np.uint32)]
        bound = np.full(len(keys), _NO_BOUND, dtype=np.int64)
        if self._runs and len(keys):
            order = np.argsort(keys, kind="stable")
            wanted = keys[order].astype(self._runs[0].keys.dtype, copy=False)
            for run in self._runs:
                left = np.searchsorted(run.keys, wanted, "left")
                counts = np.searchsorted(run.keys, wanted, "right") - left
                hits = np.flatnonzero(counts)
                taken = np.minimum(counts[hits], limit)
                found = run.items[concatenated_ranges(left[hits], taken)]
                positions.append(np.repeat(order[hits], taken))
                items.append(found)
                cut = counts[hits] > limit
                last = found[np.cumsum(taken)[cut] - 1].astype(np.int64)
                np.minimum.at(bound, order[hits[cut]], last)
        return np.concatenate(positions), np.concatenate(items), bound

    def insert(self, keys: np.ndarray, items: np.ndarray) -> None:
        """Store ``items[i]`` under ``keys[i]``."""
        if len(keys):
            order = np.argsort(keys, kind="stable")
            self._push(keys[order], np.asarray(items, dtype=np.uint32)[order])

    def remap(self, numbers: np.ndarray) -> None:
        """Replace each item by ``numbers[item]``, dropping those mapped to 2**32 - 1."""
        runs, self._runs = self._runs, []
        for run in runs:
            renumbered = numbers[run.items]
            kept = renumbered != _NONE
            self._push(run.keys[kept], renumbered[kept])

    def _push(self, keys: np.ndarray, items: np.ndarray) -> None:
        if not len(keys):
            return
        self._runs.append(_Run(keys, items))
        while len(self._runs) >= 2:
            old, new = self._runs[-2:]
            if len(old.keys) > 2 * len(new.keys) or len(old.keys) + len(new.keys) > _MAX_RUN:
                break
            self._runs[-2:] = [_Run(*_merge_runs(old.keys, old.items, new.keys, new.items))]


#: runs of at least this many keys get a directory of their keys' top bits
_DIRECTORY_MIN = 1 << 15


class _Run:
    """Sorted keys with their items, and for a large run a directory:
    ``directory[b]`` is where the keys whose top bits are ``b`` start."""

    __slots__ = ("directory", "items", "keys", "shift")

    def __init__(self, keys: np.ndarray, items: np.ndarray) -> None:
        self.keys, self.items = keys, items
        self.directory: np.ndarray | None = None
        self.shift = 0
        if len(keys) >= _DIRECTORY_MIN:
            depth = len(keys).bit_length() - 4  # 2**depth buckets of 8-16 keys
            self.shift = keys.dtype.itemsize * 8 - depth
            fences = np.arange(1 << depth, dtype=keys.dtype) << keys.dtype.type(self.shift)
            self.directory = np.empty((1 << depth) + 1, dtype=np.uint32)
            self.directory[:-1] = np.searchsorted(keys, fences)
            self.directory[-1] = len(keys)

    def find(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions in the sorted ``wanted``, items) of the keys found, or None."""
        keys = self.keys
        if self.directory is None:
            left = np.searchsorted(keys, wanted, "left")
            inside = np.flatnonzero(left < len(keys))
            hits = inside[keys[left[inside]] == wanted[inside]]
            if not len(hits):
                return None
            counts = np.searchsorted(keys, wanted[hits], "right") - left[hits]
            return np.repeat(hits, counts), self.items[concatenated_ranges(left[hits], counts)]
        bucket = (wanted >> keys.dtype.type(self.shift)).astype(np.intp)
        start = self.directory[bucket].astype(np.int64)
        stop = self.directory[bucket + 1].astype(np.int64)
        width = int((stop - start).max())
        if not width:
            return None
        window = start[:, None] + np.arange(width)  # each key's bucket, padded
        found = window < stop[:, None]
        window[~found] = 0
        found &= keys[window] == wanted[:, None]
        rows, columns = np.nonzero(found)
        if not len(rows):
            return None
        return rows, self.items[window[rows, columns]]


def _merge_runs(keys_a: np.ndarray, items_a: np.ndarray, keys_b: np.ndarray,
                items_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One sorted run from two (a linear merge; equal keys keep ``a`` first)."""
    at = np.searchsorted(keys_a, keys_b, "right") + np.arange(len(keys_b))
    from_a = np.ones(len(keys_a) + len(keys_b), dtype=bool)
    from_a[at] = False
    keys = np.empty(len(from_a), dtype=keys_a.dtype)
    items = np.empty(len(from_a), dtype=items_a.dtype)
    keys[at], items[at] = keys_b, items_b
    keys[from_a], items[from_a] = keys_a, items_a
    return keys, items


class _Column:
    """A numpy array that grows at its end like a list; ``values`` is the filled part.

    It grows by a quarter at a time with ``ndarray.resize`` (``realloc``: a large
    block is remapped, not copied), so a column never needs twice its size in
    memory.  ``resize`` refuses to move memory that a view still refers to; the
    column then copies instead, so a ``values`` view held across ``extend`` is
    only slower, never wrong.  Pickles as its filled part.
    """

    def __init__(self, dtype: type[np.generic], width: int = 0) -> None:
        self._data: np.ndarray = np.zeros((0, width) if width else 0, dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._size]

    def extend(self, values: np.ndarray | Sequence[int]) -> None:
        rows = np.asarray(values, dtype=self._data.dtype)
        end = self._size + len(rows)
        if end > len(self._data):
            self._grow(max(end, len(self._data) + len(self._data) // 4 + 256))
        self._data[self._size : end] = rows
        self._size = end

    def replace(self, values: np.ndarray) -> None:
        self._data = np.asarray(values, dtype=self._data.dtype)
        self._size = len(values)

    def _grow(self, capacity: int) -> None:
        shape = (capacity, *self._data.shape[1:])
        try:
            self._data.resize(shape, refcheck=True)
        except ValueError:  # a view refers to it, or the memory is borrowed (unpickled)
            grown = np.zeros(shape, dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown

    def __getstate__(self) -> dict[str, Any]:
        return {"values": self.values}

    def __setstate__(self, state: dict[str, Any]) -> None:
        values = state["values"]
        self._data = values if values.flags.writeable else values.copy()
        self._size = len(values)


def article_fingerprint(article: Article) -> str:
    """Changes whenever what the index saw of an article changes (date or body)."""
    digest = hashlib.sha1("|".join(article_order_key(article)).encode("utf-8"))
    for index, text in body_paragraphs(article):
        digest.update(f"\x00{index}\x00{text}".encode())
    return digest.hexdigest()


_Rank = tuple[tuple[str, str], int]
_Match = tuple[int, int, float]  # (number, number of the other one, similarity)


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

    Storage is a few flat numpy columns, not objects.  Articles and paragraphs
    are numbered in the order they were added (an article's paragraphs are
    consecutive), and a paragraph keeps only its word-trigram hashes in text
    order (4 bytes each; its set, its sentences' MinHashes and band keys are
    recomputed from them when needed), where its indexed sentences start and
    stop, and its kept links (earlier paragraph numbers and similarities).  The
    sentence band table holds 8 bytes per sentence and band: the low 32 bits of
    the key and the paragraph number.  A match found there is confirmed on the
    whole keys before it is kept, which only the few that could be kept need (a
    row's earliest ``max_links``).  A removed article is only marked; ``compact``
    drops its storage (renumbering the rest) once removed ones are a quarter of
    the index.
    """

    params: BackgroundParams = field(default_factory=BackgroundParams)

    #: bumped when the pickled layout changes, so an older saved index is rebuilt
    FORMAT = 5

    def __post_init__(self) -> None:
        width = max(self.params.max_links, 1)
        self._sentence_table = BandTable()  # low 32 bits of a sentence band key -> paragraph
        self._whole_table = BandTable()  # whole-article band key -> article number
        # articles, by number
        self._ids: list[str | None] = []  # None once removed
        self._dates: list[str] = []  # first part of ``article_order_key``
        self._fingerprint = _Column(np.uint8, 20)  # sha1 of ``article_fingerprint``
        self._first = _Column(np.int64)  # number of its first paragraph
        self._count = _Column(np.int64)  # its indexed paragraphs
        self._whole_kept = _Column(np.uint32, width)  # near-duplicates: earlier articles
        self._whole_similarity = _Column(np.uint16, width)
        self._whole_size = _Column(np.uint32)  # distinct trigrams of its paragraphs together
        # paragraphs, by number
        self._owner = _Column(np.uint32)  # article number; _NONE once removed
        self._index = _Column(np.int32)  # paragraph index in its article
        self._gram_start = _Column(np.int64)  # paragraph n's grams: [start[n], start[n + 1])
        self._grams = _Column(np.uint32)  # trigram hashes of every paragraph, in text order
        self._sentence_start = _Column(np.int64)  # its indexed sentences, as _gram_start
        self._sentence_bounds = _Column(np.uint32, 2)  # (start, stop) in its own grams
        self._kept = _Column(np.uint32, width)  # earlier paragraphs it keeps links to
        self._similarity = _Column(np.uint16, width)
        self._gram_start.extend([0])
        self._sentence_start.extend([0])
        self._removed = 0  # removed articles and paragraphs still stored
        # were articles added in publication order, so that paragraph numbers rank as
        # ``_paragraph_rank`` does?  (``_latest``: the latest order key added so far)
        self._in_rank_order = True
        self._latest: tuple[str, str] | None = None
        self.format = self.FORMAT
        self._restore()

    def _restore(self) -> None:
        """What is derived, not saved."""
        self._hasher = MinHasher(self.params.num_perm)
        self._numbers = {article_id: number for number, article_id in enumerate(self._ids)
                         if article_id is not None}
        self._date_pool = {date: date for date in self._dates}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for derived in ("_hasher", "_numbers", "_date_pool"):
            del state[derived]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if state.get("format") == self.FORMAT:  # ``load`` refuses any other
            self._restore()

    def __len__(self) -> int:
        """Number of indexed paragraphs."""
        return len(self._owner) - int(np.count_nonzero(self._owner.values == _NONE))

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._numbers

    def article_ids(self) -> set[str]:
        return set(self._numbers)

    def is_current(self, article: Article) -> bool:
        """Is this article indexed as it is now (same date, same body)?"""
        number = self._numbers.get(article.id)
        return number is not None and (self._fingerprint.values[number].tobytes()
                                       == bytes.fromhex(article_fingerprint(article)))

    def links_of(self, article_id: str) -> list[BackgroundLink]:
        """The links from this article's paragraphs to earlier ones, sorted."""
        number = self._numbers.get(article_id)
        if number is None:
            return []
        return sort_links(self._paragraph_links(self._paragraphs_of(number))
                          + self._whole_links(np.array([number])))

    def all_links(self) -> list[BackgroundLink]:
        everything = np.arange(len(self._ids))
        return sort_links(self._paragraph_links(np.arange(len(self._owner)))
                          + self._whole_links(everything))

    # ------------------------------------------------------------------ add, remove

    def add(self, article: Article) -> list[BackgroundLink]:
        """Index one article's paragraphs; return the kept links it creates."""
        self.remove(article.id)
        p = self.params
        order = article_order_key(article)
        # equal only when re-adding the latest article, just removed
        in_order = self._in_rank_order and (self._latest is None or order >= self._latest)
        self._in_rank_order = in_order
        self._latest = order if self._latest is None else max(self._latest, order)
        indices: list[int] = []
        grams: list[np.ndarray] = []
        bounds: list[tuple[int, int]] = []
        sentence_counts: list[int] = []
        for index, text in body_paragraphs(article):
            paragraph, spans = _sentence_grams(text, p.shingle_words)
            if len(np.unique(paragraph)) < p.min_paragraph_shingles:
                continue
            indexed = [(a, b) for a, b in spans if b - a >= p.min_sentence_shingles]
            indices.append(index)
            grams.append(paragraph)
            bounds.extend(indexed)
            sentence_counts.append(len(indexed))
        number = self._store_article(article, order, indices, grams, bounds, sentence_counts)
        paragraphs = self._paragraphs_of(number)

        # paragraphs: a new one keeps its earliest matches; an earlier-indexed one
        # that is later than the new one is offered the new one
        keys, owners = self._sentence_keys(paragraphs)
        offered: list[tuple[int, int]] = []
        if in_order:  # every indexed paragraph is earlier: nothing to offer
            self._keep_earliest_in_order(paragraphs, keys, owners)
        else:
            offered = self._match_out_of_order(number, paragraphs, keys, owners)
        self._sentence_table.insert(_short(keys), paragraphs[owners])

        # the whole article, against whole earlier-indexed articles
        offered_whole: list[tuple[int, int]] = []
        if len(paragraphs):
            whole = self._whole_grams(number)
            self._whole_size.values[number] = len(whole)
            whole_keys = self._whole_keys(number, whole)
            duplicates: dict[int, int] = {}
            for _, twin, similarity in self._whole_matches(number, whole_keys):
                if self._order(twin) < order:
                    duplicates[twin] = _code(similarity)
                else:
                    self._offer(self._whole_kept, self._whole_similarity, twin, number,
                                _code(similarity), self._article_rank)
                    offered_whole.append((twin, number))
            self._fill(self._whole_kept, self._whole_similarity, number, duplicates,
                       self._article_rank)
            self._whole_table.insert(whole_keys, np.full(len(whole_keys), number))

        links = self._paragraph_links(paragraphs) + self._whole_links(np.array([number]))
        links += self._kept_of(self._kept, self._similarity, offered, self._paragraph_link)
        links += self._kept_of(self._whole_kept, self._whole_similarity, offered_whole,
                               self._whole_link)
        return sort_links(links)

    def _keep_earliest_in_order(self, paragraphs: np.ndarray, keys: np.ndarray,
                                owners: np.ndarray) -> None:
        """``_keep_earliest`` for the paragraphs of an article added after every
        indexed one, reading few items of each band key.

        Paragraph numbers then rank as ``_paragraph_rank`` does, so the first
        items of a key are its earliest paragraphs (``BandTable.lookup_first``).
        A row is settled when no key was cut short, or when it is full and its
        last kept paragraph is earlier than every item left out; the others are
        read again with eight times the limit.  A box repeated by thousands of
        articles thus costs a few dozen reads, not thousands."""
        limit = 8 * max(self.params.max_links, 1)
        known: dict[int, np.ndarray] = {}
        todo = np.arange(len(paragraphs))
        while len(todo):
            wanted = np.isin(owners, todo)
            positions, items, bound = self._sentence_table.lookup_first(
                _short(keys[wanted]), limit)
            mine, other = self._pairs(paragraphs, owners[wanted][positions], items)
            if len(mine) and not known:
                known.update(_key_sets(paragraphs, keys, owners))
            self._keep_earliest(paragraphs[todo], mine, other, known, ranks=other)
            cut = np.full(len(paragraphs), _NO_BOUND, dtype=np.int64)
            np.minimum.at(cut, owners[wanted], bound)
            last = self._kept.values[paragraphs[todo], -1].astype(np.int64)
            settled = (cut[todo] == _NO_BOUND) | ((last != _NONE) & (last < cut[todo]))
            todo, limit = todo[~settled], limit * 8

    def _match_out_of_order(self, number: int, paragraphs: np.ndarray, keys: np.ndarray,
                            owners: np.ndarray) -> list[tuple[int, int]]:
        """Links of an article published before some indexed ones: its paragraphs
        keep their earliest matches, and the later paragraphs that match it are
        offered it; returns the (later paragraph, new paragraph) pairs kept."""
        mine, other = self._candidate_pairs(paragraphs, keys, owners)
        owner = self._owner.values
        ranks = self._article_ranks(np.append(owner[other], number))
        earlier = ranks[:-1] < ranks[-1]
        del owner
        known = _key_sets(paragraphs, keys, owners) if len(mine) else {}
        self._keep_earliest(paragraphs, mine[earlier], other[earlier], known,
                            self._paragraph_ranks(other[earlier], ranks[:-1][earlier]))
        offered: list[tuple[int, int]] = []
        offers = self._later_offers(mine[~earlier], other[~earlier])
        self._learn_keys([other_row for other_row, _, _ in offers], known)
        for other_row, new, code in offers:
            if self._would_keep(other_row, new) and self._share_key(other_row, new, known):
                self._offer(self._kept, self._similarity, other_row, new, code,
                            self._paragraph_rank)
                offered.append((other_row, new))
        return offered

    def remove(self, article_id: str) -> set[str]:
        """Forget an article and its links; returns the articles whose links changed."""
        number = self._numbers.pop(article_id, None)
        if number is None:
            return set()
        paragraphs = self._paragraphs_of(number)
        owner = self._owner.values
        touched = {article_id}
        # its links to earlier paragraphs and articles
        for target in _filled(self._kept.values[paragraphs]):
            touched.add(self._id(int(owner[target])))
        for target in _filled(self._whole_kept.values[[number]]):
            touched.add(self._id(target))
        # later paragraphs (and articles) linked to it share a band key with it
        refill: list[int] = []
        refill_whole: list[int] = []
        if len(paragraphs):
            first, stop = int(paragraphs[0]), int(paragraphs[-1]) + 1
            keys, _ = self._sentence_keys(paragraphs)
            items = np.unique(self._sentence_table.lookup(_short(keys))[1]).astype(np.int64)
            items = items[(owner[items] != _NONE) & (owner[items] != number)]
            rows = self._kept.values[items]
            refill = items[((rows >= first) & (rows < stop)).any(axis=1)].tolist()
            touched |= {self._id(int(owner[later])) for later in refill}
            whole_items = self._whole_table.lookup(self._whole_keys(number))[1]
            for later in np.unique(whole_items).tolist():
                if later != number and number in self._whole_kept.values[later].tolist():
                    refill_whole.append(later)
                    touched.add(self._id(later))
        # forget it, then let the later ones find their next earliest occurrences
        owner[paragraphs] = _NONE
        self._kept.values[paragraphs] = _NONE
        self._whole_kept.values[number] = _NONE
        self._ids[number] = None
        del owner
        self._removed += 1 + len(paragraphs)
        self._refill(np.array(refill, dtype=np.int64))
        for later in refill_whole:
            self._refill_whole(later)
        if self._removed > max(_COMPACT_MIN, (len(self._ids) + len(self._owner)) // 4):
            self.compact()
        return touched

    def compact(self) -> None:
        """Drop what removed articles left behind, renumbering the rest (no link
        changes; ``remove`` calls it once removed ones are a quarter of the index)."""
        articles = np.array([n for n, article_id in enumerate(self._ids)
                             if article_id is not None], dtype=np.int64)
        article_numbers = np.full(len(self._ids), _NONE, dtype=np.uint32)
        article_numbers[articles] = np.arange(len(articles))
        owner = self._owner.values
        alive = np.flatnonzero(owner != _NONE)
        numbers = np.full(len(owner), _NONE, dtype=np.uint32)
        numbers[alive] = np.arange(len(alive))

        gram_start = self._gram_start.values
        gram_counts = gram_start[alive + 1] - gram_start[alive]
        self._grams.replace(self._grams.values[concatenated_ranges(gram_start[alive], gram_counts)])
        self._gram_start.replace(np.concatenate(([0], np.cumsum(gram_counts))))
        sentence_start = self._sentence_start.values
        sentence_counts = sentence_start[alive + 1] - sentence_start[alive]
        self._sentence_bounds.replace(self._sentence_bounds.values[
            concatenated_ranges(sentence_start[alive], sentence_counts)])
        self._sentence_start.replace(np.concatenate(([0], np.cumsum(sentence_counts))))
        self._owner.replace(article_numbers[owner[alive]])
        self._index.replace(self._index.values[alive])
        self._kept.replace(_renumber(self._kept.values[alive], numbers))
        self._similarity.replace(self._similarity.values[alive])
        del owner, gram_start, sentence_start

        counts = self._count.values[articles]
        self._first.replace(np.cumsum(counts) - counts)
        self._count.replace(counts)
        self._fingerprint.replace(self._fingerprint.values[articles])
        self._whole_kept.replace(_renumber(self._whole_kept.values[articles], article_numbers))
        self._whole_similarity.replace(self._whole_similarity.values[articles])
        self._whole_size.replace(self._whole_size.values[articles])
        self._ids = [self._ids[n] for n in articles.tolist()]
        self._dates = [self._dates[n] for n in articles.tolist()]
        self._sentence_table.remap(numbers)
        self._whole_table.remap(article_numbers)
        self._removed = 0
        self._restore()

    # ------------------------------------------------------------------ storage

    def _store_article(self, article: Article, order: tuple[str, str], indices: list[int],
                       grams: list[np.ndarray], bounds: list[tuple[int, int]],
                       sentence_counts: list[int]) -> int:
        number = len(self._ids)
        self._numbers[article.id] = number
        self._ids.append(article.id)
        self._dates.append(self._date_pool.setdefault(order[0], order[0]))
        digest = bytes.fromhex(article_fingerprint(article))
        self._fingerprint.extend(np.frombuffer(digest, dtype=np.uint8)[None, :])
        self._first.extend([len(self._owner)])
        self._count.extend([len(indices)])
        self._whole_kept.extend(_empty_rows(1, self._whole_kept))
        self._whole_similarity.extend(np.zeros((1, self._whole_kept.values.shape[1])))
        self._whole_size.extend([0])
        if indices:
            lengths = np.array([len(g) for g in grams], dtype=np.int64)
            self._owner.extend(np.full(len(indices), number))
            self._index.extend(indices)
            self._gram_start.extend(len(self._grams) + np.cumsum(lengths))
            self._grams.extend(np.concatenate(grams))
            self._sentence_start.extend(len(self._sentence_bounds) + np.cumsum(sentence_counts))
            self._sentence_bounds.extend(np.array(bounds, dtype=np.uint32).reshape(-1, 2))
            self._kept.extend(_empty_rows(len(indices), self._kept))
            self._similarity.extend(np.zeros((len(indices), self._kept.values.shape[1])))
        return number

    def _paragraphs_of(self, number: int) -> np.ndarray:
        first = int(self._first.values[number])
        return np.arange(first, first + int(self._count.values[number]), dtype=np.int64)

    def _id(self, number: int) -> str:
        article_id = self._ids[number]
        assert article_id is not None, "a link points to a removed article"
        return article_id

    def _order(self, number: int) -> tuple[str, str]:
        return (self._dates[number], self._id(number))

    def _paragraph_rank(self, paragraph: int) -> _Rank:
        """Which earlier occurrences a paragraph keeps first: the earliest published."""
        return (self._order(int(self._owner.values[paragraph])),
                int(self._index.values[paragraph]))

    def _article_rank(self, number: int) -> _Rank:
        return (self._order(number), WHOLE_ARTICLE)

    def _gram_sets(self, starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The unique grams of each range ``[starts[i], stops[i])`` of the gram column,
        as sorted ``i << 32 | gram`` values, and each range's number of them."""
        lengths = stops - starts
        group = np.repeat(np.arange(len(starts), dtype=np.uint64), lengths)
        grams = self._grams.values[concatenated_ranges(starts, lengths)].astype(np.uint64)
        tagged = np.unique((group << np.uint64(32)) | grams)
        sizes = np.bincount((tagged >> np.uint64(32)).astype(np.intp), minlength=len(starts))
        return tagged, sizes

    def _common(self, starts: np.ndarray, stops: np.ndarray, left: np.ndarray,
                right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each pair ``(left[j], right[j])`` of gram ranges: the sizes of both sets
        of unique grams and of their intersection (what ``np.intersect1d`` counts)."""
        tagged, sizes = self._gram_sets(starts, stops)
        counts = sizes[right]
        values = tagged[concatenated_ranges(np.cumsum(sizes)[right] - counts, counts)] & _LOW
        probe = (np.repeat(left.astype(np.uint64), counts) << np.uint64(32)) | values
        at = np.minimum(np.searchsorted(tagged, probe), max(len(tagged) - 1, 0))
        found = tagged[at] == probe if len(tagged) else np.zeros(0, dtype=bool)
        common = np.bincount(np.repeat(np.arange(len(left)), counts), weights=found,
                             minlength=len(left)).astype(np.int64)
        return sizes[left], counts, common

    # ------------------------------------------------------------------ matching

    def _sentence_keys(self, paragraphs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence band keys of stored paragraphs, flat, and for each key the
        position in ``paragraphs`` of its paragraph (recomputed from the grams)."""
        p = self.params
        first, stop = self._sentence_start.values[paragraphs], self._sentence_start.values[
            paragraphs + 1]
        bounds = self._sentence_bounds.values[
            concatenated_ranges(first, stop - first)].astype(np.int64)
        if not len(bounds):
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        base = np.repeat(self._gram_start.values[paragraphs], stop - first)
        grams = self._grams.values
        sets = [grams[a:b] for a, b in zip((base + bounds[:, 0]).tolist(),
                                           (base + bounds[:, 1]).tolist(), strict=True)]
        keys = band_keys(self._hasher.signatures(sets), p.bands, p.rows)
        owners = np.repeat(np.repeat(np.arange(len(paragraphs)), stop - first), p.bands)
        return keys.reshape(-1), owners

    def _candidate_pairs(self, paragraphs: np.ndarray, keys: np.ndarray,
                         owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(paragraph, other) for each stored paragraph of another article that shares
        a sentence band key with one of ``paragraphs`` (``keys`` and ``owners`` from
        ``_sentence_keys``), sorted; whether they overlap enough is not checked yet."""
        positions, items = self._sentence_table.lookup(_short(keys))
        return self._pairs(paragraphs, owners[positions], items)

    def _pairs(self, paragraphs: np.ndarray, mine_at: np.ndarray,
               items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct (``paragraphs[mine_at[j]]``, ``items[j]``) pairs, sorted, without
        removed paragraphs and pairs within one article."""
        if not len(items):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        pairs = np.unique((paragraphs[mine_at].astype(np.uint64) << np.uint64(32))
                          | items.astype(np.uint64))
        mine = (pairs >> np.uint64(32)).astype(np.int64)
        other = (pairs & _LOW).astype(np.int64)
        owner = self._owner.values
        keep = (owner[other] != _NONE) & (owner[other] != owner[mine])
        return mine[keep], other[keep]

    def _overlap(self, mine: np.ndarray, other: np.ndarray) -> np.ndarray:
        """The trigram overlap coefficient of each pair of stored paragraphs."""
        if not len(mine):
            return np.zeros(0)
        distinct = np.unique(np.concatenate((mine, other)))
        gram_start = self._gram_start.values
        size_a, size_b, common = self._common(
            gram_start[distinct], gram_start[distinct + 1],
            np.searchsorted(distinct, mine), np.searchsorted(distinct, other))
        return np.asarray(common / np.maximum(np.minimum(size_a, size_b), 1))

    def _article_ranks(self, articles: np.ndarray) -> np.ndarray:
        """Each article's position among ``articles`` in publication order (equal
        numbers, equal ranks), sorted by numpy: a paragraph repeated by thousands of
        articles has thousands of candidates, too many to rank one ``_order`` at a
        time."""
        distinct, positions = np.unique(articles, return_inverse=True)
        # ``date NUL id`` sorts as the ``(date, id)`` of ``_order`` does
        keys = np.array([f"{self._dates[n]}\0{self._ids[n]}" for n in distinct.tolist()],
                        dtype=str)
        ranks = np.empty(len(distinct), dtype=np.int64)
        ranks[np.argsort(keys, kind="stable")] = np.arange(len(distinct))
        return ranks[positions.reshape(-1)]

    def _paragraph_ranks(self, paragraphs: np.ndarray,
                         article_ranks: np.ndarray | None = None) -> np.ndarray:
        """Sortable numbers that order ``paragraphs`` as ``_paragraph_rank`` does
        (``article_ranks``: their owners' ranks, when already known)."""
        if article_ranks is None:
            article_ranks = self._article_ranks(self._owner.values[paragraphs].astype(np.int64))
        return (article_ranks << 32) | self._index.values[paragraphs].astype(np.int64)

    def _later_offers(self, new: np.ndarray, later: np.ndarray) -> list[tuple[int, int, int]]:
        """(later paragraph, new paragraph, similarity code) for the candidate pairs
        whose later paragraph might keep the new one and that overlap enough, in
        the order given.  A row that is full keeps only what ranks before its last
        target, and offers only make rows rank earlier, so the rows skipped here
        would refuse the new paragraph anyway (``add`` still asks ``_would_keep``)."""
        if not len(new):
            return []
        last = self._kept.values[later, -1].astype(np.int64)
        full = last != _NONE
        full[full] = self._owner.values[last[full]] != _NONE  # (kept targets are alive)
        ranks = self._paragraph_ranks(np.concatenate((new[full], last[full])))
        maybe = ~full
        maybe[full] = ranks[: int(full.sum())] < ranks[int(full.sum()):]
        new, later = new[maybe], later[maybe]
        overlap = self._overlap(new, later)
        hit = overlap >= self.params.min_overlap
        return [(other, mine, _code(value)) for mine, other, value in zip(
            new[hit].tolist(), later[hit].tolist(), overlap[hit].tolist(), strict=True)]

    def _whole_grams(self, number: int) -> np.ndarray:
        """The distinct trigrams of an article's indexed paragraphs (it has some)."""
        paragraphs = self._paragraphs_of(number)
        gram_start = self._gram_start.values
        return np.unique(self._grams.values[gram_start[paragraphs[0]]:
                                            gram_start[paragraphs[-1] + 1]])

    def _whole_keys(self, number: int, whole: np.ndarray | None = None) -> np.ndarray:
        p = self.params
        signature = self._hasher.signatures([self._whole_grams(number) if whole is None
                                             else whole])
        return band_keys(signature, p.article_bands, p.article_rows).reshape(-1)

    def _whole_matches(self, number: int, keys: np.ndarray) -> list[_Match]:
        """Whole-article near-duplicates (re-posts, updated versions) of an article."""
        candidates = [other for other in np.unique(self._whole_table.lookup(keys)[1]).tolist()
                      if other != number and self._ids[other] is not None]
        # Jaccard is at most the smaller set's size over the larger's: sizes further
        # apart than ``duplicate_jaccard`` cannot match (kept with a hair of slack for
        # rounding), and the sets, costly to intersect, are left alone
        sizes = self._whole_size.values
        size = float(sizes[number])
        if candidates:
            theirs = sizes[candidates].astype(np.float64)
            close = (np.minimum(theirs, size) >= self.params.duplicate_jaccard
                     * np.maximum(theirs, size) * (1 - 1e-9))
            candidates = np.asarray(candidates, dtype=np.int64)[close].tolist()
        if not candidates:
            return []
        articles = np.array([number, *candidates], dtype=np.int64)
        first = self._first.values[articles]
        gram_start = self._gram_start.values
        size_a, size_b, common = self._common(
            gram_start[first], gram_start[first + self._count.values[articles]],
            np.zeros(len(candidates), dtype=np.int64), np.arange(1, len(articles)))
        similarity = common / (size_a + size_b - common)
        hit = similarity >= self.params.duplicate_jaccard
        return [(number, other, value) for other, value
                in zip(articles[1:][hit].tolist(), similarity[hit].tolist(), strict=True)]

    def _refill(self, paragraphs: np.ndarray) -> None:
        """Recompute the kept links of later paragraphs from the index."""
        if not len(paragraphs):
            return
        keys, owners = self._sentence_keys(paragraphs)
        mine, other = self._candidate_pairs(paragraphs, keys, owners)
        owner = self._owner.values
        ranks = self._article_ranks(np.concatenate((owner[mine], owner[other])))
        earlier = ranks[len(mine):] < ranks[: len(mine)]
        del owner
        self._keep_earliest(paragraphs, mine[earlier], other[earlier],
                            _key_sets(paragraphs, keys, owners))

    def _refill_whole(self, number: int) -> None:
        found = {other: _code(similarity) for _, other, similarity
                 in self._whole_matches(number, self._whole_keys(number))
                 if self._order(other) < self._order(number)}
        self._fill(self._whole_kept, self._whole_similarity, number, found, self._article_rank)

    # ------------------------------------------------------------------ kept links

    def _keep_earliest(self, paragraphs: np.ndarray, mine: np.ndarray, other: np.ndarray,
                       known: dict[int, np.ndarray], ranks: np.ndarray | None = None) -> None:
        """Fill each of ``paragraphs``' rows with its ``max_links`` earliest matches among
        the candidate pairs ``(mine[j], other[j])`` (``other`` earlier): those that
        overlap by ``min_overlap`` and share a whole sentence band key.  Candidates
        are checked earliest first, in growing batches, until the row is full, so a
        paragraph repeated by thousands of articles costs a few checks, not thousands.
        The first batch of every paragraph is checked in one go.  ``ranks``: the
        ``_paragraph_ranks`` of ``other``, when already known."""
        limit = self.params.max_links
        ranks = self._paragraph_ranks(other) if ranks is None else ranks
        order = np.lexsort((ranks, mine))
        mine, other = mine[order], other[order]
        starts = np.searchsorted(mine, paragraphs)
        stops = np.searchsorted(mine, paragraphs, side="right")
        overlap = np.full(len(mine), np.nan)
        self._check(mine, other, concatenated_ranges(starts, np.minimum(stops - starts, 2 * limit)),
                    overlap, known)
        for paragraph, start, stop in zip(paragraphs.tolist(), starts.tolist(), stops.tolist(),
                                          strict=True):
            chosen: dict[int, int] = {}
            position, batch = start, 2 * limit
            while len(chosen) < limit and position < stop:
                end = min(stop, position + batch)
                if np.isnan(overlap[position]):
                    self._check(mine, other, np.arange(position, end), overlap, known)
                for earlier, value in zip(other[position:end].tolist(),
                                          overlap[position:end].tolist(), strict=True):
                    if len(chosen) >= limit:
                        break
                    if value >= self.params.min_overlap and self._share_key(
                            paragraph, earlier, known):
                        chosen[earlier] = _code(value)
                position, batch = end, batch * 2
            self._fill(self._kept, self._similarity, paragraph, chosen, self._paragraph_rank)

    def _check(self, mine: np.ndarray, other: np.ndarray, pairs: np.ndarray,
               overlap: np.ndarray, known: dict[int, np.ndarray]) -> None:
        """Compute the overlap of the candidate ``pairs`` into ``overlap``, and learn the
        band keys of those that overlap enough, in one batch."""
        overlap[pairs] = self._overlap(mine[pairs], other[pairs])
        self._learn_keys(other[pairs][overlap[pairs] >= self.params.min_overlap].tolist(), known)

    def _would_keep(self, row: int, target: int) -> bool:
        """Would the paragraph ``row`` keep a link to ``target`` (earlier than it)?"""
        targets = [t for t in self._kept.values[row].tolist() if t != _NONE]
        if len(targets) < self.params.max_links:
            return True
        return bool(targets) and (self._paragraph_rank(target)
                                  < self._paragraph_rank(targets[-1]))

    def _share_key(self, paragraph: int, other: int, known: dict[int, np.ndarray]) -> bool:
        """Do two paragraphs share a whole sentence band key?  The sentence table holds
        only the low 32 bits of each key (``_short``): what it finds is confirmed here,
        on the keys recomputed from the grams, before a link is kept."""
        self._learn_keys((paragraph, other), known)
        return len(np.intersect1d(known[paragraph], known[other], assume_unique=True)) > 0

    def _learn_keys(self, paragraphs: Iterable[int], known: dict[int, np.ndarray]) -> None:
        missing = np.array(sorted(set(paragraphs) - known.keys()), dtype=np.int64)
        if len(missing):
            known.update(_key_sets(missing, *self._sentence_keys(missing)))

    def _fill(self, kept: _Column, similarity: _Column, row: int, entries: dict[int, int],
              rank: Callable[[int], _Rank]) -> None:
        """Keep the ``max_links`` earliest of ``entries`` (target -> similarity code)."""
        chosen = sorted(entries, key=rank)[: self.params.max_links]
        kept.values[row] = _NONE
        kept.values[row, : len(chosen)] = chosen
        similarity.values[row, : len(chosen)] = [entries[target] for target in chosen]

    def _offer(self, kept: _Column, similarity: _Column, row: int, target: int, code: int,
               rank: Callable[[int], _Rank]) -> None:
        """Keep ``target`` if it is among the row's ``max_links`` earliest occurrences."""
        entries = {t: c for t, c in zip(kept.values[row].tolist(),
                                        similarity.values[row].tolist(), strict=True)
                   if t != _NONE}
        entries.setdefault(target, code)
        self._fill(kept, similarity, row, entries, rank)

    def _kept_of(self, kept: _Column, similarity: _Column, pairs: list[tuple[int, int]],
                 make: Callable[[int, int, int], BackgroundLink]) -> list[BackgroundLink]:
        """The (row, target) links still kept."""
        links = []
        for row, target in pairs:
            targets = kept.values[row].tolist()
            if target in targets:
                code = int(similarity.values[row, targets.index(target)])
                links.append(make(row, target, code))
        return links

    def _paragraph_link(self, later: int, earlier: int, code: int) -> BackgroundLink:
        owner, index = self._owner.values, self._index.values
        return BackgroundLink(
            article_id=self._id(int(owner[later])), paragraph_index=int(index[later]),
            earlier_article_id=self._id(int(owner[earlier])),
            earlier_paragraph_index=int(index[earlier]), similarity=_similarity(code))

    def _whole_link(self, later: int, earlier: int, code: int) -> BackgroundLink:
        return BackgroundLink(
            article_id=self._id(later), paragraph_index=WHOLE_ARTICLE,
            earlier_article_id=self._id(earlier), earlier_paragraph_index=WHOLE_ARTICLE,
            similarity=_similarity(code))

    def _paragraph_links(self, paragraphs: np.ndarray) -> list[BackgroundLink]:
        return self._row_links(self._kept, self._similarity, paragraphs, self._paragraph_link)

    def _whole_links(self, articles: np.ndarray) -> list[BackgroundLink]:
        return self._row_links(self._whole_kept, self._whole_similarity, articles,
                               self._whole_link)

    @staticmethod
    def _row_links(kept: _Column, similarity: _Column, rows: np.ndarray,
                   make: Callable[[int, int, int], BackgroundLink]) -> list[BackgroundLink]:
        """The links every one of ``rows`` keeps."""
        found, columns = np.nonzero(kept.values[rows] != _NONE)
        later = rows[found]
        return [make(*cell) for cell in zip(
            later.tolist(), kept.values[later, columns].tolist(),
            similarity.values[later, columns].tolist(), strict=True)]

    # ------------------------------------------------------------------ persistence

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


def _short(keys: np.ndarray) -> np.ndarray:
    """The low 32 bits of band keys: what the sentence band table stores."""
    return (keys & _LOW).astype(np.uint32)


def _key_sets(paragraphs: np.ndarray, keys: np.ndarray, owners: np.ndarray,
              ) -> dict[int, np.ndarray]:
    """Paragraph -> its sorted unique sentence band keys (from ``_sentence_keys``)."""
    bounds = np.searchsorted(owners, np.arange(len(paragraphs) + 1))
    return {paragraph: np.unique(keys[bounds[i] : bounds[i + 1]])
            for i, paragraph in enumerate(paragraphs.tolist())}


def _empty_rows(count: int, kept: _Column) -> np.ndarray:
    return np.full((count, kept.values.shape[1]), _NONE, dtype=np.uint32)


def _filled(rows: np.ndarray) -> list[int]:
    """The numbers in kept-link rows, without the empty cells."""
    return [int(target) for target in rows[rows != _NONE].tolist()]


def _renumber(rows: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Kept-link rows with every target replaced by ``numbers[target]``."""
    renumbered = rows.copy()
    filled = rows != _NONE
    renumbered[filled] = numbers[rows[filled]]
    return renumbered


def find_background_links(
    articles: Iterable[Article], params: BackgroundParams | None = None
) -> list[BackgroundLink]:
    """Every kept link between the given articles, sorted; independent of their order.

    The links the index keeps at the end, not those each ``add`` returned: an
    article added later but published earlier can displace a link returned before.
    """
    index = BackgroundIndex(params or BackgroundParams())
    for article in articles:
        index.add(article)
    return index.all_links()


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
