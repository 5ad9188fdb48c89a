"""The ingest function's queue consumer (SQS) and schedule (EventBridge) handlers, on Lambda's events."""

import json
from datetime import timedelta
from uuid import UUID

from tests.aws.conftest import Aws, admin_headers, invoke
from tests.aws.events import LambdaContext, scheduled_event, sqs_event
from tests.webserver import WebServer, web_server_fixture  # noqa: F401
from tinyeclipse.config import get_settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import SOURCE_CREATE

HELP_PAGE = "<html><head><title>Help</title></head><body><main><h1>Help</h1><p>{}</p></main></body></html>"


def _tenant(db: Database, whmcs_client_id: int) -> UUID:
    with db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, plan) VALUES (%s, %s, 'pro') RETURNING id",
            [whmcs_client_id, f"Tenant {whmcs_client_id}"],
        ).fetchone()["id"]


def _add(db: Database, tenant_id: UUID, **body: object) -> UUID:
    """Add a source the way the admin function does on AWS: its job goes to SQS."""
    data = SOURCE_CREATE.validate_python({"tenant_id": tenant_id, **body})
    return sources.create_source(db, get_settings(), data).id


def _status(db: Database, source_id: UUID) -> tuple[str, str | None]:
    source = sources.get_source(db, source_id)
    return source.status, source.error


def _jobs(db: Database, source_id: UUID) -> list[dict]:
    with db.operator() as conn:
        return conn.execute(
            "SELECT status, attempts, reason FROM ingest_jobs WHERE source_id = %s ORDER BY id", [source_id]
        ).fetchall()


def _as_lambda_event(messages: list[dict]) -> dict:
    """The event Lambda's SQS poller builds from received messages (their real receipt handles)."""
    event = sqs_event([m["Body"] for m in messages])
    for record, message in zip(event["Records"], messages, strict=True):
        record["messageId"], record["receiptHandle"] = message["MessageId"], message["ReceiptHandle"]
        record["eventSourceARN"] = "arn:aws:sqs:eu-west-1:123456789012:tinyeclipse-ingest-jobs"
    return event


def _consume(event: dict) -> dict:
    from functions.ingest.app import sqs_handler

    return sqs_handler(event, LambdaContext())


