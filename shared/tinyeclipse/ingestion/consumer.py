"""The SQS queue consumer (AWS): each message names a job; the worker runs it.

A job that failed and should be tried again raises `RetryLater`, so the batch reports that message as
failed and SQS delivers it again after the job's backoff (its visibility timeout is set to it). After
the queue's maxReceiveCount deliveries SQS moves the message to the dead-letter queue; a job whose own
attempts ran out is dead-lettered in Postgres and its message acknowledged.
"""

import json

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.queue import sqs_client

MAX_VISIBILITY_SECONDS = 43_200  # SQS's limit: 12 hours


class InvalidMessage(ValueError):
    """Not a job message: it goes back to SQS and, after its retries, to the dead-letter queue."""


class RetryLater(Exception):
    """The job failed and is queued again; its message is postponed by `delay` seconds."""

    def __init__(self, job_id: int, delay: float) -> None:
        super().__init__(f"ingest job {job_id} failed; retrying in {delay:.0f} s")
        self.delay = delay


def job_id_of(body: str) -> int:
    try:
        job_id = json.loads(body)["job_id"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidMessage(f"not a job message: {body[:200]!r}") from exc
    if not isinstance(job_id, int) or isinstance(job_id, bool):
        raise InvalidMessage(f"job_id must be an integer: {body[:200]!r}")
    return job_id


def handle_message(db: Database, settings: Settings, body: str, *, source_arn: str, receipt_handle: str) -> None:
    """Run the job the message names. When the job is to be tried again, the message is postponed by the
    job's backoff and RetryLater raised, so the batch reports it failed."""
    job_id = job_id_of(body)
    processed = worker.run_job(db, settings, job_id, worker.worker_name())
    if processed is not None and processed.outcome == "retry":
        delay = processed.retry_in or 0.0
        postpone(source_arn, receipt_handle, delay)
        raise RetryLater(job_id, delay)


def queue_url_of(arn: str) -> str:
    """The queue's URL from its ARN (arn:aws:sqs:region:account:name), as the SQS endpoint spells it."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise ValueError(f"not an SQS queue ARN: {arn}")
    return f"{sqs_client().meta.endpoint_url}/{parts[4]}/{parts[5]}"


def postpone(arn: str, receipt_handle: str, seconds: float) -> None:
    """Deliver the message again after `seconds` (the job's backoff) instead of the queue's timeout."""
    delay = max(0, min(MAX_VISIBILITY_SECONDS, round(seconds)))
    queue_url = queue_url_of(arn)
    sqs_client().change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay)
