"""Consents' SQL. Records are never rewritten (no UPDATE grant); deleted only by retention, erasure and termination
(tinyeclipse.privacy)."""

from typing import Any
from uuid import UUID

from tinyeclipse.db import Connection

COLUMNS = "id, tenant_id, session_id, accepted, terms_version, created_at"


def insert(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(
        f"""INSERT INTO consents (tenant_id, session_id, accepted, terms_version, ip_address, user_agent)
            VALUES (%(tenant_id)s, %(session_id)s, %(accepted)s, %(terms_version)s,
                    %(ip_address)s::inet, %(user_agent)s)
            RETURNING {COLUMNS}""",
        values,
    ).fetchone()
    assert row is not None
    return row


def latest(conn: Connection, tenant_id: UUID, session_id: str) -> dict[str, Any] | None:
    """The session's most recent record; on a timestamp tie a withdrawal wins."""
    return conn.execute(
        f"""SELECT {COLUMNS} FROM consents WHERE tenant_id = %s AND session_id = %s
            ORDER BY created_at DESC, accepted LIMIT 1""",
        [tenant_id, session_id],
    ).fetchone()
