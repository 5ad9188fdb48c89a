"""The ingest function: its health over HTTP, and on AWS the SQS queue consumer and the scheduled re-ingestion.

Locally the worker and scheduler loops (`python -m functions.ingest.worker|scheduler`) play the last two parts; on
AWS the schedule also sends the queued notifications.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tinyeclipse.config import get_settings
from tinyeclipse.db import get_database
from tinyeclipse.ingestion import consumer, scheduler
from tinyeclipse.notifications.delivery import deliver_due
from tinyeclipse.observability import http_entry, lambda_entry
from tinyeclipse.web.app import create_app

app = create_app("ingest")
handler = http_entry("ingest", app)

# A batch never fails whole: each failed message is reported, so only it is delivered again.
_batch = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _run_job_message(record: SQSRecord) -> None:
    consumer.handle_message(
        get_database(),
        get_settings(),
        record.body,
        source_arn=record.event_source_arn,
        receipt_handle=record.receipt_handle,
    )


def _consume(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=_run_job_message, processor=_batch, context=context)


def _scheduled_run(event: dict[str, Any], context: Any) -> dict[str, int]:
    # On AWS the schedule is also what sends queued notifications (locally a thread of the worker does).
    database, settings = get_database(), get_settings()
    return {"queued": scheduler.run_once(database, settings), "notified": deliver_due(database, settings)}


sqs_handler = lambda_entry("ingest", _consume)
schedule_handler = lambda_entry("ingest", _scheduled_run)
