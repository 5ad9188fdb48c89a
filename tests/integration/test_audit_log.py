"""The audit log: every operator action (tenants, sources, replies, exports, erasures), with the name of the admin
key that did it; named keys (ADMIN_API_KEYS) beside the single ADMIN_API_KEY."""

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, assert_problem, client_for
from tests.integration.privacy_rows import add_session
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

ALICE = "alice-key-" + "a" * 20
BOB = "bob-key-" + "b" * 20


@pytest.fixture
def api(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.admin.app import app

    # Validated as from the environment: the pairs, spaces around them allowed.
    keys = Settings(_env_file=None, database_url="postgresql://x", admin_api_keys=f"alice={ALICE}, bob={BOB}")
    named = settings.model_copy(update={"admin_api_keys": keys.admin_api_keys})
    with client_for(app, named, clean_db) as client:
        yield client
    app.dependency_overrides.clear()


def _as(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _entries(api: TestClient, **filters: str) -> list[dict]:
    response = api.get("/api/admin/audit", params={"limit": 100, **filters}, headers=_as(ALICE))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_each_operator_action_is_recorded_with_who_did_it(api: TestClient, clean_db: Database) -> None:
    tenant = api.post("/api/admin/tenants", json={"name": "Acme", "whmcs_client_id": 9101}, headers=_as(ALICE)).json()[
        "id"
    ]
    assert (
        api.patch(
            f"/api/admin/tenants/{tenant}", json={"plan": "pro", "settings": {"greeting": "Hoi"}}, headers=_as(BOB)
        ).status_code
        == 200
    )
    assert api.post(f"/api/admin/tenants/{tenant}/suspend", headers=_as(ALICE)).status_code == 200
    assert api.post(f"/api/admin/tenants/{tenant}/suspend", headers=_as(ALICE)).status_code == 200  # no change
    assert api.post(f"/api/admin/tenants/{tenant}/unsuspend", headers=_as(ADMIN_KEY)).status_code == 200
    source = api.post(
        "/api/admin/sources",
        json={"tenant_id": tenant, "type": "text", "title": "Shipping", "content": "We ship in two days."},
        headers=_as(BOB),
    ).json()["id"]
    assert api.delete(f"/api/admin/sources/{source}", headers=_as(BOB)).status_code == 204
    rows = add_session(clean_db, UUID(tenant), "visitor-1", datetime.now(UTC), email="ann@example.com")
    conversation = str(rows.conversations[0])
    assert (
        api.post(
            f"/api/admin/conversations/{conversation}/messages", json={"content": "On its way!"}, headers=_as(ALICE)
        ).status_code
        == 201
    )
    subject = {"tenant_id": tenant, "visitor_email": "ann@example.com"}
    assert api.post("/api/admin/privacy/export", json=subject, headers=_as(BOB)).status_code == 200
    assert api.post("/api/admin/privacy/erase", json=subject, headers=_as(BOB)).status_code == 200
    assert api.post(f"/api/admin/tenants/{tenant}/terminate", headers=_as(ALICE)).status_code == 200

    entries = _entries(api)

    assert [(entry["actor"], entry["action"]) for entry in reversed(entries)] == [
        ("alice", "tenant.create"),
        ("bob", "tenant.update"),
        ("alice", "tenant.suspend"),
        ("admin", "tenant.unsuspend"),
        ("bob", "source.create"),
        ("bob", "source.delete"),
        ("alice", "conversation.reply"),
        ("bob", "privacy.export"),
        ("bob", "privacy.erase"),
        ("alice", "tenant.terminate"),
    ]
    assert all(entry["tenant_id"] == tenant for entry in entries)
    by_action = {entry["action"]: entry for entry in entries}
    assert by_action["tenant.update"]["details"] == {
        "fields": ["plan", "settings"],
        "plan": {"from": "tiny", "to": "pro"},
        "settings": ["greeting"],
    }
    assert by_action["source.create"]["target_id"] == source
    assert by_action["conversation.reply"]["target_id"] == conversation
    assert by_action["tenant.terminate"]["details"]["deleted"]["tenants"] == 1
    # What was said, exported or erased is not in the log.
    text = str(entries)
    assert "On its way" not in text and "ann@example.com" not in text and "two days" not in text
    # The log outlives the tenant, and filters by tenant, actor and action (or its prefix).
    assert [entry["action"] for entry in _entries(api, actor="bob", action="privacy.")] == [
        "privacy.erase",
        "privacy.export",
    ]
    assert len(_entries(api, tenant_id=tenant)) == 10
    assert _entries(api, tenant_id="00000000-0000-4000-8000-000000000000") == []


def test_every_named_key_and_the_single_key_work_and_nothing_else(api: TestClient) -> None:
    for key in (ALICE, BOB, ADMIN_KEY):
        assert api.get("/api/admin/tenants", headers=_as(key)).status_code == 200
    assert_problem(api.get("/api/admin/tenants", headers=_as(ALICE[:-1])), 401, "unauthorized")
    assert_problem(api.get("/api/admin/tenants", headers=_as("alice")), 401, "unauthorized")


def test_the_audit_log_needs_an_admin_key(api: TestClient) -> None:
    assert_problem(api.get("/api/admin/audit"), 401, "unauthorized")
