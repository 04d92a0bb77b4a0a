"""The JSON API: the CLI's records and filters over HTTP.

Every list is paginated (``limit``/``offset``) and answers
``{"items": [...], "limit", "offset", "next_offset"}``, each item in the
``parley.model.to_dict`` shape the CLI prints with ``--json`` (quotes and
events carry their ``article_id``, as there).  Errors are ``{"error": message,
"status": code}``.

Routes return their ``JSONResponse`` themselves: the records are already in their
JSON shape, so FastAPI's validation and re-encoding of the result is skipped.
Answers under ``CACHED_PATHS`` depend only on the store and the URL; the app keeps
each until a write changes one of the kinds of data it was computed from
(``parley.web.app.ResponseCache``, ``Store.versions()``).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from parley.errors import ParleyError, StoreError
from parley.model import to_dict, with_article
from parley.store.base import DataKind, Store
from parley.web import queries
from parley.web.app import WebConfig, config_of, depends_on, find_job, store_of
from parley.web.filters import (
    FeedQuery,
    Page,
    feed_query,
    paging,
    parse_dyad,
    valid_code,
    valid_id,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["api"])

StoreDep = Annotated[Store, Depends(store_of)]
PageDep = Annotated[Page, Depends(paging)]
FeedDep = Annotated[FeedQuery, Depends(feed_query)]
ConfigDep = Annotated[WebConfig, Depends(config_of)]

#: routes whose answers depend only on the store and the URL (not ``/api/jobs``: a
#: job's state lives outside the store), by path prefix (the first that matches),
#: with the kinds of data each reads.  A stored article's row changes only with its
#: annotations (``save_annotations`` bumps both kinds); adding articles leaves the
#: others' rows as they were.  So one article's record, and the quotes and events
#: (ordered by their article's date), need no article version (an id prefix, though,
#: may match a new article: ``get_article``).
#: The timeline routes also read the articles when no timeline is persisted yet
#: (``_timeline_from_articles``).
CACHED_PATHS: dict[str, tuple[DataKind, ...]] = {
    "/api/articles/": ("annotations",),
    "/api/articles": ("articles", "annotations"),  # records; filters on actors
    "/api/actors": ("annotations",),
    "/api/quotes": ("annotations",),
    "/api/events": ("annotations",),
    "/api/timeline": ("timeline",),
    "/api/positions": ("articles", "annotations"),  # computed from every record
    "/api/search": ("articles",),
    "/api/dyads/": ("timeline",),
}


def _timeline_from_articles(request: Request, store: Store) -> None:
    """With no timeline persisted, ``parley.analysis.timeline.timeline`` computes it
    from the articles: then the answer depends on them too (checked before computing;
    a timeline persisted in between bumps the timeline version, so that answer is
    never reused)."""
    if not store.timeline_events(limit=1):
        depends_on(request, "articles", "annotations")


def _page(items: list[Any], page: Page, more: bool) -> JSONResponse:
    return JSONResponse({
        "items": to_dict(items),
        "limit": page.limit,
        "offset": page.offset,
        "next_offset": page.offset + page.limit if more else None,
    })


def _slice(items: list[Any], page: Page) -> JSONResponse:
    window = items[page.offset : page.offset + page.limit]
    return _page(window, page, len(items) > page.offset + page.limit)


@router.get("/articles", summary="Articles, newest first, filtered like `parley articles`")
def list_articles(store: StoreDep, query: FeedDep, page: PageDep) -> JSONResponse:
    found = store.list_articles(query.to_filter(limit=page.limit + 1, offset=page.offset))
    return _page(found[: page.limit], page, len(found) > page.limit)


@router.get("/articles/{article_id}", summary="One article, with every annotation")
def get_article(article_id: str, request: Request, store: StoreDep) -> JSONResponse:
    wanted = valid_id(article_id, "article id")
    article = store.get_article(wanted)
    if article is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    if article.id != wanted:  # found by a prefix, which a new article may make ambiguous
        depends_on(request, "articles")
    return JSONResponse(to_dict(article))


@router.get("/actors", summary="Actors seen in processed articles")
def list_actors(
    store: StoreDep, page: PageDep,
    q: Annotated[str | None, Query(max_length=160, description="part of a name or alias")
                 ] = None,
) -> JSONResponse:
    return _slice(queries.matching_actors(store.actors(), q), page)


@router.get("/actors/{actor_id}", summary="One actor, with offices over time")
def get_actor(actor_id: str, store: StoreDep) -> JSONResponse:
    actor = queries.find_actor(store, valid_id(actor_id, "actor id"))
    if actor is None:
        raise HTTPException(404, f"no actor with id {actor_id!r}")
    return JSONResponse(to_dict(actor))


@router.get("/quotes", summary="Quotes, optionally by one speaker (like `parley quotes`)")
def list_quotes(
    store: StoreDep, page: PageDep,
    speaker: Annotated[str | None, Query(max_length=160, description="actor id or name")] = None,
) -> JSONResponse:
    found = store.quotes(speaker=speaker or None, limit=page.offset + page.limit + 1)
    return _slice(with_article(found), page)


@router.get("/events", summary="Coded events, optionally of one actor (like `parley events`)")
def list_events(
    store: StoreDep, page: PageDep,
    actor: Annotated[str | None, Query(max_length=160, description="actor id or name")] = None,
) -> JSONResponse:
    found = store.events(actor=actor or None, limit=page.offset + page.limit + 1)
    return _slice(with_article(found), page)


@router.get("/timeline", summary="Merged real-world events, oldest first, with all sources")
def timeline(request: Request, store: StoreDep, query: FeedDep, page: PageDep) -> JSONResponse:
    _timeline_from_articles(request, store)
    found = queries.timeline_events(store, query, limit=page.limit + 1, offset=page.offset)
    return _page(found[: page.limit], page, len(found) > page.limit)


@router.get("/positions", summary="What each side of a dyad stated, issue by issue")
def positions(
    store: StoreDep, config: ConfigDep, page: PageDep,
    dyad: Annotated[str, Query(max_length=40, description="two country codes: RUS-JPN")],
) -> JSONResponse:
    pair = parse_dyad(dyad)
    if pair is None:
        raise HTTPException(400, "dyad is required: two country codes such as RUS-JPN")
    return _slice(queries.positions(store, pair[0], pair[1], config.settings), page)


@router.get("/search", summary="Full-text search over body paragraphs, snippets with [[ ]]")
def search(
    store: StoreDep, page: PageDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="words or a phrase")],
) -> JSONResponse:
    hits = run_search(store, q, page.limit + 1, page.offset)
    return _page(hits[: page.limit], page, len(hits) > page.limit)


def run_search(store: Store, q: str, limit: int, offset: int) -> list[Any]:
    """The store's search.  A query it cannot run (``ParleyError``) is the client's
    error, 400; a failing store or any other exception is a 500, logged with its cause."""
    try:
        return store.search(q, limit=limit, offset=offset)
    except StoreError:
        log.exception("search %r failed in the store", q)
        raise HTTPException(500, "the store failed to run this search; see the server log"
                            ) from None
    except ParleyError as exc:
        raise HTTPException(400, f"cannot search for this: {exc}") from None


@router.get("/jobs/{job_id}", summary="A browser ingest job: state, counts, per-file results")
def ingest_job(job_id: str, request: Request, config: ConfigDep) -> JSONResponse:
    return JSONResponse(find_job(request, config, job_id).to_dict())


@router.get("/dyads/{a}/{b}/trend", summary="Monthly cooperation/conflict between two countries")
def dyad_trend(a: str, b: str, request: Request, store: StoreDep) -> JSONResponse:
    first, second = valid_code(a), valid_code(b)
    _timeline_from_articles(request, store)
    points = queries.dyad_trend(store, first, second)
    return JSONResponse({"dyad": [first, second], "items": to_dict(points)})
