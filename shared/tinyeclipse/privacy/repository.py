"""Privacy's SQL: a session's rows, deleting them with their usage kept as daily totals, retention's batches, and
every row of a tenant. Every function takes a connection from a `Database` transaction (most: the tenant's)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql
from psycopg.types.json import Jsonb

from tinyeclipse.db import Connection

# Every table holding a tenant's rows, children first, so that each delete counts its own rows (before a cascade
# takes them). The audit log and the termination receipts are the operator's records and stay.
TENANT_TABLES = (
    "question_embeddings",
    "gap_resolutions",
    "notification_deliveries",
    "conversation_transitions",
    "messages",
    "conversations",
    "consents",
    "usage_logs",
    "usage_archive",
    "rate_limit_counters",
    "quota_counters",
    "ingest_jobs",
    "embeddings",
    "documents",
    "source_files",
    "sources",
    "idempotency_keys",
    "tenants",
)
KEPT_TABLES = ("audit_log", "tenant_terminations")

# The counts of GET /api/admin/usage (conversations.repository.usage_by_day) of the deleted messages, added to the
# day's totals. Preview conversations (the admin panel's "Test your bot") count for nothing.
_ARCHIVE_MESSAGES = """
WITH gone AS (
    DELETE FROM messages WHERE id = ANY(%(ids)s)
    RETURNING tenant_id, conversation_id, role, intent, escalated, refused, feedback, created_at
), counted AS (
    SELECT m.tenant_id, (m.created_at AT TIME ZONE 'UTC')::date AS day,
           count(*) FILTER (WHERE m.role = 'user') AS messages,
           count(*) FILTER (WHERE k.answer) AS answers,
           count(*) FILTER (
               WHERE k.answer AND NOT m.escalated AND NOT m.refused AND m.feedback IS DISTINCT FROM 'down'
                 AND NOT EXISTS (SELECT 1 FROM messages o
                                 WHERE o.conversation_id = m.conversation_id AND o.role = 'operator'
                                   AND o.created_at > m.created_at)
           ) AS resolved,
           count(*) FILTER (WHERE k.answer AND m.escalated) AS escalations,
           count(*) FILTER (WHERE k.answer AND m.refused) AS refusals,
           count(*) FILTER (WHERE m.role = 'assistant' AND m.intent = 'handoff') AS handoff_requests,
           count(*) FILTER (WHERE m.feedback = 'up') AS thumbs_up,
           count(*) FILTER (WHERE m.feedback = 'down') AS thumbs_down
    FROM gone m
    JOIN conversations c ON c.id = m.conversation_id
    CROSS JOIN LATERAL (SELECT m.role = 'assistant' AND m.intent IS NULL AS answer) k
    WHERE NOT c.preview
    GROUP BY 1, 2
), archived AS (
    INSERT INTO usage_archive AS a (tenant_id, day, messages, answers, resolved, escalations, refusals,
                                    handoff_requests, thumbs_up, thumbs_down)
    SELECT * FROM counted
    ON CONFLICT (tenant_id, day) DO UPDATE SET
        messages = a.messages + excluded.messages, answers = a.answers + excluded.answers,
        resolved = a.resolved + excluded.resolved, escalations = a.escalations + excluded.escalations,
        refusals = a.refusals + excluded.refusals, handoff_requests = a.handoff_requests + excluded.handoff_requests,
        thumbs_up = a.thumbs_up + excluded.thumbs_up, thumbs_down = a.thumbs_down + excluded.thumbs_down
)
SELECT count(*) AS n FROM gone
"""

_ARCHIVE_USAGE_LOGS = """
WITH gone AS (
    DELETE FROM usage_logs WHERE id = ANY(%(ids)s) RETURNING tenant_id, created_at, tokens_in, tokens_out
), archived AS (
    INSERT INTO usage_archive AS a (tenant_id, day, tokens_in, tokens_out)
    SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, sum(tokens_in), sum(tokens_out) FROM gone GROUP BY 1, 2
    ON CONFLICT (tenant_id, day) DO UPDATE SET
        tokens_in = a.tokens_in + excluded.tokens_in, tokens_out = a.tokens_out + excluded.tokens_out
)
SELECT count(*) AS n FROM gone
"""


def _count(conn: Connection, query: str | sql.Composable, params: dict[str, Any] | list[Any]) -> int:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return int(row["n"])


# A session's rows.


def sessions_of_email(conn: Connection, email: str) -> list[str]:
    rows = conn.execute(
        """SELECT DISTINCT session_id FROM conversations
           WHERE lower(visitor_email) = lower(%s) AND visitor_email IS NOT NULL ORDER BY session_id""",
        [email],
    ).fetchall()
    return [row["session_id"] for row in rows]


def session_consents(conn: Connection, sessions: list[str]) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id, session_id, accepted, terms_version, host(ip_address) AS ip_address, user_agent, created_at
           FROM consents WHERE session_id = ANY(%s) ORDER BY created_at, id""",
        [sessions],
    ).fetchall()


