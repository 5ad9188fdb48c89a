"""The operator's reads: conversations across tenants with filters, one conversation's messages, usage per day."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tinyeclipse.db import Database


def _tenant(db: Database, whmcs: int) -> UUID:
    with db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name) VALUES (%s, %s) RETURNING id", [whmcs, f"T{whmcs}"]
        ).fetchone()["id"]


def _conversation(db: Database, tenant: UUID, *, escalated: bool, refused: bool = False, tokens: int = 0) -> UUID:
    with db.tenant(tenant) as conn:
        conversation = conn.execute(
            "INSERT INTO conversations (tenant_id, session_id, escalated) VALUES (%s, 's', %s) RETURNING id",
            [tenant, escalated],
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO messages (tenant_id, conversation_id, role, content) VALUES (%s, %s, 'user', 'Question?')",
            [tenant, conversation],
        )
        message = conn.execute(
            """INSERT INTO messages (tenant_id, conversation_id, role, content, confidence, sources_used,
                                     escalated, refused)
               VALUES (%s, %s, 'assistant', 'Answer.', 0.42, '[{"title": "Doc"}]', %s, %s) RETURNING id""",
            [tenant, conversation, escalated, refused],
        ).fetchone()["id"]
        conn.execute(
            """INSERT INTO usage_logs (tenant_id, conversation_id, message_id, endpoint, model, tokens_in, tokens_out)
               VALUES (%s, %s, %s, 'chat', 'm', %s, %s)""",
            [tenant, conversation, message, tokens, tokens // 2],
        )
    return conversation


@pytest.fixture
def data(clean_db: Database) -> dict:
    a, b = _tenant(clean_db, 1), _tenant(clean_db, 2)
    return {
        "a": a,
        "b": b,
        "a_escalated": _conversation(clean_db, a, escalated=True, refused=True, tokens=100),
        "a_fine": _conversation(clean_db, a, escalated=False, tokens=40),
        "b_escalated": _conversation(clean_db, b, escalated=True, tokens=10),
    }


def test_conversations_list_across_tenants_newest_first_with_filters(admin: TestClient, data: dict) -> None:
    def ids(**params: object) -> list[str]:
        return [c["id"] for c in admin.get("/api/admin/conversations", params=params).json()["items"]]

    assert ids() == [str(data["b_escalated"]), str(data["a_fine"]), str(data["a_escalated"])]
    assert ids(escalated=True) == [str(data["b_escalated"]), str(data["a_escalated"])]
    assert ids(tenant_id=str(data["a"]), escalated=False) == [str(data["a_fine"])]
    assert ids(status="closed") == []
    page = admin.get("/api/admin/conversations", params={"limit": 1}).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    first = page["items"][0]
    assert first["message_count"] == 2 and first["last_message"] == "Answer." and first["tenant_name"] == "T2"
    assert_problem(admin.get("/api/admin/conversations", params={"status": "lost"}), 422, "invalid_request")


def test_a_conversation_shows_its_messages_with_confidence_and_sources(admin: TestClient, data: dict) -> None:
    body = admin.get(f"/api/admin/conversations/{data['a_escalated']}").json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    answer = body["messages"][1]
    assert answer["confidence"] == pytest.approx(0.42) and answer["escalated"] and answer["refused"]
    assert answer["sources_used"] == [{"title": "Doc"}]
    assert_problem(admin.get(f"/api/admin/conversations/{uuid4()}"), 404, "conversation_not_found")


def test_usage_per_tenant_and_day(admin: TestClient, data: dict) -> None:
    body = admin.get("/api/admin/usage").json()
    today = datetime.now(UTC).date().isoformat()
    by_tenant = {day["tenant_id"]: day for day in body["days"]}
    assert by_tenant[str(data["a"])] == {
        "tenant_id": str(data["a"]),
        "day": today,
        "messages": 2,
        "answers": 2,
        "resolved": 1,
        "escalations": 1,
        "refusals": 1,
        "handoff_requests": 0,
        "thumbs_up": 0,
        "thumbs_down": 0,
        "tokens_in": 140,
        "tokens_out": 70,
    }
    totals = body["totals"]
    assert (totals["messages"], totals["answers"], totals["resolved"], totals["escalations"]) == (3, 3, 1, 2)
    assert (totals["refusals"], totals["tokens_in"], totals["tokens_out"]) == (1, 150, 75)
    only_b = admin.get("/api/admin/usage", params={"tenant_id": str(data["b"])}).json()
    assert [day["tenant_id"] for day in only_b["days"]] == [str(data["b"])]
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    assert admin.get("/api/admin/usage", params={"from": yesterday, "to": yesterday}).json()["days"] == []
    assert_problem(admin.get("/api/admin/usage", params={"from": today, "to": yesterday}), 422, "invalid_request")
    assert_problem(admin.get("/api/admin/usage", params={"from": "yesterday"}), 422, "invalid_request")


def test_the_operator_replies_and_the_visitor_sees_it(admin: TestClient, data: dict, settings, clean_db) -> None:
    from functions.chat.app import app as chat_app
    from tests.conftest import client_for

    conversation = data["a_escalated"]
    response = admin.post(f"/api/admin/conversations/{conversation}/messages", json={"content": "Hi, Sam here."})
    assert response.status_code == 201, response.text
    reply = response.json()
    assert reply["role"] == "operator" and reply["content"] == "Hi, Sam here."
    assert admin.get(f"/api/admin/conversations/{conversation}").json()["messages"][-1]["id"] == reply["id"]
    with client_for(chat_app, settings, clean_db) as chat:
        polled = chat.get(
            f"/api/chat/conversations/{conversation}/messages", params={"tenant_id": str(data["a"]), "session_id": "s"}
        ).json()["messages"]
    chat_app.dependency_overrides.clear()
    assert polled[-1] == {k: reply[k] for k in ("id", "role", "content", "created_at")}
    assert_problem(
        admin.post(f"/api/admin/conversations/{uuid4()}/messages", json={"content": "x"}), 404, "conversation_not_found"
    )
    assert_problem(
        admin.post(f"/api/admin/conversations/{conversation}/messages", json={"content": " "}), 422, "invalid_request"
    )


def test_the_operator_closes_and_clears_an_escalation(admin: TestClient, data: dict) -> None:
    conversation = data["a_escalated"]
    closed = admin.patch(f"/api/admin/conversations/{conversation}", json={"status": "closed", "escalated": False})
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["escalated"]) == ("closed", False)
    inbox = admin.get("/api/admin/conversations", params={"escalated": True}).json()["items"]
    assert str(conversation) not in {c["id"] for c in inbox}
    assert_problem(
        admin.patch(f"/api/admin/conversations/{conversation}", json={"status": "gone"}), 422, "invalid_request"
    )
    assert_problem(
        admin.patch(f"/api/admin/conversations/{uuid4()}", json={"status": "open"}), 404, "conversation_not_found"
    )


def test_a_message_shows_its_confidence_parts_and_intent(admin: TestClient, clean_db: Database) -> None:
    from tinyeclipse.conversations import repository

    tenant = _tenant(clean_db, 3)
    parts = {
        "retrieval_similarity": 0.8,
        "source_coverage": 0.5,
        "answer_coherence": 0.75,
        "features": {"margin": 0.125},
    }
    with clean_db.tenant(tenant) as conn:
        conversation = repository.create_conversation(conn, tenant, "s")["id"]
    for values in (
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!", "intent": "greeting"},
        {"role": "user", "content": "Backups?"},
        {"role": "assistant", "content": "Nightly.", "confidence": 0.7, "confidence_parts": parts},
    ):
        # One transaction each: messages are ordered by their transaction's time.
        with clean_db.tenant(tenant) as conn:
            repository.insert_message(conn, tenant, conversation, values)
    messages = admin.get(f"/api/admin/conversations/{conversation}").json()["messages"]
    assert [(m["intent"], m["confidence_parts"], m["feedback"]) for m in messages] == [
        (None, None, None),
        ("greeting", None, None),
        (None, None, None),
        (None, parts, None),
    ]
