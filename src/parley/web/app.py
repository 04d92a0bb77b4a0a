"""The web application: a thin layer of HTTP over the library.

``create_app(store_url)`` returns a FastAPI app with the JSON API under
``/api`` (OpenAPI at ``/openapi.json``) and server-rendered pages.  Article
text is untrusted: templates autoescape everything, highlighting builds markup
from escaped pieces (``web/render.py``), and every response carries a strict
Content-Security-Policy that forbids inline script.  Without a token the app is
read-only; with one, ingest and saved filters accept writes that present it.

API answers are kept until the data they read changes (``ResponseCache``, keyed on
``Store.versions()``).  ``parley.web.serving`` runs the app with uvicorn, in one
process or several.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import hmac
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.errors import ParleyError
from parley.settings import Settings
from parley.store.base import DataKind, Store

HERE = Path(__file__).parent
log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True)
class WebConfig:
    """What the web layer needs besides the library settings."""

    store_url: str
    settings: Settings
    token: str | None = None
    #: requests per client per minute (None: no limit)
    rate_limit_per_minute: int | None = 600
    #: largest request body accepted (uploads included)
    max_upload_bytes: int = 10 * 1024 * 1024
    #: a JSON file of named filters from parley 0.x, imported into the store at start
    #: (None: ``x.filters.json`` beside a SQLite store ``x.db``, if there is one)
    filters_path: Path | None = None
    #: a folder where ingest jobs keep their state, shared by the worker processes
    #: of one server (None: jobs live in this process's memory only)
    jobs_dir: Path | None = None
    #: bytes of API answers kept until the store changes (0: no cache)
    cache_bytes: int = 64 * 1024 * 1024

    @property
    def writable(self) -> bool:
        return bool(self.token)

    def token_ok(self, presented: str | None) -> bool:
        """Constant-time check of a presented token; always False when none is set."""
        if not self.token or not presented:
            return False
        return hmac.compare_digest(self.token.encode(), presented.encode())


class StoreHolder:
    """One store per worker thread, opened on first use and closed at shutdown.

    Stores may hold connections that belong to one thread (SQLite), and FastAPI
    runs plain route functions on a thread pool, so each thread gets its own.
    """

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._local = threading.local()
        self._opened: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            from parley.store import open_store

            store = open_store(self.store_url)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    def close_all(self) -> None:
        with self._lock:
            for store in self._opened:
                with contextlib.suppress(Exception):  # closing at shutdown must not raise
                    store.close()
            self._opened.clear()
        self._local = threading.local()


class RateLimiter:
    """A sliding one-minute window of request times per client address."""

    def __init__(self, per_minute: int, max_clients: int = 10_000) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(client, None) or deque()
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            allowed = len(hits) < self.per_minute
            if allowed:
                hits.append(now)
            self._hits[client] = hits
            while len(self._hits) > self.max_clients:
                self._hits.popitem(last=False)
            return allowed


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with 413.

    Checks Content-Length up front and also counts streamed chunks, so a chunked
    upload cannot get around the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await _too_large(self.max_bytes)(scope, receive, send)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(self.max_bytes)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> Response:
    return JSONResponse(
        {"error": f"request body over the {limit} byte limit", "status": 413},
        status_code=413,
        headers=SECURITY_HEADERS,
    )


class Guard:
    """ASGI middleware: the per-client rate limit, and the security headers on every
    response (a plain ASGI wrapper: Starlette's ``BaseHTTPMiddleware`` costs a task
    group and a streamed copy of each body)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter | None) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.limiter is not None:
            client = scope.get("client")
            if not self.limiter.allow(client[0] if client else "unknown"):
                refusal = _error_response(Request(scope), 429, "too many requests; slow down")
                refusal.headers["Retry-After"] = "60"
                await _secure(refusal)(scope, receive, send)
                return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, secured)


#: the ASGI scope key under which a route names kinds of data its answer turned out
#: to read besides those its path declares (``depends_on``)
EXTRA_KINDS = "parley.extra_kinds"


def depends_on(request: Request, *kinds: DataKind) -> None:
    """Tell ``ResponseCache`` that this answer also read ``kinds`` of data."""
    request.scope.setdefault(EXTRA_KINDS, set()).update(kinds)


@dataclass
class _Cached:
    #: every kind's version, read before the answer was computed
    versions: dict[DataKind, int]
    #: the kinds the answer was computed from
    kinds: tuple[DataKind, ...]
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def current(self, versions: dict[DataKind, int]) -> bool:
        """Whether no kind this answer read has changed since (as of ``versions``)."""
        return all(versions[kind] == self.versions[kind] for kind in self.kinds)

    def newer_than(self, other: _Cached) -> bool:
        # versions only grow, so the later of two readings is the larger tuple
        return tuple(self.versions.values()) > tuple(other.versions.values())

    def size(self, key: tuple[str, bytes]) -> int:
        return len(self.body) + len(key[0]) + len(key[1])


