"""Tenant use cases: create, list, read and update, with settings merged and validated.

`settings` (the operator's environment) supplies the defaults under each tenant's overrides.
"""

from typing import Any
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion.service import follow_embedding_model
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.tenants import repository
from tinyeclipse.tenants.errors import TenantNotFound
from tinyeclipse.tenants.models import Tenant, TenantCreate, TenantFilters, TenantUpdate
from tinyeclipse.tenants.settings import Plan, effective_settings, merge_patch, operator_defaults, validate_overrides


def _to_tenant(row: dict[str, Any], settings: Settings) -> Tenant:
    plan = Plan(row["plan"])
    return Tenant(**row, effective_settings=effective_settings(plan, row["settings"], operator_defaults(settings)))


def create_tenant(db: Database, settings: Settings, data: TenantCreate) -> Tenant:
    values = data.model_dump()
    # The operator's EMBEDDING_MODEL is the new tenant's own from now on: changing it later moves no one.
    overrides = {"embedding_model": settings.embedding_model, **data.settings}
    values["settings"] = validate_overrides(data.plan, overrides, operator_defaults(settings))
    values["index_model"] = values["settings"]["embedding_model"]
    with db.operator() as conn:
        return _to_tenant(repository.insert(conn, values), settings)


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


def update_tenant(db: Database, settings: Settings, tenant_id: UUID, data: TenantUpdate) -> Tenant:
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
    return _to_tenant(row, settings)
