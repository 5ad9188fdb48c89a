"""POST /api/chat against real Postgres, the real model and (for groq) the real SDK talking to a local fake."""

from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.conftest import assert_problem
from tests.fake_llm import FakeLLM, fake_llm_fixture  # noqa: F401
from tests.integration.conftest import BAKERY, HOSTING, ask, give_consent, make_tenant
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE
from tinyeclipse.pagination import PageParams


def test_a_question_in_the_knowledge_is_answered_with_its_source(
    chat: TestClient, hosting: UUID, clean_db: Database
) -> None:
    response = ask(chat, hosting, "How long does a .com domain transfer take?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "five days" in body["answer"]
    assert body["confidence"] >= 0.6 and not body["escalated"] and not body["refused"]
    assert body["sources"][0]["title"] == "Domains" and 0 < body["sources"][0]["score"] <= 1
    with clean_db.operator() as conn:
        messages = conn.execute(
            "SELECT role, content, confidence, escalated, sources_used, latency_ms FROM messages"
            " WHERE conversation_id = %s ORDER BY created_at",
            [body["conversation_id"]],
        ).fetchall()
        usage = conn.execute("SELECT endpoint, model, message_id, latency_ms FROM usage_logs").fetchall()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["confidence"] == pytest.approx(body["confidence"], abs=1e-4)
    assert messages[1]["sources_used"][0]["title"] == "Domains" and messages[1]["latency_ms"] >= 0
    assert [(u["endpoint"], u["model"], str(u["message_id"])) for u in usage] == [
        ("chat", "extractive", body["message_id"])
    ]


def test_a_question_outside_the_knowledge_is_handed_to_a_human(chat: TestClient, hosting: UUID) -> None:
    body = ask(chat, hosting, "What is the capital of Mongolia?").json()
    assert body["escalated"]
    if body["refused"]:
        assert "can't answer" in body["answer"] and body["sources"] == []


def test_tenant_b_knowledge_is_never_cited_for_tenant_a(
    chat: TestClient, hosting: UUID, settings: Settings, clean_db: Database
) -> None:
    bakery = make_tenant(clean_db, settings, 8002, BAKERY)
    bakery_sources = {str(s.id) for s in sources.list_sources(clean_db, bakery, PageParams()).items}
    body = ask(chat, hosting, "When is the sourdough bread baked with organic rye flour?").json()
    assert not {s["source_id"] for s in body["sources"]} & bakery_sources
    assert "sourdough" not in body["answer"]


def test_chat_needs_a_currentgive_consent(chat: TestClient, hosting: UUID, clean_db: Database) -> None:
    assert_problem(ask(chat, hosting, "Hello?", session="stranger"), 403, "consent_required")
    give_consent(clean_db, hosting, "visitor-1", accepted=False)
    assert_problem(ask(chat, hosting, "Hello?"), 403, "consent_required")
    give_consent(clean_db, hosting, "visitor-2")
    with clean_db.operator() as conn:
        conn.execute('UPDATE tenants SET settings = \'{"terms_version": "2"}\' WHERE id = %s', [hosting])
    assert_problem(ask(chat, hosting, "Hello?", session="visitor-2"), 403, "consent_required")


def test_unknown_and_suspended_tenants(chat: TestClient, hosting: UUID, clean_db: Database) -> None:
    assert_problem(ask(chat, uuid4(), "Hello?"), 404, "tenant_not_found")
    with clean_db.operator() as conn:
        conn.execute("UPDATE tenants SET status = 'suspended' WHERE id = %s", [hosting])
    assert_problem(ask(chat, hosting, "Hello?"), 403, "tenant_suspended")


def test_the_origin_must_be_an_allowed_domain_when_the_tenant_sets_some(
    chat: TestClient, hosting: UUID, clean_db: Database
) -> None:
    with clean_db.operator() as conn:
        conn.execute(
            'UPDATE tenants SET settings = \'{"allowed_domains": ["shop.example.com", "localhost:8090"]}\''
            " WHERE id = %s",
            [hosting],
        )
    question = {"json": {"tenant_id": str(hosting), "session_id": "visitor-1", "message": "Backups?"}}
    for origin in ("https://evil.example", "http://localhost:9999", None):
        headers = {"Origin": origin} if origin else {}
        assert_problem(chat.post("/api/chat", headers=headers, **question), 403, "origin_not_allowed")
    for origin in ("https://shop.example.com", "http://localhost:8090"):
        assert chat.post("/api/chat", headers={"Origin": origin}, **question).status_code == 200


def test_the_session_limit_answers_429_with_retry_after(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    tenant = make_tenant(clean_db, settings, 8003, HOSTING, '{"session_rate_limit_per_minute": 2}')
    give_consent(clean_db, tenant, "busy")
    give_consent(clean_db, tenant, "calm")
    assert [ask(chat, tenant, "Backups?", session="busy").status_code for _ in range(2)] == [200, 200]
    limited = ask(chat, tenant, "Backups?", session="busy")
    assert_problem(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert ask(chat, tenant, "Backups?", session="calm").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"session_id": "has spaces"}, "session_id"),
        ({"tenant_id": "nope"}, "tenant_id"),
        ({"conversation_id": "nope"}, "conversation_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_requests_are_422(chat: TestClient, hosting: UUID, body: dict, field: str) -> None:
    request = {"tenant_id": str(hosting), "session_id": "visitor-1", "message": "Hi", **body}
    assert field in assert_problem(chat.post("/api/chat", json=request), 422, "invalid_request")


def test_a_conversation_continues_and_belongs_to_its_session(
    chat: TestClient, hosting: UUID, clean_db: Database
) -> None:
    first = ask(chat, hosting, "How do I transfer a domain to you?").json()
    follow_up = ask(chat, hosting, "How long does it take?", conversation_id=first["conversation_id"]).json()
    assert follow_up["conversation_id"] == first["conversation_id"]
    assert "five days" in follow_up["answer"], "the follow-up is read with the previous question"
    give_consent(clean_db, hosting, "visitor-2")
    other = ask(chat, hosting, "Hi", session="visitor-2", conversation_id=first["conversation_id"])
    assert_problem(other, 404, "conversation_not_found")


def test_groq_answers_through_the_real_sdk_and_its_usage_is_logged(
    chat_app: tuple, settings: Settings, hosting: UUID, clean_db: Database, fake_llm: FakeLLM
) -> None:
    _, open_client = chat_app
    client = open_client(
        settings.model_copy(
            update={"llm_provider": "groq", "groq_api_key": SecretStr("k"), "groq_base_url": fake_llm.base_url}
        )
    )
    fake_llm.reply_json("Backups are kept for 30 days [1].", confidence=0.95, sources=[1])
    body = ask(client, hosting, "How long do you keep backups?").json()
    assert body["answer"] == "Backups are kept for 30 days [1]." and not body["escalated"]
    assert body["sources"][0]["title"] == "Backups"
    sent = fake_llm.requests[-1]
    assert sent["model"] == "llama-3.3-70b-versatile"
    assert any("We back up all files" in message["content"] for message in sent["messages"])
    with clean_db.operator() as conn:
        usage = conn.execute("SELECT model, tokens_in, tokens_out FROM usage_logs").fetchone()
    assert usage["model"] == "llama-3.3-70b-versatile" and usage["tokens_in"] > 0 and usage["tokens_out"] > 0


@pytest.mark.parametrize(("failure", "reason"), [("500", "groq: HTTP 500"), ("timeout", "groq: timed out")])
def test_a_failing_provider_gets_a_polite_hand_off_never_a_500(
    chat_app: tuple,
    settings: Settings,
    hosting: UUID,
    clean_db: Database,
    fake_llm: FakeLLM,
    failure: str,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, open_client = chat_app
    update = {
        "llm_provider": "groq",
        "groq_api_key": SecretStr("k"),
        "groq_base_url": fake_llm.base_url,
        "llm_timeout_seconds": 0.5,
    }
    client = open_client(settings.model_copy(update=update))
    if failure == "500":
        fake_llm.fail(500)
    else:
        fake_llm.slow(2.0)
    response = ask(client, hosting, "How long do you keep backups?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["escalated"] and "passed your question on to our team" in body["answer"]
    with clean_db.operator() as conn:
        flagged = conn.execute("SELECT escalated FROM conversations WHERE id = %s", [body["conversation_id"]])
        assert flagged.fetchone()["escalated"]
    # The operator can tell why.
    assert [record.reason for record in caplog.records if record.message == "provider failed"] == [reason]


def test_an_faq_answer_is_quoted_not_its_question(chat: TestClient, settings: Settings, clean_db: Database) -> None:
    with clean_db.operator() as conn:
        tenant = conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name) VALUES (8100, 'Bikes') RETURNING id"
        ).fetchone()["id"]
    pairs = [{"question": "Do you repair electric bikes?", "answer": "Yes, we repair e-bikes of all brands."}]
    sources.create_source(
        clean_db, settings, SOURCE_CREATE.validate_python({"tenant_id": tenant, "type": "faq", "content": pairs})
    )
    while worker.run_once(clean_db, settings, "test"):
        pass
    give_consent(clean_db, tenant, "rider")
    body = ask(chat, tenant, "Can you fix my electric bike?", session="rider").json()
    assert "we repair e-bikes" in body["answer"] and "Do you repair" not in body["answer"]
