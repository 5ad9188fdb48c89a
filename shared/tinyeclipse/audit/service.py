"""Recording operator actions and reading them back.

`record` writes inside the caller's transaction, so an action and its entry commit together; `record_action`
writes an entry of its own, for actions whose service knows nothing of the log.
"""

from typing import Any
from uuid import UUID

from tinyeclipse.audit import repository
from tinyeclipse.audit.models import AuditEntry, AuditFilters
from tinyeclipse.db import Connection, Database
from tinyeclipse.pagination import Page, PageParams


def record(
    conn: Connection,
    actor: str,
    action: str,
    *,
    tenant_id: UUID | None,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
) -> None:
    repository.insert(
        conn,
        {
            "actor": actor,
            "action": action,
            "tenant_id": tenant_id,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "details": details or {},
        },
    )


def record_action(
    db: Database,
    actor: str,
    action: str,
    *,
    tenant_id: UUID | None,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record in a transaction of its own (the tenant's, when there is one)."""
    transaction = db.tenant(tenant_id) if tenant_id is not None else db.operator()
    with transaction as conn:
        record(conn, actor, action, tenant_id=tenant_id, target_type=target_type, target_id=target_id, details=details)


def list_entries(db: Database, filters: AuditFilters, page: PageParams) -> Page[AuditEntry]:
    with db.operator() as conn:
        rows, total = repository.list_page(
            conn,
            tenant_id=filters.tenant_id,
            actor=filters.actor,
            action=filters.action,
            limit=page.limit,
            offset=page.offset,
        )
    return Page[AuditEntry](
        items=[AuditEntry(**row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )
