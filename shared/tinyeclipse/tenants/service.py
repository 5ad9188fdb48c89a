"""Tenant use cases: create, list, read and update, with settings merged and validated.

`settings` (the operator's environment) supplies the defaults under each tenant's overrides.
"""

import hashlib
import json
import logging
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from tinyeclipse.audit import service as audit
from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.ingestion.service import drop_vector_indexes, follow_embedding_model
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.privacy import service as privacy
from tinyeclipse.privacy.models import Termination
from tinyeclipse.tenants import repository
from tinyeclipse.tenants.errors import IdempotencyKeyReused, TenantNotFound
from tinyeclipse.tenants.models import Tenant, TenantCreate, TenantFilters, TenantStatus, TenantUpdate
from tinyeclipse.tenants.settings import Plan, effective_settings, merge_patch, operator_defaults, validate_overrides

logger = logging.getLogger(__name__)


def _to_tenant(row: dict[str, Any], settings: Settings) -> Tenant:
    plan = Plan(row["plan"])
    return Tenant(**row, effective_settings=effective_settings(plan, row["settings"], operator_defaults(settings)))


def _insert(conn: Connection, settings: Settings, data: TenantCreate, actor: str | None) -> dict[str, Any]:
    values = data.model_dump()
    # The operator's EMBEDDING_MODEL is the new tenant's own from now on: changing it later moves no one.
    overrides = {"embedding_model": settings.embedding_model, **data.settings}
    values["settings"] = validate_overrides(data.plan, overrides, operator_defaults(settings))
    values["index_model"] = values["settings"]["embedding_model"]
    row = repository.insert(conn, values)
    if actor is not None:
        audit.record(
            conn,
            actor,
            "tenant.create",
            tenant_id=row["id"],
            target_type="tenant",
            target_id=row["id"],
            details={"whmcs_client_id": row["whmcs_client_id"], "plan": row["plan"]},
        )
    return row


def create_tenant(db: Database, settings: Settings, data: TenantCreate, *, actor: str | None = None) -> Tenant:
    """A new tenant; `actor` (the operator) is recorded in the audit log."""
    with db.operator() as conn:
        return _to_tenant(_insert(conn, settings, data, actor), settings)


