"""Conversations', messages' and usage logs' SQL."""

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from tinyeclipse.conversations.models import (
    AnswerOutcome,
    ConversationSummary,
    Feedback,
    FeedbackResult,
    Transition,
)
from tinyeclipse.conversations.states import Actor, Reason, State
from tinyeclipse.db import Connection

CONVERSATION_COLUMNS = (
    "id, tenant_id, session_id, status, escalated, created_at, updated_at, handled_by, visitor_email, page_url,"
    " waiting_since"
)
MESSAGE_COLUMNS = (
    "id, conversation_id, role, content, confidence, sources_used, escalated, refused, latency_ms, created_at,"
    " confidence_parts, intent, feedback"
)


def create_conversation(
    conn: Connection, tenant_id: UUID, session_id: str, page_url: str | None = None
) -> dict[str, Any]:
    row = conn.execute(
        "INSERT INTO conversations (tenant_id, session_id, page_url) VALUES (%s, %s, %s)"
        f" RETURNING {CONVERSATION_COLUMNS}",
        [tenant_id, session_id, page_url],
    ).fetchone()
    assert row is not None
    return row


def keep_page_url(conn: Connection, conversation_id: UUID, page_url: str) -> None:
    """The page the conversation started on: the first one a message tells, kept."""
    conn.execute(
        "UPDATE conversations SET page_url = %s WHERE id = %s AND page_url IS NULL", [page_url, conversation_id]
    )


def locked_state(conn: Connection, conversation_id: UUID) -> State | None:
    """Who answers the conversation now, with its row locked until the transaction ends; None: no such one."""
    row = conn.execute("SELECT handled_by FROM conversations WHERE id = %s FOR UPDATE", [conversation_id]).fetchone()
    return State(row["handled_by"]) if row else None


def set_state(conn: Connection, conversation_id: UUID, state: State) -> None:
    """Waiting since now when it starts waiting; the clock stops when anyone answers."""
    conn.execute(
        """UPDATE conversations SET handled_by = %(state)s, updated_at = now(),
                  waiting_since = CASE WHEN %(state)s = 'waiting' THEN now() END
           WHERE id = %(id)s""",
        {"state": state, "id": conversation_id},
    )


def insert_transition(
    conn: Connection,
    tenant_id: UUID,
    conversation_id: UUID,
    moved: tuple[State, State],
    actor: Actor,
    reason: Reason,
) -> None:
    conn.execute(
        """INSERT INTO conversation_transitions (tenant_id, conversation_id, from_state, to_state, actor, reason)
           VALUES (%s, %s, %s, %s, %s, %s)""",
        [tenant_id, conversation_id, moved[0], moved[1], actor, reason],
    )


def transitions(conn: Connection, conversation_id: UUID) -> list[Transition]:
    return (
        conn.cursor(row_factory=class_row(Transition))
        .execute(
            """SELECT from_state, to_state, actor, reason, created_at FROM conversation_transitions
               WHERE conversation_id = %s ORDER BY created_at, id""",
            [conversation_id],
        )
        .fetchall()
    )


def set_visitor_email(conn: Connection, conversation_id: UUID, session_id: str, email: str) -> bool:
    """The visitor's address on their own conversation; False when it is not theirs."""
    updated = conn.execute(
        "UPDATE conversations SET visitor_email = %s WHERE id = %s AND session_id = %s",
        [email, conversation_id, session_id],
    )
    return updated.rowcount == 1


def session_conversation(
    conn: Connection, conversation_id: UUID, session_id: str, *, lock: bool = True
) -> dict[str, Any] | None:
    """The conversation, if it belongs to this visitor's session (RLS already keeps it in the tenant)."""
    return conn.execute(
        f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = %s AND session_id = %s"
        + (" FOR UPDATE" if lock else ""),
        [conversation_id, session_id],
    ).fetchone()


def messages_after(conn: Connection, conversation_id: UUID, after: UUID | None, limit: int) -> list[dict[str, Any]]:
    """Messages in writing order, after `after` when given (all when it is not one of this conversation's)."""
    return conn.execute(
        """SELECT id, role, content, created_at FROM messages
           WHERE conversation_id = %(conversation)s
             AND created_at > COALESCE((SELECT created_at FROM messages
                                        WHERE id = %(after)s AND conversation_id = %(conversation)s), '-infinity')
           ORDER BY created_at, id LIMIT %(limit)s""",
        {"conversation": conversation_id, "after": after, "limit": limit},
    ).fetchall()


