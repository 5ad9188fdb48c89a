"""The ingestion job queue in Postgres: enqueue, claim with a lease, finish, retry with backoff, dead-letter.

At-least-once: a job whose worker died is claimed again once its lease runs out. Claiming uses
`FOR UPDATE SKIP LOCKED`, so any number of workers can share the queue.
"""

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from psycopg.types.json import Jsonb

from tinyeclipse.db import Connection

Reason = Literal["created", "manual", "scheduled", "model"]
JOB_COLUMNS = "id, tenant_id, source_id, reason, status, attempts, max_attempts, run_at, last_error, created_at"
MAX_BACKOFF_SECONDS = 3600.0
# Taking a job: running, one more attempt, leased to %(worker)s for %(lease)s seconds.
CLAIM = """status = 'running', attempts = attempts + 1, locked_by = %(worker)s,
           locked_until = now() + make_interval(secs => %(lease)s), updated_at = now()"""


@dataclass(frozen=True)
class Job:
    id: int
    tenant_id: UUID
    source_id: UUID
    reason: str
    status: str
    attempts: int
    max_attempts: int
    run_at: datetime
    last_error: str | None
    created_at: datetime


def enqueue(conn: Connection, tenant_id: UUID, source_id: UUID, reason: Reason, *, max_attempts: int) -> Job:
    """Queue a job for the source, or return the one already waiting (one queued job per source)."""
    row = conn.execute(
        f"""INSERT INTO ingest_jobs (tenant_id, source_id, reason, max_attempts) VALUES (%s, %s, %s, %s)
            ON CONFLICT (source_id) WHERE status = 'queued' DO UPDATE SET updated_at = now()
            RETURNING {JOB_COLUMNS}""",
        [tenant_id, source_id, reason, max_attempts],
    ).fetchone()
    assert row is not None
    return Job(**row)


def claim(conn: Connection, worker: str, lease_seconds: float) -> Job | None:
    """Take the next due job: a queued one whose time has come, or a running one whose lease ran out."""
    row = conn.execute(
        f"""UPDATE ingest_jobs SET {CLAIM}
            WHERE id = (
                SELECT id FROM ingest_jobs
                WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now())
                ORDER BY run_at, id
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING {JOB_COLUMNS}""",
        {"worker": worker, "lease": lease_seconds},
    ).fetchone()
    return Job(**row) if row else None


def claim_by_id(conn: Connection, job_id: int, worker: str, lease_seconds: float) -> Job | None:
    """Take one job by id (a queue message named it), whatever its run_at; None if it is done, dead,
    gone, or running under another worker's live lease."""
    row = conn.execute(
        f"""UPDATE ingest_jobs SET {CLAIM}
            WHERE id = %(id)s AND (status = 'queued' OR (status = 'running' AND locked_until < now()))
            RETURNING {JOB_COLUMNS}""",
        {"id": job_id, "worker": worker, "lease": lease_seconds},
    ).fetchone()
    return Job(**row) if row else None


def extend_lease(conn: Connection, job_id: int, worker: str, lease_seconds: float) -> bool:
    """Keep a long job ours; False if the lease was lost (another worker took the job over)."""
    updated = conn.execute(
        """UPDATE ingest_jobs SET locked_until = now() + make_interval(secs => %s), updated_at = now()
           WHERE id = %s AND locked_by = %s AND status = 'running'""",
        [lease_seconds, job_id, worker],
    )
    return updated.rowcount == 1


def complete(conn: Connection, job_id: int) -> None:
    conn.execute(
        """UPDATE ingest_jobs SET status = 'done', locked_until = NULL, last_error = NULL,
               finished_at = now(), updated_at = now() WHERE id = %s""",
        [job_id],
    )


def backoff_seconds(attempts: int, base_seconds: float) -> float:
    """Exponential, jittered delay before attempt `attempts + 1`."""
    return min(MAX_BACKOFF_SECONDS, base_seconds * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2)


def retry_later(conn: Connection, job: Job, error: str, delay: float) -> datetime:
    """Back to the queue, due after `delay` seconds; returns when it will run."""
    row = conn.execute(
        """UPDATE ingest_jobs SET status = 'queued', run_at = now() + make_interval(secs => %s),
               locked_until = NULL, locked_by = NULL, last_error = %s, updated_at = now()
           WHERE id = %s RETURNING run_at""",
        [delay, error, job.id],
    ).fetchone()
    assert row is not None
    return row["run_at"]


def dead_letter(conn: Connection, job_id: int, error: str) -> None:
    conn.execute(
        """UPDATE ingest_jobs SET status = 'dead', locked_until = NULL, last_error = %s,
               finished_at = now(), updated_at = now() WHERE id = %s""",
        [error, job_id],
    )


def latest_for_source(conn: Connection, source_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {JOB_COLUMNS} FROM ingest_jobs WHERE source_id = %s ORDER BY created_at DESC, id DESC LIMIT 1",
        [source_id],
    ).fetchone()


def enqueue_due_reingestions(conn: Connection, *, default_hours: dict[str, int], max_attempts: int) -> list[int]:
    """Queue re-ingestion of every url and pdf-by-url source whose tenant's interval has passed.

    A source is due when no job for it was created within its tenant's `reingest_interval_hours`
    (`default_hours` by plan, unless overridden) and none is waiting or running. Returns the new jobs' ids.
    """
    rows = conn.execute(
        """INSERT INTO ingest_jobs (tenant_id, source_id, reason, max_attempts)
           SELECT s.tenant_id, s.id, 'scheduled', %(max_attempts)s
           FROM sources s
           JOIN tenants t ON t.id = s.tenant_id AND t.status = 'active'
           CROSS JOIN LATERAL (
               SELECT COALESCE((t.settings ->> 'reingest_interval_hours')::int,
                               (%(default_hours)s::jsonb ->> t.plan::text)::int) AS hours
           ) interval_setting
           WHERE s.url IS NOT NULL AND s.type IN ('url', 'pdf') AND interval_setting.hours > 0
             AND NOT EXISTS (
                 SELECT 1 FROM ingest_jobs j WHERE j.source_id = s.id
                 AND (j.status IN ('queued', 'running')
                      OR j.created_at > now() - make_interval(hours => interval_setting.hours)))
           ON CONFLICT (source_id) WHERE status = 'queued' DO NOTHING
           RETURNING id""",
        {"max_attempts": max_attempts, "default_hours": Jsonb(default_hours)},
    ).fetchall()
    return [row["id"] for row in rows]
