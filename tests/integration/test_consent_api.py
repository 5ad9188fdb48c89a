"""The consent API: visitors accept or decline the tenant's terms; the latest record per session counts."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from tests.conftest import assert_problem, client_for
from tests.integration.conftest import ask
from tinyeclipse.config import Settings
from tinyeclipse.consent.service import has_current_consent
from tinyeclipse.db import Database


@pytest.fixture
def client(settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.consent.app import app

    with client_for(app, settings, clean_db) as client:
        yield client
    app.dependency_overrides.clear()


def _create_tenant(db: Database, whmcs_client_id: int = 7001, **settings: Any) -> str:
    with db.operator() as conn:
        row = conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, plan, settings) VALUES (%s, 'Acme', 'pro', %s) RETURNING id",
            [whmcs_client_id, Jsonb(settings)],
        ).fetchone()
    return str(row["id"])


def _update_tenant(db: Database, tenant_id: str, assignment: str, value: object) -> None:
    with db.operator() as conn:
        conn.execute(f"UPDATE tenants SET {assignment} WHERE id = %s", [value, tenant_id])


@pytest.fixture
def tenant_id(clean_db: Database) -> str:
    return _create_tenant(clean_db, terms_version="2")


def _consent(tenant_id: str, accepted: bool = True, terms_version: str = "2", session_id: str = "visitor-1") -> dict:
    return {"tenant_id": tenant_id, "session_id": session_id, "accepted": accepted, "terms_version": terms_version}


def _check(client: TestClient, tenant_id: str, session_id: str = "visitor-1") -> dict:
    response = client.get("/api/consent/check", params={"tenant_id": tenant_id, "session_id": session_id})
    assert response.status_code == 200, response.text
    return response.json()


def _stored(db: Database, consent_id: str) -> dict:
    with db.operator() as conn:
        return conn.execute(
            "SELECT host(ip_address) AS ip, user_agent FROM consents WHERE id = %s", [consent_id]
        ).fetchone()


def test_accepting_records_the_consent_and_the_check_says_consented(client: TestClient, tenant_id: str) -> None:
    assert _check(client, tenant_id) == {"consented": False, "terms_version": None, "current_terms_version": "2"}
    response = client.post("/api/consent", json=_consent(tenant_id))
    assert response.status_code == 201, response.text
    record = response.json()
    assert set(record) == {"id", "tenant_id", "session_id", "accepted", "terms_version", "created_at"}
    assert (record["tenant_id"], record["session_id"], record["accepted"], record["terms_version"]) == (
        tenant_id,
        "visitor-1",
        True,
        "2",
    )
    assert _check(client, tenant_id) == {"consented": True, "terms_version": "2", "current_terms_version": "2"}
    assert _check(client, tenant_id, "visitor-2")["consented"] is False


def test_a_later_refusal_withdraws_the_consent(client: TestClient, clean_db: Database, tenant_id: str) -> None:
    client.post("/api/consent", json=_consent(tenant_id))
    assert client.post("/api/consent", json=_consent(tenant_id, accepted=False)).status_code == 201
    assert _check(client, tenant_id) == {"consented": False, "terms_version": "2", "current_terms_version": "2"}
    with clean_db.tenant(UUID(tenant_id)) as conn:
        assert not has_current_consent(conn, UUID(tenant_id), "visitor-1", "2")
        assert conn.execute("SELECT count(*) AS n FROM consents").fetchone()["n"] == 2


def test_new_terms_need_a_new_consent(client: TestClient, clean_db: Database, tenant_id: str) -> None:
    client.post("/api/consent", json=_consent(tenant_id))
    _update_tenant(clean_db, tenant_id, "settings = settings || jsonb_build_object('terms_version', %s::text)", "3")
    assert _check(client, tenant_id) == {"consented": False, "terms_version": "2", "current_terms_version": "3"}

    detail = assert_problem(client.post("/api/consent", json=_consent(tenant_id)), 422, "invalid_request")
    assert "terms version 2 is not current; the current terms are version 3" in detail
    # Declining is kept whatever the version.
    assert client.post("/api/consent", json=_consent(tenant_id, accepted=False, terms_version="1")).status_code == 201

    assert client.post("/api/consent", json=_consent(tenant_id, terms_version="3")).status_code == 201
    assert _check(client, tenant_id)["consented"] is True
    with clean_db.tenant(UUID(tenant_id)) as conn:
        assert has_current_consent(conn, UUID(tenant_id), "visitor-1", "3")
        assert not has_current_consent(conn, UUID(tenant_id), "visitor-1", "2")


def test_the_ip_is_the_last_forwarded_entry_and_the_user_agent_is_kept(
    client: TestClient, clean_db: Database, tenant_id: str
) -> None:
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.7", "User-Agent": "Mozilla/5.0 " + "x" * 600}
    record = client.post("/api/consent", json=_consent(tenant_id), headers=headers).json()
    stored = _stored(clean_db, record["id"])
    assert stored["ip"] == "203.0.113.7"
    assert stored["user_agent"] == headers["User-Agent"][:500]

    ipv6 = client.post("/api/consent", json=_consent(tenant_id), headers={"X-Forwarded-For": "2001:db8::1"}).json()
    assert _stored(clean_db, ipv6["id"])["ip"] == "2001:db8::1"


def test_without_a_valid_ip_none_is_stored(client: TestClient, clean_db: Database, tenant_id: str) -> None:
    # The test client's peer is "testclient", not an address.
    for headers in ({}, {"X-Forwarded-For": "not-an-ip"}):
        record = client.post("/api/consent", json=_consent(tenant_id), headers=headers).json()
        assert _stored(clean_db, record["id"])["ip"] is None


def test_an_unknown_tenant_is_404_and_a_suspended_one_403(
    client: TestClient, clean_db: Database, tenant_id: str
) -> None:
    unknown = str(uuid4())
    assert_problem(client.post("/api/consent", json=_consent(unknown)), 404, "tenant_not_found")
    response = client.get("/api/consent/check", params={"tenant_id": unknown, "session_id": "visitor-1"})
    assert_problem(response, 404, "tenant_not_found")

    _update_tenant(clean_db, tenant_id, "status = %s", "suspended")
    assert_problem(client.post("/api/consent", json=_consent(tenant_id)), 403, "tenant_suspended")
    response = client.get("/api/consent/check", params={"tenant_id": tenant_id, "session_id": "visitor-1"})
    assert_problem(response, 403, "tenant_suspended")
    with clean_db.operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM consents").fetchone()["n"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"session_id": ""}, "session_id"),
        ({"session_id": "a" * 129}, "session_id"),
        ({"session_id": "has space"}, "session_id"),
        ({"session_id": "semi;colon"}, "session_id"),
        ({"tenant_id": "not-a-uuid"}, "tenant_id"),
        ({"accepted": "yes"}, "accepted"),
        ({"accepted": 1}, "accepted"),
        ({"terms_version": ""}, "terms_version"),
        ({"terms_version": "v" * 41}, "terms_version"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_bodies_are_422(client: TestClient, tenant_id: str, change: dict, field: str) -> None:
    detail = assert_problem(client.post("/api/consent", json=_consent(tenant_id) | change), 422, "invalid_request")
    assert field in detail


@pytest.mark.parametrize("missing", ["tenant_id", "session_id", "accepted", "terms_version"])
def test_every_field_is_required(client: TestClient, tenant_id: str, missing: str) -> None:
    body = _consent(tenant_id)
    del body[missing]
    assert missing in assert_problem(client.post("/api/consent", json=body), 422, "invalid_request")


def test_bad_check_parameters_are_422(client: TestClient, tenant_id: str) -> None:
    for params in ({"tenant_id": tenant_id}, {"session_id": "s"}, {"tenant_id": "nope", "session_id": "s"}):
        assert_problem(client.get("/api/consent/check", params=params), 422, "invalid_request")
    response = client.get("/api/consent/check", params={"tenant_id": tenant_id, "session_id": "bad id!"})
    assert_problem(response, 422, "invalid_request")


# A record is never rewritten; it is deleted only by retention, an erasure or a termination (docs/privacy.md).
@pytest.mark.parametrize("statement", ["UPDATE consents SET accepted = false"])
def test_consents_are_append_only_for_the_app(
    client: TestClient, clean_db: Database, tenant_id: str, statement: str
) -> None:
    client.post("/api/consent", json=_consent(tenant_id))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), clean_db.tenant(UUID(tenant_id)) as conn:
        conn.execute(statement)
    with pytest.raises(psycopg.errors.InsufficientPrivilege), clean_db.operator() as conn:
        conn.execute(statement)
    assert _check(client, tenant_id)["consented"] is True


@pytest.fixture
def limited(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    """The consent app with small consent limits: 3 a minute per session, 5 per tenant."""
    from functions.consent.app import app

    small = settings.model_copy(update={"consent_session_rate_limit_per_minute": 3, "consent_rate_limit_per_minute": 5})
    with client_for(app, small, clean_db) as client:
        yield client
    app.dependency_overrides.clear()


@pytest.fixture
def within_one_minute() -> None:
    """Start early enough in a minute that the test's requests all fall in one minute window."""
    second = datetime.now(UTC).second
    if second >= 50:
        time.sleep(61 - second)


