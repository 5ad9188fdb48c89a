"""`python -m infra.database bootstrap|migrate|seed-demo ...`: set up TinyEclipse's database on any Postgres.

bootstrap  as a superuser (SUPERUSER_DATABASE_URL, pointing at the `postgres` database; on Amazon RDS the
           master user): the roles, the database and the pgvector extension that the migrations assume.
migrate    as the tables' owner (MIGRATIONS_DATABASE_URL): the schema, up to the newest revision.
seed-demo  as the application (DATABASE_URL): the demo tenants (English, and its Dutch twin) and their knowledge;
           --tenant-id-file keeps the English one's id, the Dutch one's goes beside it (demo-nl-tenant-id).

Several actions run in the order given; every one is idempotent. The local runner (`make up`) does the
same through these functions; docker compose runs this module once before the functions start.
Bad or missing configuration exits with code 2 and says which variable to fix.

`backup [--dir DIR] [--keep N]` and `restore FILE [--replace]` (infra/backup.py) connect as the superuser to the
database of DATABASE_URL (or to BACKUP_DATABASE_URL); with ENVIRONMENT=local and no superuser URL, to the
embedded Postgres of `make up`.
"""

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql
from pydantic import SecretStr, ValidationError

from infra import backup as backups
from infra.local.commands import DATABASE_ACTIONS
from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import OPERATOR_ROLE

APP_ROLE = "tinyeclipse_app"
SUPERUSER_URL_VARIABLE = "SUPERUSER_DATABASE_URL"

EXIT_CONFIG = 2


class ConfigError(ValueError):
    """The configuration cannot work: the message names the variable and what is wrong with it."""


def bootstrap(superuser_url: str, app_url: str, owner_url: str) -> None:
    """Create (or update) the roles and the database, with pgvector in it: what the migrations assume."""
    app, owner = urlsplit(app_url), urlsplit(owner_url)
    dbname = owner.path.lstrip("/")
    owner_name, owner_password = unquote(owner.username or ""), unquote(owner.password or "")
    if unquote(app.username or "") != APP_ROLE:
        raise ConfigError(f"DATABASE_URL must log in as {APP_ROLE}, the role the migrations grant to.")
    if app.path != owner.path or not dbname:
        raise ConfigError("DATABASE_URL and MIGRATIONS_DATABASE_URL must name the same database.")
    if owner_name == APP_ROLE:
        raise ConfigError(f"MIGRATIONS_DATABASE_URL must log in as the tables' owner, not as {APP_ROLE}.")
    for variable, name, password in (
        ("MIGRATIONS_DATABASE_URL", owner_name, owner_password),
        ("DATABASE_URL", APP_ROLE, unquote(app.password or "")),
    ):
        if not name or not password:
            raise ConfigError(f"{variable} must carry a user name and a password.")
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        _ensure_login_role(conn, owner_name, owner_password)
        _ensure_login_role(conn, APP_ROLE, unquote(app.password or ""))
        _ensure_operator_role(conn)
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
                # RDS's master user is no superuser: it may only give a database to a role it can SET ROLE to.
                conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(owner_name)))
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(owner_name))
            )
    # pgvector is not a trusted extension: the superuser creates it, the owner's migrations use it.
    with psycopg.connect(_with_database(superuser_url, dbname), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")


def migrate(owner_url: str) -> None:
    """Apply every migration not yet applied, as the tables' owner."""
    # Imported here: alembic is a tools dependency, not something bootstrap needs.
    from tinyeclipse import migrations

    migrations.upgrade(owner_url)


def seed_demo(settings: Settings, tenant_id_file: Path | None = None) -> tuple[str, str]:
    """The demo tenants (created when missing; the ones the id files name if they do) and their knowledge;
    returns the ids of the English and the Dutch demo tenant, also written to `tenant_id_file` and beside it."""
    from infra.local import seed
    from tinyeclipse.db import Database

    database = Database(settings.database_url.get_secret_value())
    database.open()
    try:
        demos = seed.seed_demos(database, settings, tenant_id_file)
    finally:
        database.close()
    return str(demos[seed.ENGLISH][0].id), str(demos[seed.DUTCH][0].id)


def _ensure_login_role(conn: psycopg.Connection, name: str, password: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(
        sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(password)
        )
    )


def _ensure_operator_role(conn: psycopg.Connection) -> None:
    # INHERIT FALSE: the operator's see-all policies apply to the app only after an explicit
    # SET ROLE (the operator path in tinyeclipse.db), never to its tenant-scoped transactions.
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [OPERATOR_ROLE]).fetchone():
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(OPERATOR_ROLE)))
    conn.execute(
        sql.SQL("GRANT {} TO {} WITH INHERIT FALSE, SET TRUE").format(
            sql.Identifier(OPERATOR_ROLE), sql.Identifier(APP_ROLE)
        )
    )


