"""The tenant lifecycle a billing system drives: idempotent create, suspend, unsuspend, plan change, terminate,
and finding a tenant by its WHMCS client id; each safe to retry, also concurrently."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem, client_for
from tests.integration.privacy_rows import (
    add_knowledge,
    add_session,
    add_tenant,
    tenant_counts,
    tenant_tables,
)
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.privacy.repository import KEPT_TABLES, TENANT_TABLES

TENANT = {"name": "Acme Hosting", "whmcs_client_id": 7001, "plan": "tiny"}


@pytest.fixture
def consent_api(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.consent.app import app

    with client_for(app, settings, clean_db) as client:
        yield client
    app.dependency_overrides.clear()


def _tenant_rows(db: Database) -> int:
    with db.operator() as conn:
        return conn.execute("SELECT count(*) FROM tenants").fetchone()["count"]


def _at_once(calls: int, call: Callable[[], Any]) -> list:
    with ThreadPoolExecutor(calls) as pool:
        return list(pool.map(lambda _: call(), range(calls)))


def test_the_same_idempotency_key_and_body_give_the_same_tenant(admin: TestClient, clean_db: Database) -> None:
    headers = {"Idempotency-Key": "whmcs-create-7001"}
    first = admin.post("/api/admin/tenants", json=TENANT, headers=headers)
    # The same body in another key order is the same request.
    again = admin.post("/api/admin/tenants", json=dict(reversed(TENANT.items())), headers=headers)

    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
    assert _tenant_rows(clean_db) == 1


def test_the_same_key_with_another_body_is_a_conflict(admin: TestClient, clean_db: Database) -> None:
    headers = {"Idempotency-Key": "k-1"}
    assert admin.post("/api/admin/tenants", json=TENANT, headers=headers).status_code == 201
    response = admin.post("/api/admin/tenants", json={**TENANT, "plan": "pro"}, headers=headers)
    assert_problem(response, 409, "idempotency_key_reused")
    # Without a key a second create of the same client is refused as before.
    assert_problem(admin.post("/api/admin/tenants", json=TENANT), 409, "whmcs_client_id_taken")
    assert _tenant_rows(clean_db) == 1


def test_concurrent_retries_of_a_create_make_one_tenant(admin: TestClient, clean_db: Database) -> None:
    headers = {"Idempotency-Key": str(uuid4())}
    responses = _at_once(6, lambda: admin.post("/api/admin/tenants", json=TENANT, headers=headers))
    assert [response.status_code for response in responses] == [201] * 6
    assert len({response.json()["id"] for response in responses}) == 1
    assert _tenant_rows(clean_db) == 1


@pytest.mark.parametrize("key", ["", "with space", "x" * 256])
def test_an_idempotency_key_is_printable_ascii(admin: TestClient, key: str) -> None:
    response = admin.post("/api/admin/tenants", json=TENANT, headers={"Idempotency-Key": key})
    assert_problem(response, 422, "invalid_request")


def test_a_tenant_is_found_by_its_whmcs_client_id(admin: TestClient) -> None:
    created = admin.post("/api/admin/tenants", json=TENANT).json()
    admin.post("/api/admin/tenants", json={**TENANT, "whmcs_client_id": 7002})
    found = admin.get("/api/admin/tenants", params={"whmcs_client_id": 7001}).json()
    assert [tenant["id"] for tenant in found["items"]] == [created["id"]] and found["total"] == 1
    assert admin.get("/api/admin/tenants", params={"whmcs_client_id": 9999}).json()["items"] == []


def test_suspend_and_unsuspend_are_idempotent_and_the_widget_shows_nothing_meanwhile(
    admin: TestClient, consent_api: TestClient
) -> None:
    tenant = admin.post("/api/admin/tenants", json=TENANT).json()["id"]
    check = {"tenant_id": tenant, "session_id": "visitor-1"}
    assert consent_api.get("/api/consent/check", params=check).status_code == 200

    suspended = _at_once(3, lambda: admin.post(f"/api/admin/tenants/{tenant}/suspend"))
    assert [(r.status_code, r.json()["status"]) for r in suspended] == [(200, "suspended")] * 3
    assert_problem(consent_api.get("/api/consent/check", params=check), 403, "tenant_suspended")
    # The operator still reads and changes it.
    assert admin.get(f"/api/admin/tenants/{tenant}").json()["status"] == "suspended"

    for _ in range(2):
        response = admin.post(f"/api/admin/tenants/{tenant}/unsuspend")
        assert response.status_code == 200 and response.json()["status"] == "active"
    assert consent_api.get("/api/consent/check", params=check).status_code == 200


def test_a_plan_change_is_idempotent(admin: TestClient) -> None:
    tenant = admin.post("/api/admin/tenants", json=TENANT).json()["id"]
    first = admin.patch(f"/api/admin/tenants/{tenant}", json={"plan": "pro"})
    second = admin.patch(f"/api/admin/tenants/{tenant}", json={"plan": "pro"})
    assert first.status_code == second.status_code == 200
    assert first.json()["plan"] == second.json()["plan"] == "pro"
    assert second.json()["effective_settings"]["retention_days"] == 365  # the pro plan's


def test_the_tables_terminate_empties_are_every_table_with_tenant_rows(clean_db: Database) -> None:
    assert set(TENANT_TABLES) == set(tenant_tables(clean_db)) - set(KEPT_TABLES)


def test_terminate_deletes_every_row_of_the_tenant_and_nothing_of_the_others(
    admin: TestClient, clean_db: Database
) -> None:
    doomed, kept = add_tenant(clean_db, 7101), add_tenant(clean_db, 7102)
    for tenant in (doomed, kept):
        add_knowledge(clean_db, tenant)
        add_session(clean_db, tenant, "visitor-1", datetime.now(UTC))
        add_session(clean_db, tenant, "visitor-2", datetime.now(UTC))
    with clean_db.tenant(doomed) as conn:
        conn.execute("INSERT INTO usage_archive (tenant_id, day, messages) VALUES (%s, '2026-01-01', 5)", [doomed])
        conn.execute("INSERT INTO idempotency_keys (key, request_hash, tenant_id) VALUES ('k', 'h', %s)", [doomed])
    tables = [table for table in tenant_tables(clean_db) if table not in KEPT_TABLES]
    before = tenant_counts(clean_db, doomed, tables)
    assert all(count >= 1 for count in before.values()), before
    kept_before = tenant_counts(clean_db, kept, tables)

    responses = _at_once(3, lambda: admin.post(f"/api/admin/tenants/{doomed}/terminate"))

    assert [response.status_code for response in responses] == [200] * 3, responses[0].text
    receipt = responses[0].json()
    assert all(response.json() == receipt for response in responses)
    assert receipt["status"] == "terminated" and receipt["whmcs_client_id"] == 7101
    assert receipt["deleted"] == before
    assert set(tenant_counts(clean_db, doomed, tables).values()) == {0}
    assert tenant_counts(clean_db, kept, tables) == kept_before
    # Asked again later: the same answer. The tenant itself is gone.
    assert admin.post(f"/api/admin/tenants/{doomed}/terminate").json() == receipt
    assert_problem(admin.get(f"/api/admin/tenants/{doomed}"), 404, "tenant_not_found")
    assert_problem(admin.post(f"/api/admin/tenants/{doomed}/suspend"), 404, "tenant_not_found")
    # The WHMCS client id is free again: a new tenant for the same client is a new tenant.
    again = admin.post("/api/admin/tenants", json={**TENANT, "whmcs_client_id": 7101})
    assert again.status_code == 201 and again.json()["id"] != str(doomed)


def test_terminating_an_unknown_tenant_is_a_404(admin: TestClient) -> None:
    assert_problem(admin.post(f"/api/admin/tenants/{uuid4()}/terminate"), 404, "tenant_not_found")
    assert_problem(admin.post(f"/api/admin/tenants/{uuid4()}/unsuspend"), 404, "tenant_not_found")