def session_conversations(conn: Connection, sessions: list[str], *, for_update: bool = False) -> list[dict[str, Any]]:
    lock = " FOR UPDATE" if for_update else ""
    return conn.execute(
        f"""SELECT id, session_id, status, handled_by, visitor_email, page_url, created_at, updated_at
            FROM conversations WHERE session_id = ANY(%s) ORDER BY created_at, id{lock}""",
        [sessions],
    ).fetchall()


def conversation_messages(conn: Connection, conversations: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id, conversation_id, role, content, feedback, created_at FROM messages
           WHERE conversation_id = ANY(%s) ORDER BY created_at, id""",
        [conversations],
    ).fetchall()


def conversation_transitions(conn: Connection, conversations: list[UUID]) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT conversation_id, from_state, to_state, actor, reason, created_at FROM conversation_transitions
           WHERE conversation_id = ANY(%s) ORDER BY created_at, id""",
        [conversations],
    ).fetchall()


def message_ids(conn: Connection, conversations: list[UUID]) -> list[UUID]:
    rows = conn.execute("SELECT id FROM messages WHERE conversation_id = ANY(%s)", [conversations]).fetchall()
    return [row["id"] for row in rows]


def usage_log_ids(conn: Connection, conversations: list[UUID]) -> list[int]:
    rows = conn.execute("SELECT id FROM usage_logs WHERE conversation_id = ANY(%s)", [conversations]).fetchall()
    return [row["id"] for row in rows]


def archive_messages(conn: Connection, ids: list[UUID]) -> int:
    """Delete the messages, their day's usage counts kept in usage_archive; how many."""
    return _count(conn, _ARCHIVE_MESSAGES, {"ids": ids}) if ids else 0


def archive_usage_logs(conn: Connection, ids: list[int]) -> int:
    """Delete the usage logs, their day's tokens kept in usage_archive; how many."""
    return _count(conn, _ARCHIVE_USAGE_LOGS, {"ids": ids}) if ids else 0


def delete_by_conversation(conn: Connection, table: str, conversations: list[UUID]) -> int:
    assert table in ("notification_deliveries", "conversation_transitions")
    query = sql.SQL(
        "WITH gone AS (DELETE FROM {} WHERE conversation_id = ANY(%s) RETURNING 1) SELECT count(*) AS n FROM gone"
    ).format(sql.Identifier(table))
    return _count(conn, query, [conversations])


def delete_conversations(conn: Connection, conversations: list[UUID]) -> int:
    return _count(
        conn,
        "WITH gone AS (DELETE FROM conversations WHERE id = ANY(%s) RETURNING 1) SELECT count(*) AS n FROM gone",
        [conversations],
    )


def delete_session_consents(conn: Connection, sessions: list[str]) -> int:
    return _count(
        conn,
        "WITH gone AS (DELETE FROM consents WHERE session_id = ANY(%s) RETURNING 1) SELECT count(*) AS n FROM gone",
        [sessions],
    )


def delete_session_counters(conn: Connection, sessions: list[str]) -> int:
    """The rate-limit counters keyed by the session (ratelimit.limiter: session:<id>:…, consent:session:<id>:…)."""
    prefixes = [f"{kind}{session}:" for session in sessions for kind in ("session:", "consent:session:")]
    return _count(
        conn,
        """WITH gone AS (DELETE FROM rate_limit_counters WHERE key ^@ ANY(%s) RETURNING 1)
           SELECT count(*) AS n FROM gone""",
        [prefixes],
    )


# Retention: one batch at a time, each in its own transaction.


def old_message_ids(conn: Connection, cutoff: datetime, limit: int) -> list[UUID]:
    rows = conn.execute(
        "SELECT id FROM messages WHERE created_at < %s ORDER BY created_at LIMIT %s", [cutoff, limit]
    ).fetchall()
    return [row["id"] for row in rows]