def recent_messages(conn: Connection, conversation_id: UUID, limit: int) -> list[dict[str, Any]]:
    """The last `limit` messages, oldest first."""
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = %s ORDER BY created_at DESC, id LIMIT %s",
        [conversation_id, limit],
    ).fetchall()
    return rows[::-1]


def insert_message(conn: Connection, tenant_id: UUID, conversation_id: UUID, values: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(
        f"""INSERT INTO messages (tenant_id, conversation_id, role, content, confidence, sources_used,
                                  escalated, refused, latency_ms, confidence_parts, intent)
            VALUES (%(tenant_id)s, %(conversation_id)s, %(role)s, %(content)s, %(confidence)s, %(sources_used)s,
                    %(escalated)s, %(refused)s, %(latency_ms)s, %(confidence_parts)s, %(intent)s)
            RETURNING {MESSAGE_COLUMNS}""",
        {
            "confidence": None,
            "sources_used": [],
            "escalated": False,
            "refused": False,
            "latency_ms": None,
            "intent": None,
            **values,
            "tenant_id": tenant_id,
            "conversation_id": conversation_id,
        }
        | {
            "sources_used": Jsonb(values.get("sources_used", [])),
            "confidence_parts": _jsonb_or_null(values.get("confidence_parts")),
        },
    ).fetchone()
    assert row is not None
    return row


def _jsonb_or_null(value: dict[str, Any] | None) -> Jsonb | None:
    return None if value is None else Jsonb(value)


def set_feedback(conn: Connection, message_id: UUID, session_id: str, value: Feedback | None) -> FeedbackResult | None:
    """The visitor's thumbs on a bot answer of their own session; None when there is no such answer."""
    return (
        conn.cursor(row_factory=class_row(FeedbackResult))
        .execute(
            """UPDATE messages m SET feedback = %(value)s, feedback_at = now()
               FROM conversations c
               WHERE m.id = %(id)s AND m.role = 'assistant'
                 AND c.id = m.conversation_id AND c.session_id = %(session)s
               RETURNING m.id AS message_id, m.feedback""",
            {"value": value, "id": message_id, "session": session_id},
        )
        .fetchone()
    )


def touch_conversation(conn: Connection, conversation_id: UUID, *, escalated: bool) -> None:
    """Mark the visitor's activity: it reopens a closed conversation; an escalation stays flagged."""
    conn.execute(
        "UPDATE conversations SET updated_at = now(), status = 'open', escalated = escalated OR %s WHERE id = %s",
        [escalated, conversation_id],
    )


def update_conversation(conn: Connection, conversation_id: UUID, values: dict[str, Any]) -> bool:
    """Set status and/or the escalated flag (the operator's triage); False when there is no such conversation."""
    updated = conn.execute(
        """UPDATE conversations SET status = COALESCE(%(status)s::conversation_status, status),
                  escalated = COALESCE(%(escalated)s, escalated), updated_at = now()
           WHERE id = %(id)s""",
        {"status": values.get("status"), "escalated": values.get("escalated"), "id": conversation_id},
    )
    return updated.rowcount == 1


def get_conversation(conn: Connection, conversation_id: UUID) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = %s", [conversation_id]).fetchone()


def tenant_of(conn: Connection, conversation_id: UUID) -> UUID | None:
    row = conn.execute("SELECT tenant_id FROM conversations WHERE id = %s", [conversation_id]).fetchone()
    return row["tenant_id"] if row else None


def insert_usage(conn: Connection, tenant_id: UUID, values: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO usage_logs (tenant_id, conversation_id, message_id, endpoint, model, tokens_in, tokens_out,
                                   latency_ms)
           VALUES (%(tenant_id)s, %(conversation_id)s, %(message_id)s, %(endpoint)s, %(model)s, %(tokens_in)s,
                   %(tokens_out)s, %(latency_ms)s)""",
        {**values, "tenant_id": tenant_id},
    )


def list_page(
    conn: Connection,
    *,
    tenant_id: UUID | None,
    status: str | None,
    escalated: bool | None,
    state: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[list[ConversationSummary], int]:
    """A page of the inbox: waiting conversations first (the longest waiting on top), then the latest active."""
    # Preview conversations (the admin panel's "Test your bot") are not the inbox's.
    where = """WHERE NOT c.preview AND (%(tenant)s::uuid IS NULL OR c.tenant_id = %(tenant)s)
                 AND (%(status)s::conversation_status IS NULL OR c.status = %(status)s)
                 AND (%(escalated)s::boolean IS NULL OR c.escalated = %(escalated)s)
                 AND (%(state)s::text IS NULL OR c.handled_by = %(state)s)
                 AND (%(q)s::text IS NULL OR EXISTS (
                        SELECT 1 FROM messages m WHERE m.conversation_id = c.id
                          AND m.content_tsv @@ websearch_to_tsquery('simple', %(q)s)))"""
    params = {
        "tenant": tenant_id,
        "status": status,
        "escalated": escalated,
        "state": state,
        "q": q,
        "limit": limit,
        "offset": offset,
    }
    rows = (
        conn.cursor(row_factory=class_row(ConversationSummary))
        .execute(
            f"""SELECT c.id, c.tenant_id, t.name AS tenant_name, c.session_id, c.status, c.escalated,
                       c.handled_by, c.waiting_since, c.visitor_email, c.page_url,
                       c.created_at, c.updated_at, stats.message_count, last.content AS last_message,
                       visitor.content AS last_visitor_message
                FROM conversations c JOIN tenants t ON t.id = c.tenant_id
                CROSS JOIN LATERAL (SELECT count(*) AS message_count FROM messages m
                                    WHERE m.conversation_id = c.id) stats
                LEFT JOIN LATERAL (SELECT content FROM messages m WHERE m.conversation_id = c.id
                                   ORDER BY created_at DESC, id LIMIT 1) last ON true
                LEFT JOIN LATERAL (SELECT content FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user'
                                   ORDER BY created_at DESC, id LIMIT 1) visitor ON true
                {where}
                ORDER BY c.handled_by = 'waiting' DESC, c.waiting_since, c.updated_at DESC, c.id
                LIMIT %(limit)s OFFSET %(offset)s""",
            params,
        )
        .fetchall()
    )
    total = conn.execute(f"SELECT count(*) AS n FROM conversations c {where}", params).fetchone()
    assert total is not None
    return rows, total["n"]


def get_with_messages(conn: Connection, conversation_id: UUID) -> dict[str, Any] | None:
    conversation = conn.execute(
        f"""SELECT {", ".join("c." + column for column in CONVERSATION_COLUMNS.split(", "))}, t.name AS tenant_name
            FROM conversations c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = %s""",
        [conversation_id],
    ).fetchone()
    if conversation is None:
        return None
    messages = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = %s ORDER BY created_at, id", [conversation_id]
    ).fetchall()
    return {**conversation, "messages": messages, "transitions": transitions(conn, conversation_id)}


def usage_by_day(conn: Connection, *, tenant_id: UUID | None, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Per tenant and UTC day (of the message): visitor messages, answers and their outcomes, tokens (from usage).

    Escalations and refusals count knowledge answers only (intent NULL): small talk is never a refusal, and a
    request for a person is a hand-off request, not an escalated answer.
    """
    return conn.execute(
        """WITH activity AS (
               SELECT m.tenant_id, (m.created_at AT TIME ZONE 'UTC')::date AS day,
                      count(*) FILTER (WHERE m.role = 'user') AS messages,
                      count(*) FILTER (WHERE k.answer) AS answers,
                      count(*) FILTER (
                          WHERE k.answer AND NOT m.escalated AND NOT m.refused
                            AND m.feedback IS DISTINCT FROM 'down'
                            AND NOT EXISTS (SELECT 1 FROM messages o
                                            WHERE o.conversation_id = m.conversation_id AND o.role = 'operator'
                                              AND o.created_at > m.created_at)
                      ) AS resolved,
                      count(*) FILTER (WHERE k.answer AND m.escalated) AS escalations,
                      count(*) FILTER (WHERE k.answer AND m.refused) AS refusals,
                      count(*) FILTER (WHERE m.role = 'assistant' AND m.intent = 'handoff') AS handoff_requests,
                      count(*) FILTER (WHERE m.feedback = 'up') AS thumbs_up,
                      count(*) FILTER (WHERE m.feedback = 'down') AS thumbs_down
               FROM messages m
               CROSS JOIN LATERAL (SELECT m.role = 'assistant' AND m.intent IS NULL AS answer) k
               WHERE m.created_at >= %(since)s AND m.created_at < %(until)s
                 AND (%(tenant)s::uuid IS NULL OR m.tenant_id = %(tenant)s)
                 AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id AND c.preview)
               GROUP BY 1, 2
           ), tokens AS (
               SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date AS day,
                      sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out
               FROM usage_logs
               WHERE created_at >= %(since)s AND created_at < %(until)s
                 AND (%(tenant)s::uuid IS NULL OR tenant_id = %(tenant)s)
               GROUP BY 1, 2
           ), live AS (
               SELECT tenant_id, day, COALESCE(a.messages, 0) AS messages, COALESCE(a.answers, 0) AS answers,
                      COALESCE(a.resolved, 0) AS resolved, COALESCE(a.escalations, 0) AS escalations,
                      COALESCE(a.refusals, 0) AS refusals, COALESCE(a.handoff_requests, 0) AS handoff_requests,
                      COALESCE(a.thumbs_up, 0) AS thumbs_up, COALESCE(a.thumbs_down, 0) AS thumbs_down,
                      COALESCE(t.tokens_in, 0)::bigint AS tokens_in, COALESCE(t.tokens_out, 0)::bigint AS tokens_out
               FROM activity a FULL OUTER JOIN tokens t USING (tenant_id, day)
           ), archived AS (
               -- The counts of messages and usage logs that retention or an erasure deleted (privacy).
               SELECT tenant_id, day, messages, answers, resolved, escalations, refusals, handoff_requests,
                      thumbs_up, thumbs_down, tokens_in, tokens_out
               FROM usage_archive
               WHERE day >= (%(since)s AT TIME ZONE 'UTC')::date AND day < (%(until)s AT TIME ZONE 'UTC')::date
                 AND (%(tenant)s::uuid IS NULL OR tenant_id = %(tenant)s)
           )
           SELECT tenant_id, day, sum(messages)::bigint AS messages, sum(answers)::bigint AS answers,
                  sum(resolved)::bigint AS resolved, sum(escalations)::bigint AS escalations,
                  sum(refusals)::bigint AS refusals, sum(handoff_requests)::bigint AS handoff_requests,
                  sum(thumbs_up)::bigint AS thumbs_up, sum(thumbs_down)::bigint AS thumbs_down,
                  sum(tokens_in)::bigint AS tokens_in, sum(tokens_out)::bigint AS tokens_out
           FROM (SELECT * FROM live UNION ALL SELECT * FROM archived) u
           GROUP BY tenant_id, day
           ORDER BY day, tenant_id""",
        {"tenant": tenant_id, "since": since, "until": until},
    ).fetchall()


def answer_outcomes(conn: Connection, tenant_id: UUID) -> list[AnswerOutcome]:
    """Every knowledge answer of the tenant that has a confidence, and what followed it."""
    return (
        conn.cursor(row_factory=class_row(AnswerOutcome))
        .execute(
            """SELECT m.confidence, m.escalated, m.feedback,
                      EXISTS (SELECT 1 FROM messages o
                              WHERE o.conversation_id = m.conversation_id AND o.role = 'operator'
                                AND o.created_at > m.created_at) AS operator_replied,
                      c.status = 'closed' AS conversation_closed
               FROM messages m JOIN conversations c ON c.id = m.conversation_id
               WHERE m.tenant_id = %s AND m.role = 'assistant' AND m.intent IS NULL AND m.confidence IS NOT NULL
                 AND NOT c.preview
               ORDER BY m.confidence""",
            [tenant_id],
        )
        .fetchall()
    )


def last_visitor_message(conn: Connection, conversation_id: UUID) -> str | None:
    row = conn.execute(
        """SELECT content FROM messages WHERE conversation_id = %s AND role = 'user'
           ORDER BY created_at DESC, id LIMIT 1""",
        [conversation_id],
    ).fetchone()
    return row["content"] if row else None
