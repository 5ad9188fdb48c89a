"""The monthly message quota: the bot's answers per tenant and calendar month (UTC), counted in `quota_counters`.

A question takes one unit before the bot answers it; when none is left the bot does not answer and the team
does. Small talk counts (the bot answers it); preview questions and questions held for a person do not.
"""

from datetime import UTC, date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from tinyeclipse.db import Connection, Database

# The upsert's WHERE leaves a full month's row alone and returns nothing: the question is not counted.
_TAKE = """
INSERT INTO quota_counters AS q (tenant_id, month, used)
VALUES (%(tenant)s, date_trunc('month', now(), 'UTC')::date, 1)
ON CONFLICT (tenant_id, month) DO UPDATE SET used = q.used + 1 WHERE q.used < %(quota)s
RETURNING used
"""


class QuotaUsage(BaseModel):
    tenant_id: UUID
    month: date = Field(description="The first day of the month (UTC).")
    used: int = Field(description="Bot answers counted this month.")
    quota: int = Field(description="The tenant's monthly_message_quota (its plan's default or its own).")
    remaining: int
    exceeded: bool = Field(description="No answer left: the bot hands new questions to the team.")


def take(conn: Connection, tenant_id: UUID, quota: int) -> bool:
    """Count one answer against the month's quota; False (nothing counted) when it is used up."""
    return conn.execute(_TAKE, {"tenant": tenant_id, "quota": quota}).fetchone() is not None


def take_one(db: Database, tenant_id: UUID, quota: int) -> bool:
    with db.tenant(tenant_id) as conn:
        return take(conn, tenant_id, quota)


def current_month(now: datetime | None = None) -> date:
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    return today.replace(day=1)


def used_by_tenant(conn: Connection, month: date, tenant_id: UUID | None = None) -> dict[UUID, int]:
    """The month's counts of every tenant (or one), as the operator reads them."""
    rows = conn.execute(
        """SELECT tenant_id, used FROM quota_counters
           WHERE month = %(month)s AND (%(tenant)s::uuid IS NULL OR tenant_id = %(tenant)s)""",
        {"month": month, "tenant": tenant_id},
    ).fetchall()
    return {row["tenant_id"]: row["used"] for row in rows}


def usage_of(tenant_id: UUID, month: date, used: int, quota: int) -> QuotaUsage:
    return QuotaUsage(
        tenant_id=tenant_id,
        month=month,
        used=used,
        quota=quota,
        remaining=max(quota - used, 0),
        exceeded=used >= quota,
    )