def _request_hash(data: TenantCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_tenant_once(
    db: Database, settings: Settings, data: TenantCreate, idempotency_key: str, *, actor: str
) -> tuple[Tenant, bool]:
    """Create the tenant once per key: the same key with the same body gives the tenant created the first time
    (True: a replay), with another body IdempotencyKeyReused. Concurrent retries wait for the first."""
    request_hash = _request_hash(data)
    with db.operator() as conn:
        repository.lock_idempotency_key(conn, idempotency_key)
        earlier = repository.idempotency_key(conn, idempotency_key)
        if earlier is not None:
            if earlier["request_hash"] != request_hash:
                raise IdempotencyKeyReused(idempotency_key)
            row = repository.get(conn, earlier["tenant_id"])
            assert row is not None  # the key goes with its tenant (ON DELETE CASCADE)
            return _to_tenant(row, settings), True
        row = _insert(conn, settings, data, actor)
        repository.insert_idempotency_key(conn, idempotency_key, request_hash, row["id"])
    return _to_tenant(row, settings), False


def ensure_tenant(db: Database, settings: Settings, data: TenantCreate) -> Tenant:
    """The tenant with `data`'s WHMCS client id, created from `data` if there is none yet."""
    with db.operator() as conn:
        row = repository.get_by_whmcs_client_id(conn, data.whmcs_client_id)
    return _to_tenant(row, settings) if row else create_tenant(db, settings, data)


def list_tenants(db: Database, settings: Settings, filters: TenantFilters, page: PageParams) -> Page[Tenant]:
    with db.operator() as conn:
        rows, total = repository.list_page(
            conn,
            status=filters.status,
            plan=filters.plan,
            search=filters.search.strip() if filters.search else None,
            whmcs_client_id=filters.whmcs_client_id,
            limit=page.limit,
            offset=page.offset,
        )
    items = [_to_tenant(row, settings) for row in rows]
    return Page[Tenant](items=items, total=total, limit=page.limit, offset=page.offset)


def get_tenant(db: Database, settings: Settings, tenant_id: UUID) -> Tenant:
    with db.tenant(tenant_id) as conn:
        row = repository.get(conn, tenant_id)
    if row is None:
        raise TenantNotFound(tenant_id)
    return _to_tenant(row, settings)


def update_tenant(
    db: Database, settings: Settings, tenant_id: UUID, data: TenantUpdate, *, actor: str | None = None
) -> Tenant:
    """A partial update (a plan change from billing, say); `actor` (the operator) is recorded in the audit log."""
    changes = data.model_dump(exclude_unset=True)
    with db.tenant(tenant_id) as conn:
        current = repository.get(conn, tenant_id, for_update=True)
        if current is None:
            raise TenantNotFound(tenant_id)
        # A plan change re-checks the stored overrides against the new plan's defaults.
        plan = Plan(changes.get("plan") or current["plan"])
        overrides = merge_patch(current["settings"], changes.get("settings") or {})
        changes["settings"] = validate_overrides(plan, overrides, operator_defaults(settings))
        repository.update(conn, tenant_id, changes)
        follow_embedding_model(conn, settings, tenant_id)
        row = repository.get(conn, tenant_id)
        assert row is not None
        if actor is not None:
            audit.record(
                conn,
                actor,
                "tenant.update",
                tenant_id=tenant_id,
                target_type="tenant",
                target_id=tenant_id,
                details=_changed(current, row, sorted(data.model_fields_set)),
            )
    return _to_tenant(row, settings)


def _changed(before: dict[str, Any], after: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The fields sent, and the plan's and status's old and new values (the settings' keys only: no values)."""
    details: dict[str, Any] = {"fields": fields}
    for field in ("plan", "status"):
        if before[field] != after[field]:
            details[field] = {"from": before[field], "to": after[field]}
    if "settings" in fields:
        keys = before["settings"].keys() | after["settings"].keys()
        details["settings"] = sorted(key for key in keys if before["settings"].get(key) != after["settings"].get(key))
    return details


def require_tenant_in(conn: Connection, tenant_id: UUID) -> dict[str, Any]:
    row = repository.get(conn, tenant_id, for_update=True)
    if row is None:
        raise TenantNotFound(tenant_id)
    return row


def set_status(db: Database, settings: Settings, tenant_id: UUID, status: TenantStatus, *, actor: str) -> Tenant:
    """Suspend (the widget shows nothing; the admin API still works) or unsuspend; idempotent: the audit log
    records a change only."""
    with db.tenant(tenant_id) as conn:
        require_tenant_in(conn, tenant_id)
        if repository.set_status(conn, tenant_id, status.value):
            action = "tenant.suspend" if status == TenantStatus.suspended else "tenant.unsuspend"
            audit.record(conn, actor, action, tenant_id=tenant_id, target_type="tenant", target_id=tenant_id)
        row = repository.get(conn, tenant_id)
    assert row is not None
    return _to_tenant(row, settings)


def terminate_tenant(db: Database, tenant_id: UUID, *, actor: str) -> Termination:
    """Delete every row of the tenant in every table (its uploaded files and jobs included) in one transaction;
    the count per table. Asked again, the same answer."""
    with db.tenant(tenant_id) as conn:
        receipt = privacy.terminate(conn, tenant_id, actor)
    if receipt is None:
        raise TenantNotFound(tenant_id)
    # Its own vector graphs (migration 0009) go too, in a moment's lock of their own rather than the long delete's.
    drop_vector_indexes(db, tenant_id)
    return receipt


def retention_policies(db: Database, settings: Settings) -> list[tuple[UUID, int, int]]:
    """Every tenant's (id, retention_days, consent_retention_days)."""
    defaults = operator_defaults(settings)
    with db.operator() as conn:
        rows = repository.all_settings(conn)
    policies = []
    for row in rows:
        try:
            effective = effective_settings(Plan(row["plan"]), row["settings"], defaults)
        except ValidationError:
            # Settings the operator's defaults made invalid: this tenant's data is kept until they are fixed.
            logger.warning("tenant %s: invalid settings, retention skipped", row["id"])
            continue
        policies.append((row["id"], effective.retention_days, effective.consent_retention_days))
    return policies
