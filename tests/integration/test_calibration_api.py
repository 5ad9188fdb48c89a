"""GET /api/admin/tenants/{id}/calibration from a tenant's own thumbs and operator outcomes."""

from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.integration.conftest import write_conversation
from tinyeclipse.db import Database


def _tenant(db: Database, whmcs: int) -> UUID:
    with db.operator() as conn:
        return conn.execute(
            """INSERT INTO tenants (whmcs_client_id, name, settings)
               VALUES (%s, %s, '{"escalate_threshold": 0.6, "refuse_threshold": 0.3}') RETURNING id""",
            [whmcs, f"T{whmcs}"],
        ).fetchone()["id"]


USER, OPERATOR = {"role": "user"}, {"role": "operator"}


def answer(confidence: float, **values: Any) -> dict[str, Any]:
    return {"role": "assistant", "confidence": confidence, **values}


def test_the_report_judges_the_tenants_own_answers(admin: TestClient, clean_db: Database) -> None:
    tenant, other = _tenant(clean_db, 1), _tenant(clean_db, 2)
    write_conversation(clean_db, tenant, USER, answer(0.92), closed=True)  # right: closed quietly
    write_conversation(clean_db, tenant, USER, answer(0.81, feedback="down"))  # wrong
    write_conversation(clean_db, tenant, USER, answer(0.45, escalated=True), OPERATOR)  # wrong: a human stepped in
    write_conversation(clean_db, tenant, USER, answer(0.55, escalated=True))  # not judged yet
    write_conversation(clean_db, tenant, USER, {"role": "assistant", "intent": "greeting", "feedback": "down"})
    write_conversation(clean_db, other, USER, answer(0.95, feedback="down"))

    response = admin.get(f"/api/admin/tenants/{tenant}/calibration")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["tenant_id"] == str(tenant)
    assert (report["escalate_threshold"], report["refuse_threshold"]) == (0.6, 0.3)
    assert (report["judged"], report["min_judged"], report["suggested_escalate_threshold"]) == (2 + 1, 50, None)
    assert report["above_threshold"] == {"answers": 2, "judged": 2, "wrong": 1, "wrong_rate": 0.5}
    buckets = {b["low"]: (b["answers"], b["judged"], b["wrong"]) for b in report["buckets"] if b["answers"]}
    assert buckets == {0.4: (1, 1, 1), 0.5: (1, 0, 0), 0.8: (1, 1, 1), 0.9: (1, 1, 0)}
    assert len(report["buckets"]) == 10 and report["explanation"]

    # Enough thumbs up at 0.7 for a suggestion: 3 wrong of 53 judged (6%) from the lowest judged score up.
    for _ in range(50):
        write_conversation(clean_db, tenant, USER, answer(0.7, feedback="up"))
    report = admin.get(f"/api/admin/tenants/{tenant}/calibration").json()
    assert report["judged"] == 53
    assert report["suggested_escalate_threshold"] == pytest.approx(0.45)
    assert report["escalate_threshold"] == 0.6  # nothing changes by itself

    assert_problem(admin.get(f"/api/admin/tenants/{uuid4()}/calibration"), 404, "tenant_not_found")