class ResponseCache:
    """ASGI middleware keeping successful GET answers under ``paths`` until the data
    they were computed from changes.

    ``paths`` maps path prefixes to the kinds of data (``DATA_KINDS``) their answers
    read; a route may add kinds while it computes (``depends_on``).  Each request
    first reads ``Store.versions()`` (one small table; a write bumps the versions of
    the kinds it changes, in its own transaction, from any process).  An answer is
    reused only while the versions of the kinds it read are those it was labelled
    with, and it is labelled with the versions read *before* it was computed: once a
    write has committed, no request that starts afterwards gets an answer from
    before it that depends on what the write changed.  Requests for the same key and
    versions that arrive while its answer is being computed wait for that answer
    instead of computing it again (after each write of an ingest, every reader of a
    route would otherwise recompute it at once).  The key is the path and the raw
    query string; entries are dropped least recently used beyond ``max_bytes``.

    The cache belongs to one process (each uvicorn worker has its own) and is only
    touched from its event loop.  Answers say whether they were computed for this
    request (``X-Parley-Cache: miss``) or not (``hit``).
    """

    def __init__(self, app: ASGIApp, stores: StoreHolder,
                 paths: dict[str, tuple[DataKind, ...]], max_bytes: int) -> None:
        self.app = app
        self.stores = stores
        self.paths = paths
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, bytes], _Cached] = OrderedDict()
        self._size = 0
        #: answers being computed: key -> (versions of the path's kinds, the answer
        #: once known, None if none)
        self._pending: dict[tuple[str, bytes],
                            tuple[tuple[int, ...], asyncio.Future[_Cached | None]]] = {}

    def _kinds_of(self, scope: Scope) -> tuple[DataKind, ...] | None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.max_bytes <= 0:
            return None
        path = scope.get("path", "")
        return next((kinds for prefix, kinds in self.paths.items()
                     if path.startswith(prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kinds = self._kinds_of(scope)
        versions = None
        if kinds is not None:
            try:
                versions = self.stores.get().versions()
            except ParleyError:  # the route will fail on its own, with its own message
                versions = None
        if kinds is None or versions is None:
            await self.app(scope, receive, send)
            return
        key = (scope.get("path", ""), bytes(scope.get("query_string", b"")))
        entry = self._entries.get(key)
        if entry is not None and entry.current(versions):
            self._entries.move_to_end(key)
            await self._replay(entry, send)
            return
        label = tuple(versions[kind] for kind in kinds)
        pending = self._pending.get(key)
        if pending is not None and pending[0] == label:
            entry = await asyncio.shield(pending[1])
            if entry is not None and entry.current(versions):
                await self._replay(entry, send)
                return
        await self._compute(key, kinds, versions, scope, receive, send)

    async def _compute(self, key: tuple[str, bytes], kinds: tuple[DataKind, ...],
                       versions: dict[DataKind, int], scope: Scope, receive: Receive,
                       send: Send) -> None:
        answer: asyncio.Future[_Cached | None] = asyncio.get_running_loop().create_future()
        self._pending[key] = (tuple(versions[kind] for kind in kinds), answer)
        start: Message = {}
        chunks: list[bytes] = []
        scope[EXTRA_KINDS] = set()

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message, headers=list(message.get("headers", [])))
                message["headers"] = [*start["headers"], (b"x-parley-cache", b"miss")]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    read = tuple(dict.fromkeys([*kinds, *sorted(scope[EXTRA_KINDS])]))
                    entry = _Cached(versions, read, start["headers"], b"".join(chunks))
                    self._keep(key, entry)
                    answer.set_result(entry)
            await send(message)

        try:
            await self.app(scope, receive, keep)
        finally:
            if not answer.done():  # an error, or a client gone: the waiters compute it
                answer.set_result(None)
            if self._pending.get(key, ((), None))[1] is answer:
                del self._pending[key]

    @staticmethod
    async def _replay(entry: _Cached, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*entry.headers, (b"x-parley-cache", b"hit")]})
        await send({"type": "http.response.body", "body": entry.body})

    def _keep(self, key: tuple[str, bytes], entry: _Cached) -> None:
        if entry.size(key) > self.max_bytes // 8:  # one huge answer would evict the rest
            return
        old = self._entries.pop(key, None)
        if old is not None:
            if old.newer_than(entry):  # a newer answer is already there
                self._entries[key] = old
                return
            self._size -= old.size(key)
        self._entries[key] = entry
        self._size += entry.size(key)
        while self._size > self.max_bytes and self._entries:
            dropped_key, dropped = self._entries.popitem(last=False)
            self._size -= dropped.size(dropped_key)


