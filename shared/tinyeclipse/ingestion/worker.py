"""The ingestion worker: claims jobs and indexes their sources.

Locally it polls the Postgres queue until told to stop (`run_worker`); on AWS the SQS consumer hands it
one job id per message (`run_job`). Permanent failures (ExtractionError) are dead-lettered at once;
anything else is retried with backoff until the job's attempts run out. Either way the source ends
`failed` with the reason for the operator.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Literal

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import jobs, repository
from tinyeclipse.ingestion.documents import ExtractionError
from tinyeclipse.ingestion.pipeline import IndexResult, embed_for_model, index_source

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """Another worker took the job over (our lease ran out): stop without writing anything."""


@dataclass(frozen=True)
class Processed:
    """How a claimed job ended: indexed (`result` is None if the source was deleted meanwhile),
    queued again after `retry_in` seconds, dead-lettered, or left to the worker that took it over."""

    outcome: Literal["done", "retry", "dead", "lost"]
    result: IndexResult | None = None
    retry_in: float | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """Keeps a claimed job's lease while this process lives: a thread renews it every third of the lease.

    So the lease can be short (JOB_LEASE_SECONDS, 30 s by default): a worker that is killed stops renewing
    and its job is claimed again within one lease, however long the job itself runs. The pipeline calls
    `check` as it makes progress; it raises LeaseLost once another worker has taken the job over.
    """

    def __init__(self, db: Database, job: jobs.Job, worker: str, lease_seconds: float) -> None:
        self._db, self._job, self._worker, self._seconds = db, job, worker, lease_seconds
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job.id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._seconds / 3):
            try:
                with self._db.operator() as conn:
                    if not jobs.extend_lease(conn, self._job.id, self._worker, self._seconds):
                        self._lost.set()
                        return
            except Exception:
                # The database restarting, say: the lease still runs for up to two more beats.
                logger.warning("ingest job lease not renewed; trying again", exc_info=True, extra=_job_log(self._job))

    def check(self) -> None:
        if self._lost.is_set():
            raise LeaseLost(f"job {self._job.id}")


def _job_log(job: jobs.Job) -> dict[str, object]:
    return {"tenant_id": str(job.tenant_id), "source_id": str(job.source_id), "job_id": job.id}


def _give_up(db: Database, job: jobs.Job, reason: str) -> Processed:
    with db.operator() as conn:
        jobs.dead_letter(conn, job.id, reason)
        repository.mark_failed(conn, job.source_id, reason)
    logger.warning("ingest job dead-lettered: %s", reason, extra=_job_log(job))
    return Processed("dead")


def _retry_or_give_up(db: Database, settings: Settings, job: jobs.Job, reason: str) -> Processed:
    if job.attempts >= job.max_attempts:
        return _give_up(db, job, f"{reason} (gave up after {job.attempts} attempts)")
    delay = jobs.backoff_seconds(job.attempts, settings.job_backoff_base_seconds)
    with db.operator() as conn:
        run_at = jobs.retry_later(conn, job, reason, delay)
    logger.info("ingest job attempt %s failed (%s); retrying at %s", job.attempts, reason, run_at, extra=_job_log(job))
    return Processed("retry", retry_in=delay)


def process(db: Database, settings: Settings, job: jobs.Job, worker: str) -> Processed:
    """Run one claimed job to its end: done, queued again, or dead."""
    if job.attempts > job.max_attempts:
        return _give_up(db, job, f"The worker stopped during ingestion {job.max_attempts} times; giving up.")
    try:
        with Heartbeat(db, job, worker, settings.job_lease_seconds) as lease:
            run = embed_for_model if job.reason == "model" else index_source
            result = run(db, settings, job.tenant_id, job.source_id, progress=lease.check)
    except LeaseLost:
        logger.warning("ingest job lease lost to another worker; leaving it", extra=_job_log(job))
        return Processed("lost")
    except ExtractionError as exc:
        return _give_up(db, job, str(exc))
    except Exception as exc:
        logger.exception("ingest job failed", extra=_job_log(job))
        return _retry_or_give_up(db, settings, job, str(exc) or type(exc).__name__)
    with db.operator() as conn:
        jobs.complete(conn, job.id)
    logger.info("ingest job done: %s", result, extra=_job_log(job))
    return Processed("done", result)


def run_job(db: Database, settings: Settings, job_id: int, worker: str) -> Processed | None:
    """Claim the job a queue message names and run it; None if there is nothing to run
    (done, dead or deleted already, or running under another worker's live lease)."""
    with db.operator() as conn:
        job = jobs.claim_by_id(conn, job_id, worker, settings.job_lease_seconds)
    if job is None:
        logger.info("ingest job %s is not waiting to run; message dropped", job_id)
        return None
    return process(db, settings, job, worker)


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