def _with_database(url: str, dbname: str) -> str:
    return urlsplit(url)._replace(path=f"/{dbname}").geturl()


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"the settings are invalid: {problems}") from None


def _secret(settings: Settings, field: str) -> str:
    # Read defensively: some settings are optional where a function does not need them.
    value = getattr(settings, field, None)
    if value is None:
        raise ConfigError(f"{field.upper()} is not set.")
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _superuser_url() -> str:
    url = os.environ.get(SUPERUSER_URL_VARIABLE, "")
    if not url:
        raise ConfigError(
            f"{SUPERUSER_URL_VARIABLE} is not set: a superuser's URL to the `postgres` database "
            "(on Amazon RDS, the master user's)."
        )
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"{SUPERUSER_URL_VARIABLE} must be a postgresql:// URL.")
    return url


def _backup_url(settings: Settings) -> str:
    """A superuser's URL to the application's database: what pg_dump and the restore need."""
    if url := os.environ.get(backups.URL_VARIABLE, ""):
        return url
    dbname = urlsplit(_secret(settings, "database_url")).path.lstrip("/")
    if os.environ.get(SUPERUSER_URL_VARIABLE):
        return _with_database(_superuser_url(), dbname)
    if settings.environment == "local":
        # `make up`'s embedded Postgres: its superuser logs in over the Unix socket in its data directory.
        from infra.local.postgres import LocalPostgres

        port = urlsplit(_secret(settings, "database_url")).port or 5432
        server = LocalPostgres(settings.data_dir / "postgres", port=port)
        if server.initialized():
            return server.superuser_url(dbname)
    return _with_database(_superuser_url(), dbname)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["backup"], ["restore"]):
        try:
            url = _backup_url(_settings())
        except ConfigError as exc:
            print(f"configuration error: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        return backups.main(argv, url=url, prog="python -m infra.database")
    parser = argparse.ArgumentParser(prog="python -m infra.database", description=__doc__.split("\n\n")[0])
    parser.add_argument("actions", nargs="+", choices=DATABASE_ACTIONS, metavar="{" + ",".join(DATABASE_ACTIONS) + "}")
    parser.add_argument(
        "--tenant-id-file", type=Path, help="where seed-demo keeps the demo tenant's id (the Dutch one's beside it)"
    )
    args = parser.parse_args(argv)
    try:
        settings = _settings()
        for action in args.actions:
            if action == "bootstrap":
                owner_url = _secret(settings, "migrations_database_url")
                bootstrap(_superuser_url(), _secret(settings, "database_url"), owner_url)
                print(f"bootstrap: roles, database and pgvector ready in {urlsplit(owner_url).path[1:]!r}", flush=True)
            elif action == "migrate":
                migrate(_secret(settings, "migrations_database_url"))
                print("migrate: the schema is at the newest revision", flush=True)
            else:
                english_id, dutch_id = seed_demo(settings, args.tenant_id_file)
                print(f"seed-demo: demo tenant {english_id}, Dutch demo tenant {dutch_id}", flush=True)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except psycopg.OperationalError as exc:
        print(f"cannot connect to PostgreSQL: {str(exc).strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
