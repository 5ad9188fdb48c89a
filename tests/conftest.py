"""Shared fixtures: one real embedded Postgres per test run, in a temp dir, migrated from empty."""

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

# Tests build their settings explicitly; a developer's own .env must never leak in.
os.environ["TINYECLIPSE_ENV_FILE"] = os.devnull

from infra.local.harness import free_port
from infra.local.postgres import LocalPostgres
from tinyeclipse import migrations
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

ADMIN_KEY = "test-admin-key-" + secrets.token_hex(8)
TABLES = (
    "audit_log",
    "tenant_terminations",
    "idempotency_keys",
    "usage_archive",
    "quota_counters",
    "question_embeddings",
    "gap_resolutions",
    "notification_deliveries",
    "conversation_transitions",
    "rate_limit_counters",
    "usage_logs",
    "consents",
    "messages",
    "conversations",
    "ingest_jobs",
    "embeddings",
    "documents",
    "source_files",
    "sources",
    "tenants",
)


@dataclass(frozen=True)
class Cluster:
    server: LocalPostgres
    app_password: str
    owner_password: str

    def urls(self, dbname: str) -> tuple[str, str]:
        """(app URL, owner URL) for `dbname` on this cluster."""
        host = f"127.0.0.1:{self.server.port}/{dbname}"
        return (
            f"postgresql://tinyeclipse_app:{self.app_password}@{host}",
            f"postgresql://tinyeclipse_owner:{self.owner_password}@{host}",
        )

    def create_database(self, dbname: str) -> tuple[str, str]:
        app_url, owner_url = self.urls(dbname)
        self.server.bootstrap(app_url, owner_url)
        return app_url, owner_url


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    server = LocalPostgres(Path(tmp_path_factory.mktemp("pg")) / "data", port=free_port())
    server.start()
    try:
        yield Cluster(server, secrets.token_urlsafe(16), secrets.token_urlsafe(16))
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings(cluster: Cluster) -> Settings:
    app_url, owner_url = cluster.create_database("tinyeclipse")
    migrations.upgrade(owner_url)
    return Settings(
        _env_file=None,
        environment="test",
        database_url=app_url,
        migrations_database_url=owner_url,
        admin_api_key=ADMIN_KEY,
    )


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Database]:
    # One small pool shared by every test and its threads: under a busy CPU a wait may pass the production
    # default (DB_POOL_WAIT_SECONDS, 0.5 s); tests of the fast 503 build their own Database.
    db = Database(settings.database_url.get_secret_value(), max_size=4, wait_timeout=5.0)
    db.open()
    yield db
    db.close()


@pytest.fixture
def owner(settings: Settings) -> Iterator[psycopg.Connection]:
    """A connection as the tables' owner: for schema checks and clean-up (RLS is forced on it too)."""
    with psycopg.connect(settings.migrations_database_url.get_secret_value(), autocommit=True) as conn:
        yield conn


@pytest.fixture
def clean_db(database: Database, owner: psycopg.Connection) -> Iterator[Database]:
    """The app's database, emptied after the test."""
    yield database
    owner.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")


def client_for(app, settings: Settings, database: Database):
    """A TestClient for one function's app, wired to the test database."""
    from fastapi.testclient import TestClient

    from tinyeclipse.config import get_settings
    from tinyeclipse.db import get_database

    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[get_database] = lambda: database
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def admin(settings: Settings, clean_db: Database):
    """The admin function's app, authenticated as the operator."""
    from functions.admin.app import app

    with client_for(app, settings, clean_db) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        yield client
    app.dependency_overrides.clear()


def assert_problem(response, status: int, code: str) -> str:
    """The response is a problem with this status and code; returns its detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body["detail"]
