"""Content gaps (GET /api/admin/tenants/{id}/gaps): refused, escalated and thumbs-down answers grouped by meaning;
"Answer this" into the FAQ, dismissing; tenants apart."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.integration.conftest import HOSTING, ask, give_consent, make_tenant
from tinyeclipse.config import Settings
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.db import Database
from tinyeclipse.ingestion import worker

GIFT_CARDS = ["Do you sell gift cards?", "Can I buy a gift voucher for a friend?", "Are gift cards available?"]
OFFICE = ["Where is your office located?", "What is your street address?"]


def _exchange(db: Database, tenant: UUID, question: str, *, preview: bool = False, **answer: object) -> UUID:
    """A conversation with one question and the bot's answer (refused unless said otherwise); the answer's id."""
    values = {"refused": True, "content": "I'm sorry, I can't answer that.", **answer}
    with db.tenant(tenant) as conn:
        conversation = conversations.create_conversation(conn, tenant, "s")["id"]
        if preview:
            conn.execute("UPDATE conversations SET preview = true WHERE id = %s", [conversation])
        conversations.insert_message(conn, tenant, conversation, {"role": "user", "content": question})
        feedback = values.pop("feedback", None)
        message = conversations.insert_message(conn, tenant, conversation, {"role": "assistant", **values})
        if feedback:
            conversations.set_feedback(conn, message["id"], "s", feedback)
    return message["id"]


@pytest.fixture
def tenant(admin: TestClient) -> UUID:
    return UUID(admin.post("/api/admin/tenants", json={"name": "Acme", "whmcs_client_id": 9201}).json()["id"])


def _gaps(admin: TestClient, tenant: UUID, **params: object) -> dict:
    response = admin.get(f"/api/admin/tenants/{tenant}/gaps", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_paraphrases_make_one_group_and_other_topics_their_own(
    admin: TestClient, clean_db: Database, tenant: UUID
) -> None:
    ids = [_exchange(clean_db, tenant, question) for question in GIFT_CARDS]
    office = [_exchange(clean_db, tenant, OFFICE[0], escalated=True, refused=False, content="Maybe in Amsterdam.")]
    office.append(_exchange(clean_db, tenant, OFFICE[1], refused=False, feedback="down", content="On the web."))

    gaps = _gaps(admin, tenant)
    assert gaps["model"] == "all-MiniLM-L6-v2" and gaps["questions"] == 5
    largest, second = gaps["groups"]
    assert largest["count"] == 3 and set(largest["message_ids"]) == {str(i) for i in ids}
    assert largest["question"] in GIFT_CARDS and largest["refused"] == 3
    assert largest["answer"] == "I'm sorry, I can't answer that."
    # The latest examples first.
    assert [example["question"] for example in largest["examples"]] == GIFT_CARDS[::-1]
    assert second["count"] == 2 and {e["question"] for e in second["examples"]} == set(OFFICE)
    assert (second["escalated"], second["thumbs_down"], second["refused"]) == (1, 1, 0)
    assert {e["answer"] for e in second["examples"]} == {"Maybe in Amsterdam.", "On the web."}

    newest_first = _gaps(admin, tenant, sort="newest")["groups"]
    assert [group["count"] for group in newest_first] == [2, 3]


def test_good_answers_small_talk_and_previews_are_no_gaps(admin: TestClient, clean_db: Database, tenant: UUID) -> None:
    _exchange(clean_db, tenant, "How long do you keep backups?", refused=False, content="30 days.")
    _exchange(clean_db, tenant, "Thanks, that helped!", refused=False, content="You're welcome!", feedback="up")
    _exchange(clean_db, tenant, "I want to talk to a person", refused=False, escalated=True, intent="handoff")
    _exchange(clean_db, tenant, "Do you sell gift cards?", preview=True)
    assert _gaps(admin, tenant) == {**_gaps(admin, tenant), "questions": 0, "groups": []}


def test_the_period_bounds_the_gaps(admin: TestClient, clean_db: Database, tenant: UUID) -> None:
    old = _exchange(clean_db, tenant, "Do you sell gift cards?")
    _exchange(clean_db, tenant, "Where is your office located?")
    long_ago = datetime.now(UTC) - timedelta(days=40)
    with clean_db.operator() as conn:
        conn.execute(
            """UPDATE messages SET created_at = %s + (created_at - now())
               WHERE conversation_id = (SELECT conversation_id FROM messages WHERE id = %s)""",
            [long_ago, old],
        )
    assert [g["question"] for g in _gaps(admin, tenant)["groups"]] == ["Where is your office located?"]
    day = long_ago.date().isoformat()
    assert [g["question"] for g in _gaps(admin, tenant, **{"from": day, "to": day})["groups"]] == [
        "Do you sell gift cards?"
    ]
    detail = assert_problem(
        admin.get(f"/api/admin/tenants/{tenant}/gaps", params={"from": "2026-02-01", "to": "2026-01-01"}),
        422,
        "invalid_request",
    )
    assert "from" in detail


def test_a_dismissed_group_leaves_and_new_questions_come_back(
    admin: TestClient, clean_db: Database, tenant: UUID
) -> None:
    for question in GIFT_CARDS:
        _exchange(clean_db, tenant, question)
    group = _gaps(admin, tenant)["groups"][0]
    response = admin.post(f"/api/admin/tenants/{tenant}/gaps/dismiss", json={"message_ids": group["message_ids"]})
    assert response.status_code == 200 and response.json() == {"closed": 3}
    assert _gaps(admin, tenant)["groups"] == []
    again = admin.post(f"/api/admin/tenants/{tenant}/gaps/dismiss", json={"message_ids": group["message_ids"]})
    assert again.json() == {"closed": 0}
    _exchange(clean_db, tenant, "Could I get a gift card?")
    assert [g["count"] for g in _gaps(admin, tenant)["groups"]] == [1]


def test_tenants_see_and_close_only_their_own_gaps(admin: TestClient, clean_db: Database, tenant: UUID) -> None:
    other = UUID(admin.post("/api/admin/tenants", json={"name": "Other", "whmcs_client_id": 9202}).json()["id"])
    theirs = _exchange(clean_db, other, "Do you sell gift cards?")
    _exchange(clean_db, tenant, "Where is your office located?")
    assert [g["message_ids"] for g in _gaps(admin, other)["groups"]] == [[str(theirs)]]
    assert [g["question"] for g in _gaps(admin, tenant)["groups"]] == ["Where is your office located?"]
    # The other tenant's answer is not this tenant's to close.
    closed = admin.post(f"/api/admin/tenants/{tenant}/gaps/dismiss", json={"message_ids": [str(theirs)]})
    assert closed.json() == {"closed": 0}
    assert _gaps(admin, other)["questions"] == 1
    faq = admin.post(
        f"/api/admin/tenants/{tenant}/gaps/answer",
        json={"question": "Gift cards?", "answer": "No.", "message_ids": [str(theirs)]},
    )
    assert faq.status_code == 201 and faq.json()["closed"] == 0
    # Nor may its FAQ source be written through this tenant.
    answered = admin.post(
        f"/api/admin/tenants/{other}/gaps/answer",
        json={"question": "Office?", "answer": "Amsterdam.", "source_id": faq.json()["source"]["id"]},
    )
    assert_problem(answered, 404, "source_not_found")


def test_unknown_tenant_and_bad_bodies_are_problems(admin: TestClient, clean_db: Database, tenant: UUID) -> None:
    assert_problem(admin.get(f"/api/admin/tenants/{uuid4()}/gaps"), 404, "tenant_not_found")
    assert_problem(
        admin.post(f"/api/admin/tenants/{tenant}/gaps/dismiss", json={"message_ids": []}), 422, "invalid_request"
    )
    assert_problem(
        admin.post(f"/api/admin/tenants/{tenant}/gaps/answer", json={"question": " ", "answer": "A"}),
        422,
        "invalid_request",
    )


def test_answer_this_adds_the_pair_to_the_faq_and_the_bot_then_answers(
    admin: TestClient, chat: TestClient, clean_db: Database, settings: Settings
) -> None:
    tenant = make_tenant(clean_db, settings, 8101, HOSTING)
    give_consent(clean_db, tenant, "visitor-1")
    question = "Do you sell gift cards?"
    refused = ask(chat, tenant, question).json()
    assert refused["refused"], refused
    group = _gaps(admin, tenant)["groups"][0]
    assert group["question"] == question

    body = {
        "question": group["question"],
        "answer": "Yes: gift cards for any amount from 10 euros are sold in our online shop.",
        "message_ids": group["message_ids"],
    }
    response = admin.post(f"/api/admin/tenants/{tenant}/gaps/answer", json=body)
    assert response.status_code == 201, response.text
    saved = response.json()
    assert saved["closed"] == 1 and saved["source"]["type"] == "faq" and saved["source"]["title"] == "FAQ"
    assert saved["source"]["content"] == [{"question": body["question"], "answer": body["answer"]}]
    assert _gaps(admin, tenant)["groups"] == []
    while worker.run_once(clean_db, settings, "test"):
        pass
    assert admin.get(f"/api/admin/sources/{saved['source']['id']}").json()["status"] == "indexed"

    answered = ask(chat, tenant, question).json()
    assert not answered["refused"] and "gift cards" in answered["answer"], answered
    assert answered["sources"][0]["source_id"] == saved["source"]["id"]

    # The next answer goes into the same FAQ; the same question again replaces its answer.
    more = {"question": "Is there a student discount?", "answer": "Students get 20% off."}
    again = admin.post(f"/api/admin/tenants/{tenant}/gaps/answer", json=more).json()
    assert again["source"]["id"] == saved["source"]["id"] and len(again["source"]["content"]) == 2
    replaced = {"question": "do you sell gift cards?", "answer": "Not any more."}
    final = admin.post(f"/api/admin/tenants/{tenant}/gaps/answer", json=replaced).json()["source"]["content"]
    assert final == [more, replaced]


def test_question_vectors_are_kept_for_the_next_read(admin: TestClient, clean_db: Database, tenant: UUID) -> None:
    for question in GIFT_CARDS:
        _exchange(clean_db, tenant, question)
    first = _gaps(admin, tenant)
    with clean_db.operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM question_embeddings").fetchone() == {"n": 3}
    assert _gaps(admin, tenant) == first
