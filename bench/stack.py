"""What the benchmarks share: a throw-away embedded Postgres, and where results go."""

import os
import platform
import uuid
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from infra.local.harness import free_port
from infra.local.postgres import LocalPostgres
from tinyeclipse import migrations
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

REPO = Path(__file__).resolve().parents[1]
SQUAD = REPO.parent / "shared" / "eval" / "squad2-dev-slice.json"
RESULTS = REPO / "docs" / "benchmarks.md"
# Benchmarks measure the product, not its limits.
UNLIMITED = {
    "rate_limit_per_minute": 10_000,
    "rate_limit_per_day": 10_000_000,
    "session_rate_limit_per_minute": 1_000,
    "session_rate_limit_per_day": 100_000,
}


class Stack:
    """A migrated embedded Postgres in `workdir`, the app's settings for it, and an open Database."""

    def __init__(self, workdir: Path, **settings: object) -> None:
        port = free_port()
        self.server = LocalPostgres(workdir / "pg", port=port)
        self.server.start()
        password = uuid.uuid4().hex
        app_url = f"postgresql://tinyeclipse_app:{password}@127.0.0.1:{port}/bench"
        owner_url = f"postgresql://tinyeclipse_owner:{password}@127.0.0.1:{port}/bench"
        self.server.bootstrap(app_url, owner_url)
        migrations.upgrade(owner_url)
        self.settings = Settings(
            _env_file=None,
            database_url=app_url,
            migrations_database_url=owner_url,
            admin_api_key="b" * 32,
            **settings,
        )
        self.db = Database(app_url, max_size=8)
        self.db.open()

    def add_tenant(self, name: str, whmcs_client_id: int, overrides: dict | None = None) -> UUID:
        from psycopg.types.json import Jsonb

        with self.db.operator() as conn:
            return conn.execute(
                "INSERT INTO tenants (whmcs_client_id, name, plan, settings) VALUES (%s, %s, 'pro', %s) RETURNING id",
                [whmcs_client_id, name, Jsonb({**UNLIMITED, **(overrides or {})})],
            ).fetchone()["id"]

    def close(self) -> None:
        self.db.close()
        self.server.stop()


def machine() -> str:
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()} ({os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()})"
    )


def append_results(text: str) -> None:
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmarks\n\nWritten by `make bench` and `make eval`: each run appends its results.\n")
    RESULTS.write_text(RESULTS.read_text() + "\n" + text)
