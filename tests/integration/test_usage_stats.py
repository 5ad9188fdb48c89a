"""GET /api/admin/usage's answer outcomes: answers, resolved without a human, escalated, refused, hand-off
requests and thumbs, on a made-up set of conversations."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from tests.integration.conftest import write_conversation
from tinyeclipse.db import Database


def _tenant(db: Database, whmcs: int) -> UUID:
    with db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name) VALUES (%s, %s) RETURNING id", [whmcs, f"T{whmcs}"]
        ).fetchone()["id"]


USER = {"role": "user"}
OPERATOR = {"role": "operator"}


def answer(**values: Any) -> dict[str, Any]:
    return {"role": "assistant", "confidence": 0.7, **values}


def small_talk(intent: str, **values: Any) -> dict[str, Any]:
    return {"role": "assistant", "intent": intent, **values}


def test_usage_counts_answers_by_their_outcome(admin: TestClient, clean_db: Database) -> None:
    a, b = _tenant(clean_db, 1), _tenant(clean_db, 2)
    write_conversation(clean_db, a, USER, answer())  # resolved
    write_conversation(clean_db, a, USER, answer(feedback="up"))  # resolved, thumbs up
    write_conversation(clean_db, a, USER, answer(feedback="down"))  # not resolved: thumbs down
    write_conversation(clean_db, a, USER, answer(escalated=True), OPERATOR)  # escalated, an operator took over
    write_conversation(clean_db, a, USER, answer(escalated=True, refused=True, confidence=0.1))  # refused
    write_conversation(clean_db, a, USER, answer(), OPERATOR)  # not escalated, but a human still stepped in
    # The operator spoke first; the bot's later answer was given without a human.
    write_conversation(clean_db, a, USER, OPERATOR, USER, answer())
    # Small talk is neither an answer nor a refusal; a request for a person is a hand-off, not an escalation.
    write_conversation(clean_db, a, USER, small_talk("greeting"), USER, small_talk("thanks", feedback="up"))
    write_conversation(clean_db, a, USER, small_talk("handoff", escalated=True))
    write_conversation(clean_db, b, USER, answer(feedback="down"))

    body = admin.get("/api/admin/usage").json()
    by_tenant = {day["tenant_id"]: day for day in body["days"]}
    counts = {key: value for key, value in by_tenant[str(a)].items() if not key.startswith("tokens_")}
    assert counts == {
        "tenant_id": str(a),
        "day": datetime.now(UTC).date().isoformat(),
        "messages": 11,
        "answers": 7,
        "resolved": 3,
        "escalations": 2,
        "refusals": 1,
        "handoff_requests": 1,
        "thumbs_up": 2,
        "thumbs_down": 1,
    }
    b_day = by_tenant[str(b)]
    assert (b_day["answers"], b_day["resolved"], b_day["thumbs_down"]) == (1, 0, 1)
    totals = body["totals"]
    assert (totals["answers"], totals["resolved"], totals["thumbs_up"], totals["thumbs_down"]) == (8, 3, 2, 2)
    assert (totals["escalations"], totals["refusals"], totals["handoff_requests"]) == (2, 1, 1)
