"""Lambda tests: the real handlers, invoked with real-shaped events, against the test Postgres.

AWS itself (SQS, SSM Parameter Store, Secrets Manager) is moto. The functions read their settings the
way they do on AWS: secrets from SSM parameters named in `<SETTING>_PARAMETER`, the rest from the
environment, and jobs go to SQS.
"""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.aws.events import LambdaContext, http_api_event
from tests.conftest import ADMIN_KEY
from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import Database, close_database

REGION = "eu-west-1"
PARAMETERS = {"DATABASE_URL": "/tinyeclipse/database-url", "ADMIN_API_KEY": "/tinyeclipse/admin-api-key"}


@dataclass
class Aws:
    """The mocked account: its SQS queue (with a dead-letter queue) and the SSM parameters."""

    sqs: Any
    ssm: Any
    secrets: Any
    queue_url: str
    monkeypatch: pytest.MonkeyPatch

    def received(self, wait: int = 0) -> list[dict[str, Any]]:
        """Messages now visible in the queue (received, so invisible again for the queue's timeout)."""
        messages: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait, AttributeNames=["All"]
        ).get("Messages", []):
            messages.extend(batch)
        return messages

    def job_ids(self, messages: list[dict[str, Any]]) -> list[int]:
        return sorted(json.loads(message["Body"])["job_id"] for message in messages)


def _forget_clients_and_settings() -> None:
    """Each test's mock account is new: drop what the process cached from the previous one."""
    from aws_lambda_powertools.utilities.parameters import base

    from tinyeclipse.ingestion import queue

    get_settings.cache_clear()
    close_database()
    queue._queue.cache_clear()
    queue.sqs_client.cache_clear()
    base.DEFAULT_PROVIDERS.clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, settings: Settings, clean_db: Database) -> Iterator[Aws]:
    import boto3
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        sqs, ssm = boto3.client("sqs"), boto3.client("ssm")
        dlq_url = sqs.create_queue(QueueName="tinyeclipse-ingest-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
        queue_url = sqs.create_queue(
            QueueName="tinyeclipse-ingest-jobs", Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "900"}
        )["QueueUrl"]
        secret_values = {"DATABASE_URL": settings.database_url.get_secret_value(), "ADMIN_API_KEY": ADMIN_KEY}
        for variable, parameter in PARAMETERS.items():
            ssm.put_parameter(Name=parameter, Value=secret_values[variable], Type="SecureString")
            monkeypatch.setenv(f"{variable}_PARAMETER", parameter)
            monkeypatch.delenv(variable, raising=False)
        for name, value in {
            "ENVIRONMENT": "aws",
            "JOB_QUEUE": "sqs",
            "JOB_QUEUE_URL": queue_url,
            "DB_POOL_MIN_SIZE": "1",
            "DB_POOL_MAX_SIZE": "2",
            "LLM_PROVIDER": "extractive",
            "JOB_BACKOFF_BASE_SECONDS": "0",
            "JOB_MAX_ATTEMPTS": "3",
            # The tests' web server is on loopback, which production refuses to fetch.
            "INGEST_ALLOW_PRIVATE_URLS": "true",
        }.items():
            monkeypatch.setenv(name, value)
        _forget_clients_and_settings()
        try:
            yield Aws(sqs, ssm, boto3.client("secretsmanager"), queue_url, monkeypatch)
        finally:
            _forget_clients_and_settings()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def invoke(handler: Any, method: str, path: str, **kwargs: Any) -> Response:
    """Invoke an HTTP function's Lambda handler as API Gateway would, and decode its answer."""
    raw = handler(http_api_event(method, path, **kwargs), LambdaContext())
    body = raw.get("body") or ""
    text = base64.b64decode(body).decode() if raw.get("isBase64Encoded") else body
    return Response(raw["statusCode"], {k.lower(): v for k, v in raw.get("headers", {}).items()}, text)


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_KEY}"}
