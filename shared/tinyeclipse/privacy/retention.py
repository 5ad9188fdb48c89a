"""Retention: the scheduler deletes each tenant's conversations, messages, usage logs, notifications and consent
records older than the tenant's `retention_days` / `consent_retention_days` (0: kept).

In batches, each its own transaction scoped to the tenant, so a run can stop anywhere and the next one goes on
(idempotent: what is gone is not found again). Deleted messages and usage logs leave their counts in the day's
usage totals. Every tenant's run that deleted something is written to the audit log with its counts.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tinyeclipse.audit import service as audit
from tinyeclipse.audit.models import RETENTION
from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.privacy import repository
from tinyeclipse.privacy.models import RetentionRun
from tinyeclipse.tenants import service as tenants

logger = logging.getLogger(__name__)

BATCH = 1_000


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days else None


def _batches(db: Database, tenant_id: UUID, step: Callable[[Connection], int]) -> int:
    total = 0
    while True:
        with db.tenant(tenant_id) as conn:
            deleted = step(conn)
        total += deleted
        if deleted < BATCH:
            return total


def purge_tenant(
    db: Database, tenant_id: UUID, cutoff: datetime | None, consent_cutoff: datetime | None
) -> RetentionRun:
    deleted: dict[str, int] = {}
    if cutoff is not None:
        deleted["messages"] = _batches(
            db,
            tenant_id,
            lambda conn: repository.archive_messages(conn, repository.old_message_ids(conn, cutoff, BATCH)),
        )
        deleted["usage_logs"] = _batches(
            db,
            tenant_id,
            lambda conn: repository.archive_usage_logs(conn, repository.old_usage_log_ids(conn, cutoff, BATCH)),
        )
        deleted["notification_deliveries"] = _batches(
            db, tenant_id, lambda conn: repository.delete_old_deliveries(conn, cutoff, BATCH)
        )
        transitions = 0

        def conversations(conn: Connection) -> int:
            nonlocal transitions
            ids = repository.emptied_conversation_ids(conn, cutoff, BATCH)
            transitions += repository.delete_by_conversation(conn, "conversation_transitions", ids)
            return repository.delete_conversations(conn, ids)

        deleted["conversations"] = _batches(db, tenant_id, conversations)
        deleted["conversation_transitions"] = transitions
    if consent_cutoff is not None:
        deleted["consents"] = _batches(
            db, tenant_id, lambda conn: repository.delete_old_consents(conn, consent_cutoff, BATCH)
        )
    return RetentionRun(tenant_id=tenant_id, deleted=deleted)


def apply_retention(db: Database, settings: Settings, now: datetime | None = None) -> list[RetentionRun]:
    """One retention run over every tenant (`now`: the time it runs at; tests pass it in). The runs that deleted
    something, each recorded in the audit log."""
    now = now or datetime.now(UTC)
    policies = tenants.retention_policies(db, settings)
    if not policies:
        return []
    cutoffs = {tenant: (_cutoff(now, days), _cutoff(now, consent_days)) for tenant, days, consent_days in policies}
    with db.operator() as conn:
        due = repository.tenants_with_expired_rows(
            conn, list(cutoffs), [cut for cut, _ in cutoffs.values()], [cut for _, cut in cutoffs.values()]
        )
    runs = []
    for tenant_id in due:
        cutoff, consent_cutoff = cutoffs[tenant_id]
        run = purge_tenant(db, tenant_id, cutoff, consent_cutoff)
        if run.total:
            runs.append(run)
            details = {
                **run.deleted,
                "before": cutoff.isoformat() if cutoff else None,
                "consents_before": consent_cutoff.isoformat() if consent_cutoff else None,
            }
            audit.record_action(
                db,
                RETENTION,
                "retention.purge",
                tenant_id=tenant_id,
                target_type="tenant",
                target_id=tenant_id,
                details=details,
            )
            logger.info(
                "retention deleted %s rows of tenant %s", run.total, tenant_id, extra={"tenant_id": str(tenant_id)}
            )
    return runs
