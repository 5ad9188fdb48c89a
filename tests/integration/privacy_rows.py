"""Rows of a tenant and of a visitor's session in every table that can hold them, written at a given time, and
counts of them table by table: what the privacy tests delete and check."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import numpy as np

from tinyeclipse.db import Database


@dataclass
class SessionRows:
    tenant_id: UUID
    session_id: str
    conversations: list[UUID] = field(default_factory=list)
    messages: list[UUID] = field(default_factory=list)


def add_tenant(db: Database, whmcs_client_id: int, plan: str = "pro", settings: str = "{}") -> UUID:
    with db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, plan, settings) VALUES (%s, %s, %s, %s) RETURNING id",
            [whmcs_client_id, f"Tenant {whmcs_client_id}", plan, settings],
        ).fetchone()["id"]


def add_session(
    db: Database, tenant_id: UUID, session_id: str, at: datetime, *, email: str | None = None, preview: bool = False
) -> SessionRows:
    """A consent, a conversation with a question, an answer (thumbs up) and an operator's reply, a transition, a
    notification, usage logs, the question's vector, a gap resolution and the session's rate-limit counters."""
    rows = SessionRows(tenant_id, session_id)
    with db.tenant(tenant_id) as conn:
        conn.execute(
            """INSERT INTO consents (tenant_id, session_id, accepted, terms_version, ip_address, user_agent, created_at)
               VALUES (%s, %s, true, '1', '203.0.113.7', 'Firefox', %s)""",
            [tenant_id, session_id, at],
        )
        conversation = conn.execute(
            """INSERT INTO conversations (tenant_id, session_id, visitor_email, page_url, preview, created_at,
                                          updated_at)
               VALUES (%s, %s, %s, 'https://shop.example/help', %s, %s, %s) RETURNING id""",
            [tenant_id, session_id, email, preview, at, at],
        ).fetchone()["id"]
        rows.conversations.append(conversation)
        for second, (role, content, extra) in enumerate(
            (
                ("user", f"My order for {session_id} never came", {}),
                ("assistant", "Orders ship within two days.", {"feedback": "up", "escalated": True}),
                ("operator", "I sent it again today.", {}),
            )
        ):
            message = conn.execute(
                """INSERT INTO messages (tenant_id, conversation_id, role, content, feedback, escalated, created_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                [
                    tenant_id,
                    conversation,
                    role,
                    content,
                    extra.get("feedback"),
                    extra.get("escalated", False),
                    at + timedelta(seconds=second),
                ],
            ).fetchone()["id"]
            rows.messages.append(message)
        question, answer = rows.messages[0], rows.messages[1]
        conn.execute(
            """INSERT INTO conversation_transitions (tenant_id, conversation_id, from_state, to_state, actor, reason,
                                                     created_at)
               VALUES (%s, %s, 'bot', 'human', 'operator', 'take', %s)""",
            [tenant_id, conversation, at],
        )
        conn.execute(
            """INSERT INTO notification_deliveries (tenant_id, conversation_id, event, channel, target, payload,
                                                    created_at)
               VALUES (%s, %s, 'handoff.requested', 'email', 'team@shop.example', '{"question": "My order"}', %s)""",
            [tenant_id, conversation, at],
        )
        conn.execute(
            """INSERT INTO usage_logs (tenant_id, conversation_id, message_id, endpoint, tokens_in, tokens_out,
                                       created_at)
               VALUES (%s, %s, %s, 'chat', 100, 20, %s)""",
            [tenant_id, conversation, answer, at],
        )
        conn.execute(
            "INSERT INTO question_embeddings (message_id, tenant_id, model, embedding) VALUES (%s, %s, 'm', %s)",
            [question, tenant_id, np.ones(384, dtype=np.float32)],
        )
        conn.execute(
            "INSERT INTO gap_resolutions (message_id, tenant_id, resolution) VALUES (%s, %s, 'dismissed')",
            [answer, tenant_id],
        )
        for key in (f"session:{session_id}:minute", f"consent:session:{session_id}:minute"):
            conn.execute(
                "INSERT INTO rate_limit_counters (tenant_id, key, window_start, count) VALUES (%s, %s, now(), 1)",
                [tenant_id, key],
            )
    return rows


