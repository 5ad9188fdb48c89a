"""The ingestion worker: claims jobs from the queue and indexes their sources, until told to stop.

Permanent failures (ExtractionError) are dead-lettered at once; anything else is retried with backoff
until the job's attempts run out. Either way the source ends `failed` with the reason for the operator.
"""

import logging
import os
import socket
import threading
import time

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import jobs, repository
from tinyeclipse.ingestion.documents import ExtractionError
from tinyeclipse.ingestion.pipeline import IndexResult, index_source

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the job over (our lease ran out): stop without writing anything."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Lease:
    """Extends the job's lease while it makes progress, at most every third of the lease."""

    def __init__(self, db: Database, job: jobs.Job, worker: str, lease_seconds: float) -> None:
        self._db, self._job, self._worker, self._seconds = db, job, worker, lease_seconds
        self._renewed = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self._renewed < self._seconds / 3:
            return
        with self._db.operator() as conn:
            if not jobs.extend_lease(conn, self._job.id, self._worker, self._seconds):
                raise LeaseLost(f"job {self._job.id}")
        self._renewed = time.monotonic()


def _give_up(db: Database, job: jobs.Job, reason: str) -> None:
    with db.operator() as conn:
        jobs.dead_letter(conn, job.id, reason)
        repository.mark_failed(conn, job.source_id, reason)
    logger.warning("ingest job %s for source %s dead-lettered: %s", job.id, job.source_id, reason)


def _retry_or_give_up(db: Database, settings: Settings, job: jobs.Job, reason: str) -> None:
    if job.attempts >= job.max_attempts:
        _give_up(db, job, f"{reason} (gave up after {job.attempts} attempts)")
        return
    with db.operator() as conn:
        run_at = jobs.retry_later(conn, job, reason, settings.job_backoff_base_seconds)
    logger.info("ingest job %s attempt %s failed (%s); retrying at %s", job.id, job.attempts, reason, run_at)


def process(db: Database, settings: Settings, job: jobs.Job, worker: str) -> IndexResult | None:
    """Run one claimed job to its end: done, queued again, or dead."""
    if job.attempts > job.max_attempts:
        _give_up(db, job, f"The worker stopped during ingestion {job.max_attempts} times; giving up.")
        return None
    lease = _Lease(db, job, worker, settings.job_lease_seconds)
    try:
        result = index_source(db, settings, job.tenant_id, job.source_id, progress=lease)
    except LeaseLost:
        logger.warning("ingest job %s: lease lost to another worker; leaving it", job.id)
        return None
    except ExtractionError as exc:
        _give_up(db, job, str(exc))
        return None
    except Exception as exc:
        logger.exception("ingest job %s failed", job.id)
        _retry_or_give_up(db, settings, job, str(exc) or type(exc).__name__)
        return None
    with db.operator() as conn:
        jobs.complete(conn, job.id)
    logger.info("ingest job %s for source %s done: %s", job.id, job.source_id, result)
    return result


def run_once(db: Database, settings: Settings, worker: str) -> bool:
    """Claim and process one job; False when none was due."""
    with db.operator() as conn:
        job = jobs.claim(conn, worker, settings.job_lease_seconds)
    if job is None:
        return False
    process(db, settings, job, worker)
    return True


def run_worker(db: Database, settings: Settings, stop: threading.Event) -> None:
    worker = worker_name()
    logger.info("ingest worker %s started", worker)
    while not stop.is_set():
        try:
            busy = run_once(db, settings, worker)
        except Exception:
            # The queue itself failed (the database restarting, say): wait and try again.
            logger.exception("ingest worker: claiming a job failed")
            busy = False
        if not busy:
            stop.wait(settings.worker_poll_seconds)
    logger.info("ingest worker %s stopped", worker)
