"""The hand-off: who answers a conversation (bot, waiting, human), the bot's silence while a person is asked for or
answers, "Talk to a person", the visitor's email, office hours, the team's notifications and the operator's
actions, on real Postgres and the real model."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.conftest import ADMIN_KEY, assert_problem, client_for
from tests.integration.conftest import HOSTING, ask, give_consent, make_tenant
from tinyeclipse.chat.handoff import status
from tinyeclipse.config import Settings
from tinyeclipse.conversations.office_hours import is_open
from tinyeclipse.conversations.states import Actor, State, may_move
from tinyeclipse.db import Database
from tinyeclipse.tenants.settings import OfficeHours, TenantSettings

HOOK = "https://hooks.example.com/tinyeclipse"
OUTSIDE = "What is the capital of Mongolia?"
BACKUPS = "How long do you keep backups?"


@pytest.fixture
def notifying(settings: Settings) -> Settings:
    """Settings under which a tenant's webhook gets queued deliveries (nothing is sent in these tests)."""
    return settings.model_copy(update={"llm_provider": "extractive", "app_secret_key": SecretStr("k" * 40)})


@pytest.fixture
def chat(chat_app: tuple, notifying: Settings) -> TestClient:
    _, open_client = chat_app
    return open_client(notifying)


@pytest.fixture
def admin(notifying: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.admin.app import app

    with client_for(app, notifying, clean_db) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        yield client
    app.dependency_overrides.clear()


def _tenant(db: Database, settings: Settings, whmcs: int = 9001, overrides: str = "{}") -> UUID:
    tenant = make_tenant(db, settings, whmcs, HOSTING, overrides)
    give_consent(db, tenant, "visitor-1")
    return tenant


@pytest.fixture
def tenant(clean_db: Database, notifying: Settings) -> UUID:
    overrides = {"webhook_url": HOOK, "expected_reply": "within a day", "escalation_hands_over": True}
    return _tenant(clean_db, notifying, overrides=json.dumps(overrides))


def _rows(db: Database, sql: str, *params: object) -> list[dict]:
    with db.operator() as conn:
        return conn.execute(sql, list(params)).fetchall()


def _transitions(db: Database, conversation: str) -> list[tuple[str, str, str, str]]:
    rows = _rows(
        db,
        "SELECT from_state, to_state, actor, reason FROM conversation_transitions"
        " WHERE conversation_id = %s ORDER BY created_at, id",
        conversation,
    )
    return [(r["from_state"], r["to_state"], r["actor"], r["reason"]) for r in rows]


def _events(db: Database) -> list[str]:
    return [r["event"] for r in _rows(db, "SELECT event FROM notification_deliveries ORDER BY id")]


def _handoff(chat: TestClient, tenant: UUID, conversation: str, session: str = "visitor-1"):
    return chat.post(
        f"/api/chat/conversations/{conversation}/handoff", json={"tenant_id": str(tenant), "session_id": session}
    )


def test_asking_for_a_person_moves_to_waiting_and_the_bot_goes_silent(
    chat: TestClient, tenant: UUID, clean_db: Database
) -> None:
    asked = ask(chat, tenant, "Can I talk to a real person please?").json()
    assert (asked["intent"], asked["handled_by"], asked["escalated"]) == ("handoff", "waiting", True)
    conversation = asked["conversation_id"]
    assert _transitions(clean_db, conversation) == [("bot", "waiting", "visitor", "handoff_intent")]

    held = ask(chat, tenant, BACKUPS, conversation_id=conversation)
    assert held.status_code == 200, held.text
    body = held.json()
    stored = _rows(
        clean_db, "SELECT id, role FROM messages WHERE conversation_id = %s ORDER BY created_at", conversation
    )
    assert [m["role"] for m in stored] == ["user", "assistant", "user"]
    assert body == {
        "conversation_id": conversation,
        "message_id": str(stored[-1]["id"]),
        "answer": "",
        "confidence": None,
        "escalated": False,
        "refused": False,
        "sources": [],
        "intent": None,
        "handled_by": "waiting",
    }
    assert _events(clean_db) == ["handoff.requested", "visitor.replied"]
    polled = chat.get(
        f"/api/chat/conversations/{conversation}/messages",
        params={"tenant_id": str(tenant), "session_id": "visitor-1"},
    ).json()
    assert polled["handled_by"] == "waiting"


def test_an_escalated_answer_hands_over_unless_the_tenant_says_not_to(
    chat: TestClient, tenant: UUID, clean_db: Database, notifying: Settings
) -> None:
    escalated = ask(chat, tenant, OUTSIDE).json()
    assert escalated["escalated"] and escalated["handled_by"] == "waiting"
    assert _transitions(clean_db, escalated["conversation_id"]) == [("bot", "waiting", "bot", "escalated_answer")]
    assert _events(clean_db) == ["conversation.escalated"]
    waiting_since = _rows(clean_db, "SELECT waiting_since FROM conversations")[0]["waiting_since"]
    assert waiting_since is not None

    # The default: escalations are flagged, the bot keeps answering.
    keeps_answering = _tenant(clean_db, notifying, 9002, f'{{"webhook_url": "{HOOK}"}}')
    first = ask(chat, keeps_answering, OUTSIDE).json()
    assert first["escalated"] and first["handled_by"] == "bot"
    again = ask(chat, keeps_answering, OUTSIDE, conversation_id=first["conversation_id"]).json()
    assert again["answer"] and again["handled_by"] == "bot"
    answered = ask(chat, keeps_answering, BACKUPS, conversation_id=first["conversation_id"]).json()
    assert "30 days" in answered["answer"]
    assert _transitions(clean_db, first["conversation_id"]) == []
    # The team hears of a conversation's first escalation, not of every answer after it.
    assert _events(clean_db) == ["conversation.escalated", "conversation.escalated"]


def test_the_talk_to_a_person_button_is_idempotent_and_says_when_to_expect_a_reply(
    chat: TestClient, tenant: UUID, clean_db: Database
) -> None:
    conversation = ask(chat, tenant, BACKUPS).json()["conversation_id"]
    first = _handoff(chat, tenant, conversation)
    assert first.status_code == 200, first.text
    # Always open (no office hours) and only just waiting: no need to ask for an email yet.
    assert first.json() == {
        "handled_by": "waiting",
        "office_open": True,
        "ask_email": False,
        "expected_reply": "within a day",
    }
    assert _handoff(chat, tenant, conversation).json()["handled_by"] == "waiting"
    assert _transitions(clean_db, conversation) == [("bot", "waiting", "visitor", "handoff_button")]
    assert _events(clean_db) == ["handoff.requested"]
    delivery = _rows(clean_db, "SELECT target, payload FROM notification_deliveries")[0]
    assert delivery["target"] == HOOK and delivery["payload"]["data"]["message"] == BACKUPS

    assert_problem(_handoff(chat, tenant, conversation, session="someone-else"), 404, "conversation_not_found")
    assert_problem(_handoff(chat, tenant, str(uuid4())), 404, "conversation_not_found")


def test_outside_office_hours_the_widget_asks_for_an_email_which_is_validated_and_stored(
    chat: TestClient, clean_db: Database, notifying: Settings, admin: TestClient
) -> None:
    # No day listed: never open.
    closed = _tenant(clean_db, notifying, 9003, '{"office_hours": {"timezone": "Europe/Amsterdam", "days": {}}}')
    config = chat.get("/api/chat/config", params={"tenant_id": str(closed)}).json()
    assert (config["office_hours_open"], config["expected_reply"]) == (False, None)
    conversation = ask(chat, closed, BACKUPS).json()["conversation_id"]
    handoff = _handoff(chat, closed, conversation).json()
    assert handoff == {
        "handled_by": "waiting",
        "office_open": False,
        "ask_email": True,
        "expected_reply": "as soon as possible",
    }

    url = f"/api/chat/conversations/{conversation}/contact"
    body = {"tenant_id": str(closed), "session_id": "visitor-1"}
    for bad in ("not-an-email", "a@b", "two@@example.com", "spaces in@example.com", "x" * 250 + "@example.com"):
        assert_problem(chat.post(url, json={**body, "email": bad}), 422, "invalid_request")
    assert_problem(chat.post(url, json={**body, "email": "sam@example.com", "extra": 1}), 422, "invalid_request")
    assert_problem(
        chat.post(url, json={**body, "session_id": "someone-else", "email": "sam@example.com"}),
        404,
        "conversation_not_found",
    )
    saved = chat.post(url, json={**body, "email": " sam@example.com "})
    assert saved.status_code == 204 and saved.content == b""
    assert admin.get(f"/api/admin/conversations/{conversation}").json()["visitor_email"] == "sam@example.com"
    assert _handoff(chat, closed, conversation).json()["ask_email"] is False


def test_office_hours_in_the_tenants_time_zone() -> None:
    hours = OfficeHours(timezone="Europe/Amsterdam", days={"mon": [("09:00", "12:00"), ("13:00", "17:30")]})
    monday = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday; Amsterdam is UTC+1 in winter
    assert is_open(hours, monday + timedelta(hours=8))  # 09:00 local
    assert not is_open(hours, monday + timedelta(hours=7, minutes=59))
    assert not is_open(hours, monday + timedelta(hours=11, minutes=30))  # lunch
    assert is_open(hours, monday + timedelta(hours=16, minutes=29))
    assert not is_open(hours, monday + timedelta(hours=16, minutes=30))  # 17:30 local: closed
    assert not is_open(hours, monday + timedelta(days=1, hours=8))  # Tuesday is not listed
    summer_monday = datetime(2026, 6, 29, 7, 0, tzinfo=UTC)  # 09:00 in Amsterdam (UTC+2)
    assert is_open(hours, summer_monday)
    assert is_open(None, monday)
    late = OfficeHours(timezone="UTC", days={"sun": [("22:00", "24:00")]})
    assert is_open(late, datetime(2026, 11, 29, 23, 59, tzinfo=UTC))


def test_the_email_is_asked_for_once_nobody_takes_the_conversation_in_time() -> None:
    settings = TenantSettings(ask_email_after_minutes=5)
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert not status(settings, State.waiting, now - timedelta(minutes=4), None, now).ask_email
    assert status(settings, State.waiting, now - timedelta(minutes=5), None, now).ask_email
    assert not status(settings, State.waiting, now - timedelta(minutes=9), "sam@example.com", now).ask_email
    closed = TenantSettings(office_hours={"timezone": "UTC", "days": {}})
    assert status(closed, State.waiting, now, None, now).ask_email
    assert not status(closed, State.human, None, None, now).ask_email


def test_who_may_move_a_conversation() -> None:
    assert may_move(State.bot, State.waiting, Actor.visitor) and may_move(State.bot, State.waiting, Actor.bot)
    assert may_move(State.waiting, State.human, Actor.operator) and may_move(State.bot, State.human, Actor.operator)
    assert may_move(State.human, State.bot, Actor.operator) and may_move(State.waiting, State.bot, Actor.operator)
    assert not may_move(State.human, State.waiting, Actor.visitor)
    assert not may_move(State.waiting, State.bot, Actor.visitor)
    assert not may_move(State.bot, State.human, Actor.visitor)
    assert not may_move(State.waiting, State.human, Actor.bot)


def test_the_operator_takes_replies_hands_back_and_closes(
    chat: TestClient, admin: TestClient, tenant: UUID, clean_db: Database
) -> None:
    conversation = ask(chat, tenant, OUTSIDE).json()["conversation_id"]
    base = f"/api/admin/conversations/{conversation}"
    taken = admin.post(f"{base}/take")
    assert taken.status_code == 200, taken.text
    assert (taken.json()["handled_by"], taken.json()["waiting_since"]) == ("human", None)
    # The visitor cannot take it back from the person answering.
    assert _handoff(chat, tenant, conversation).json()["handled_by"] == "human"
    assert ask(chat, tenant, BACKUPS, conversation_id=conversation).json()["handled_by"] == "human"

    back = admin.post(f"{base}/hand-back").json()
    assert back["handled_by"] == "bot"
    answered = ask(chat, tenant, BACKUPS, conversation_id=conversation).json()
    assert "30 days" in answered["answer"] and answered["handled_by"] == "bot"

    assert admin.post(f"{base}/messages", json={"content": "Hi, Sam here."}).status_code == 201
    detail = admin.get(base).json()
    assert detail["handled_by"] == "human"
    assert ask(chat, tenant, "Thanks Sam, yes please", conversation_id=conversation).json()["answer"] == ""

    closed = admin.patch(base, json={"status": "closed"}).json()
    assert (closed["status"], closed["handled_by"]) == ("closed", "bot")
    transitions = admin.get(base).json()["transitions"]
    assert [(t["from_state"], t["to_state"], t["actor"], t["reason"]) for t in transitions] == [
        ("bot", "waiting", "bot", "escalated_answer"),
        ("waiting", "human", "operator", "operator_take"),
        ("human", "bot", "operator", "operator_hand_back"),
        ("bot", "human", "operator", "operator_reply"),
        ("human", "bot", "operator", "closed"),
    ]
    assert all(t["created_at"] for t in transitions)
    # Taking what is taken and handing back what the bot has are no moves.
    assert admin.post(f"{base}/hand-back").json()["handled_by"] == "bot"
    assert len(admin.get(base).json()["transitions"]) == 5
    assert_problem(admin.post(f"/api/admin/conversations/{uuid4()}/take"), 404, "conversation_not_found")
    assert_problem(admin.post(f"/api/admin/conversations/{uuid4()}/hand-back"), 404, "conversation_not_found")


def test_an_operator_reply_to_a_waiting_visitor_with_an_email_is_queued_for_them(
    chat: TestClient, clean_db: Database, notifying: Settings
) -> None:
    from functions.admin.app import app

    tenant = _tenant(clean_db, notifying)
    mailing = notifying.model_copy(update={"smtp_host": "127.0.0.1", "smtp_from": "support@example.com"})
    conversation = ask(chat, tenant, "I want to speak to a human").json()["conversation_id"]
    contact = {"tenant_id": str(tenant), "session_id": "visitor-1", "email": "sam@example.com"}
    assert chat.post(f"/api/chat/conversations/{conversation}/contact", json=contact).status_code == 204
    with client_for(app, mailing, clean_db) as admin:
        admin.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        reply = admin.post(f"/api/admin/conversations/{conversation}/messages", json={"content": "Hi, Sam here."})
    app.dependency_overrides.clear()
    assert reply.status_code == 201, reply.text
    emails = _rows(clean_db, "SELECT event, target FROM notification_deliveries WHERE channel = 'email'")
    assert [(e["event"], e["target"]) for e in emails] == [("operator.replied", "sam@example.com")]
    assert _transitions(clean_db, conversation)[-1] == ("waiting", "human", "operator", "operator_reply")


def test_the_page_url_is_kept_from_the_first_message_that_tells_it(
    chat: TestClient, tenant: UUID, admin: TestClient
) -> None:
    first = ask(chat, tenant, "Hello").json()
    conversation = first["conversation_id"]
    ask(chat, tenant, BACKUPS, conversation_id=conversation, page_url="https://shop.example.com/pricing?a=1")
    ask(chat, tenant, BACKUPS, conversation_id=conversation, page_url="https://shop.example.com/other")
    assert admin.get(f"/api/admin/conversations/{conversation}").json()["page_url"] == (
        "https://shop.example.com/pricing?a=1"
    )
    for bad in ("javascript:alert(1)", "shop.example.com", "https://x.example/" + "a" * 2000):
        assert_problem(ask(chat, tenant, "Hello", page_url=bad), 422, "invalid_request")


def test_the_inbox_puts_waiting_first_filters_by_state_and_searches_messages(
    chat: TestClient, admin: TestClient, tenant: UUID, clean_db: Database
) -> None:
    answered = ask(chat, tenant, BACKUPS, page_url="https://shop.example.com/a").json()["conversation_id"]
    waiting_long = ask(chat, tenant, "I want to talk to a human").json()["conversation_id"]
    owned = ask(chat, tenant, OUTSIDE).json()["conversation_id"]
    admin.post(f"/api/admin/conversations/{owned}/take")
    waiting_short = ask(chat, tenant, "Can I speak to someone from customer service?").json()["conversation_id"]
    with clean_db.operator() as conn:
        conn.execute("UPDATE conversations SET waiting_since = now() - interval '1 hour' WHERE id = %s", [waiting_long])
    # The answered conversation is the latest active one; waiting ones still come first.
    ask(chat, tenant, "How long does a .com domain transfer take?", conversation_id=answered)

    def listed(**params: object) -> list[dict]:
        response = admin.get("/api/admin/conversations", params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    everything = listed()
    assert [c["id"] for c in everything] == [waiting_long, waiting_short, answered, owned]
    first = everything[0]
    assert first["handled_by"] == "waiting" and first["waiting_since"] is not None
    assert (
        first["last_visitor_message"] == "I want to talk to a human"
        and first["last_message"] != "I want to talk to a human"
    )
    by_id = {c["id"]: c for c in everything}
    assert by_id[answered]["page_url"] == "https://shop.example.com/a" and by_id[answered]["waiting_since"] is None
    assert by_id[answered]["last_visitor_message"] == "How long does a .com domain transfer take?"
    assert by_id[owned]["handled_by"] == "human" and by_id[owned]["visitor_email"] is None

    assert [c["id"] for c in listed(state="waiting")] == [waiting_long, waiting_short]
    assert [c["id"] for c in listed(state="human")] == [owned]
    assert [c["id"] for c in listed(state="bot")] == [answered]
    # Full text over every message, the bot's answers included.
    assert [c["id"] for c in listed(q="transfer domain")] == [answered]
    assert [c["id"] for c in listed(q="mongolia")] == [owned]
    assert {c["id"] for c in listed(q="human OR someone")} == {waiting_long, waiting_short}
    assert listed(q='"talk to a human" -someone', state="bot") == []
    assert listed(q="zebra") == []
    page = admin.get("/api/admin/conversations", params={"state": "waiting", "limit": 1}).json()
    assert page["total"] == 2 and [c["id"] for c in page["items"]] == [waiting_long]
    assert_problem(admin.get("/api/admin/conversations", params={"state": "lost"}), 422, "invalid_request")
    assert_problem(admin.get("/api/admin/conversations", params={"q": ""}), 422, "invalid_request")


@pytest.mark.parametrize(
    ("settings_patch", "field"),
    [
        ({"office_hours": {"timezone": "Mars/Olympus", "days": {}}}, "office_hours.timezone"),
        ({"office_hours": {"timezone": "UTC", "days": {"mon": [["17:00", "09:00"]]}}}, "office_hours.days"),
        ({"office_hours": {"timezone": "UTC", "days": {"monday": [["09:00", "17:00"]]}}}, "office_hours.days"),
        ({"office_hours": {"timezone": "UTC", "days": {"mon": [["9:00", "17:00"]]}}}, "office_hours.days"),
        ({"expected_reply": "x" * 201}, "expected_reply"),
        ({"ask_email_after_minutes": -1}, "ask_email_after_minutes"),
        ({"notify_email": "team"}, "notify_email"),
        ({"webhook_url": "http://hooks.example.com/x"}, "webhook_url"),
        ({"webhook_url": "ftp://hooks.example.com/x"}, "webhook_url"),
    ],
)
def test_hand_off_settings_are_validated(admin: TestClient, tenant: UUID, settings_patch: dict, field: str) -> None:
    response = admin.patch(f"/api/admin/tenants/{tenant}", json={"settings": settings_patch})
    assert f"settings.{field}" in assert_problem(response, 422, "invalid_request")


def test_hand_off_settings_are_stored(admin: TestClient, tenant: UUID) -> None:
    patch = {
        "office_hours": {"timezone": "Europe/Amsterdam", "days": {"mon": [["09:00", "17:00"]], "sat": []}},
        "expected_reply": "within one working day",
        "ask_email_after_minutes": 10,
        "escalation_hands_over": False,
        "notify_email": "team@example.com",
        "webhook_url": "https://hooks.example.com/new",
    }
    response = admin.patch(f"/api/admin/tenants/{tenant}", json={"settings": patch})
    assert response.status_code == 200, response.text
    effective = response.json()["effective_settings"]
    assert {key: effective[key] for key in patch} == patch


def test_a_refusal_that_hands_over_says_the_team_will_answer_here(chat: TestClient, tenant: UUID) -> None:
    refused = ask(chat, tenant, "Tell me about the rings of Saturn and their composition").json()
    assert refused["refused"] and refused["handled_by"] == "waiting"
    assert "passed your question on to our team" in refused["answer"]
    assert "Please ask to speak" not in refused["answer"]
