"""A visitor's rights: the export of their session and its erasure, from the widget (consent function) and by the
operator for a request that came by mail (admin API, by session id or the email the visitor left)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem, client_for
from tests.integration.privacy_rows import add_session, add_tenant, session_counts
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

NOW = datetime.now(UTC)


@pytest.fixture
def consent_api(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.consent.app import app

    with client_for(app, settings, clean_db) as client:
        yield client
    app.dependency_overrides.clear()


def _audit(db: Database, action: str) -> list[dict]:
    with db.operator() as conn:
        return conn.execute(
            "SELECT actor, action, tenant_id, target_type, details FROM audit_log WHERE action = %s ORDER BY id",
            [action],
        ).fetchall()


def test_the_visitor_downloads_everything_stored_about_their_session(
    consent_api: TestClient, clean_db: Database
) -> None:
    tenant = add_tenant(clean_db, 501)
    mine = add_session(clean_db, tenant, "visitor-a", NOW - timedelta(hours=1), email="ann@example.com")
    add_session(clean_db, tenant, "visitor-b", NOW, email="bob@example.com")

    response = consent_api.post("/api/consent/data/export", json={"tenant_id": str(tenant), "session_id": "visitor-a"})

    assert response.status_code == 200, response.text
    export = response.json()
    assert export["session_ids"] == ["visitor-a"]
    [consent] = export["consents"]
    assert consent["accepted"] is True and consent["terms_version"] == "1"
    assert consent["ip_address"] == "203.0.113.7" and consent["user_agent"] == "Firefox"
    [conversation] = export["conversations"]
    assert conversation["id"] == str(mine.conversations[0])
    assert conversation["visitor_email"] == "ann@example.com"
    assert conversation["page_url"] == "https://shop.example/help"
    assert [(m["role"], m["content"]) for m in conversation["messages"]] == [
        ("user", "My order for visitor-a never came"),
        ("assistant", "Orders ship within two days."),
        ("operator", "I sent it again today."),
    ]
    assert conversation["messages"][1]["feedback"] == "up"
    assert [(t["from_state"], t["to_state"]) for t in conversation["transitions"]] == [("bot", "human")]
    # Nobody else's data.
    assert "visitor-b" not in response.text and "bob@example.com" not in response.text
    [entry] = _audit(clean_db, "privacy.export")
    assert entry["actor"] == "visitor:widget" and entry["tenant_id"] == tenant
    assert entry["details"] == {"sessions": 1, "consents": 1, "conversations": 1, "messages": 3}


def test_the_visitor_erases_their_session_and_no_row_of_it_is_left_in_any_table(
    consent_api: TestClient, clean_db: Database
) -> None:
    tenant = add_tenant(clean_db, 502)
    mine = add_session(clean_db, tenant, "visitor-a", NOW - timedelta(days=2))
    other = add_session(clean_db, tenant, "visitor-b", NOW - timedelta(days=2))
    assert all(count >= 1 for count in session_counts(clean_db, mine).values()), session_counts(clean_db, mine)

    response = consent_api.post("/api/consent/data/erase", json={"tenant_id": str(tenant), "session_id": "visitor-a"})

    assert response.status_code == 200, response.text
    deleted = response.json()["deleted"]
    assert deleted == {
        "rate_limit_counters": 2,
        "messages": 3,
        "usage_logs": 1,
        "notification_deliveries": 1,
        "conversation_transitions": 1,
        "conversations": 1,
        "consents": 1,
    }
    assert session_counts(clean_db, mine) == dict.fromkeys(session_counts(clean_db, mine), 0)
    assert all(count >= 1 for count in session_counts(clean_db, other).values())
    # The export afterwards: nothing.
    export = consent_api.post("/api/consent/data/export", json={"tenant_id": str(tenant), "session_id": "visitor-a"})
    assert export.json()["consents"] == [] and export.json()["conversations"] == []
    # Logged, without the erased content.
    [entry] = _audit(clean_db, "privacy.erase")
    assert entry["actor"] == "visitor:widget" and entry["target_type"] == "session"
    assert "visitor-a" not in str(entry) and "order" not in str(entry)


def test_usage_counts_survive_an_erasure(consent_api: TestClient, admin: TestClient, clean_db: Database) -> None:
    tenant = add_tenant(clean_db, 503)
    day = NOW - timedelta(days=1)
    add_session(clean_db, tenant, "visitor-a", day)
    add_session(clean_db, tenant, "visitor-b", day)
    query = {"tenant_id": str(tenant), "from": str(day.date() - timedelta(days=1)), "to": str(date.today())}
    before = admin.get("/api/admin/usage", params=query).json()

    consent_api.post("/api/consent/data/erase", json={"tenant_id": str(tenant), "session_id": "visitor-a"})

    after = admin.get("/api/admin/usage", params=query).json()
    assert after == before
    assert before["totals"]["messages"] == 2 and before["totals"]["tokens_in"] == 200
    assert before["totals"]["escalations"] == 2 and before["totals"]["thumbs_up"] == 2


def test_the_visitor_cannot_reach_another_tenants_session(consent_api: TestClient, clean_db: Database) -> None:
    tenant = add_tenant(clean_db, 504)
    stranger = add_tenant(clean_db, 505)
    rows = add_session(clean_db, tenant, "visitor-a", NOW)

    response = consent_api.post("/api/consent/data/erase", json={"tenant_id": str(stranger), "session_id": "visitor-a"})

    assert response.status_code == 200 and sum(response.json()["deleted"].values()) == 0
    assert session_counts(clean_db, rows)["messages"] == 3


def test_visitor_requests_are_checked_like_consent(consent_api: TestClient, clean_db: Database) -> None:
    tenant = add_tenant(clean_db, 506, settings='{"allowed_domains": ["shop.example"]}')
    body = {"tenant_id": str(tenant), "session_id": "visitor-a"}
    assert_problem(
        consent_api.post("/api/consent/data/export", json=body, headers={"Origin": "https://evil.example"}),
        403,
        "origin_not_allowed",
    )
    ok = consent_api.post("/api/consent/data/export", json=body, headers={"Origin": "https://shop.example"})
    assert ok.status_code == 200
    assert_problem(
        consent_api.post("/api/consent/data/erase", json={**body, "session_id": "a b"}), 422, "invalid_request"
    )
    assert_problem(
        consent_api.post("/api/consent/data/erase", json={**body, "tenant_id": "00000000-0000-4000-8000-000000000000"}),
        404,
        "tenant_not_found",
    )


def test_the_operator_exports_and_erases_by_the_visitors_email(admin: TestClient, clean_db: Database) -> None:
    tenant = add_tenant(clean_db, 507)
    first = add_session(clean_db, tenant, "visitor-a", NOW - timedelta(days=3), email="Ann@Example.com")
    second = add_session(clean_db, tenant, "visitor-c", NOW, email="ann@example.com")
    other = add_session(clean_db, tenant, "visitor-b", NOW, email="bob@example.com")
    body = {"tenant_id": str(tenant), "visitor_email": "ann@example.com"}

    export = admin.post("/api/admin/privacy/export", json=body)

    assert export.status_code == 200, export.text
    assert export.json()["session_ids"] == ["visitor-a", "visitor-c"]
    assert len(export.json()["conversations"]) == 2 and len(export.json()["consents"]) == 2

    erased = admin.post("/api/admin/privacy/erase", json=body)

    assert erased.status_code == 200, erased.text
    assert erased.json()["sessions"] == 2 and erased.json()["deleted"]["conversations"] == 2
    for rows in (first, second):
        assert set(session_counts(clean_db, rows).values()) == {0}
    assert all(count >= 1 for count in session_counts(clean_db, other).values())
    [entry] = _audit(clean_db, "privacy.erase")
    assert entry["actor"] == "admin" and entry["details"]["by"] == "visitor_email"
    assert "ann@" not in str(entry).lower()


def test_the_operator_erases_by_session_id(admin: TestClient, clean_db: Database) -> None:
    tenant = add_tenant(clean_db, 508)
    rows = add_session(clean_db, tenant, "visitor-a", NOW)
    erased = admin.post("/api/admin/privacy/erase", json={"tenant_id": str(tenant), "session_id": "visitor-a"})
    assert erased.status_code == 200 and erased.json()["sessions"] == 1
    assert set(session_counts(clean_db, rows).values()) == {0}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"session_id": "visitor-a", "visitor_email": "ann@example.com"},
        {"visitor_email": "not-an-email"},
    ],
)
def test_the_operator_names_one_subject(admin: TestClient, clean_db: Database, body: dict) -> None:
    tenant = add_tenant(clean_db, 509)
    response = admin.post("/api/admin/privacy/erase", json={"tenant_id": str(tenant), **body})
    assert_problem(response, 422, "invalid_request")


def test_the_operator_gets_a_404_for_an_unknown_tenant(admin: TestClient) -> None:
    body = {"tenant_id": "00000000-0000-4000-8000-000000000000", "session_id": "visitor-a"}
    assert_problem(admin.post("/api/admin/privacy/export", json=body), 404, "tenant_not_found")
