"""Background jobs for browser ingest: the request returns at once, a thread does the work.

A job is an id (random, unguessable: it is the capability to read the job's
results), its inputs, a state (``queued`` → ``ingesting`` → ``processing`` →
``done`` or ``failed``) and one result per input as it arrives.  Jobs run one
at a time, so two uploads never process the same store concurrently; the page
polls ``/api/jobs/{id}`` to show progress.  Jobs live in memory and the oldest
finished ones are forgotten beyond ``max_jobs``.

A server with several worker processes gives its boards one shared folder: each
job's state is also written there (``<id>.json``, replaced atomically), so any
worker can answer for it, and a lock file keeps jobs one at a time across them.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import secrets
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from parley.web.uploads import UploadResult

log = logging.getLogger(__name__)

FINAL_STATES = ("done", "failed")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    inputs: list[str]  # the client's names, in upload order (display only)
    state: str = "queued"
    results: list[UploadResult] = field(default_factory=list)
    error: str | None = None
    created: str = field(default_factory=_now)
    finished: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    #: called after every change (the board's shared folder, if it has one)
    on_change: Callable[[Job], None] | None = field(default=None, repr=False, compare=False)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def add(self, result: UploadResult) -> None:
        with self._lock:
            self.results.append(result)
        self._changed()

    def set_state(self, state: str, error: str | None = None) -> None:
        with self._lock:
            self.state = state
            self.error = error or self.error
            if state in FINAL_STATES:
                self.finished = _now()
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def to_dict(self) -> dict[str, Any]:
        """The shape of ``/api/jobs/{id}``: state, counts by outcome, per-input results."""
        with self._lock:
            results = [asdict(r) for r in self.results]
            return {
                "id": self.id,
                "state": self.state,
                "final": self.final,
                "inputs": len(self.inputs),
                "counts": dict(Counter(r["outcome"] for r in results)),
                "results": results,
                "error": self.error,
                "created": self.created,
                "finished": self.finished,
            }


@dataclass(frozen=True)
class SavedJob:
    """A job run by another worker process, as it last wrote its state."""

    id: str
    status: dict[str, Any]

    @property
    def final(self) -> bool:
        return bool(self.status.get("final"))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.status)


class JobBoard:
    """The jobs of one application, run one at a time on daemon threads.

    With a ``folder`` (shared by the worker processes of one server), job states are
    also kept there and jobs run one at a time across all the workers.
    """

    def __init__(self, folder: Path | None = None, max_jobs: int = 200) -> None:
        self.folder = folder
        self.max_jobs = max_jobs
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()

    def start(self, inputs: list[str], work: Callable[[Job], None]) -> Job:
        """Register a job and run ``work(job)`` in the background; returns at once."""
        job = Job(secrets.token_hex(16), inputs)
        if self.folder is not None:
            job.on_change = self._save
            self._save(job)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        threading.Thread(target=self._run, args=(job, work), name=f"parley-job-{job.id[:6]}",
                         daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | SavedJob | None:
        """The job ``job_id`` (a valid id: it names a file), from any worker."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None or self.folder is None:
            return job
        try:
            return SavedJob(job_id, json.loads((self.folder / f"{job_id}.json").read_text()))
        except (OSError, ValueError):
            return None

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        with self._one_at_a_time, self._across_workers():
            try:
                work(job)
                job.set_state("done")
            except Exception as exc:  # a job's failure is shown on its page, never lost
                log.exception("ingest job %s failed", job.id)
                job.set_state("failed", f"{type(exc).__name__}: {exc}")

    @contextlib.contextmanager
    def _across_workers(self) -> Iterator[None]:
        if self.folder is None:
            yield
            return
        import fcntl

        with open(self.folder / "jobs.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _save(self, job: Job) -> None:
        assert self.folder is not None
        partial = self.folder / f".{job.id}.{threading.get_ident()}.tmp"
        partial.write_text(json.dumps(job.to_dict()), encoding="utf-8")
        os.replace(partial, self.folder / f"{job.id}.json")

    def _forget_old(self) -> None:
        finished = [job_id for job_id, job in self._jobs.items() if job.final]
        while len(self._jobs) > self.max_jobs and finished:
            job_id = finished.pop(0)
            self._jobs.pop(job_id, None)
            if self.folder is not None:
                with contextlib.suppress(OSError):
                    (self.folder / f"{job_id}.json").unlink()
