"""Admin routes for tenants."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from tinyeclipse.conversations import calibration
from tinyeclipse.conversations.models import CalibrationReport
from tinyeclipse.notifications import service as notifications
from tinyeclipse.notifications.models import WebhookSecret
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import Tenant, TenantCreate, TenantFilters, TenantUpdate
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
def create_tenant(database: DatabaseDep, settings: SettingsDep, body: TenantCreate) -> Tenant:
    return tenants.create_tenant(database, settings, body)


@router.get("/tenants/{tenant_id}")
def get_tenant(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID) -> Tenant:
    return tenants.get_tenant(database, settings, tenant_id)


@router.patch("/tenants/{tenant_id}", responses=problem_responses(409))
def update_tenant(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID, body: TenantUpdate) -> Tenant:
    return tenants.update_tenant(database, settings, tenant_id, body)


@router.get("/tenants/{tenant_id}/calibration")
def get_calibration(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID) -> CalibrationReport:
    return calibration.calibration_report(database, settings, tenant_id)


@router.get("/tenants/{tenant_id}/webhook-secret")
def get_webhook_secret(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID) -> WebhookSecret:
    """The key the tenant's webhook receiver verifies our signatures with (docs/notifications.md)."""
    return notifications.tenant_webhook_secret(database, settings, tenant_id)
