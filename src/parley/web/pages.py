"""Server-rendered pages: news feed, timeline, article, actor, search, trend, ingest.

Each route validates its parameters, asks ``queries`` or the store, and renders
one template.  Templates autoescape; markup around article text comes only
from ``render`` (escaped pieces), never from ``|safe`` on the text itself.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parley.store.base import Store
from parley.web import queries, render
from parley.web.api import run_search
from parley.web.app import WebConfig, config_of, find_job, require_token, store_of
from parley.web.filters import (
    FeedQuery,
    feed_query,
    save_filter,
    saved_filter,
    saved_filters,
    valid_code,
    valid_id,
)

router = APIRouter(include_in_schema=False)

StoreDep = Annotated[Store, Depends(store_of)]
ConfigDep = Annotated[WebConfig, Depends(config_of)]
FeedDep = Annotated[FeedQuery, Depends(feed_query)]
FEED_PAGE = 20
TIMELINE_PAGE = 100


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(template).render(config=request.app.state.config, **context)
    return HTMLResponse(html, status_code=status)


def _saved_or(store: Store, query: FeedQuery, name: str | None) -> FeedQuery:
    """The named filter when one is asked for, else the query string's filters."""
    if not name:
        return query
    saved = saved_filter(store, name)
    if saved is None:
        raise HTTPException(404, f"no saved filter named {name!r}")
    return saved


# --------------------------------------------------------------------------- news feed


@router.get("/", response_class=HTMLResponse)
def feed(
    request: Request, store: StoreDep, query: FeedDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = FEED_PAGE,
    saved: Annotated[str | None, Query(alias="filter", max_length=60)] = None,
    fragment: Annotated[bool, Query(description="only the items (for 'show more')")] = False,
) -> HTMLResponse:
    """All news, newest first; each item shows what is new and who else reported it."""
    query = _saved_or(store, query, saved)
    found = store.list_articles(query.to_filter(limit=limit + 1, offset=offset))
    items = found[:limit]
    others = queries.other_media(store, [a.id for a in items])
    context: dict[str, Any] = {
        "items": items,
        "others": others,
        "query": query,
        "saved_name": saved,
        "next_offset": offset + limit if len(found) > limit else None,
        "limit": limit,
        "new_paragraphs": queries.new_paragraphs,
        "background_share": queries.background_share,
    }
    if fragment:
        return _render(request, "_feed_items.html", **context)
    return _render(request, "feed.html", page="feed", saved=saved_filters(store), **context)


@router.get("/feed.atom")
def atom_feed(
    request: Request, store: StoreDep, query: FeedDep,
    saved: Annotated[str | None, Query(alias="filter", max_length=60)] = None,
) -> Response:
    """The filtered news feed as Atom, for feed readers."""
    query = _saved_or(store, query, saved)
    items = store.list_articles(query.to_filter(limit=50, offset=0))
    env = request.app.state.templates
    xml = env.get_template("feed.atom").render(
        items=items, query=query, saved_name=saved, base=str(request.base_url).rstrip("/"),
        updated=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        new_paragraphs=queries.new_paragraphs,
    )
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


