"""`python -m infra.database`: sets up a fresh database on a plain Postgres, reruns harmlessly, names what is wrong."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ADMIN_KEY, Cluster
from tests.infra.compose import REPO


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "MIGRATIONS_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "infra.database", *args],
        cwd=REPO,
        env={**base, "TINYECLIPSE_ENV_FILE": os.devnull, "ADMIN_API_KEY": ADMIN_KEY, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def fresh(cluster: Cluster) -> dict[str, str]:
    """The environment for a database that does not exist yet, with new passwords for the roles."""
    dbname = "cli_" + secrets.token_hex(4)
    app_url, owner_url = cluster.urls(dbname)
    return {
        "SUPERUSER_DATABASE_URL": cluster.server.superuser_url(),
        "DATABASE_URL": app_url,
        "MIGRATIONS_DATABASE_URL": owner_url,
    }


def test_bootstrap_and_migrate_create_a_working_database_and_can_run_again(fresh: dict[str, str]) -> None:
    first = run_cli("bootstrap", "migrate", **fresh)
    assert first.returncode == 0, first.stderr
    assert "bootstrap:" in first.stdout and "migrate:" in first.stdout

    with psycopg.connect(fresh["DATABASE_URL"]) as app:
        # The app role logs in, sees the migrated tables and, without a tenant set, no rows (RLS).
        assert app.execute("SELECT count(*) FROM tenants").fetchone() == (0,)
        assert app.execute("SELECT extname FROM pg_extension WHERE extname = 'vector'").fetchone() == ("vector",)
        owner = app.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'tenants'").fetchone()
        assert owner == ("tinyeclipse_owner",)

    again = run_cli("bootstrap", "migrate", **fresh)
    assert again.returncode == 0, again.stderr


def test_seed_demo_creates_the_demo_tenant_once_and_reports_its_id(fresh: dict[str, str], tmp_path: Path) -> None:
    assert run_cli("bootstrap", "migrate", **fresh).returncode == 0
    id_file = tmp_path / "demo-tenant-id"
    first = run_cli("seed-demo", "--tenant-id-file", str(id_file), **fresh)
    assert first.returncode == 0, first.stderr
    tenant_id = id_file.read_text().strip()
    assert f"demo tenant {tenant_id}" in first.stdout
    second = run_cli("seed-demo", **fresh)
    assert second.returncode == 0, second.stderr
    assert f"demo tenant {tenant_id}" in second.stdout, "the same tenant, not a second one"


def test_the_roles_password_follows_the_configuration(fresh: dict[str, str], cluster: Cluster) -> None:
    # Bootstrap updates an existing role: a rotated password in DATABASE_URL works after the next run.
    rotated = fresh["DATABASE_URL"].replace(cluster.app_password, "rotated-" + secrets.token_hex(8))
    assert run_cli("bootstrap", **{**fresh, "DATABASE_URL": rotated}).returncode == 0
    with psycopg.connect(rotated) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("tinyeclipse_app",)
    assert run_cli("bootstrap", **fresh).returncode == 0  # and back, for the other tests of this session


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SUPERUSER_DATABASE_URL": ""}, "SUPERUSER_DATABASE_URL is not set"),
        ({"SUPERUSER_DATABASE_URL": "mysql://root@db/postgres"}, "SUPERUSER_DATABASE_URL must be a postgresql:// URL"),
        ({"DATABASE_URL": "postgresql://someone:pw@127.0.0.1:1/x"}, "DATABASE_URL must log in as tinyeclipse_app"),
        ({"MIGRATIONS_DATABASE_URL": "sqlite:///x.db"}, "MIGRATIONS_DATABASE_URL"),
    ],
)
def test_bad_configuration_exits_2_and_names_the_variable(
    fresh: dict[str, str], change: dict[str, str], message: str
) -> None:
    result = run_cli("bootstrap", **{**fresh, **change})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "configuration error" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_action_is_refused(fresh: dict[str, str]) -> None:
    result = run_cli("drop-everything", **fresh)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_an_unreachable_server_is_reported_without_a_traceback(fresh: dict[str, str]) -> None:
    result = run_cli("bootstrap", **{**fresh, "SUPERUSER_DATABASE_URL": "postgresql://postgres:x@127.0.0.1:1/postgres"})
    assert result.returncode == 1
    assert "cannot connect to PostgreSQL" in result.stderr and "Traceback" not in result.stderr
