"""Retention: the scheduler deletes what is older than each tenant's retention, in batches, idempotently, records
how many rows it removed, and leaves the usage counts as they were. Time is passed in, not slept."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.integration.privacy_rows import add_session, add_tenant, session_counts
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import scheduler
from tinyeclipse.privacy import retention

NOW = datetime.now(UTC)
POLICY = '{"retention_days": 30, "consent_retention_days": 60}'


def _consent_only(db: Database, tenant: UUID, session: str, at: datetime) -> None:
    with db.tenant(tenant) as conn:
        conn.execute(
            """INSERT INTO consents (tenant_id, session_id, accepted, terms_version, created_at)
               VALUES (%s, %s, true, '1', %s)""",
            [tenant, session, at],
        )


def _consents(db: Database, tenant: UUID) -> set[str]:
    with db.tenant(tenant) as conn:
        return {row["session_id"] for row in conn.execute("SELECT session_id FROM consents")}


def _usage(admin: TestClient, tenant: UUID) -> dict:
    query = {"tenant_id": str(tenant), "from": str((NOW - timedelta(days=100)).date()), "to": str(NOW.date())}
    response = admin.get("/api/admin/usage", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_rows_older_than_the_retention_are_deleted_and_the_rest_kept(
    admin: TestClient, clean_db: Database, settings: Settings
) -> None:
    tenant = add_tenant(clean_db, 801, settings=POLICY)
    old = add_session(clean_db, tenant, "old", NOW - timedelta(days=40))
    new = add_session(clean_db, tenant, "new", NOW - timedelta(days=1))
    _consent_only(clean_db, tenant, "ancient", NOW - timedelta(days=90))  # never chatted
    _consent_only(clean_db, tenant, "loyal", NOW - timedelta(days=90))
    add_session(clean_db, tenant, "loyal", NOW - timedelta(days=2))  # consented long ago, chats today
    usage_before = _usage(admin, tenant)

    [run] = retention.apply_retention(clean_db, settings, now=NOW)

    assert run.tenant_id == tenant
    assert run.deleted == {
        "messages": 3,
        "usage_logs": 1,
        "notification_deliveries": 1,
        "conversations": 1,
        "conversation_transitions": 1,
        "consents": 1,
    }
    gone = session_counts(clean_db, old)
    # The old session's consent is 40 days old: proof is kept 60 days. Its counters are the limiter's to purge.
    assert gone.pop("consents") == 1 and gone.pop("rate_limit_counters") == 2
    assert set(gone.values()) == {0}, gone
    assert all(count >= 1 for count in session_counts(clean_db, new).values())
    assert _consents(clean_db, tenant) == {"old", "new", "loyal"}
    # Billing's numbers are the same: the deleted messages' counts are kept per day.
    assert _usage(admin, tenant) == usage_before
    assert usage_before["totals"]["messages"] == 3 and usage_before["totals"]["tokens_in"] == 300

    # Recorded, with counts.
    with clean_db.operator() as conn:
        [entry] = conn.execute("SELECT actor, tenant_id, details FROM audit_log WHERE action = 'retention.purge'")
    assert entry["actor"] == "system:retention" and entry["tenant_id"] == tenant
    assert entry["details"]["messages"] == 3 and entry["details"]["consents"] == 1

    # Idempotent: nothing more to do, nothing more recorded.
    assert retention.apply_retention(clean_db, settings, now=NOW) == []
    # Later the consent of the old session goes too: its conversation is gone.
    [later] = retention.apply_retention(clean_db, settings, now=NOW + timedelta(days=25))
    assert later.deleted["consents"] == 1 and _consents(clean_db, tenant) == {"new", "loyal"}


def test_deletes_in_batches(clean_db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)
    tenant = add_tenant(clean_db, 802, settings=POLICY)
    sessions = [add_session(clean_db, tenant, f"s{number}", NOW - timedelta(days=45)) for number in range(3)]

    [run] = retention.apply_retention(clean_db, settings, now=NOW)

    assert run.deleted["messages"] == 9 and run.deleted["conversations"] == 3
    for rows in sessions:
        assert session_counts(clean_db, rows)["messages"] == 0


def test_zero_keeps_everything_and_the_plan_default_applies_otherwise(clean_db: Database, settings: Settings) -> None:
    keep = add_tenant(clean_db, 803, settings='{"retention_days": 0, "consent_retention_days": 0}')
    tiny = add_tenant(clean_db, 804, plan="tiny")  # the tiny plan keeps conversations 90 days
    kept = add_session(clean_db, keep, "a", NOW - timedelta(days=3000))
    recent = add_session(clean_db, tiny, "b", NOW - timedelta(days=80))
    expired = add_session(clean_db, tiny, "c", NOW - timedelta(days=100))

    runs = retention.apply_retention(clean_db, settings, now=NOW)

    assert [run.tenant_id for run in runs] == [tiny]
    assert all(count >= 1 for count in session_counts(clean_db, kept).values())
    assert session_counts(clean_db, recent)["messages"] == 3
    assert session_counts(clean_db, expired)["messages"] == 0


def test_the_operator_sets_the_default_for_every_plan(clean_db: Database, settings: Settings) -> None:
    tenant = add_tenant(clean_db, 805, plan="pro_plus")  # 730 days by default
    rows = add_session(clean_db, tenant, "a", NOW - timedelta(days=10))
    operator = settings.model_copy(update={"retention_days": 7})
    retention.apply_retention(clean_db, operator, now=NOW)
    assert session_counts(clean_db, rows)["messages"] == 0


def test_the_scheduled_run_applies_retention(clean_db: Database, settings: Settings) -> None:
    tenant = add_tenant(clean_db, 806, settings=POLICY)
    rows = add_session(clean_db, tenant, "a", datetime.now(UTC) - timedelta(days=31))
    scheduler.run_once(clean_db, settings)
    assert session_counts(clean_db, rows)["conversations"] == 0
