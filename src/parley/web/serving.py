"""Running the web app with uvicorn: in this process, or in N worker processes.

``serve(store_url, settings, workers=N)`` is what ``parley serve`` calls.  With one
worker the app is built here and served in this process.  With more, uvicorn starts
N processes that each build the app with ``app_from_env()`` from a config this
module puts in the environment (``$PARLEY_SERVE_CONFIG``: the ``create_app``
arguments as JSON, the settings included); the workers share one listening socket,
and ingest jobs keep their state in a private temporary folder that every worker
reads (``web/jobs.py``).  Each worker has its own response cache and counts its own
rate limit.

Connections are served by ``NoDelayH11Protocol``: uvicorn's HTTP/1.1 protocol with
Nagle's algorithm turned off on each connection.  With ``--workers`` uvicorn binds
the listening socket itself without marking it as TCP, so asyncio leaves Nagle on
and every keep-alive response after the first waits for the client's delayed ACK,
about 40 ms on Linux (uvicorn issue #3149).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from parley.errors import ParleyError
from parley.settings import Settings
from parley.web.app import create_app

#: the environment variable through which ``serve`` hands the app's config to its workers
CONFIG_ENV = "PARLEY_SERVE_CONFIG"


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, sending each response without waiting (TCP_NODELAY)."""

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def serve(store_url: str, settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
          workers: int = 1, token: str | None = None,
          rate_limit_per_minute: int | None = 600) -> None:
    """Serve the app over ``store_url`` on ``host:port`` until interrupted, with
    ``workers`` processes (see the module docstring)."""
    import uvicorn

    options: dict[str, Any] = {"store_url": store_url, "settings": settings, "token": token,
                               "rate_limit_per_minute": rate_limit_per_minute}
    protocol = "parley.web.serving:NoDelayH11Protocol"
    if workers <= 1:
        uvicorn.run(create_app(**options), host=host, port=port, http=protocol,
                    log_level="warning")
        return
    with tempfile.TemporaryDirectory(prefix="parley-jobs-") as jobs_dir, \
            _environment(CONFIG_ENV, config_to_env(jobs_dir=Path(jobs_dir), **options)):
        uvicorn.run("parley.web.serving:app_from_env", factory=True, workers=workers,
                    host=host, port=port, http=protocol, log_level="warning")


def config_to_env(**options: Any) -> str:
    """``create_app`` keyword arguments as one JSON string (read by ``app_from_env``)."""
    settings: Settings = options.pop("settings")
    values = dataclasses.asdict(settings)
    values["knowledge_dir"] = str(settings.knowledge_dir) if settings.knowledge_dir else None
    options = {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}
    return json.dumps({**options, "settings": values})


def app_from_env() -> FastAPI:
    """The app described by ``$PARLEY_SERVE_CONFIG`` (uvicorn's factory in each worker)."""
    raw = os.environ.get(CONFIG_ENV)
    if not raw:
        raise ParleyError(f"${CONFIG_ENV} is not set: start the server with `parley serve`")
    options = json.loads(raw)
    values = options.pop("settings")
    if values.get("knowledge_dir"):
        values["knowledge_dir"] = Path(values["knowledge_dir"])
    for name in ("filters_path", "jobs_dir"):
        if options.get(name):
            options[name] = Path(options[name])
    return create_app(settings=Settings(**values), **options)


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """``$name`` set to ``value`` for the duration (uvicorn's workers inherit it)."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
