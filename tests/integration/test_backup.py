"""`python -m infra.database backup|restore` on the embedded Postgres: a backup, the database dropped, the restore
gives back every row of every table (the uploaded PDF's bytes too), its owner, grants and row-level security."""

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from infra import backup as backups
from infra.local.seed import seed_demo
from tests.conftest import ADMIN_KEY, Cluster, client_for
from tinyeclipse import migrations
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import worker

REPO = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n%" + secrets.token_hex(16).encode() + b"\n"


@dataclass
class Filled:
    env: dict[str, str]  # what the CLI needs for this database
    dbname: str
    superuser: str  # a superuser's URL to the database
    app_url: str
    tenant_id: str


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATIONS_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "infra.database", *args],
        cwd=REPO,
        env={**base, "TINYECLIPSE_ENV_FILE": os.devnull, "ADMIN_API_KEY": ADMIN_KEY, "ENVIRONMENT": "test", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def counts(superuser: str) -> dict[str, int]:
    """Rows of every table of the application's schema (a superuser sees past row-level security)."""
    with psycopg.connect(superuser) as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture(scope="module")
def filled(cluster: Cluster) -> Iterator[Filled]:
    """A database of its own with the demo tenant's knowledge ingested (documents, embeddings) and a PDF upload."""
    dbname = "backup_" + secrets.token_hex(4)
    app_url, owner_url = cluster.create_database(dbname)
    migrations.upgrade(owner_url)
    settings = Settings(
        _env_file=None,
        environment="test",
        database_url=app_url,
        migrations_database_url=owner_url,
        admin_api_key=ADMIN_KEY,
    )
    database = Database(app_url, max_size=2, wait_timeout=5.0)
    database.open()
    try:
        tenant, _ = seed_demo(database, settings)
        while worker.run_once(database, settings, "test-backup"):
            pass
        from functions.admin.app import app

        with client_for(app, settings, database) as admin:
            admin.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
            upload = admin.post(
                "/api/admin/sources",
                data={"tenant_id": str(tenant.id), "type": "pdf", "title": "Terms"},
                files={"file": ("terms.pdf", PDF, "application/pdf")},
            )
            assert upload.status_code == 201, upload.text
        app.dependency_overrides.clear()
    finally:
        database.close()
    env = {
        "SUPERUSER_DATABASE_URL": cluster.server.superuser_url(),
        "DATABASE_URL": app_url,
        "MIGRATIONS_DATABASE_URL": owner_url,
    }
    yield Filled(env, dbname, cluster.server.superuser_url(dbname), app_url, str(tenant.id))


def _tenant_sources(app_url: str, tenant_id: str | None) -> int:
    with psycopg.connect(app_url) as conn:
        if tenant_id:
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant_id])
        return conn.execute("SELECT count(*) FROM sources").fetchone()[0]


