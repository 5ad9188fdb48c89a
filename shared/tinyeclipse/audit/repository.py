"""The audit log's SQL. Entries are only ever inserted."""

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from tinyeclipse.db import Connection

COLUMNS = "id, created_at, actor, action, tenant_id, target_type, target_id, details"


def insert(conn: Connection, values: dict[str, Any]) -> None:
    # No RETURNING: the app role may write entries it may not read back outside its tenant.
    conn.execute(
        """INSERT INTO audit_log (actor, action, tenant_id, target_type, target_id, details)
           VALUES (%(actor)s, %(action)s, %(tenant_id)s, %(target_type)s, %(target_id)s, %(details)s)""",
        {**values, "details": Jsonb(values["details"])},
    )


def list_page(
    conn: Connection,
    *,
    tenant_id: UUID | None,
    actor: str | None,
    action: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    prefix = action is not None and action.endswith(".")
    where = """WHERE (%(tenant)s::uuid IS NULL OR tenant_id = %(tenant)s)
                 AND (%(actor)s::text IS NULL OR actor = %(actor)s)
                 AND (%(action)s::text IS NULL OR action = %(action)s
                      OR (%(prefix)s AND starts_with(action, %(action)s)))"""
    params = {"tenant": tenant_id, "actor": actor, "action": action, "prefix": prefix, "limit": limit, "offset": offset}
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM audit_log {where} ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s",
        params,
    ).fetchall()
    total = conn.execute(f"SELECT count(*) AS n FROM audit_log {where}", params).fetchone()
    assert total is not None
    return rows, total["n"]
