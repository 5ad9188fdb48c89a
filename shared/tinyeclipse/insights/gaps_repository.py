"""Content gaps' SQL: the answers that missed, their questions' vectors, and the operator's closing of them."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from tinyeclipse.db import Connection

if TYPE_CHECKING:
    import numpy

# A gap is a knowledge answer (not small talk, not a request for a person) that was refused, escalated or got a
# thumbs down, outside preview conversations, not closed by the operator. Its question is the visitor's last
# message before it.
_FROM = "FROM messages a JOIN conversations c ON c.id = a.conversation_id AND NOT c.preview"
_OPEN = """
WHERE a.tenant_id = %(tenant)s AND a.role = 'assistant' AND a.intent IS NULL
  AND (a.refused OR a.escalated OR a.feedback = 'down')
  AND a.created_at >= %(since)s AND a.created_at < %(until)s
  AND NOT EXISTS (SELECT 1 FROM gap_resolutions r WHERE r.message_id = a.id)
"""


def count_open(conn: Connection, tenant_id: UUID, since: datetime, until: datetime) -> int:
    row = conn.execute(
        f"SELECT count(*) AS n {_FROM} {_OPEN}", {"tenant": tenant_id, "since": since, "until": until}
    ).fetchone()
    assert row is not None
    return row["n"]


def open_gaps(conn: Connection, tenant_id: UUID, since: datetime, until: datetime, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` open gaps with their questions, newest first."""
    return conn.execute(
        f"""SELECT a.id AS message_id, q.id AS question_id, a.conversation_id, q.content AS question,
                   a.content AS answer, a.refused, a.escalated, a.feedback, a.confidence, a.created_at
            {_FROM}
            CROSS JOIN LATERAL (
                SELECT u.id, u.content FROM messages u
                WHERE u.conversation_id = a.conversation_id AND u.role = 'user' AND u.created_at <= a.created_at
                ORDER BY u.created_at DESC, u.id DESC LIMIT 1) q
            {_OPEN}
            ORDER BY a.created_at DESC, a.id LIMIT %(limit)s""",
        {"tenant": tenant_id, "since": since, "until": until, "limit": limit},
    ).fetchall()


def question_vectors(conn: Connection, message_ids: Sequence[UUID], model: str) -> dict[UUID, "numpy.ndarray"]:
    rows = conn.execute(
        "SELECT message_id, embedding FROM question_embeddings WHERE message_id = ANY(%s) AND model = %s",
        [list(message_ids), model],
    )
    return {row["message_id"]: row["embedding"].to_numpy() for row in rows}


def keep_question_vectors(conn: Connection, tenant_id: UUID, model: str, vectors: dict[UUID, "numpy.ndarray"]) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            """INSERT INTO question_embeddings (message_id, tenant_id, model, embedding) VALUES (%s, %s, %s, %s)
               ON CONFLICT DO NOTHING""",
            [(message_id, tenant_id, model, vector) for message_id, vector in vectors.items()],
        )


def close(
    conn: Connection,
    tenant_id: UUID,
    message_ids: Sequence[UUID],
    resolution: Literal["answered", "dismissed"],
    source_id: UUID | None = None,
) -> int:
    """Close the tenant's gap answers among `message_ids` (others are ignored); how many were closed now."""
    return conn.execute(
        """INSERT INTO gap_resolutions (message_id, tenant_id, resolution, source_id)
           SELECT m.id, m.tenant_id, %(resolution)s, %(source)s FROM messages m
           WHERE m.id = ANY(%(ids)s) AND m.tenant_id = %(tenant)s AND m.role = 'assistant'
           ON CONFLICT (message_id) DO NOTHING""",
        {"ids": list(message_ids), "tenant": tenant_id, "resolution": resolution, "source": source_id},
    ).rowcount