def _stored_count(db: Database) -> int:
    with db.operator() as conn:
        return conn.execute("SELECT count(*) AS n FROM consents").fetchone()["n"]


@pytest.mark.usefixtures("within_one_minute")
def test_consents_are_rate_limited_per_session_and_per_tenant(
    limited: TestClient, clean_db: Database, tenant_id: str
) -> None:
    for _ in range(3):
        assert limited.post("/api/consent", json=_consent(tenant_id)).status_code == 201
    refused = limited.post("/api/consent", json=_consent(tenant_id, accepted=False))
    assert_problem(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another visitor still may, until the tenant's own limit.
    for _ in range(2):
        assert limited.post("/api/consent", json=_consent(tenant_id, session_id="visitor-2")).status_code == 201
    assert_problem(limited.post("/api/consent", json=_consent(tenant_id, session_id="visitor-3")), 429, "rate_limited")
    assert _stored_count(clean_db) == 5
    assert _check(limited, tenant_id)["consented"] is True  # reading the status is not limited


@pytest.mark.usefixtures("within_one_minute")
def test_consents_do_not_use_up_the_chat_quota(
    limited: TestClient, chat: TestClient, clean_db: Database, tenant_id: str
) -> None:
    _update_tenant(
        clean_db, tenant_id, "settings = settings || %s", Jsonb({"rate_limit_per_minute": 1, "terms_version": "2"})
    )
    for _ in range(3):
        assert limited.post("/api/consent", json=_consent(tenant_id)).status_code == 201
    answered = ask(chat, UUID(tenant_id), "Hello!")
    assert answered.status_code == 200, answered.text
    assert_problem(ask(chat, UUID(tenant_id), "Hello again!"), 429, "rate_limited")
    # And chatting leaves the consent quota alone: the visitor may still withdraw.
    assert (
        limited.post("/api/consent", json=_consent(tenant_id, accepted=False, session_id="visitor-2")).status_code
        == 201
    )


def test_consent_is_refused_to_sites_the_tenant_does_not_list(client: TestClient, clean_db: Database) -> None:
    tenant = _create_tenant(clean_db, 7002, allowed_domains=["shop.acme.example", "localhost:8090"])
    for origin in ("https://shop.acme.example", "http://localhost:8090"):
        response = client.post("/api/consent", json=_consent(tenant, terms_version="1"), headers={"Origin": origin})
        assert response.status_code == 201, response.text
    for headers in ({"Origin": "https://copycat.example"}, {"Origin": "http://localhost:9999"}, {}):
        assert_problem(
            client.post("/api/consent", json=_consent(tenant, terms_version="1"), headers=headers),
            403,
            "origin_not_allowed",
        )
        check = client.get(
            "/api/consent/check", params={"tenant_id": tenant, "session_id": "visitor-1"}, headers=headers
        )
        assert_problem(check, 403, "origin_not_allowed")
    assert _stored_count(clean_db) == 2
    allowed = client.get(
        "/api/consent/check",
        params={"tenant_id": tenant, "session_id": "visitor-1"},
        headers={"Origin": "https://shop.acme.example"},
    )
    assert allowed.json()["consented"] is True
