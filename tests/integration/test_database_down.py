"""Postgres killed under the running apps: a fast 503 database_unavailable with Retry-After, then service
again by itself once it is back, without restarting the apps."""

import os
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from infra.local.harness import free_port
from infra.local.postgres import LocalPostgres
from tests.conftest import ADMIN_KEY, Cluster, assert_problem, client_for
from tinyeclipse import migrations
from tinyeclipse.chat.engine import build_engine, get_engine
from tinyeclipse.config import Settings
from tinyeclipse.db import Database, database_for

# The bound: the answer comes within a second of the request, not after a pool timeout.
FAST_SECONDS = 1.0
RECOVERY_SECONDS = 10.0

Request = Callable[[], httpx.Response]


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[tuple[LocalPostgres, Settings]]:
    """A Postgres of this test alone: the session-wide one must survive it."""
    server = LocalPostgres(tmp_path / "data", port=free_port())
    server.start()
    try:
        app_url, owner_url = Cluster(server, secrets.token_urlsafe(16), secrets.token_urlsafe(16)).create_database(
            "tinyeclipse"
        )
        migrations.upgrade(owner_url)
        settings = Settings(
            _env_file=None,
            environment="test",
            database_url=app_url,
            admin_api_key=ADMIN_KEY,
            llm_provider="extractive",
        )
        yield server, settings
    finally:
        server.stop()


def _kill(server: LocalPostgres) -> None:
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("postgres did not die")


def _restart(server: LocalPostgres) -> None:
    # The killed server's backends may still be leaving its shared memory for a moment.
    deadline = time.monotonic() + 30
    while True:
        try:
            server.start()
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _apps(settings: Settings, database: Database) -> Iterator[dict[str, TestClient]]:
    from functions.admin.app import app as admin_app
    from functions.chat.app import app as chat_app
    from functions.consent.app import app as consent_app

    engine = build_engine(settings)
    chat_app.dependency_overrides[get_engine] = lambda: engine
    clients = {
        name: client_for(app, settings, database)
        for name, app in (("chat", chat_app), ("consent", consent_app), ("admin", admin_app))
    }
    clients["admin"].headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    try:
        for client in clients.values():
            client.__enter__()
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
        for app in (chat_app, consent_app, admin_app):
            app.dependency_overrides.clear()


@pytest.fixture
def apps(own_postgres: tuple[LocalPostgres, Settings]) -> Iterator[dict[str, TestClient]]:
    _, settings = own_postgres
    # As get_database builds it in production: the settings' pool size and waits.
    database = database_for(settings)
    database.open()
    try:
        yield from _apps(settings, database)
    finally:
        database.close()


def _routes(apps: dict[str, TestClient]) -> dict[str, Request]:
    """A tenant with a consenting visitor, and one request of each kind a visitor or the operator sends."""
    chat, consent, admin = apps["chat"], apps["consent"], apps["admin"]
    created = admin.post("/api/admin/tenants", json={"name": "Acme", "whmcs_client_id": 42})
    assert created.status_code == 201, created.text
    tenant = created.json()["id"]
    visitor = {"tenant_id": tenant, "session_id": "visitor-1"}
    return {
        "consent": lambda: consent.post("/api/consent", json={**visitor, "accepted": True, "terms_version": "1"}),
        "consent check": lambda: consent.get("/api/consent/check", params=visitor),
        "chat": lambda: chat.post("/api/chat", json={**visitor, "message": "Hello!"}),
        "chat config": lambda: chat.get("/api/chat/config", params={"tenant_id": tenant}),
        "admin tenants": lambda: admin.get("/api/admin/tenants"),
        "admin tenant": lambda: admin.get(f"/api/admin/tenants/{tenant}"),
        "chat health": lambda: chat.get("/api/chat/health"),
        "consent health": lambda: consent.get("/api/consent/health"),
        "admin health": lambda: admin.get("/api/admin/health"),
    }


def _succeeds(request: Request) -> bool:
    return request().status_code in (200, 201)


def test_a_dead_database_is_a_fast_503_and_service_resumes_by_itself(
    own_postgres: tuple[LocalPostgres, Settings], apps: dict[str, TestClient]
) -> None:
    server, _ = own_postgres
    routes = _routes(apps)
    for name, request in routes.items():
        response = request()
        assert response.status_code in (200, 201), f"{name}: {response.text}"

    _kill(server)
    # Twice: the first round finds the pool's broken connections, the second an empty pool.
    for _ in range(2):
        for name, request in routes.items():
            started = time.monotonic()
            response = request()
            elapsed = time.monotonic() - started
            assert_problem(response, 503, "database_unavailable")
            assert int(response.headers["Retry-After"]) >= 1, name
            assert elapsed < FAST_SECONDS, f"{name} took {elapsed:.2f} s"

    _restart(server)
    deadline = time.monotonic() + RECOVERY_SECONDS
    waiting = dict(routes)
    while waiting and time.monotonic() < deadline:
        waiting = {name: request for name, request in waiting.items() if not _succeeds(request)}
        time.sleep(0.1)
    assert not waiting, f"still failing {RECOVERY_SECONDS} s after the database came back: {sorted(waiting)}"
    # The chat round trip, consent included, works as before the outage.
    assert routes["chat"]().json()["intent"] == "greeting"


def test_a_busy_pool_is_no_outage(own_postgres: tuple[LocalPostgres, Settings]) -> None:
    """Every connection open and lent out: a request waits for one instead of hearing "database unavailable"."""
    _, settings = own_postgres
    database = Database(settings.database_url.get_secret_value(), max_size=1, wait_timeout=0.2, busy_timeout=5)
    database.open()

    def query() -> str:
        with database.operator() as conn:
            return conn.execute("SELECT 'served' AS answer").fetchone()["answer"]

    try:
        with ThreadPoolExecutor(1) as pool:
            with database.operator() as held:
                held.execute("SELECT 1")
                waiting = pool.submit(query)
                time.sleep(1.0)  # five times the wait_timeout: it must still be waiting, not answered 503
                assert not waiting.done()
            assert waiting.result(timeout=10) == "served"
    finally:
        database.close()
