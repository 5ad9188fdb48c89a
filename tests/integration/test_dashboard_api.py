"""The outcome dashboard (GET /api/admin/dashboard, /dashboard.csv): each number per day and week, per tenant and
overall, from the stored messages (docs/dashboard.md)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.db import Database

TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
EARLIER = TODAY - timedelta(days=2)


def _conversation(
    db: Database, tenant: UUID, at: datetime, *messages: dict, hand_off_reply_after: float | None = None, preview=False
) -> UUID:
    """A conversation started `at`, its messages a second apart; optionally handed off after them and answered by
    the team `hand_off_reply_after` seconds later."""
    with db.tenant(tenant) as conn:
        conversation = conversations.create_conversation(conn, tenant, "s")["id"]
        for message in messages:
            values = {key: value for key, value in message.items() if key != "feedback"}
            row = conversations.insert_message(conn, tenant, conversation, {"content": "…", **values})
            if "feedback" in message:
                conversations.set_feedback(conn, row["id"], "s", message["feedback"])
    with db.operator() as conn:
        # Everything moves to `at`, keeping its order: a second per message, the hand-off after them.
        conn.execute(
            "UPDATE conversations SET created_at = %s, preview = %s WHERE id = %s", [at, preview, conversation]
        )
        conn.execute(
            """UPDATE messages m SET created_at = %s + make_interval(secs => o.n)
               FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM messages
                     WHERE conversation_id = %s) o WHERE m.id = o.id""",
            [at, conversation],
        )
        handed = at + timedelta(seconds=len(messages) + 1)
        if hand_off_reply_after is not None:
            # The audit trail is append-only: the hand-off is written as of its time.
            conn.execute(
                """INSERT INTO conversation_transitions
                       (tenant_id, conversation_id, from_state, to_state, actor, reason, created_at)
                   VALUES (%s, %s, 'bot', 'waiting', 'bot', 'escalated_answer', %s)""",
                [tenant, conversation, handed],
            )
            conn.execute(
                """INSERT INTO messages (tenant_id, conversation_id, role, content, created_at)
                   VALUES (%s, %s, 'operator', 'Hello, this is Anna.', %s)""",
                [tenant, conversation, handed + timedelta(seconds=hand_off_reply_after)],
            )
    return conversation


def _question(text: str = "How long do you keep backups?") -> dict:
    return {"role": "user", "content": text}


def _answer(**values: object) -> dict:
    return {"role": "assistant", "content": "An answer.", "confidence": 0.8, **values}


@pytest.fixture
def tenants(admin: TestClient, clean_db: Database) -> tuple[UUID, UUID]:
    ours = UUID(admin.post("/api/admin/tenants", json={"name": "Ours", "whmcs_client_id": 9301}).json()["id"])
    theirs = UUID(admin.post("/api/admin/tenants", json={"name": "Theirs", "whmcs_client_id": 9302}).json()["id"])
    db = clean_db
    _conversation(db, ours, EARLIER, _question(), _answer(feedback="up"))  # resolved
    _conversation(db, ours, EARLIER, _question(), _answer(refused=True, confidence=0.1))  # refused
    _conversation(db, ours, TODAY, _question(), _answer(escalated=True), hand_off_reply_after=120)  # handed off
    _conversation(db, ours, TODAY, _question(), _answer(feedback="down"))  # answered, thumbs down
    _conversation(db, ours, TODAY, _question("Hi!"), _answer(intent="greeting", confidence=None))  # small talk
    _conversation(db, ours, TODAY, _question(), _answer(), preview=True)  # counts nowhere
    _conversation(db, theirs, TODAY, _question(), _answer())  # another tenant's, resolved
    return ours, theirs


def _dashboard(admin: TestClient, **params: object) -> dict:
    since = (EARLIER - timedelta(days=1)).date().isoformat()
    response = admin.get("/api/admin/dashboard", params={"from": since, "to": TODAY.date().isoformat(), **params})
    assert response.status_code == 200, response.text
    return response.json()


def _numbers(bucket: dict) -> dict:
    return {key: value for key, value in bucket.items() if key != "start"}


ZERO = {
    "conversations": 0,
    "visitor_messages": 0,
    "answered": 0,
    "resolved": 0,
    "handed_off": 0,
    "refused": 0,
    "thumbs_up": 0,
    "thumbs_down": 0,
    "first_response_median_seconds": None,
    "first_responses": 0,
}
EARLIER_DAY = {**ZERO, "conversations": 2, "visitor_messages": 2, "answered": 1, "resolved": 1, "refused": 1}
EARLIER_DAY["thumbs_up"] = 1
TODAY_OURS = {**ZERO, "conversations": 3, "visitor_messages": 3, "answered": 2, "handed_off": 1, "thumbs_down": 1}
TODAY_OURS.update(first_response_median_seconds=120.0, first_responses=1)


def test_each_number_per_day_for_one_tenant(admin: TestClient, tenants: tuple[UUID, UUID]) -> None:
    ours, _ = tenants
    report = _dashboard(admin, tenant_id=str(ours))
    assert [bucket["start"] for bucket in report["buckets"]] == [
        (EARLIER + timedelta(days=offset)).date().isoformat() for offset in (-1, 0, 1, 2)
    ]
    assert [_numbers(bucket) for bucket in report["buckets"]] == [ZERO, EARLIER_DAY, ZERO, TODAY_OURS]
    totals = {key: EARLIER_DAY[key] + TODAY_OURS[key] for key in ZERO if key != "first_response_median_seconds"}
    assert report["totals"] == {**totals, "first_response_median_seconds": 120.0}


def test_overall_adds_every_tenant_and_a_tenant_sees_only_its_own(
    admin: TestClient, tenants: tuple[UUID, UUID]
) -> None:
    ours, theirs = tenants
    overall = _dashboard(admin)["totals"]
    assert (overall["conversations"], overall["answered"], overall["resolved"]) == (6, 4, 2)
    theirs_only = _dashboard(admin, tenant_id=str(theirs))["totals"]
    assert (theirs_only["conversations"], theirs_only["resolved"], theirs_only["handed_off"]) == (1, 1, 0)
    assert _dashboard(admin, tenant_id=str(ours))["totals"]["conversations"] == 5


def test_per_week_the_days_add_up(admin: TestClient, tenants: tuple[UUID, UUID]) -> None:
    ours, _ = tenants
    report = _dashboard(admin, tenant_id=str(ours), interval="week")
    mondays = [date.fromisoformat(bucket["start"]) for bucket in report["buckets"]]
    assert all(monday.weekday() == 0 for monday in mondays)
    assert sum(bucket["conversations"] for bucket in report["buckets"]) == 5
    assert sum(bucket["handed_off"] for bucket in report["buckets"]) == 1


def test_the_csv_has_one_row_per_day(admin: TestClient, tenants: tuple[UUID, UUID]) -> None:
    ours, _ = tenants
    since = (EARLIER - timedelta(days=1)).date().isoformat()
    params = {"tenant_id": str(ours), "from": since, "to": TODAY.date().isoformat()}
    response = admin.get("/api/admin/dashboard.csv", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["start"] for row in rows] == [
        bucket["start"] for bucket in _dashboard(admin, tenant_id=str(ours))["buckets"]
    ]
    assert rows[-1]["handed_off"] == "1" and rows[-1]["first_response_median_seconds"] == "120.0"
    assert rows[0]["first_response_median_seconds"] == ""


def test_bad_queries_are_problems(admin: TestClient, clean_db: Database) -> None:
    assert_problem(admin.get("/api/admin/dashboard", params={"tenant_id": str(uuid4())}), 404, "tenant_not_found")
    assert_problem(admin.get("/api/admin/dashboard", params={"interval": "month"}), 422, "invalid_request")
    too_long = {"from": "2024-01-01", "to": "2026-01-01"}
    assert_problem(admin.get("/api/admin/dashboard", params=too_long), 422, "invalid_request")