def test_a_batch_reports_only_the_failed_message_and_sqs_delivers_only_it_again(
    aws: Aws, clean_db: Database, web_server: WebServer
) -> None:
    from tinyeclipse.db import get_database

    db = get_database()
    tenant = _tenant(clean_db, 8201)
    web_server.route("/down", "Service Unavailable", status=503, content_type="text/plain")
    web_server.route("/help", HELP_PAGE.format("Reset your password from the login page."))
    broken = _add(db, tenant, type="url", url=web_server.url("/down"))
    text = _add(db, tenant, type="text", title="Hours", content="Support answers every day from 8 am to 8 pm.")
    page = _add(db, tenant, type="url", url=web_server.url("/help"))

    messages = aws.received()
    assert len(messages) == 3
    response = _consume(_as_lambda_event(messages))

    failed_ids = [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
    broken_message = next(m for m in messages if json.loads(m["Body"])["job_id"] == _job_id(db, broken))
    assert failed_ids == [broken_message["MessageId"]]
    assert _status(db, text) == ("indexed", None) and _status(db, page) == ("indexed", None)
    assert _jobs(db, broken) == [{"status": "queued", "attempts": 1, "reason": "created"}]
    # The job's backoff (0 s here) became the message's visibility: SQS hands back the failed one alone.
    again = aws.received()
    assert [m["MessageId"] for m in again] == [broken_message["MessageId"]]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"


def _job_id(db: Database, source_id: UUID) -> int:
    with db.operator() as conn:
        return conn.execute("SELECT max(id) AS id FROM ingest_jobs WHERE source_id = %s", [source_id]).fetchone()["id"]


def test_a_job_out_of_attempts_fails_its_source_and_its_message_is_acknowledged(
    aws: Aws, clean_db: Database, web_server: WebServer
) -> None:
    from tinyeclipse.db import get_database

    db = get_database()
    web_server.route("/down", "Service Unavailable", status=503, content_type="text/plain")
    broken = _add(db, _tenant(clean_db, 8202), type="url", url=web_server.url("/down"))
    for attempt in (1, 2, 3):  # JOB_MAX_ATTEMPTS=3
        messages = aws.received()
        assert len(messages) == 1, f"attempt {attempt}"
        failures = _consume(_as_lambda_event(messages))["batchItemFailures"]
        assert len(failures) == (0 if attempt == 3 else 1)
    assert _jobs(db, broken) == [{"status": "dead", "attempts": 3, "reason": "created"}]
    status, error = _status(db, broken)
    assert status == "failed" and "503" in (error or "") and "gave up after 3 attempts" in (error or "")


def test_a_duplicate_message_for_a_finished_job_does_nothing(aws: Aws, clean_db: Database) -> None:
    from tinyeclipse.db import get_database

    db = get_database()
    source = _add(db, _tenant(clean_db, 8203), type="text", title="Hours", content="Open from 9 to 5.")
    body = aws.received()[0]["Body"]
    assert _consume(sqs_event([body])) == {"batchItemFailures": []}
    assert _consume(sqs_event([body])) == {"batchItemFailures": []}
    assert _jobs(db, source) == [{"status": "done", "attempts": 1, "reason": "created"}]


def test_a_message_that_names_no_job_is_reported_failed_for_the_dead_letter_queue(aws: Aws, clean_db: Database) -> None:
    event = sqs_event(["not json", json.dumps({"job_id": "7"}), json.dumps({"other": 1})])
    failures = _consume(event)["batchItemFailures"]
    assert sorted(f["itemIdentifier"] for f in failures) == sorted(r["messageId"] for r in event["Records"])


def test_the_schedule_queues_due_sources_once_each_with_a_message_per_job(aws: Aws, clean_db: Database) -> None:
    from functions.ingest.app import schedule_handler
    from tinyeclipse.db import get_database

    db = get_database()
    tenant = _tenant(clean_db, 8204)
    site = _add(db, tenant, type="url", url="https://example.com/help")
    pdf = _add(db, tenant, type="pdf", url="https://example.com/terms.pdf")
    text = _add(db, tenant, type="text", title="Static", content="Never re-fetched.")
    aws.received()  # the jobs of their creation
    assert schedule_handler(scheduled_event(), LambdaContext()) == {"queued": 0, "notified": 0}, (
        "waiting jobs are not doubled"
    )

    with clean_db.operator() as conn:
        conn.execute("UPDATE ingest_jobs SET status = 'done', created_at = now() - %s", [timedelta(hours=25)])
    assert schedule_handler(scheduled_event(), LambdaContext()) == {"queued": 2, "notified": 0}  # the pro plan: daily
    assert aws.job_ids(aws.received()) == sorted([_job_id(db, site), _job_id(db, pdf)])
    assert [job["reason"] for job in _jobs(db, site)] == ["created", "scheduled"]
    assert len(_jobs(db, text)) == 1
    assert schedule_handler(scheduled_event(), LambdaContext()) == {"queued": 0, "notified": 0}
    assert aws.received() == []


def test_when_sqs_refuses_the_job_the_source_is_not_created(aws: Aws, clean_db: Database) -> None:
    from tinyeclipse.db import get_database

    aws.sqs.delete_queue(QueueUrl=aws.queue_url)
    tenant = _tenant(clean_db, 8205)
    from functions.admin.app import handler

    response = invoke(
        handler,
        "POST",
        "/api/admin/sources",
        body={"tenant_id": str(tenant), "type": "text", "title": "Lost?", "content": "Nothing is lost."},
        headers=admin_headers(),
    )
    assert response.status == 503 and response.json()["code"] == "queue_unavailable"
    with get_database().operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM sources").fetchone()["n"] == 0, "rolled back with the send"
