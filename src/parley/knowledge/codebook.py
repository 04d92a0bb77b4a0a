"""The event codebook: trigger words -> CAMEO codes, and each code's PLOVER/Goldstein facts.

Both halves are data files a user can edit or replace (``settings.knowledge_dir``):
``codebook.yaml`` (patterns) and ``cameo.csv`` (code, name, PLOVER category, quad
class, Goldstein score).  Loading validates them together, so a typo in a code is a
``KnowledgeError`` naming the file and entry instead of a silently uncoded event.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from parley.errors import KnowledgeError

PACKAGED_DATA = Path(__file__).parent / "data"
CODEBOOK_FILE = "codebook.yaml"
CAMEO_FILE = "cameo.csv"
ROOT_CODES = tuple(f"{n:02d}" for n in range(1, 21))
QUAD_CLASSES = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class CameoCode:
    code: str
    name: str
    plover: str
    quad_class: int
    goldstein: float

    @property
    def root(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class Pattern:
    """One codebook entry: words that trigger ``code`` (see codebook.yaml's header)."""

    code: str
    verbs: tuple[str, ...] = ()
    nouns: tuple[str, ...] = ()
    objects: frozenset[str] = frozenset()
    intent: bool = False
    complement_only: bool = False
    index: int = 0  # position in the file, for messages and stable ordering


@dataclass(frozen=True)
class Codebook:
    codes: dict[str, CameoCode]
    patterns: tuple[Pattern, ...]
    intent_codes: dict[str, str]
    light_verbs: frozenset[str] = frozenset()
    occurrence_verbs: frozenset[str] = frozenset()
    transparent_nouns: frozenset[str] = frozenset()
    anchor_prepositions: frozenset[str] = frozenset()
    demand_modals: frozenset[str] = frozenset()
    aspectual_verbs: frozenset[str] = frozenset()
    demand_code: str = "100"
    source: str = ""
    _by_word: dict[str, tuple[Pattern, ...]] = field(default_factory=dict, compare=False)

    def code(self, code: str) -> CameoCode:
        return self.codes[code]

    def candidates(self, lemma: str) -> tuple[Pattern, ...]:
        """Patterns whose first word is ``lemma``, those with ``objects`` first."""
        return self._by_word.get(lemma.lower(), ())

    def intent_code(self, complement_code: str | None) -> str:
        if complement_code is None:
            return self.intent_codes["default"]
        return self.intent_codes.get(complement_code[:2], self.intent_codes["default"])


def load_codebook(directory: Path | None = None) -> Codebook:
    """Load and validate the codebook from ``directory`` (None = the packaged data).

    A folder that lacks one of the two files falls back to the packaged copy of it,
    so a user can replace just the patterns or just the code table.
    """
    return _load(Path(directory).resolve() if directory is not None else PACKAGED_DATA)


@lru_cache(maxsize=8)
def _load(directory: Path) -> Codebook:
    cameo_path = _pick(directory, CAMEO_FILE)
    book_path = _pick(directory, CODEBOOK_FILE)
    codes = _read_cameo(cameo_path)
    return _read_codebook(book_path, codes)


def _pick(directory: Path, name: str) -> Path:
    candidate = directory / name
    return candidate if candidate.is_file() else PACKAGED_DATA / name


def _read_cameo(path: Path) -> dict[str, CameoCode]:
    codes: dict[str, CameoCode] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc})") from exc
    for line_no, row in enumerate(rows, start=2):
        where = f"{path}:{line_no}"
        code = (row.get("code") or "").strip()
        if not code.isdigit() or not 2 <= len(code) <= 4:
            raise KnowledgeError(f"{where}: code {code!r} is not a 2-4 digit CAMEO code")
        if code in codes:
            raise KnowledgeError(f"{where}: code {code} is listed twice")
        plover = (row.get("plover") or "").strip()
        name = (row.get("name") or "").strip()
        if not plover or not name:
            raise KnowledgeError(f"{where}: code {code} needs a name and a PLOVER category")
        try:
            quad = int(row.get("quad_class") or "")
            goldstein = float(row.get("goldstein") or "")
        except ValueError:
            raise KnowledgeError(
                f"{where}: code {code} needs an integer quad_class and a numeric goldstein"
            ) from None
        if quad not in QUAD_CLASSES:
            raise KnowledgeError(f"{where}: code {code} has quad_class {quad}, expected 0-4")
        if not -10.0 <= goldstein <= 10.0:
            raise KnowledgeError(f"{where}: code {code} has Goldstein {goldstein} outside -10..10")
        codes[code] = CameoCode(code, name, plover, quad, goldstein)
    missing = [root for root in ROOT_CODES if root not in codes]
    if missing:
        raise KnowledgeError(f"{path}: root codes missing: {', '.join(missing)}")
    orphans = [c for c in codes if c[:2] not in codes]
    if orphans:
        raise KnowledgeError(f"{path}: codes without their root: {', '.join(orphans)}")
    return codes


