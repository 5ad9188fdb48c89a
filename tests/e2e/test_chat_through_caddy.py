"""The core loop end to end: the real runner, Caddy, Postgres, the model and the ingest worker."""

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from tests.e2e.stack import Stack
from tinyeclipse.db import Database

BAKERY = "Our sourdough bread is baked every morning at 5 am with organic rye flour."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(Path(tmp_path_factory.mktemp("chat-e2e")), LLM_PROVIDER="extractive")
    stack.start()
    yield stack
    assert stack.stop(signal.SIGINT) == 0


@pytest.fixture(scope="module")
def http(stack: Stack) -> Iterator[httpx.Client]:
    """A visitor's browser on the demo site: its requests carry the demo site's origin."""
    with httpx.Client(base_url=stack.base, timeout=30, headers={"Origin": stack.demo_origin}) as client:
        yield client


@pytest.fixture(scope="module")
def admin(stack: Stack) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, timeout=30, headers=headers) as client:
        yield client


def _indexed(admin: httpx.Client, tenant_id: str) -> list[dict]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        items = admin.get("/api/admin/sources", params={"tenant_id": tenant_id}).json()["items"]
        if items and all(source["status"] != "pending" for source in items):
            return items
        time.sleep(0.5)
    pytest.fail(f"sources of {tenant_id} were not indexed in time")


@pytest.fixture(scope="module")
def demo(admin: httpx.Client) -> str:
    tenant_id = next(t["id"] for t in admin.get("/api/admin/tenants").json()["items"] if t["whmcs_client_id"] == 1000)
    assert all(source["status"] == "indexed" for source in _indexed(admin, tenant_id))
    return tenant_id


def _consent(http: httpx.Client, tenant_id: str, session: str) -> None:
    body = {"tenant_id": tenant_id, "session_id": session, "accepted": True, "terms_version": "1"}
    assert http.post("/api/consent", json=body).status_code == 201


def _ask(http: httpx.Client, tenant_id: str, session: str, message: str) -> httpx.Response:
    return http.post("/api/chat", json={"tenant_id": tenant_id, "session_id": session, "message": message})


def test_a_greeting_gets_a_friendly_answer_that_is_not_escalated(
    http: httpx.Client, admin: httpx.Client, demo: str
) -> None:
    _consent(http, demo, "e2e-hi")
    body = _ask(http, demo, "e2e-hi", "hi").json()
    greeting = admin.get(f"/api/admin/tenants/{demo}").json()["effective_settings"]["greeting"]
    assert body["intent"] == "greeting" and body["answer"] == greeting
    assert not body["escalated"] and not body["refused"]


def test_a_demo_question_is_answered_with_a_numbered_source_and_the_visitors_thumb_is_stored(
    http: httpx.Client, admin: httpx.Client, demo: str
) -> None:
    _consent(http, demo, "e2e-answer")
    response = _ask(http, demo, "e2e-answer", "How do I transfer a domain?")
    assert response.status_code == 200, response.text
    body = response.json()
    threshold = admin.get(f"/api/admin/tenants/{demo}").json()["effective_settings"]["escalate_threshold"]
    assert "unlock it at your current registrar" in body["answer"] and body["answer"].endswith("[1]")
    assert body["confidence"] >= threshold and not body["escalated"] and not body["refused"]
    assert body["sources"][0]["title"] == "Domains and DNS" and body["sources"][0]["cited"]

    vote = {"tenant_id": demo, "session_id": "e2e-answer", "value": "down"}
    assert http.post(f"/api/chat/messages/{body['message_id']}/feedback", json=vote).status_code == 200
    conversation = admin.get(f"/api/admin/conversations/{body['conversation_id']}").json()
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    answer = conversation["messages"][1]
    assert answer["confidence"] == pytest.approx(body["confidence"], abs=1e-4) and answer["feedback"] == "down"
    assert set(answer["confidence_parts"]) >= {"retrieval_similarity", "source_coverage", "answer_coherence"}
    usage = admin.get("/api/admin/usage", params={"tenant_id": demo}).json()
    assert usage["totals"]["messages"] >= 1 and usage["totals"]["thumbs_down"] >= 1


def test_an_absent_topic_is_handed_to_a_human(http: httpx.Client, demo: str) -> None:
    _consent(http, demo, "e2e-absent")
    body = _ask(http, demo, "e2e-absent", "Can you recommend a good pizza recipe with anchovies?").json()
    assert body["escalated"] or body["refused"]


def test_no_consent_is_403_and_the_ip_is_caddys_not_the_visitors_claim(
    http: httpx.Client, stack: Stack, demo: str
) -> None:
    assert _ask(http, demo, "e2e-nobody", "Hello?").json()["code"] == "consent_required"
    body = {"tenant_id": demo, "session_id": "e2e-spoof", "accepted": True, "terms_version": "1"}
    assert http.post("/api/consent", json=body, headers={"X-Forwarded-For": "6.6.6.6"}).status_code == 201
    database = Database(stack.database_url)
    database.open()
    try:
        with database.tenant(UUID(demo)) as conn:
            row = conn.execute("SELECT host(ip_address) AS ip FROM consents WHERE session_id = 'e2e-spoof'").fetchone()
    finally:
        database.close()
    assert row["ip"] == "127.0.0.1"


def test_other_tenants_suspension_and_rate_limits(http: httpx.Client, admin: httpx.Client, demo: str) -> None:
    bakery = admin.post(
        "/api/admin/tenants",
        json={"name": "Bakery", "whmcs_client_id": 2000, "settings": {"session_rate_limit_per_minute": 2}},
    ).json()["id"]
    admin.post("/api/admin/sources", json={"tenant_id": bakery, "type": "text", "title": "Bread", "content": BAKERY})
    bakery_sources = {source["id"] for source in _indexed(admin, bakery)}

    _consent(http, demo, "e2e-isolation")
    asked = _ask(http, demo, "e2e-isolation", "When is the sourdough bread baked with organic rye flour?").json()
    assert not {source["source_id"] for source in asked["sources"]} & bakery_sources

    _consent(http, bakery, "e2e-busy")
    assert [_ask(http, bakery, "e2e-busy", "When is bread baked?").status_code for _ in range(2)] == [200, 200]
    limited = _ask(http, bakery, "e2e-busy", "When is bread baked?")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1

    admin.patch(f"/api/admin/tenants/{bakery}", json={"status": "suspended"})
    suspended = _ask(http, bakery, "e2e-busy", "Hello?")
    assert suspended.status_code == 403 and suspended.json()["code"] == "tenant_suspended"


def test_the_demo_site_embeds_the_widget_on_its_own_origin(http: httpx.Client, stack: Stack, demo: str) -> None:
    page = httpx.get(f"{stack.demo_origin}/", timeout=10)
    assert page.status_code == 200
    assert f'src="{stack.base}/widget/v1/widget.js" data-tenant="{demo}"' in page.text
    _consent(http, demo, "e2e-elsewhere")
    elsewhere = http.post(
        "/api/chat",
        json={"tenant_id": demo, "session_id": "e2e-elsewhere", "message": "Hello?"},
        headers={"Origin": "https://copycat.example"},
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "origin_not_allowed"
