"""The four HTTP functions as Lambda runs them: API Gateway (HTTP API) events in, responses out."""

import io
import json
import logging

import pytest

from tests.aws.conftest import PARAMETERS, Aws, admin_headers, invoke
from tests.aws.events import LambdaContext, sqs_event
from tests.conftest import ADMIN_KEY
from tinyeclipse.db import Database

FUNCTIONS = ("chat", "consent", "ingest", "admin")
QUESTION = "How long do you keep the nightly backups of my databases?"
KNOWLEDGE = "We back up all files and databases every night and keep the backups for 30 days."


def _handler(name: str):
    import importlib

    return importlib.import_module(f"functions.{name}.app").handler


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_answers_its_health_check_with_the_database_url_from_ssm(aws: Aws, name: str) -> None:
    response = invoke(_handler(name), "GET", f"/api/{name}/health")
    assert response.status == 200, response.text
    assert response.json() == {"status": "ok"}


def test_a_problem_response_is_json_text_with_its_code(aws: Aws) -> None:
    response = invoke(_handler("admin"), "GET", "/api/admin/tenants", headers={"Authorization": "Bearer wrong"})
    assert response.status == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthorized"


def test_the_admin_key_can_come_from_secrets_manager(aws: Aws) -> None:
    aws.secrets.create_secret(Name="tinyeclipse/admin-api-key", SecretString="k" * 40)
    aws.monkeypatch.delenv("ADMIN_API_KEY_PARAMETER")
    aws.monkeypatch.setenv("ADMIN_API_KEY_SECRET", "tinyeclipse/admin-api-key")
    from tinyeclipse.config import get_settings

    get_settings.cache_clear()
    admin = _handler("admin")
    assert invoke(admin, "GET", "/api/admin/tenants", headers={"Authorization": "Bearer " + "k" * 40}).status == 200
    assert invoke(admin, "GET", "/api/admin/tenants", headers=admin_headers()).status == 401


def test_a_missing_parameter_is_a_clear_503_not_a_crash(aws: Aws) -> None:
    aws.ssm.delete_parameter(Name=PARAMETERS["ADMIN_API_KEY"])
    response = invoke(_handler("admin"), "GET", "/api/admin/tenants", headers=admin_headers())
    assert response.status == 503
    assert response.json()["code"] == "secret_unavailable"
    assert PARAMETERS["ADMIN_API_KEY"] not in response.text, "the parameter's name stays in the logs"


def test_the_admin_function_without_a_key_refuses_every_request(aws: Aws) -> None:
    aws.monkeypatch.delenv("ADMIN_API_KEY_PARAMETER")
    response = invoke(_handler("admin"), "GET", "/api/admin/tenants", headers=admin_headers())
    assert response.status == 503
    assert response.json()["code"] == "admin_not_configured"


def test_consent_keeps_api_gateways_source_ip_not_a_forged_header(aws: Aws, clean_db: Database) -> None:
    tenant = invoke(
        _handler("admin"),
        "POST",
        "/api/admin/tenants",
        body={"name": "Ip Co", "whmcs_client_id": 8101},
        headers=admin_headers(),
    ).json()
    response = invoke(
        _handler("consent"),
        "POST",
        "/api/consent",
        body={"tenant_id": tenant["id"], "session_id": "visitor-ip", "accepted": True, "terms_version": "1"},
        headers={"X-Forwarded-For": "6.6.6.6", "User-Agent": "Lambda test browser"},
        source_ip="198.51.100.23",
    )
    assert response.status == 201, response.text
    with clean_db.tenant(tenant["id"]) as conn:
        stored = conn.execute("SELECT host(ip_address) AS ip, user_agent FROM consents").fetchone()
    assert stored == {"ip": "198.51.100.23", "user_agent": "Lambda test browser"}


def _capture_logs() -> tuple[logging.StreamHandler, io.StringIO]:
    """Point the package's Powertools handler at a buffer: what the function would print to CloudWatch."""
    handler = next(h for h in logging.getLogger("tinyeclipse").handlers if isinstance(h, logging.StreamHandler))
    buffer = io.StringIO()
    handler.setStream(buffer)
    return handler, buffer


def test_the_core_loop_on_lambda_admin_queue_consent_chat(
    aws: Aws, clean_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    admin, headers = _handler("admin"), admin_headers()
    tenant = invoke(
        admin,
        "POST",
        "/api/admin/tenants",
        body={"name": "Lambda Hosting", "whmcs_client_id": 8102, "plan": "pro"},
        headers=headers,
    ).json()
    source = invoke(
        admin,
        "POST",
        "/api/admin/sources",
        body={"tenant_id": tenant["id"], "type": "text", "title": "Backups", "content": KNOWLEDGE},
        headers=headers,
    )
    assert source.status == 201, source.text

    # The admin function queued the job in SQS; the queue consumer indexes it.
    messages = aws.received()
    assert len(messages) == 1
    from functions.ingest.app import sqs_handler

    event = sqs_event([m["Body"] for m in messages])
    assert sqs_handler(event, LambdaContext()) == {"batchItemFailures": []}
    status = invoke(admin, "GET", f"/api/admin/sources/{source.json()['id']}", headers=headers).json()
    assert status["status"] == "indexed", status

    consent = {"tenant_id": tenant["id"], "session_id": "lambda-visitor", "accepted": True, "terms_version": "1"}
    assert invoke(_handler("consent"), "POST", "/api/consent", body=consent).status == 201
    stream, logs = _capture_logs()
    original = stream.stream
    try:
        capsys.readouterr()
        answer = invoke(
            _handler("chat"),
            "POST",
            "/api/chat",
            body={"tenant_id": tenant["id"], "session_id": "lambda-visitor", "message": QUESTION},
        )
    finally:
        stream.setStream(original)
    assert answer.status == 200, answer.text
    reply = answer.json()
    assert "30 days" in reply["answer"] and not reply["refused"]
    assert [s["title"] for s in reply["sources"]] == ["Backups"]

    # Structured logs: ids and numbers, never what the visitor wrote.
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    answered = next(line for line in lines if line["message"] == "chat answered")
    assert answered["service"] == "chat"
    assert answered["tenant_id"] == tenant["id"]
    assert answered["conversation_id"] == reply["conversation_id"]
    assert answered["function_request_id"] == LambdaContext().aws_request_id, "the invocation's context is logged"
    assert QUESTION not in logs.getvalue()
    # EMF metrics on stdout, which CloudWatch turns into TinyEclipse metrics.
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert len(emf) == 1
    names = {m["Name"] for m in emf[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names == {"Answers", "Escalations", "Refusals", "ChatLatency"}
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "TinyEclipse"
    assert emf[0]["Answers"] == [1.0] and emf[0]["Escalations"] == [float(reply["escalated"])]
    assert emf[0]["plan"] == "pro"
    assert ADMIN_KEY not in logs.getvalue()