def test_backup_drop_restore_gives_back_every_row_the_pdf_and_row_level_security(
    filled: Filled, tmp_path: Path
) -> None:
    before = counts(filled.superuser)
    assert before["embeddings"] > 0 and before["documents"] > 0 and before["source_files"] == 1, before
    with psycopg.connect(filled.superuser) as conn:
        vectors_before = conn.execute(
            "SELECT md5(string_agg(embedding::text, ',' ORDER BY id)) FROM embeddings"
        ).fetchone()

    made = run_cli("backup", "--dir", str(tmp_path), env=filled.env)
    assert made.returncode == 0, made.stderr
    [dump] = list(tmp_path.glob(f"{filled.dbname}-*.dump"))
    assert f"backup: {dump}" in made.stdout
    assert dump.stat().st_mode & 0o777 == 0o600, "every tenant's data: readable by its owner only"

    with psycopg.connect(filled.env["SUPERUSER_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{filled.dbname}" WITH (FORCE)')

    restored = run_cli("restore", str(dump), env=filled.env)
    assert restored.returncode == 0, restored.stderr
    assert counts(filled.superuser) == before
    with psycopg.connect(filled.superuser) as conn:
        assert conn.execute("SELECT data FROM source_files").fetchone()[0] == PDF
        vectors_after = conn.execute(
            "SELECT md5(string_agg(embedding::text, ',' ORDER BY id)) FROM embeddings"
        ).fetchone()
        assert vectors_after == vectors_before
        owners = {row[0] for row in conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        assert owners == {"tinyeclipse_owner"}
    # The application logs in as before and row-level security holds: its tenant's rows, none without a tenant.
    assert _tenant_sources(filled.app_url, filled.tenant_id) == before["sources"]
    assert _tenant_sources(filled.app_url, None) == 0


def test_restore_refuses_to_overwrite_a_database_unless_asked_and_then_replaces_it(
    filled: Filled, tmp_path: Path
) -> None:
    assert run_cli("backup", "--dir", str(tmp_path), env=filled.env).returncode == 0
    [dump] = list(tmp_path.glob("*.dump"))
    before = counts(filled.superuser)
    with psycopg.connect(filled.superuser, autocommit=True) as conn:
        conn.execute("DELETE FROM source_files")

    refused = run_cli("restore", str(dump), env=filled.env)
    assert refused.returncode == 2
    assert f"the database {filled.dbname} exists: pass --replace" in refused.stderr
    assert counts(filled.superuser)["source_files"] == 0, "left as it was"

    # Replaced even while the application holds a connection to it (the restore closes them).
    with psycopg.connect(filled.app_url) as app:
        replaced = run_cli("restore", str(dump), "--replace", env=filled.env)
        assert replaced.returncode == 0, replaced.stderr
        with pytest.raises(psycopg.OperationalError):
            app.execute("SELECT 1")
    assert counts(filled.superuser) == before


def test_a_broken_dump_leaves_the_database_as_it_was(filled: Filled, tmp_path: Path) -> None:
    assert run_cli("backup", "--dir", str(tmp_path), env=filled.env).returncode == 0
    [dump] = list(tmp_path.glob("*.dump"))
    before = counts(filled.superuser)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])

    result = run_cli("restore", str(broken), "--replace", env=filled.env)
    assert result.returncode == 1 and "restore failed" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert counts(filled.superuser) == before
    with psycopg.connect(filled.env["SUPERUSER_DATABASE_URL"]) as conn:
        leftovers = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{filled.dbname}_%"])
        assert leftovers.fetchall() == []


def test_old_backups_beyond_keep_are_deleted_newest_kept(filled: Filled, tmp_path: Path) -> None:
    made = []
    for _ in range(3):
        result = run_cli("backup", "--dir", str(tmp_path), "--keep", "2", env=filled.env)
        assert result.returncode == 0, result.stderr
        made.append(result.stdout.split()[1])
    kept = sorted(str(path) for path in tmp_path.glob("*.dump"))
    assert kept == sorted(made[1:])
    (tmp_path / "notes.txt").write_text("not a backup")
    assert run_cli("backup", "--dir", str(tmp_path), "--keep", "1", env=filled.env).returncode == 0
    assert len(list(tmp_path.glob("*.dump"))) == 1 and (tmp_path / "notes.txt").exists()


def test_the_embedded_postgres_of_make_up_is_found_without_a_superuser_url(
    filled: Filled, cluster: Cluster, tmp_path: Path
) -> None:
    # `make up` keeps its Postgres in DATA_DIR/postgres; ENVIRONMENT=local backs it up with nothing else set.
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "postgres").symlink_to(cluster.server.pgdata)
    env = {"DATABASE_URL": filled.app_url, "ENVIRONMENT": "local", "DATA_DIR": str(data_dir)}
    result = run_cli("backup", "--dir", str(tmp_path / "backups"), env=env)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "backups").glob(f"{filled.dbname}-*.dump"))) == 1


def test_without_a_superuser_url_the_cli_names_the_variable(filled: Filled, tmp_path: Path) -> None:
    env = {"DATABASE_URL": filled.app_url, "SUPERUSER_DATABASE_URL": ""}
    result = run_cli("backup", "--dir", str(tmp_path), env=env)
    assert result.returncode == 2 and "SUPERUSER_DATABASE_URL is not set" in result.stderr
    missing = run_cli("restore", str(tmp_path / "nothing.dump"), env=filled.env)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_the_health_check_of_the_scheduled_backups(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    assert "has not started" in backups.status(tmp_path, timedelta(hours=26))
    (tmp_path / backups.STATUS_FILE).write_text(json.dumps({"started": now.isoformat()}))
    assert backups.status(tmp_path, timedelta(hours=26)) is None, "just started: no backup due yet"
    (tmp_path / backups.STATUS_FILE).write_text(json.dumps({"started": (now - timedelta(days=2)).isoformat()}))
    assert "no backup for more than 26 h" in backups.status(tmp_path, timedelta(hours=26))
    (tmp_path / "tinyeclipse-20261201T023000.000000Z.dump").write_bytes(b"x")
    assert backups.status(tmp_path, timedelta(hours=26)) is None
    state = {"started": now.isoformat(), "ok": False, "last_attempt": now.isoformat(), "error": "disk full"}
    (tmp_path / backups.STATUS_FILE).write_text(json.dumps(state))
    assert "failed: disk full" in backups.status(tmp_path, timedelta(hours=26))


def test_the_schedule_runs_at_the_next_time_of_day() -> None:
    at = datetime.strptime("02:30", "%H:%M").time()
    morning = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert backups._next_run(morning, at) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert backups._next_run(morning.replace(hour=2, minute=30), at) == datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
    assert backups._next_run(morning.replace(hour=23), at) == datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
