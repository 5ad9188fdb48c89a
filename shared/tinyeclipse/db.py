"""Connection pool and the two ways into the database.

Every unit of work runs in one transaction. `tenant()` scopes it to one tenant with
`SET LOCAL app.tenant_id`, which the row-level security policies read; `operator()` is
the explicit path for operator-wide work (the admin panel): it switches to the
`tinyeclipse_operator` role, whose policies see every tenant.

When the database cannot be reached, both raise `DatabaseUnavailable` (503 with Retry-After) after at most
`wait_timeout` seconds, and the pool reconnects by itself once the database is back. A pool that is merely
busy (every connection open and in use) is no outage: then a request waits up to `busy_timeout` for one.
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from tinyeclipse.config import Settings, get_settings
from tinyeclipse.errors import DatabaseUnavailable

OPERATOR_ROLE = "tinyeclipse_operator"
# What a client is told to wait: about one restart of a supervised Postgres.
RETRY_AFTER_SECONDS = 2
# A failed connection attempt is given up after this long instead of psycopg_pool's backoff of up to
# minutes; the next request that finds the pool empty starts a new attempt, so service resumes as
# soon as the database answers again.
RECONNECT_GIVE_UP_SECONDS = 1.0
# How often a request that waits on a busy pool looks again whether the database is still there.
BUSY_SLICE_SECONDS = 0.25

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
        wait_timeout: float = 0.5,
        busy_timeout: float = 10.0,
        connect_timeout: float = 5.0,
    ) -> None:
        """`wait_timeout`: how long a request waits for a connection; `busy_timeout`: how long it waits when
        all `max_size` connections are open and busy; `connect_timeout`: how long one connection attempt may
        take (libpq rounds it up to whole seconds, at least 2)."""
        self._max_size = max_size
        self._wait_timeout = wait_timeout
        self._busy_timeout = busy_timeout
        self._pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=wait_timeout,
            reconnect_timeout=RECONNECT_GIVE_UP_SECONDS,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "connect_timeout": max(2, math.ceil(connect_timeout)),
            },
            configure=_configure,
            # A connection broken while it sat in the pool is replaced, not handed out.
            check=ConnectionPool.check_connection,
            open=False,
            name="tinyeclipse",
        )

    def open(self) -> None:
        # wait=False: a cold start must not fail just because the database is still starting;
        # requests meanwhile get DatabaseUnavailable.
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close()

    def _trouble(self) -> int:
        """How often so far a connection failed to open or came back broken: it rises when the database goes."""
        stats = self._pool.get_stats()
        return sum(stats.get(key, 0) for key in ("connections_errors", "connections_lost", "returns_bad"))

    def _checkout(self) -> Connection:
        trouble = self._trouble()
        try:
            return self._pool.getconn(timeout=self._wait_timeout)
        except PoolTimeout:
            pass
        # Every connection open and lent out, none failing: the database answers, the pool is just busy. Keep
        # waiting, a slice at a time, unless a connection fails meanwhile (the database went away).
        deadline = time.monotonic() + self._busy_timeout
        while True:
            busy = self._pool.get_stats().get("pool_size", 0) >= self._max_size and self._trouble() == trouble
            left = deadline - time.monotonic()
            if not busy or left <= 0:
                raise PoolTimeout(f"no connection within {self._wait_timeout} s and the pool is not merely busy")
            try:
                return self._pool.getconn(timeout=min(BUSY_SLICE_SECONDS, left))
            except PoolTimeout:
                continue

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            conn = self._checkout()
            try:
                with conn.transaction():
                    yield conn
            finally:
                self._pool.putconn(conn)
        except PoolTimeout as exc:
            raise DatabaseUnavailable(
                f"The database is not reachable right now; try again in {RETRY_AFTER_SECONDS} seconds.",
                RETRY_AFTER_SECONDS,
            ) from exc
        except psycopg.OperationalError as exc:
            if not connection_lost(exc):
                raise
            raise DatabaseUnavailable(
                f"The connection to the database was lost; try again in {RETRY_AFTER_SECONDS} seconds.",
                RETRY_AFTER_SECONDS,
            ) from exc

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


def connection_lost(error: psycopg.OperationalError) -> bool:
    """Whether the error means the server went away (not, say, a cancelled query or a lock timeout)."""
    # No SQLSTATE: the socket failed; class 08: connection exception; 57P0x: the server is shutting down.
    return error.sqlstate is None or error.sqlstate.startswith(("08", "57P"))


def database_for(settings: Settings) -> Database:
    """The pool the settings describe (not opened)."""
    return Database(
        settings.database_url.get_secret_value(),
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        wait_timeout=settings.db_pool_wait_seconds,
        busy_timeout=settings.db_pool_busy_wait_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
    )


@lru_cache
def get_database() -> Database:
    database = database_for(get_settings())
    database.open()
    return database


def close_database() -> None:
    """Close this process's pool, if it opened one."""
    if get_database.cache_info().currsize:
        get_database().close()
        get_database.cache_clear()
