"""The seed's variables, in the operator's `.env`, are every tenant's defaults: a tenant's override wins, then
the plan's variable, then the seed's, then the plan's built-in default."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, assert_problem, client_for
from tests.integration.conftest import ask, give_consent
from tinyeclipse.config import ENV_FILE_VARIABLE, Settings, get_settings
from tinyeclipse.db import Database
from tinyeclipse.tenants.settings import FITTED_THRESHOLDS

ADMIN_ORIGIN = "https://admin.example.com"


@pytest.fixture
def operator_settings(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The settings as a process reads them from the operator's `.env`."""
    env = tmp_path / ".env"
    env.write_text(
        f"DATABASE_URL={settings.database_url.get_secret_value()}\n"
        f"ADMIN_API_KEY={ADMIN_KEY}\n"
        "ENVIRONMENT=test\n"
        "LLM_PROVIDER=extractive\n"
        "RATE_LIMIT_PER_MINUTE=20\n"
        "RATE_LIMIT_PER_DAY=900\n"
        "PRO_RATE_LIMIT_PER_MINUTE=40\n"
        "PRO_PLUS_RATE_LIMIT_PER_DAY=\n"
        "CONFIDENCE_ESCALATE_THRESHOLD=0.8\n"
        "CONFIDENCE_REFUSE_THRESHOLD=0.4\n"
        f"CORS_ORIGINS={ADMIN_ORIGIN}, http://localhost:3000/\n"
    )
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(env))
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        get_settings.cache_clear()


@pytest.fixture
def admin_app(operator_settings: Settings, clean_db: Database) -> Iterator[TestClient]:
    from functions.admin.app import app

    with client_for(app, operator_settings, clean_db) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        yield client
    app.dependency_overrides.clear()


@pytest.fixture
def within_one_minute() -> None:
    """Start early enough in a minute that the test's requests all fall in one minute window."""
    second = datetime.now(UTC).second
    if second >= 45:
        time.sleep(61 - second)


def _tenant(admin: TestClient, whmcs: int, plan: str, **settings: object) -> dict:
    response = admin.post(
        "/api/admin/tenants", json={"name": f"T{whmcs}", "whmcs_client_id": whmcs, "plan": plan, "settings": settings}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_admin_api_shows_the_operator_defaults_in_order(admin_app: TestClient) -> None:
    tiny = _tenant(admin_app, 1, "tiny")["effective_settings"]
    assert (tiny["rate_limit_per_minute"], tiny["rate_limit_per_day"]) == (20, 900)
    assert (tiny["escalate_threshold"], tiny["refuse_threshold"]) == (0.8, 0.4)
    assert tiny["session_rate_limit_per_minute"] == 5  # no variable: the plan's built-in default

    pro = _tenant(admin_app, 2, "pro")["effective_settings"]
    assert (pro["rate_limit_per_minute"], pro["rate_limit_per_day"]) == (40, 900)  # PRO_ over the seed's

    own = _tenant(admin_app, 3, "pro", rate_limit_per_minute=7, escalate_threshold=0.5)["effective_settings"]
    assert (own["rate_limit_per_minute"], own["escalate_threshold"], own["refuse_threshold"]) == (7, 0.5, 0.4)

    # An override is checked against the defaults it will be read with.
    refused = admin_app.patch(
        f"/api/admin/tenants/{_tenant(admin_app, 4, 'tiny')['id']}", json={"settings": {"refuse_threshold": 0.85}}
    )
    assert "refuse_threshold must not be above escalate_threshold" in assert_problem(refused, 422, "invalid_request")


def test_without_the_variables_the_built_in_defaults_apply(admin: TestClient) -> None:
    tiny = _tenant(admin, 5, "tiny")["effective_settings"]
    assert (tiny["rate_limit_per_minute"], tiny["rate_limit_per_day"]) == (10, 500)
    assert (tiny["escalate_threshold"], tiny["refuse_threshold"]) == (
        FITTED_THRESHOLDS["escalate"],
        FITTED_THRESHOLDS["refuse"],
    )


@pytest.mark.usefixtures("within_one_minute")
def test_rate_limit_per_minute_limits_a_tenant_without_an_override(
    admin_app: TestClient, chat_app: tuple, operator_settings: Settings, clean_db: Database
) -> None:
    _, open_client = chat_app
    chat = open_client(operator_settings)
    tenant = UUID(_tenant(admin_app, 6, "tiny")["id"])
    # A visitor each: the session limit (5 a minute on tiny) must not be what stops them.
    for visitor in range(21):
        give_consent(clean_db, tenant, f"visitor-{visitor}")
    for visitor in range(20):
        response = ask(chat, tenant, "Hello!", session=f"visitor-{visitor}")
        assert response.status_code == 200, response.text
    assert_problem(ask(chat, tenant, "Hello!", session="visitor-20"), 429, "rate_limited")


def test_cors_origins_are_the_admin_panels_origins(admin_app: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization"}
    for origin in (ADMIN_ORIGIN, "http://localhost:3000"):
        allowed = admin_app.options("/api/admin/tenants", headers={"Origin": origin, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == origin
        listed = admin_app.get("/api/admin/tenants", headers={"Origin": origin})
        assert listed.status_code == 200 and listed.headers["access-control-allow-origin"] == origin
    elsewhere = admin_app.options("/api/admin/tenants", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in elsewhere.headers
    read = admin_app.get("/api/admin/tenants", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in read.headers


def test_without_cors_origins_the_admin_api_answers_no_cors(admin: TestClient) -> None:
    response = admin.get("/api/admin/tenants", headers={"Origin": ADMIN_ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
