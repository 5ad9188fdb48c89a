"""Admin routes for tenants, and the lifecycle a billing system drives: idempotent create, suspend, unsuspend,
terminate, plan changes (PATCH), and finding a tenant by its WHMCS client id."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response, status

from tinyeclipse.conversations import calibration
from tinyeclipse.conversations.models import CalibrationReport
from tinyeclipse.notifications import service as notifications
from tinyeclipse.notifications.models import WebhookSecret
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.privacy.models import Termination
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import (
    IdempotencyKey,
    Tenant,
    TenantCreate,
    TenantFilters,
    TenantStatus,
    TenantUpdate,
)
from tinyeclipse.web.auth import Admin
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(tags=["tenants"])


@router.get("/tenants")
def list_tenants(
    database: DatabaseDep,
    settings: SettingsDep,
    filters: Annotated[TenantFilters, Query()],
    page: Annotated[PageParams, Query()],
) -> Page[Tenant]:
    return tenants.list_tenants(database, settings, filters, page)


@router.post("/tenants", status_code=status.HTTP_201_CREATED, responses=problem_responses(409))
def create_tenant(
    database: DatabaseDep,
    settings: SettingsDep,
    admin: Admin,
    body: TenantCreate,
    response: Response,
    idempotency_key: Annotated[
        IdempotencyKey | None,
        Header(
            description="Makes a retry safe: the same key with the same body answers the tenant created the first "
            "time (with Idempotent-Replayed: true); with another body, 409 idempotency_key_reused."
        ),
    ] = None,
) -> Tenant:
    if idempotency_key is None:
        return tenants.create_tenant(database, settings, body, actor=admin)
    tenant, replayed = tenants.create_tenant_once(database, settings, body, idempotency_key, actor=admin)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return tenant


@router.get("/tenants/{tenant_id}")
def get_tenant(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID) -> Tenant:
    return tenants.get_tenant(database, settings, tenant_id)


@router.patch("/tenants/{tenant_id}", responses=problem_responses(409))
def update_tenant(
    database: DatabaseDep, settings: SettingsDep, admin: Admin, tenant_id: UUID, body: TenantUpdate
) -> Tenant:
    return tenants.update_tenant(database, settings, tenant_id, body, actor=admin)


@router.post("/tenants/{tenant_id}/suspend")
def suspend_tenant(database: DatabaseDep, settings: SettingsDep, admin: Admin, tenant_id: UUID) -> Tenant:
    """The widget shows nothing to visitors (tenant_suspended); idempotent."""
    return tenants.set_status(database, settings, tenant_id, TenantStatus.suspended, actor=admin)


@router.post("/tenants/{tenant_id}/unsuspend")
def unsuspend_tenant(database: DatabaseDep, settings: SettingsDep, admin: Admin, tenant_id: UUID) -> Tenant:
    """Back in service; idempotent."""
    return tenants.set_status(database, settings, tenant_id, TenantStatus.active, actor=admin)


@router.post("/tenants/{tenant_id}/terminate")
def terminate_tenant(database: DatabaseDep, admin: Admin, tenant_id: UUID) -> Termination:
    """Delete every row of the tenant in every table, its uploaded files and jobs included; the count per table.
    Asked again, the same answer. Cannot be undone."""
    return tenants.terminate_tenant(database, tenant_id, actor=admin)


@router.get("/tenants/{tenant_id}/calibration")
def get_calibration(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID) -> CalibrationReport:
    return calibration.calibration_report(database, settings, tenant_id)


@router.get("/tenants/{tenant_id}/webhook-secret")
def get_webhook_secret(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID) -> WebhookSecret:
    """The key the tenant's webhook receiver verifies our signatures with (docs/notifications.md)."""
    return notifications.tenant_webhook_secret(database, settings, tenant_id)
