"""Background jobs for browser ingest: the request returns at once, a thread does the work.

A job is an id (random, unguessable: it is the capability to read the job's
results), its inputs, a state (``queued`` → ``ingesting`` → ``processing`` →
``done`` or ``failed``) and one result per input as it arrives.  Jobs run one
at a time, so two uploads never process the same store concurrently; the page
polls ``/api/jobs/{id}`` to show progress.  Jobs live in memory and the oldest
finished ones are forgotten beyond ``max_jobs``.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
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

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def add(self, result: UploadResult) -> None:
        with self._lock:
            self.results.append(result)

    def set_state(self, state: str, error: str | None = None) -> None:
        with self._lock:
            self.state = state
            self.error = error or self.error
            if state in FINAL_STATES:
                self.finished = _now()

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


class JobBoard:
    """The jobs of one application, run one at a time on daemon threads."""

    def __init__(self, max_jobs: int = 200) -> None:
        self.max_jobs = max_jobs
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()

    def start(self, inputs: list[str], work: Callable[[Job], None]) -> Job:
        """Register a job and run ``work(job)`` in the background; returns at once."""
        job = Job(secrets.token_hex(16), inputs)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        threading.Thread(target=self._run, args=(job, work), name=f"parley-job-{job.id[:6]}",
                         daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: Job, work: Callable[[Job], None]) -> None:
        with self._one_at_a_time:
            try:
                work(job)
                job.set_state("done")
            except Exception as exc:  # a job's failure is shown on its page, never lost
                log.exception("ingest job %s failed", job.id)
                job.set_state("failed", f"{type(exc).__name__}: {exc}")

    def _forget_old(self) -> None:
        finished = [job_id for job_id, job in self._jobs.items() if job.final]
        while len(self._jobs) > self.max_jobs and finished:
            self._jobs.pop(finished.pop(0), None)
