"""Where ingestion jobs go, chosen by settings: the Postgres queue locally, SQS on AWS.

Either way the job is a row of `ingest_jobs` (its status is what the operator sees). With SQS a message
naming the job is sent too, inside the same transaction: if the send fails, nothing is committed and
the caller gets an error; if the commit fails after a send, the consumer finds no job and drops the
message. The consumer claims the job by id, so a duplicate message is harmless.
"""

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection
from tinyeclipse.errors import Unavailable
from tinyeclipse.ingestion import jobs
from tinyeclipse.tenants.settings import PLAN_DEFAULTS

SQS_BATCH = 10  # SendMessageBatch takes at most ten entries


class QueueUnavailable(Unavailable):
    code = "queue_unavailable"


class JobQueue(Protocol):
    def enqueue(self, conn: Connection, tenant_id: UUID, source_id: UUID, reason: jobs.Reason) -> jobs.Job:
        """Queue a job for the source (or return the one already waiting)."""
        ...

    def enqueue_due(self, conn: Connection) -> int:
        """Queue every source whose re-ingestion is due; returns how many."""
        ...


class PostgresQueue:
    """The `ingest_jobs` table alone: the worker process polls it."""

    def __init__(self, max_attempts: int) -> None:
        self.max_attempts = max_attempts

    def enqueue(self, conn: Connection, tenant_id: UUID, source_id: UUID, reason: jobs.Reason) -> jobs.Job:
        return jobs.enqueue(conn, tenant_id, source_id, reason, max_attempts=self.max_attempts)

    def enqueue_due(self, conn: Connection) -> int:
        return len(self._enqueue_due_ids(conn))

    def _enqueue_due_ids(self, conn: Connection) -> list[int]:
        default_hours = {str(plan): values["reingest_interval_hours"] for plan, values in PLAN_DEFAULTS.items()}
        return jobs.enqueue_due_reingestions(conn, default_hours=default_hours, max_attempts=self.max_attempts)


@lru_cache
def sqs_client() -> Any:
    """This process's SQS client, for the senders and the consumer alike (reused across invocations)."""
    import boto3  # only where SQS is the queue: local processes never import it

    return boto3.client("sqs")


class SqsQueue(PostgresQueue):
    """The job rows, plus one SQS message per job for the queue consumer (Lambda) to claim."""

    def __init__(self, max_attempts: int, queue_url: str) -> None:
        super().__init__(max_attempts)
        self.queue_url = queue_url

    def enqueue(self, conn: Connection, tenant_id: UUID, source_id: UUID, reason: jobs.Reason) -> jobs.Job:
        job = super().enqueue(conn, tenant_id, source_id, reason)
        self.send([job.id])
        return job

    def enqueue_due(self, conn: Connection) -> int:
        ids = self._enqueue_due_ids(conn)
        self.send(ids)
        return len(ids)

    def send(self, job_ids: Sequence[int]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        for start in range(0, len(job_ids), SQS_BATCH):
            entries = [
                {"Id": str(job_id), "MessageBody": json.dumps({"job_id": job_id})}
                for job_id in job_ids[start : start + SQS_BATCH]
            ]
            try:
                failed = sqs_client().send_message_batch(QueueUrl=self.queue_url, Entries=entries).get("Failed")
            except (BotoCoreError, ClientError) as exc:
                raise QueueUnavailable(f"The job queue did not take the job: {type(exc).__name__}.") from exc
            if failed:
                reasons = ", ".join(sorted({entry.get("Code", "?") for entry in failed}))
                raise QueueUnavailable(f"The job queue refused {len(failed)} job(s): {reasons}.")


@lru_cache
def _queue(kind: str, max_attempts: int, queue_url: str | None) -> JobQueue:
    if kind == "sqs":
        assert queue_url is not None  # Settings requires it
        return SqsQueue(max_attempts, queue_url)
    return PostgresQueue(max_attempts)


def get_queue(settings: Settings) -> JobQueue:
    """The queue the settings choose."""
    return _queue(settings.job_queue, settings.job_max_attempts, settings.job_queue_url)