def make_templates() -> Environment:
    """The Jinja2 environment: autoescape on for every template, whatever its name."""
    from parley.web import render

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters["snippet"] = render.snippet_markup
    env.filters["xml_safe"] = render.xml_safe
    env.filters["web_url"] = render.web_url
    env.filters["atom_date"] = render.atom_date
    env.globals["month_names"] = list(calendar.month_name)
    return env


def create_app(
    store_url: str,
    settings: Settings | None = None,
    token: str | None = None,
    *,
    rate_limit_per_minute: int | None = 600,
    max_upload_bytes: int = 10 * 1024 * 1024,
    filters_path: Path | None = None,
    jobs_dir: Path | None = None,
    cache_bytes: int = 64 * 1024 * 1024,
) -> FastAPI:
    """The parley web application over the store at ``store_url``.

    ``token`` enables writes (browser ingest, saving named filters); without it
    the application is read-only.
    """
    from parley.web import api, pages
    from parley.web.filters import import_legacy_filters, legacy_filters_file
    from parley.web.jobs import JobBoard

    config = WebConfig(
        store_url=store_url,
        settings=settings or Settings(db=store_url),
        token=token or None,
        rate_limit_per_minute=rate_limit_per_minute,
        max_upload_bytes=max_upload_bytes,
        filters_path=filters_path,
        jobs_dir=jobs_dir,
        cache_bytes=cache_bytes,
    )
    holder = StoreHolder(store_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            import_legacy_filters(holder.get(), filters_path or legacy_filters_file(store_url))
        except ParleyError as exc:  # a store that cannot open fails on each request instead
            log.warning("could not import old saved filters: %s", exc)
        yield
        holder.close_all()

    app = FastAPI(
        title="parley",
        summary="Diplomatic news as a dated, sourced, deduplicated record.",
        version=_version(),
        docs_url=None,  # the Swagger page loads scripts from a CDN; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.stores = holder
    app.state.templates = make_templates()
    app.state.jobs = JobBoard(jobs_dir)
    limiter = RateLimiter(rate_limit_per_minute) if rate_limit_per_minute else None
    # outermost first: body limit, rate limit and headers, cache, then the routes
    app.add_middleware(ResponseCache, stores=holder, paths=api.CACHED_PATHS,
                       max_bytes=cache_bytes)
    app.add_middleware(Guard, limiter=limiter)
    app.add_middleware(BodyLimit, max_bytes=max_upload_bytes)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'query')}: {err.get('msg')}"
            for err in exc.errors()
        )
        return _error_response(request, 400, problems or "invalid request")

    @app.exception_handler(ParleyError)
    async def parley_error(request: Request, exc: ParleyError) -> Response:
        return _error_response(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        # a bug, not the client's fault: logged with its traceback, answered in the one shape
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _secure(_error_response(request, 500, "internal error; see the server log"))

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error_response(request: Request, status: int, message: str) -> Response:
    """The one error shape (``{"error": message}``, as the CLI's) under /api; a page elsewhere."""
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message, "status": status}, status_code=status)
    templates: Environment | None = getattr(request.app.state, "templates", None)
    if templates is None:
        return JSONResponse({"error": message, "status": status}, status_code=status)
    html = templates.get_template("error.html").render(
        status=status, message=message, config=request.app.state.config, page="error"
    )
    return HTMLResponse(html, status_code=status)


def store_of(request: Request) -> Store:
    """The store for this request (a FastAPI dependency)."""
    holder: StoreHolder = request.app.state.stores
    return holder.get()


def config_of(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


def require_token(config: WebConfig, presented: str | None) -> None:
    """Writes need the configured token; without one the app is read-only."""
    if not config.writable:
        raise HTTPException(403, "this server is read-only: start it with --token to allow writes")
    if not config.token_ok(presented):
        raise HTTPException(403, "wrong or missing token")


def find_job(request: Request, config: WebConfig, job_id: str) -> Any:
    """The ingest job ``job_id`` (its unguessable id is what grants access); 404 otherwise.

    Jobs exist only on a server with a token, since only those accept uploads.
    """
    from parley.web.filters import valid_id
    from parley.web.jobs import JobBoard

    board: JobBoard = request.app.state.jobs
    job = board.get(valid_id(job_id, "job id")) if config.writable else None
    if job is None:
        raise HTTPException(404, f"no ingest job with id {job_id!r}")
    return job


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def _version() -> str:
    from parley import __version__

    return __version__


def json_safe(value: Any) -> Any:
    """Records as their JSON shape (``parley.model.to_dict``)."""
    from parley.model import to_dict

    return to_dict(value)
