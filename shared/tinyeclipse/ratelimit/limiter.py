"""Fixed-window rate limits counted in `rate_limit_counters`.

One row per (tenant, key, window), incremented with an upsert: the row lock it takes serializes
concurrent requests, so a limit holds across any number of processes and connections.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.errors import AppError
from tinyeclipse.tenants.settings import TenantSettings

Period = Literal["minute", "day"]
WINDOW_SECONDS: dict[Period, int] = {"minute": 60, "day": 86_400}


@dataclass(frozen=True)
class Limit:
    key: str
    per: Period
    limit: int


class RateLimited(AppError):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def tenant_limits(settings: TenantSettings, session_id: str) -> list[Limit]:
    """The tenant's and the session's per-minute and per-day limits."""
    session = f"session:{session_id}"
    return [
        Limit("tenant:minute", "minute", settings.rate_limit_per_minute),
        Limit("tenant:day", "day", settings.rate_limit_per_day),
        Limit(f"{session}:minute", "minute", settings.session_rate_limit_per_minute),
        Limit(f"{session}:day", "day", settings.session_rate_limit_per_day),
    ]


def consent_limits(settings: Settings, session_id: str) -> list[Limit]:
    """Consent records' per-minute limits, per tenant and per session: counters of their own, apart from chat's."""
    return [
        Limit("consent:tenant:minute", "minute", settings.consent_rate_limit_per_minute),
        Limit(f"consent:session:{session_id}:minute", "minute", settings.consent_session_rate_limit_per_minute),
    ]


# Windows are cut in UTC and sized in seconds, so neither the session's TimeZone nor a DST change moves them.
_INCREMENT = """
INSERT INTO rate_limit_counters AS c (tenant_id, key, window_start, count)
VALUES (%(tenant_id)s, %(key)s, date_trunc(%(per)s, now(), 'UTC'), 1)
ON CONFLICT (tenant_id, key, window_start) DO UPDATE SET count = c.count + 1
RETURNING c.count,
          ceil(extract(epoch FROM c.window_start + make_interval(secs => %(seconds)s) - now()))::int AS retry_after
"""


def _increment(conn: Connection, tenant_id: UUID, limit: Limit) -> tuple[int, int]:
    """The window's count including this request, and the seconds until the window ends."""
    params = {"tenant_id": tenant_id, "key": limit.key, "per": limit.per, "seconds": WINDOW_SECONDS[limit.per]}
    row = conn.execute(_INCREMENT, params).fetchone()
    assert row is not None
    return row["count"], row["retry_after"]


def consume(conn: Connection, tenant_id: UUID, limits: Sequence[Limit]) -> None:
    """Count one request against every limit, or raise RateLimited and count it against none."""
    # The savepoint undoes every increment of a refused request; the caller's transaction goes on.
    with conn.transaction():
        # One order for every caller, so two requests never wait on each other's rows (no deadlock).
        hits = [(limit, *_increment(conn, tenant_id, limit)) for limit in sorted(limits, key=lambda lim: lim.key)]
        waits = [retry_after for limit, count, retry_after in hits if count > limit.limit]
        if waits:
            raise RateLimited(max(waits))


def purge_old_windows(conn: Connection, older_than: timedelta = timedelta(days=2)) -> int:
    """Delete counters of windows that started more than `older_than` ago; the number deleted."""
    return conn.execute("DELETE FROM rate_limit_counters WHERE window_start < now() - %s", [older_than]).rowcount


def purge_finished_windows(db: Database) -> int:
    """Every tenant's counters of windows long over (the scheduler's job, each run); the number deleted."""
    with db.operator() as conn:
        return purge_old_windows(conn)
