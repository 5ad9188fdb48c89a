"""Alembic environment: plain SQL migrations over a psycopg 3 connection."""

from alembic import context
from sqlalchemy import create_engine, pool

from tinyeclipse.config import get_settings


def _url() -> str:
    url = context.config.attributes.get("database_url")
    if not url:
        configured = get_settings().migrations_database_url
        if configured is None:
            raise RuntimeError("MIGRATIONS_DATABASE_URL is not set: migrations run as the tables' owner.")
        url = configured.get_secret_value()
    # SQLAlchemy needs the driver named; psycopg 3 is the one the app uses too.
    return url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) mode is not supported: run against a database.")
run_migrations_online()
