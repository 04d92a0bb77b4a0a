"""Browser ingest: uploaded files and pasted text through the library's ingest.

Uploads are written under fresh, sanitised names in a private temporary folder
(the client's file name never becomes a path), ingested with
``parley.api.ingest`` exactly as the CLI does, then processed, so the pages
show them at once.  Each input gets its own result line, reported as it comes
(the web app runs this as a background job, ``web/jobs.py``).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from parley.errors import ParleyError
from parley.settings import Settings
from parley.store.base import Store

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class UploadResult:
    name: str  # as the client named it (display only, escaped by the template)
    outcome: str  # ingested, unchanged, revision, skipped, error
    reason: str | None = None
    article_id: str | None = None


def safe_name(index: int, client_name: str) -> str:
    """A file name we choose: a counter plus the client's base name, sanitised."""
    base = client_name.replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip("._")[:80] or "upload"
    return f"{index:03d}_{base}"


def ingest_uploads(
    open_store: Callable[[], Store], settings: Settings, files: list[tuple[str, bytes]],
    report: Callable[[UploadResult], None] | None = None,
    phase: Callable[[str], None] | None = None,
) -> list[UploadResult]:
    """Ingest and process ``(client name, content)`` pairs; one result per input.

    ``report`` hears of each result as soon as it is known and ``phase`` of each
    step (``ingesting``, ``processing``), so a background job can show progress.
    """
    from parley.api import IngestItem, ingest

    results: list[UploadResult] = []

    def add(result: UploadResult) -> None:
        results.append(result)
        if report is not None:
            report(result)

    store = open_store()
    if phase is not None:
        phase("ingesting")
    with tempfile.TemporaryDirectory(prefix="parley-upload-") as folder:
        by_path: dict[str, str] = {}
        paths = []
        for index, (client_name, content) in enumerate(files):
            path = Path(folder) / safe_name(index, client_name)
            path.write_bytes(content)
            by_path[str(path)] = client_name
            paths.append(str(path))

        def progress(item: IngestItem) -> None:
            name = next((client for path, client in by_path.items()
                         if item.source == path or item.source.startswith(path + ":")),
                        Path(item.source).name)
            add(UploadResult(name, item.outcome, item.reason, item.article_id))

        try:
            ingest(paths, store, settings, progress=progress)
        except ParleyError as exc:
            add(UploadResult("(all)", "error", str(exc)))
            return results
    if phase is not None:
        phase("processing")
    try:
        from parley.engine import process_store

        process_store(store, settings, workers=1, engine="local")
    except ImportError:
        add(UploadResult("(processing)", "error",
                         "the processing engine is not installed; run parley process"))
    except ParleyError as exc:
        add(UploadResult("(processing)", "error", str(exc)))
    return results
