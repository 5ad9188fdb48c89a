"""Connection pool and the two ways into the database.

Every unit of work runs in one transaction. `tenant()` scopes it to one tenant with
`SET LOCAL app.tenant_id`, which the row-level security policies read; `operator()` is
the explicit path for operator-wide work (the admin panel): it switches to the
`tinyeclipse_operator` role, whose policies see every tenant.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from tinyeclipse.config import get_settings

OPERATOR_ROLE = "tinyeclipse_operator"

Connection = psycopg.Connection[dict]


def _configure(conn: psycopg.Connection) -> None:
    # Imported here so that processes which never open a connection don't pay for numpy.
    from pgvector.psycopg import register_vector

    register_vector(conn)


class Database:
    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 5,
        connect_timeout: float = 5.0,
    ) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=connect_timeout,
            kwargs={"autocommit": True, "row_factory": dict_row},
            configure=_configure,
            check=ConnectionPool.check_connection,
            open=False,
            name="tinyeclipse",
        )

    def open(self) -> None:
        # wait=False: a cold start must not fail just because the database is still starting;
        # the first request waits (up to the timeout) instead.
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def tenant(self, tenant_id: UUID) -> Iterator[Connection]:
        """A transaction that can see and write only `tenant_id`'s rows."""
        with self._transaction() as conn:
            conn.execute(sql.SQL("SET LOCAL app.tenant_id = {}").format(sql.Literal(str(UUID(str(tenant_id))))))
            yield conn

    @contextmanager
    def operator(self) -> Iterator[Connection]:
        """A transaction for operator-wide work across all tenants."""
        with self._transaction() as conn:
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(OPERATOR_ROLE)))
            yield conn

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self._transaction() as conn:
            conn.execute("SELECT 1")


@lru_cache
def get_database() -> Database:
    settings = get_settings()
    database = Database(
        settings.database_url.get_secret_value(),
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        connect_timeout=settings.db_connect_timeout_seconds,
    )
    database.open()
    return database


def close_database() -> None:
    """Close this process's pool, if it opened one."""
    if get_database.cache_info().currsize:
        get_database().close()
        get_database.cache_clear()
