"""notification_deliveries in Postgres: insert, claim with a lease, and how an attempt ended.

Claiming uses `FOR UPDATE SKIP LOCKED` like the ingest jobs (tinyeclipse.ingestion.jobs): any number of
workers can share the table, and a row whose worker died is claimed again once its lease ran out.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from tinyeclipse.db import Connection

COLUMNS = (
    "id, tenant_id, conversation_id, event, channel, target, payload, status, attempts, max_attempts, run_at, "
    "last_error, created_at, sent_at"
)


@dataclass(frozen=True)
class Delivery:
    id: int
    tenant_id: UUID
    conversation_id: UUID | None
    event: str
    channel: str
    target: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    run_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class Recipients:
    """Where a tenant wants to be told, read from its stored settings."""

    tenant_name: str
    webhook_url: str | None
    notify_email: str | None


def recipients(conn: Connection, tenant_id: UUID) -> Recipients | None:
    # Read here rather than through the tenants service: it must run inside the caller's transaction.
    row = conn.execute(
        """SELECT name, settings ->> 'webhook_url' AS webhook_url, settings ->> 'notify_email' AS notify_email
           FROM tenants WHERE id = %s""",
        [tenant_id],
    ).fetchone()
    if row is None:
        return None
    return Recipients(row["name"], row["webhook_url"] or None, row["notify_email"] or None)


def insert(
    conn: Connection,
    *,
    tenant_id: UUID,
    conversation_id: UUID | None,
    event: str,
    channel: str,
    target: str,
    payload: dict[str, Any],
    max_attempts: int,
) -> int:
    row = conn.execute(
        """INSERT INTO notification_deliveries
               (tenant_id, conversation_id, event, channel, target, payload, max_attempts)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        [tenant_id, conversation_id, event, channel, target, Jsonb(payload), max_attempts],
    ).fetchone()
    assert row is not None
    return row["id"]


def claim(conn: Connection, lease_seconds: float) -> Delivery | None:
    """Take the next due delivery: a queued one whose time has come, or a running one whose lease ran out."""
    row = conn.execute(
        f"""UPDATE notification_deliveries
            SET status = 'running', attempts = attempts + 1,
                locked_until = now() + make_interval(secs => %(lease)s)
            WHERE id = (
                SELECT id FROM notification_deliveries
                WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now())
                ORDER BY run_at, id
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING {COLUMNS}""",
        {"lease": lease_seconds},
    ).fetchone()
    return Delivery(**row) if row else None


def mark_sent(conn: Connection, delivery_id: int) -> None:
    conn.execute(
        """UPDATE notification_deliveries SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL
           WHERE id = %s""",
        [delivery_id],
    )


def retry_later(conn: Connection, delivery_id: int, error: str, delay: float) -> datetime:
    row = conn.execute(
        """UPDATE notification_deliveries
           SET status = 'queued', run_at = now() + make_interval(secs => %s), locked_until = NULL, last_error = %s
           WHERE id = %s RETURNING run_at""",
        [delay, error, delivery_id],
    ).fetchone()
    assert row is not None
    return row["run_at"]


def mark_dead(conn: Connection, delivery_id: int, error: str) -> None:
    conn.execute(
        "UPDATE notification_deliveries SET status = 'dead', locked_until = NULL, last_error = %s WHERE id = %s",
        [error, delivery_id],
    )
