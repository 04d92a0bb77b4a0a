"""parley's web interface: JSON API and server-rendered pages (``parley serve``).

Needs the ``web`` extra (FastAPI, uvicorn, Jinja2); ``create_app`` is the entry point.
"""

from __future__ import annotations

__all__ = ["create_app"]

from parley.web.app import create_app
