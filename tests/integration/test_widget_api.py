"""What the widget reads: public config, new messages of its conversation, and CORS from any site."""

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem, client_for
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

PRIVATE = (
    '{"contact": "help@acme.example", "terms_url": "https://acme.example/terms", "system_prompt": "Secret prompt",'
    ' "notify_email": "team@acme.example", "webhook_url": "https://hooks.acme.example/secret"}'
)


@pytest.fixture
def chat(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.chat.app import app

    with client_for(app, settings, clean_db) as client:
        yield client
    app.dependency_overrides.clear()


@pytest.fixture
def tenant(clean_db: Database) -> UUID:
    with clean_db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, settings) VALUES (5, 'Acme', %s) RETURNING id", [PRIVATE]
        ).fetchone()["id"]


def test_config_has_the_public_settings_only_and_is_cacheable(chat: TestClient, tenant: UUID) -> None:
    response = chat.get("/api/chat/config", params={"tenant_id": str(tenant)})
    assert response.status_code == 200
    assert response.json() == {
        "tenant_id": str(tenant),
        "name": "Acme",
        "greeting": "Hi! How can I help you today?",
        "primary_color": "#4f46e5",
        "primary_text_color": "#ffffff",
        "language": "en",
        "terms_version": "1",
        "terms_url": "https://acme.example/terms",
        "contact": "help@acme.example",
        "office_hours_open": True,
        "expected_reply": None,
    }
    assert "Secret prompt" not in response.text
    assert "team@acme.example" not in response.text and "hooks.acme" not in response.text
    assert response.headers["cache-control"] == "public, max-age=300"


def test_config_of_unknown_or_suspended_tenants(chat: TestClient, tenant: UUID, clean_db: Database) -> None:
    assert_problem(chat.get("/api/chat/config", params={"tenant_id": str(uuid4())}), 404, "tenant_not_found")
    assert_problem(chat.get("/api/chat/config", params={"tenant_id": "x"}), 422, "invalid_request")
    with clean_db.operator() as conn:
        conn.execute("UPDATE tenants SET status = 'suspended' WHERE id = %s", [tenant])
    assert_problem(chat.get("/api/chat/config", params={"tenant_id": str(tenant)}), 403, "tenant_suspended")


def test_the_widget_polls_new_messages_of_its_own_conversation(
    chat: TestClient, tenant: UUID, clean_db: Database
) -> None:
    with clean_db.tenant(tenant) as conn:
        conversation = conn.execute(
            "INSERT INTO conversations (tenant_id, session_id) VALUES (%s, 'visitor') RETURNING id", [tenant]
        ).fetchone()["id"]
        ids = [
            conn.execute(
                "INSERT INTO messages (tenant_id, conversation_id, role, content) VALUES (%s, %s, %s, %s) RETURNING id",
                [tenant, conversation, role, text],
            ).fetchone()["id"]
            for role, text in [
                ("user", "Help?"),
                ("assistant", "A human will follow up."),
                ("operator", "Hi, Jo here."),
            ]
        ]
    url = f"/api/chat/conversations/{conversation}/messages"
    everything = chat.get(url, params={"tenant_id": str(tenant), "session_id": "visitor"}).json()["messages"]
    assert [m["role"] for m in everything] == ["user", "assistant", "operator"]
    assert chat.get(url, params={"tenant_id": str(tenant), "session_id": "visitor"}).json()["handled_by"] == "bot"
    newer = chat.get(url, params={"tenant_id": str(tenant), "session_id": "visitor", "after": str(ids[1])}).json()
    assert [(m["id"], m["content"]) for m in newer["messages"]] == [(str(ids[2]), "Hi, Jo here.")]
    other = chat.get(url, params={"tenant_id": str(tenant), "session_id": "someone-else"})
    assert_problem(other, 404, "conversation_not_found")


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/config"])
def test_browsers_on_any_site_may_call_and_read_retry_after(chat: TestClient, path: str) -> None:
    preflight = chat.options(
        path,
        headers={
            "Origin": "https://shop.example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    response = chat.get("/api/chat/config", params={"tenant_id": str(uuid4())}, headers={"Origin": "https://x.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()


def test_config_is_refused_to_sites_the_tenant_does_not_list(
    chat: TestClient, tenant: UUID, clean_db: Database
) -> None:
    with clean_db.operator() as conn:
        conn.execute(
            'UPDATE tenants SET settings = settings || \'{"allowed_domains": ["shop.acme.example"]}\' WHERE id = %s',
            [tenant],
        )
    params = {"tenant_id": str(tenant)}
    elsewhere = chat.get("/api/chat/config", params=params, headers={"Origin": "https://copycat.example"})
    assert_problem(elsewhere, 403, "origin_not_allowed")
    allowed = chat.get("/api/chat/config", params=params, headers={"Origin": "https://shop.acme.example"})
    assert allowed.status_code == 200 and "Origin" in allowed.headers["vary"]


def test_polling_is_refused_to_sites_the_tenant_does_not_list(
    chat: TestClient, tenant: UUID, clean_db: Database
) -> None:
    with clean_db.operator() as conn:
        conn.execute(
            'UPDATE tenants SET settings = settings || \'{"allowed_domains": ["shop.acme.example"]}\' WHERE id = %s',
            [tenant],
        )
    with clean_db.tenant(tenant) as conn:
        conversation = conn.execute(
            "INSERT INTO conversations (tenant_id, session_id) VALUES (%s, 'visitor') RETURNING id", [tenant]
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO messages (tenant_id, conversation_id, role, content) VALUES (%s, %s, 'operator', 'Hi, Jo.')",
            [tenant, conversation],
        )
    url = f"/api/chat/conversations/{conversation}/messages"
    params = {"tenant_id": str(tenant), "session_id": "visitor"}
    for headers in ({"Origin": "https://copycat.example"}, {}):
        refused = chat.get(url, params=params, headers=headers)
        assert_problem(refused, 403, "origin_not_allowed")
        assert "Jo" not in refused.text
    allowed = chat.get(url, params=params, headers={"Origin": "https://shop.acme.example"})
    assert [m["content"] for m in allowed.json()["messages"]] == ["Hi, Jo."]