def _words(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KnowledgeError(f"{where}: {key!r} must be a list of words")
    return tuple(v.strip().lower() for v in value)


def _read_codebook(path: Path, codes: dict[str, CameoCode]) -> Codebook:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise KnowledgeError(f"{path}: expected a mapping with an 'entries' list")

    def known(code: Any, where: str) -> str:
        if not isinstance(code, str) or code not in codes:
            raise KnowledgeError(f"{where}: code {code!r} is not listed in {CAMEO_FILE}")
        return code

    intent_codes = data.get("intent_codes") or {}
    if not isinstance(intent_codes, dict) or "default" not in intent_codes:
        raise KnowledgeError(f"{path}: 'intent_codes' must be a mapping with a 'default'")
    intent_codes = {str(k): known(v, f"{path}: intent_codes[{k}]") for k, v in intent_codes.items()}
    demand_code = known(str(data.get("demand_code", "100")), f"{path}: demand_code")

    patterns: list[Pattern] = []
    for index, entry in enumerate(data["entries"]):
        where = f"{path}: entry {index + 1}"
        if not isinstance(entry, dict):
            raise KnowledgeError(f"{where}: expected a mapping")
        unknown = set(entry) - {"code", "verbs", "nouns", "objects", "intent", "complement_only"}
        if unknown:
            raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
        code = known(entry.get("code"), f"{where} ({entry.get('verbs') or entry.get('nouns')})")
        verbs = _words(entry.get("verbs"), where, "verbs")
        nouns = _words(entry.get("nouns"), where, "nouns")
        if not verbs and not nouns:
            raise KnowledgeError(f"{where} (code {code}): needs 'verbs' or 'nouns'")
        patterns.append(
            Pattern(
                code=code,
                verbs=verbs,
                nouns=nouns,
                objects=frozenset(_words(entry.get("objects"), where, "objects")),
                intent=bool(entry.get("intent", False)),
                complement_only=bool(entry.get("complement_only", False)),
                index=index,
            )
        )

    by_word: dict[str, list[Pattern]] = {}
    for pattern in patterns:
        for phrase in pattern.verbs + pattern.nouns:
            by_word.setdefault(phrase.split()[0], []).append(pattern)
    ordered = {
        word: tuple(sorted(found, key=lambda p: (not p.objects, p.index)))
        for word, found in by_word.items()
    }

    def word_set(key: str) -> frozenset[str]:
        return frozenset(_words(data.get(key), str(path), key))

    return Codebook(
        codes=codes,
        patterns=tuple(patterns),
        intent_codes=intent_codes,
        light_verbs=word_set("light_verbs"),
        occurrence_verbs=word_set("occurrence_verbs"),
        transparent_nouns=word_set("transparent_nouns"),
        anchor_prepositions=word_set("anchor_prepositions"),
        demand_modals=word_set("demand_modals"),
        aspectual_verbs=word_set("aspectual_verbs"),
        demand_code=demand_code,
        source=str(path),
        _by_word=ordered,
    )