def old_usage_log_ids(conn: Connection, cutoff: datetime, limit: int) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM usage_logs WHERE created_at < %s ORDER BY created_at LIMIT %s", [cutoff, limit]
    ).fetchall()
    return [row["id"] for row in rows]


def emptied_conversation_ids(conn: Connection, cutoff: datetime, limit: int) -> list[UUID]:
    """Conversations quiet since before `cutoff` with no message left."""
    rows = conn.execute(
        """SELECT id FROM conversations c WHERE updated_at < %s
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
           ORDER BY updated_at LIMIT %s FOR UPDATE SKIP LOCKED""",
        [cutoff, limit],
    ).fetchall()
    return [row["id"] for row in rows]


def delete_old_deliveries(conn: Connection, cutoff: datetime, limit: int) -> int:
    return _count(
        conn,
        """WITH gone AS (DELETE FROM notification_deliveries WHERE id IN (
               SELECT id FROM notification_deliveries WHERE created_at < %s ORDER BY created_at LIMIT %s) RETURNING 1)
           SELECT count(*) AS n FROM gone""",
        [cutoff, limit],
    )


def delete_old_consents(conn: Connection, cutoff: datetime, limit: int) -> int:
    """Consent records older than `cutoff` whose session has no conversation left."""
    return _count(
        conn,
        """WITH gone AS (DELETE FROM consents WHERE id IN (
               SELECT id FROM consents k WHERE created_at < %s
                 AND NOT EXISTS (SELECT 1 FROM conversations c
                                 WHERE c.tenant_id = k.tenant_id AND c.session_id = k.session_id)
               ORDER BY created_at LIMIT %s) RETURNING 1)
           SELECT count(*) AS n FROM gone""",
        [cutoff, limit],
    )


# A whole tenant.


def lock_tenant(conn: Connection, tenant_id: UUID) -> dict[str, Any] | None:
    return conn.execute("SELECT id, whmcs_client_id FROM tenants WHERE id = %s FOR UPDATE", [tenant_id]).fetchone()


def delete_tenant_rows(conn: Connection, tenant_id: UUID, table: str) -> int:
    assert table in TENANT_TABLES
    column = "id" if table == "tenants" else "tenant_id"
    query = sql.SQL("WITH gone AS (DELETE FROM {} WHERE {} = %s RETURNING 1) SELECT count(*) AS n FROM gone").format(
        sql.Identifier(table), sql.Identifier(column)
    )
    return _count(conn, query, [tenant_id])


def insert_termination(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(
        """INSERT INTO tenant_terminations (tenant_id, whmcs_client_id, deleted, terminated_by)
           VALUES (%(tenant_id)s, %(whmcs_client_id)s, %(deleted)s, %(terminated_by)s)
           RETURNING tenant_id, whmcs_client_id, deleted, terminated_by, terminated_at""",
        {**values, "deleted": Jsonb(values["deleted"])},
    ).fetchone()
    assert row is not None
    return row


def termination(conn: Connection, tenant_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        """SELECT tenant_id, whmcs_client_id, deleted, terminated_by, terminated_at FROM tenant_terminations
           WHERE tenant_id = %s""",
        [tenant_id],
    ).fetchone()


def tenants_with_expired_rows(
    conn: Connection, tenants: list[UUID], cutoffs: list[datetime | None], consent_cutoffs: list[datetime | None]
) -> list[UUID]:
    """Of the tenants (operator path), those with a row older than its cutoff (None: kept): one probe each."""
    rows = conn.execute(
        """SELECT t.id FROM unnest(%s::uuid[], %s::timestamptz[], %s::timestamptz[]) AS t (id, cutoff, consent_cutoff)
           WHERE EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = t.id AND m.created_at < t.cutoff)
              OR EXISTS (SELECT 1 FROM conversations c WHERE c.tenant_id = t.id AND c.updated_at < t.cutoff)
              OR EXISTS (SELECT 1 FROM usage_logs u WHERE u.tenant_id = t.id AND u.created_at < t.cutoff)
              OR EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.tenant_id = t.id AND d.created_at < t.cutoff)
              OR EXISTS (SELECT 1 FROM consents k WHERE k.tenant_id = t.id AND k.created_at < t.consent_cutoff
                           AND NOT EXISTS (SELECT 1 FROM conversations c
                                           WHERE c.tenant_id = k.tenant_id AND c.session_id = k.session_id))""",
        [tenants, cutoffs, consent_cutoffs],
    ).fetchall()
    return [row["id"] for row in rows]
