"""The tenants admin API, through FastAPI's client against the real database."""

from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tinyeclipse.tenants.settings import FITTED_THRESHOLDS

TENANT = {"name": "Acme Hosting", "whmcs_client_id": 4242, "plan": "pro", "domain": "Acme.example"}


def _create(admin: TestClient, **overrides: object) -> dict:
    response = admin.post("/api/admin/tenants", json={**TENANT, **overrides})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", "Basic dGVzdDp0ZXN0", "Bearer", "test-admin-key"])
def test_admin_routes_need_the_bearer_key(admin: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    if authorization is None:
        del admin.headers["Authorization"]
    response = admin.get("/api/admin/tenants", headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_create_then_read_a_tenant(admin: TestClient) -> None:
    created = _create(admin, settings={"greeting": "Welcome!", "allowed_domains": ["Shop.Acme.example"]})
    assert created["plan"] == "pro" and created["status"] == "active"
    assert created["domain"] == "acme.example"
    # The operator's EMBEDDING_MODEL becomes the new tenant's own, so changing it later moves no tenant.
    assert created["settings"] == {
        "greeting": "Welcome!",
        "allowed_domains": ["shop.acme.example"],
        "embedding_model": "all-MiniLM-L6-v2",
    }
    assert created["index_model"] == "all-MiniLM-L6-v2"
    effective = created["effective_settings"]
    assert effective["greeting"] == "Welcome!"
    # The defaults are the thresholds `make calibrate` chose, stored with the confidence model.
    assert effective["escalate_threshold"] == FITTED_THRESHOLDS["escalate"]
    assert effective["refuse_threshold"] == FITTED_THRESHOLDS["refuse"]
    assert effective["rate_limit_per_minute"] == 30  # the pro plan's default
    fetched = admin.get(f"/api/admin/tenants/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_a_whmcs_client_id_belongs_to_one_tenant(admin: TestClient) -> None:
    _create(admin)
    assert_problem(admin.post("/api/admin/tenants", json={**TENANT, "name": "Other"}), 409, "whmcs_client_id_taken")
    other = _create(admin, whmcs_client_id=4343)
    response = admin.patch(f"/api/admin/tenants/{other['id']}", json={"whmcs_client_id": 4242})
    assert_problem(response, 409, "whmcs_client_id_taken")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**TENANT, "plan": "gold"}, "plan"),
        ({**TENANT, "whmcs_client_id": "4242"}, "whmcs_client_id"),
        ({**TENANT, "whmcs_client_id": -1}, "whmcs_client_id"),
        ({**TENANT, "name": ""}, "name"),
        ({**TENANT, "name": 12}, "name"),
        ({**TENANT, "domain": "https://acme.example/path"}, "domain"),
        ({**TENANT, "settings": "loud"}, "settings"),
        ({**TENANT, "colour": "red"}, "colour"),
        ({"name": "No id"}, "whmcs_client_id"),
        ([TENANT], "body"),
    ],
)
def test_create_rejects_bad_input_with_a_clearassert_problem(admin: TestClient, body: object, field: str) -> None:
    problem = assert_problem(admin.post("/api/admin/tenants", json=body), 422, "invalid_request")
    assert field in problem


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"escalate_threshold": 1.5}, "escalate_threshold"),
        ({"refuse_threshold": 0.9}, "refuse_threshold"),
        ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"primary_color": "red"}, "primary_color"),
        ({"rate_limit_per_minute": "many"}, "rate_limit_per_minute"),
        ({"made_up_setting": True}, "made_up_setting"),
    ],
)
def test_settings_are_validated(admin: TestClient, overrides: dict, named: str) -> None:
    problem = assert_problem(
        admin.post("/api/admin/tenants", json={**TENANT, "settings": overrides}), 422, "invalid_request"
    )
    assert named in problem


def test_malformed_json_is_a_422_problem_not_a_500(admin: TestClient) -> None:
    response = admin.post(
        "/api/admin/tenants", content=b'{"name": "Acme", ', headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(response, 422, "invalid_request")
    assert "JSON" in problem


def test_bad_and_unknown_ids(admin: TestClient) -> None:
    assert_problem(admin.get("/api/admin/tenants/not-a-uuid"), 422, "invalid_request")
    assert_problem(admin.patch("/api/admin/tenants/12345", json={"name": "x"}), 422, "invalid_request")
    assert_problem(admin.get(f"/api/admin/tenants/{uuid4()}"), 404, "tenant_not_found")
    assert_problem(admin.patch(f"/api/admin/tenants/{uuid4()}", json={"name": "x"}), 404, "tenant_not_found")
    assert_problem(admin.get("/api/admin/nothing-here"), 404, "not_found")
    assert_problem(admin.delete("/api/admin/tenants"), 405, "method_not_allowed")


def test_patch_changes_only_what_is_sent_and_merges_settings(admin: TestClient) -> None:
    tenant = _create(admin, settings={"greeting": "Hello", "language": "nl", "terms_version": "3"})
    response = admin.patch(
        f"/api/admin/tenants/{tenant['id']}",
        json={"plan": "pro_plus", "settings": {"greeting": "Hi there", "language": None, "escalate_threshold": 0.5}},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == TENANT["name"] and updated["domain"] == "acme.example"
    assert updated["plan"] == "pro_plus"
    assert updated["settings"] == {
        "greeting": "Hi there",
        "terms_version": "3",
        "escalate_threshold": 0.5,
        "embedding_model": "all-MiniLM-L6-v2",
    }
    assert updated["effective_settings"]["language"] == "en"  # removed override falls back to the default
    assert updated["effective_settings"]["rate_limit_per_minute"] == 120  # pro_plus default
    assert updated["updated_at"] > tenant["updated_at"]
    assert admin.get(f"/api/admin/tenants/{tenant['id']}").json() == updated


def test_patch_validates_the_merged_settings_and_leaves_the_tenant_unchanged_on_error(admin: TestClient) -> None:
    tenant = _create(admin, settings={"escalate_threshold": 0.4, "refuse_threshold": 0.2})
    response = admin.patch(f"/api/admin/tenants/{tenant['id']}", json={"settings": {"refuse_threshold": 0.5}})
    assert "refuse_threshold" in assert_problem(response, 422, "invalid_request")
    assert_problem(admin.patch(f"/api/admin/tenants/{tenant['id']}", json={"name": None}), 422, "invalid_request")
    assert_problem(
        admin.patch(f"/api/admin/tenants/{tenant['id']}", json={"status": "deleted"}), 422, "invalid_request"
    )
    assert_problem(admin.patch(f"/api/admin/tenants/{tenant['id']}", json={"id": str(uuid4())}), 422, "invalid_request")
    assert admin.get(f"/api/admin/tenants/{tenant['id']}").json() == tenant


def test_suspend_and_reactivate(admin: TestClient) -> None:
    tenant = _create(admin)
    suspended = admin.patch(f"/api/admin/tenants/{tenant['id']}", json={"status": "suspended"}).json()
    assert suspended["status"] == "suspended"
    assert admin.patch(f"/api/admin/tenants/{tenant['id']}", json={"status": "active"}).json()["status"] == "active"


def test_list_is_paginated_newest_first_and_filters_by_status_plan_and_search(admin: TestClient) -> None:
    made = [
        _create(admin, name=f"Client {n}", whmcs_client_id=500 + n, plan="tiny" if n % 2 else "pro", domain=None)
        for n in range(5)
    ]
    admin.patch(f"/api/admin/tenants/{made[0]['id']}", json={"status": "suspended"})

    first = admin.get("/api/admin/tenants", params={"limit": 2}).json()
    second = admin.get("/api/admin/tenants", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == 5 and (first["limit"], first["offset"]) == (2, 0)
    assert [t["name"] for t in first["items"] + second["items"]] == ["Client 4", "Client 3", "Client 2", "Client 1"]

    def names(**params: object) -> set[str]:
        return {t["name"] for t in admin.get("/api/admin/tenants", params=params).json()["items"]}

    assert names(plan="tiny") == {"Client 1", "Client 3"}
    assert names(status="suspended") == {"Client 0"}
    assert names(status="active", plan="pro") == {"Client 2", "Client 4"}
    assert names(search="client 3") == {"Client 3"}
    assert names(search="503") == {"Client 3"}
    assert names(search="100%") == set()
    assert_problem(admin.get("/api/admin/tenants", params={"plan": "gold"}), 422, "invalid_request")
    assert_problem(admin.get("/api/admin/tenants", params={"limit": 1000}), 422, "invalid_request")
    assert_problem(admin.get("/api/admin/tenants", params={"offset": -1}), 422, "invalid_request")