def add_knowledge(db: Database, tenant_id: UUID) -> None:
    """A source with a document, a chunk, an uploaded file and a job; the month's quota counter."""
    with db.tenant(tenant_id) as conn:
        source = conn.execute(
            "INSERT INTO sources (tenant_id, type, content) VALUES (%s, 'pdf', NULL) RETURNING id", [tenant_id]
        ).fetchone()["id"]
        document = conn.execute(
            """INSERT INTO documents (tenant_id, source_id, key, content_hash, position)
               VALUES (%s, %s, 'page-1', 'h', 0) RETURNING id""",
            [tenant_id, source],
        ).fetchone()["id"]
        conn.execute(
            """INSERT INTO embeddings (tenant_id, source_id, document_id, chunk_index, content, embedding,
                                       embedding_model)
               VALUES (%s, %s, %s, 0, 'Orders ship within two days.', %s, 'all-MiniLM-L6-v2')""",
            [tenant_id, source, document, np.ones(384, dtype=np.float32)],
        )
        conn.execute(
            """INSERT INTO source_files (source_id, tenant_id, filename, content_type, size_bytes, data)
               VALUES (%s, %s, 'shipping.pdf', 'application/pdf', 4, '%%PDF')""",
            [source, tenant_id],
        )
        conn.execute(
            "INSERT INTO ingest_jobs (tenant_id, source_id, reason, max_attempts) VALUES (%s, %s, 'created', 3)",
            [tenant_id, source],
        )
        conn.execute(
            "INSERT INTO quota_counters (tenant_id, month, used) VALUES (%s, date_trunc('month', now())::date, 3)",
            [tenant_id],
        )


# How to find a session's rows in each table that can hold them.
SESSION_QUERIES = {
    "consents": "SELECT count(*) FROM consents WHERE tenant_id = %(tenant)s AND session_id = %(session)s",
    "conversations": "SELECT count(*) FROM conversations WHERE id = ANY(%(conversations)s)",
    "messages": "SELECT count(*) FROM messages WHERE id = ANY(%(messages)s)",
    "conversation_transitions": "SELECT count(*) FROM conversation_transitions "
    "WHERE conversation_id = ANY(%(conversations)s)",
    "notification_deliveries": "SELECT count(*) FROM notification_deliveries "
    "WHERE conversation_id = ANY(%(conversations)s)",
    "usage_logs": "SELECT count(*) FROM usage_logs WHERE conversation_id = ANY(%(conversations)s)",
    "question_embeddings": "SELECT count(*) FROM question_embeddings WHERE message_id = ANY(%(messages)s)",
    "gap_resolutions": "SELECT count(*) FROM gap_resolutions WHERE message_id = ANY(%(messages)s)",
    "rate_limit_counters": "SELECT count(*) FROM rate_limit_counters "
    "WHERE tenant_id = %(tenant)s AND key LIKE '%%' || %(session)s || ':%%'",
}


def session_counts(db: Database, rows: SessionRows) -> dict[str, int]:
    params = {
        "tenant": rows.tenant_id,
        "session": rows.session_id,
        "conversations": rows.conversations,
        "messages": rows.messages,
    }
    with db.operator() as conn:
        return {table: conn.execute(query, params).fetchone()["count"] for table, query in SESSION_QUERIES.items()}


def tenant_tables(db: Database) -> list[str]:
    """Every table with a tenant_id column, and tenants: found in the schema, so a new table is not missed."""
    with db.operator() as conn:
        rows = conn.execute(
            """SELECT table_name FROM information_schema.columns
               WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name"""
        ).fetchall()
    return sorted({row["table_name"] for row in rows} | {"tenants"})


def tenant_counts(db: Database, tenant_id: UUID, tables: list[str]) -> dict[str, int]:
    with db.operator() as conn:
        return {
            table: conn.execute(
                f"SELECT count(*) FROM {table} WHERE {'id' if table == 'tenants' else 'tenant_id'} = %s", [tenant_id]
            ).fetchone()["count"]
            for table in tables
        }
