"""The visitor's thumbs on a bot answer: POST /api/chat/messages/{id}/feedback, seen by the operator."""

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem, client_for
from tinyeclipse.config import Settings
from tinyeclipse.conversations import repository
from tinyeclipse.db import Database


def _tenant(db: Database, whmcs: int) -> UUID:
    with db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name) VALUES (%s, %s) RETURNING id", [whmcs, f"T{whmcs}"]
        ).fetchone()["id"]


def _exchange(db: Database, tenant: UUID, session: str) -> dict[str, UUID]:
    """A conversation with a visitor's question and the bot's answer, written the way the chat writes them."""
    with db.tenant(tenant) as conn:
        conversation = repository.create_conversation(conn, tenant, session)["id"]
        question = repository.insert_message(conn, tenant, conversation, {"role": "user", "content": "Backups?"})
    # Its own transaction, so the answer is written after the question.
    with db.tenant(tenant) as conn:
        answer = repository.insert_message(
            conn, tenant, conversation, {"role": "assistant", "content": "Every night.", "confidence": 0.9}
        )
    return {"conversation": conversation, "question": question["id"], "answer": answer["id"]}


@pytest.fixture
def chat(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.chat.app import app

    # No `with`: the feedback route needs no model, so the app's warm-up is skipped.
    yield client_for(app, settings, clean_db)
    app.dependency_overrides.clear()


@pytest.fixture
def world(clean_db: Database) -> dict:
    a, b = _tenant(clean_db, 1), _tenant(clean_db, 2)
    return {
        "a": a,
        "b": b,
        "mine": _exchange(clean_db, a, "visitor-1"),
        "theirs": _exchange(clean_db, a, "visitor-2"),
        "b_answer": _exchange(clean_db, b, "visitor-1"),
    }


def vote(client: TestClient, message: object, tenant: UUID, value: object, session: str = "visitor-1", **kw):
    body = {"tenant_id": str(tenant), "session_id": session, "value": value}
    return client.post(f"/api/chat/messages/{message}/feedback", json=body, **kw)


def _stored(db: Database, message: UUID) -> dict:
    with db.operator() as conn:
        return conn.execute("SELECT feedback, feedback_at FROM messages WHERE id = %s", [message]).fetchone()


def _admin_feedback(admin: TestClient, conversation: UUID) -> list:
    messages = admin.get(f"/api/admin/conversations/{conversation}").json()["messages"]
    return [(m["role"], m["feedback"]) for m in messages]


def test_a_vote_is_stored_changeable_and_shown_to_the_operator(
    chat: TestClient, admin: TestClient, world: dict, clean_db: Database
) -> None:
    answer, conversation = world["mine"]["answer"], world["mine"]["conversation"]
    response = vote(chat, answer, world["a"], "up")
    assert response.status_code == 200, response.text
    assert response.json() == {"message_id": str(answer), "feedback": "up"}
    assert _admin_feedback(admin, conversation) == [("user", None), ("assistant", "up")]
    first_at = _stored(clean_db, answer)["feedback_at"]

    assert vote(chat, answer, world["a"], "down").json() == {"message_id": str(answer), "feedback": "down"}
    assert _admin_feedback(admin, conversation) == [("user", None), ("assistant", "down")]
    changed = _stored(clean_db, answer)
    assert changed["feedback"] == "down" and changed["feedback_at"] > first_at

    assert vote(chat, answer, world["a"], None).json() == {"message_id": str(answer), "feedback": None}
    assert _admin_feedback(admin, conversation) == [("user", None), ("assistant", None)]
    assert _stored(clean_db, answer)["feedback_at"] > changed["feedback_at"]


def test_only_a_bot_answer_of_the_visitors_own_session_and_tenant_takes_a_vote(
    chat: TestClient, world: dict, clean_db: Database
) -> None:
    a, mine = world["a"], world["mine"]
    assert_problem(vote(chat, world["theirs"]["answer"], a, "down"), 404, "message_not_found")
    assert_problem(vote(chat, mine["answer"], a, "down", session="visitor-2"), 404, "message_not_found")
    # Tenant B's answer asked through tenant A, and tenant A's answer asked through tenant B.
    assert_problem(vote(chat, world["b_answer"]["answer"], a, "down"), 404, "message_not_found")
    assert_problem(vote(chat, mine["answer"], world["b"], "down"), 404, "message_not_found")
    assert_problem(vote(chat, mine["question"], a, "up"), 404, "message_not_found")
    assert_problem(vote(chat, uuid4(), a, "up"), 404, "message_not_found")
    for exchange in ("mine", "theirs", "b_answer"):
        assert _stored(clean_db, world[exchange]["answer"]) == {"feedback": None, "feedback_at": None}
    assert _stored(clean_db, mine["question"])["feedback"] is None


@pytest.mark.parametrize(
    "value", ["meh", "UP", 1, True, ["up"]], ids=["word", "upper-case", "number", "boolean", "list"]
)
def test_a_bad_value_is_422(chat: TestClient, world: dict, clean_db: Database, value: object) -> None:
    assert_problem(vote(chat, world["mine"]["answer"], world["a"], value), 422, "invalid_request")
    assert _stored(clean_db, world["mine"]["answer"])["feedback"] is None


def test_a_bad_body_or_id_is_422(chat: TestClient, world: dict) -> None:
    answer, a = world["mine"]["answer"], str(world["a"])
    url = f"/api/chat/messages/{answer}/feedback"
    assert_problem(chat.post(url, json={"tenant_id": a, "session_id": "visitor-1"}), 422, "invalid_request")
    assert_problem(
        chat.post(url, json={"tenant_id": a, "session_id": "visitor-1", "value": "up", "stars": 5}),
        422,
        "invalid_request",
    )
    assert_problem(vote(chat, answer, world["a"], "up", session="not a session!"), 422, "invalid_request")
    assert_problem(vote(chat, "not-a-uuid", world["a"], "up"), 422, "invalid_request")


def test_the_tenant_checks_of_the_chat_apply(chat: TestClient, world: dict, clean_db: Database) -> None:
    answer, a = world["mine"]["answer"], world["a"]
    assert_problem(vote(chat, answer, uuid4(), "up"), 404, "tenant_not_found")
    with clean_db.operator() as conn:
        conn.execute("""UPDATE tenants SET settings = '{"allowed_domains": ["shop.example.com"]}' WHERE id = %s""", [a])
    assert_problem(vote(chat, answer, a, "up", headers={"Origin": "https://evil.example"}), 403, "origin_not_allowed")
    assert vote(chat, answer, a, "up", headers={"Origin": "https://shop.example.com"}).status_code == 200
    with clean_db.operator() as conn:
        conn.execute("UPDATE tenants SET status = 'suspended' WHERE id = %s", [a])
    assert_problem(vote(chat, answer, a, "down"), 403, "tenant_suspended")
    assert _stored(clean_db, answer)["feedback"] == "up"