@router.post("/filters")
def save_named_filter(
    store: StoreDep, config: ConfigDep,
    name: Annotated[str, Form(max_length=60)],
    token: Annotated[str | None, Form(max_length=200)] = None,
    query_string: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save the current feed filters under a name (needs the token)."""
    from urllib.parse import parse_qsl

    require_token(config, token)
    params = dict(parse_qsl(query_string))
    query = feed_query(
        topic=params.get("topic"), actor=params.get("actor"), dyad=params.get("dyad"),
        outlet=params.get("outlet"), date_from=params.get("from"), date_to=params.get("to"),
    )
    save_filter(store, name.strip(), query)
    return RedirectResponse(f"/?{_encode({'filter': name.strip()})}", status_code=303)


@router.post("/filters/delete")
def delete_named_filter(
    store: StoreDep, config: ConfigDep,
    name: Annotated[str, Form(max_length=60)],
    token: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    require_token(config, token)
    store.delete_filter(name)
    return RedirectResponse("/", status_code=303)


def _encode(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# --------------------------------------------------------------------------- timeline


@router.get("/timeline", response_class=HTMLResponse)
def timeline(
    request: Request, store: StoreDep, query: FeedDep,
    year: Annotated[str | None, Query(pattern=r"^(\d{4}|undated)$")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = TIMELINE_PAGE,
) -> HTMLResponse:
    """Merged events by year and month, a page at a time; each opens to its sources
    and both sides' quotes."""
    events = queries.timeline_events(store, query)
    years = queries.year_counts(events)
    if year:
        events = [e for e in events if queries.year_of(e) == year]
    window = events[offset : offset + limit]
    return _render(request, "timeline.html", page="timeline", query=query,
                   years=queries.group_by_month(window), year_counts=years, year=year,
                   total=len(events), first=offset + 1 if window else 0,
                   last=offset + len(window),
                   next_offset=offset + limit if len(events) > offset + limit else None,
                   previous_offset=max(0, offset - limit) if offset else None,
                   page_link=lambda **changes: _timeline_link(
                       query, {"year": year, "limit": limit}, changes),
                   sides=queries.sides, sources=queries.sources, label=queries.event_label)


def _timeline_link(query: FeedQuery, current: dict[str, Any], changes: dict[str, Any]) -> str:
    """The timeline URL with the current filters and ``changes`` (None drops a parameter)."""
    params: dict[str, Any] = {**query.params(), **current, **changes}
    if params.get("limit") == TIMELINE_PAGE:
        params["limit"] = None
    return "/timeline?" + _encode({k: str(v) for k, v in params.items() if v})


@router.get("/timeline/{event_id}", response_class=HTMLResponse)
def timeline_event(event_id: str, request: Request, store: StoreDep) -> HTMLResponse:
    """One merged event on its own page (a permalink)."""
    valid_id(event_id, "event id")
    event = next((e for e in store.timeline_events() if e.id == event_id), None)
    if event is None:
        raise HTTPException(404, f"no timeline event with id {event_id!r}")
    return _render(request, "event.html", page="timeline", event=event, sides=queries.sides,
                   sources=queries.sources,
                   label=queries.event_label)


# --------------------------------------------------------------------------- article


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(article_id: str, request: Request, store: StoreDep) -> HTMLResponse:
    """The cleaned text: new reporting vs recycled background, highlights, removed chrome."""
    article = store.get_article(valid_id(article_id, "article id"))
    if article is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    marks = render.article_highlights(article)
    paragraphs = list(zip(article.paragraphs, render.paragraph_markup(article, marks),
                          strict=True))
    links = {(link.paragraph_index): link for link in store.background_links(article.id)}
    others = queries.other_media(store, [article.id]).get(article.id, [])
    return _render(request, "article.html", page="article", article=article,
                   paragraphs=paragraphs, links=links, others=others,
                   share=queries.background_share(article))


# --------------------------------------------------------------------------- actors


@router.get("/actors", response_class=HTMLResponse)
def actors_page(
    request: Request, store: StoreDep,
    q: Annotated[str | None, Query(max_length=160)] = None,
) -> HTMLResponse:
    actors = sorted(queries.matching_actors(store.actors(), q),
                    key=lambda a: (a.kind, a.name.casefold()))
    return _render(request, "actors.html", page="actors", actors=actors, q=q or "")


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(actor_id: str, request: Request, store: StoreDep) -> HTMLResponse:
    """Offices over time, quotes and events of one actor."""
    actors = queries.actor_index(store)
    actor = actors.get(valid_id(actor_id, "actor id"))
    if actor is None:
        raise HTTPException(404, f"no actor with id {actor_id!r}")
    quotes = store.quotes(speaker=actor.id, limit=200)
    events = store.events(actor=actor.id, limit=200)
    titles = {a.id: a.title for a in store.list_articles(_all_articles())}
    return _render(request, "actor.html", page="actors", actor=actor, quotes=quotes,
                   events=events, titles=titles,
                   label=lambda other: _actor_label(actors, other))


def _actor_label(actors: dict[str, Any], actor_id: str | None) -> str:
    if not actor_id:
        return "—"
    actor = actors.get(actor_id)
    return actor.name if actor else actor_id


def _all_articles() -> Any:
    from parley.store.base import ArticleFilter

    return ArticleFilter(limit=100_000)


# --------------------------------------------------------------------------- search


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, store: StoreDep,
    q: Annotated[str, Query(max_length=500)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    """Full-text search; matches in the snippets are marked."""
    hits = run_search(store, q, 21, offset) if q.strip() else []
    return _render(request, "search.html", page="search", q=q, hits=hits[:20],
                   next_offset=offset + 20 if len(hits) > 20 else None)


# --------------------------------------------------------------------------- trend


@router.get("/dyads", response_class=HTMLResponse)
def dyad_form(
    request: Request, store: StoreDep,
    a: Annotated[str, Query(max_length=12)] = "RUS",
    b: Annotated[str, Query(max_length=12)] = "JPN",
) -> HTMLResponse:
    return dyad_page(a, b, request, store)


@router.get("/dyads/{a}/{b}", response_class=HTMLResponse)
def dyad_page(a: str, b: str, request: Request, store: StoreDep) -> HTMLResponse:
    """The trend of cooperation and conflict between two countries, and what each states."""
    first, second = valid_code(a), valid_code(b)
    months = queries.dyad_trend(store, first, second)
    config: WebConfig = request.app.state.config
    stated = queries.positions(store, first, second, config.settings)
    return _render(request, "dyad.html", page="dyad", a=first, b=second, months=months,
                   chart=render.trend_svg(months), positions=stated)


# --------------------------------------------------------------------------- ingest


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return _render(request, "ingest.html", page="ingest", job=None)


@router.post("/ingest")
async def ingest_upload(
    request: Request, config: ConfigDep,
    token: Annotated[str | None, Form(max_length=200)] = None,
    text: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, Form()] = None,
) -> Response:
    """Start ingesting uploaded files or pasted text in the background (needs the token);
    the job's page shows progress and each input's result."""
    from parley.web.jobs import Job, JobBoard
    from parley.web.uploads import ingest_uploads

    require_token(config, token)
    named: list[tuple[str, bytes]] = []
    for upload in files or []:
        if upload.filename:
            named.append((upload.filename, await upload.read()))
    if text.strip():
        named.append(("pasted.txt", text.encode("utf-8")))
    if not named:
        raise HTTPException(400, "nothing to ingest: choose files or paste an article")

    def work(job: Job) -> None:
        from parley.store import open_store

        with open_store(config.store_url) as store:
            ingest_uploads(lambda: store, config.settings, named, report=job.add,
                           phase=job.set_state)

    board: JobBoard = request.app.state.jobs
    job = board.start([name for name, _ in named], work)
    return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)


@router.get("/ingest/jobs/{job_id}", response_class=HTMLResponse)
def ingest_job(job_id: str, request: Request, config: ConfigDep) -> HTMLResponse:
    """One ingest job: its state and results so far (``app.js`` polls for the rest)."""
    return _render(request, "ingest.html", page="ingest", job=find_job(request, config, job_id))
