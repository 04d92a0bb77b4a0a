"""Request parameters: validated ids, the feed filters, and saved named filters.

Ids are checked against one pattern before they reach the store, so that no
route that takes an id can be used to walk paths or smuggle odd characters.
Named filters are small: a name and the query string of a feed, kept in the
store (``Store.save_filter``), so SQLite and PostgreSQL keep them alike.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import HTTPException, Query

from parley.store.base import ArticleFilter, Store

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


def saved_filters(store: Store) -> dict[str, FeedQuery]:
    """The named filters kept in the store, by name."""
    return {name: _query_from_params(params) for name, params in store.filters().items()}


def saved_filter(store: Store, name: str) -> FeedQuery | None:
    return saved_filters(store).get(name)


def save_filter(store: Store, name: str, query: FeedQuery) -> None:
    """Keep ``query`` under ``name`` (400 for a name that is not plain words)."""
    if not FILTER_NAME_PATTERN.fullmatch(name):
        raise HTTPException(400, "invalid filter name: use up to 60 letters, digits, "
                                 "spaces, '.', '-' or '_'")
    store.save_filter(name, query.params())


def legacy_filters_file(store_url: str) -> Path | None:
    """Where parley 0.x kept named filters: ``x.filters.json`` beside a SQLite ``x.db``."""
    if "://" in store_url and not store_url.startswith("sqlite:///"):
        return None
    file = store_url.removeprefix("sqlite:///")
    if not file or file == ":memory:":
        return None
    db = Path(file)
    return db.with_name(db.stem + ".filters.json")


def import_legacy_filters(store: Store, path: Path | None) -> int:
    """Move filters from an old JSON file into the store, once; returns how many.

    Names already in the store win.  The file is renamed ``*.imported`` so that a
    filter deleted later in the browser does not come back at the next start.
    """
    if path is None or not path.is_file():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    known = store.filters()
    added = 0
    for name, params in data.items() if isinstance(data, dict) else ():
        if isinstance(params, dict) and str(name) not in known:
            store.save_filter(str(name), {str(k): str(v) for k, v in params.items()})
            added += 1
    with contextlib.suppress(OSError):
        path.rename(path.with_name(path.name + ".imported"))
    return added


def _query_from_params(params: dict[str, str]) -> FeedQuery:
    return FeedQuery(
        topic=params.get("topic"),
        actor=params.get("actor"),
        dyad=params.get("dyad"),
        outlet=params.get("outlet"),
        date_from=params.get("from"),
        date_to=params.get("to"),
    )
