"""Request parameters: validated ids, the feed filters, and saved named filters.

Ids are checked against one pattern before they reach the store, so that no
route that takes an id can be used to walk paths or smuggle odd characters.
Named filters are small: a name and the query string of a feed, kept in a JSON
file beside a SQLite store (or in memory for other stores).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import HTTPException, Query

from parley.store.base import ArticleFilter

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,159}")
CODE_PATTERN = re.compile(r"[A-Za-z]{2,12}")
DATE_PATTERN = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
FILTER_NAME_PATTERN = re.compile(r"[\w .-]{1,60}")
MAX_LIMIT = 200


def valid_id(value: str, what: str = "id") -> str:
    """``value`` when it looks like a parley id; 400 otherwise (no paths, no '..')."""
    if not ID_PATTERN.fullmatch(value) or ".." in value:
        raise HTTPException(400, f"invalid {what}: expected letters, digits and _ . : @ -")
    return value


def valid_code(value: str, what: str = "country code") -> str:
    if not CODE_PATTERN.fullmatch(value):
        raise HTTPException(400, f"invalid {what}: expected a code such as RUS")
    return value.upper()


def parse_dyad(value: str | None) -> tuple[str, str] | None:
    """``RUS-JPN`` (or ``RUS,JPN`` / ``RUS JPN``) as a pair of upper-case codes."""
    if not value:
        return None
    parts = [p for p in re.split(r"[-,/ ]+", value.strip()) if p]
    if len(parts) != 2:
        raise HTTPException(400, "invalid dyad: expected two country codes such as RUS-JPN")
    return valid_code(parts[0]), valid_code(parts[1])


def _date(value: str | None, what: str) -> str | None:
    if not value:
        return None
    if not DATE_PATTERN.fullmatch(value):
        raise HTTPException(400, f"invalid {what} date: expected YYYY, YYYY-MM or YYYY-MM-DD")
    return value


@dataclass(frozen=True)
class FeedQuery:
    """The filters of the news feed, the API lists and the Atom feed."""

    topic: str | None = None
    actor: str | None = None
    dyad: str | None = None
    outlet: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    def to_filter(self, limit: int = 50, offset: int = 0) -> ArticleFilter:
        return ArticleFilter(
            outlet=self.outlet,
            actor=self.actor,
            dyad=parse_dyad(self.dyad),
            topic=self.topic,
            date_from=self.date_from,
            date_to=self.date_to,
            limit=limit,
            offset=offset,
        )

    def params(self) -> dict[str, str]:
        """The non-empty filters as URL parameters (``from``/``to`` for the dates)."""
        names = {"date_from": "from", "date_to": "to"}
        return {names.get(k, k): v for k, v in asdict(self).items() if v}

    def query_string(self) -> str:
        return urlencode(self.params())

    def is_empty(self) -> bool:
        return not self.params()

    def describe(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.params().items()) or "all news"


def feed_query(
    topic: Annotated[str | None, Query(max_length=200, description="words in title or body")
                     ] = None,
    actor: Annotated[str | None, Query(max_length=160, description="actor id or name")] = None,
    dyad: Annotated[str | None, Query(max_length=40, description="two country codes: RUS-JPN")
                    ] = None,
    outlet: Annotated[str | None, Query(max_length=100)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10,
                                           description="YYYY[-MM[-DD]]")] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10,
                                         description="YYYY[-MM[-DD]]")] = None,
) -> FeedQuery:
    """The feed filters from the query string, validated (a FastAPI dependency)."""
    query = FeedQuery(
        topic=(topic or "").strip() or None,
        actor=(actor or "").strip() or None,
        dyad=(dyad or "").strip() or None,
        outlet=(outlet or "").strip() or None,
        date_from=_date((date_from or "").strip(), "from"),
        date_to=_date((date_to or "").strip(), "to"),
    )
    parse_dyad(query.dyad)
    return query


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page:
    return Page(limit, offset)


class FilterBook:
    """Named feed filters, kept as JSON (atomic replace) or in memory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: dict[str, dict[str, str]] = {}

    @classmethod
    def for_store(cls, store_url: str, path: Path | None = None) -> FilterBook:
        """Beside a SQLite store file (``x.db`` → ``x.filters.json``), else in memory."""
        if path is not None:
            return cls(path)
        if "://" in store_url and not store_url.startswith("sqlite:///"):
            return cls(None)
        file = store_url.removeprefix("sqlite:///")
        if not file or file == ":memory:":
            return cls(None)
        db = Path(file)
        return cls(db.with_name(db.stem + ".filters.json"))

    def _read(self) -> dict[str, dict[str, str]]:
        if self.path is None:
            return dict(self._memory)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {str(k): {str(a): str(b) for a, b in v.items()} for k, v in data.items()
                if isinstance(v, dict)}

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        if self.path is None:
            self._memory = data
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".filters-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def all(self) -> dict[str, FeedQuery]:
        with self._lock:
            return {name: _query_from_params(params) for name, params in
                    sorted(self._read().items())}

    def get(self, name: str) -> FeedQuery | None:
        return self.all().get(name)

    def save(self, name: str, query: FeedQuery) -> None:
        if not FILTER_NAME_PATTERN.fullmatch(name):
            raise HTTPException(400, "invalid filter name: use up to 60 letters, digits, "
                                     "spaces, '.', '-' or '_'")
        with self._lock:
            data = self._read()
            data[name] = query.params()
            self._write(data)

    def delete(self, name: str) -> bool:
        with self._lock:
            data = self._read()
            found = data.pop(name, None) is not None
            self._write(data)
            return found


def _query_from_params(params: dict[str, str]) -> FeedQuery:
    return FeedQuery(
        topic=params.get("topic"),
        actor=params.get("actor"),
        dyad=params.get("dyad"),
        outlet=params.get("outlet"),
        date_from=params.get("from"),
        date_to=params.get("to"),
    )
