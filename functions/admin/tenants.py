"""Admin routes for tenants."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from tinyeclipse.conversations import calibration
from tinyeclipse.conversations.models import CalibrationReport
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import Tenant, TenantCreate, TenantFilters, TenantUpdate
from tinyeclipse.web.deps import DatabaseDep

router = APIRouter(tags=["tenants"])


@router.get("/tenants")
def list_tenants(
    database: DatabaseDep,
    filters: Annotated[TenantFilters, Query()],
    page: Annotated[PageParams, Query()],
) -> Page[Tenant]:
    return tenants.list_tenants(database, filters, page)


@router.post("/tenants", status_code=status.HTTP_201_CREATED)
def create_tenant(database: DatabaseDep, body: TenantCreate) -> Tenant:
    return tenants.create_tenant(database, body)


@router.get("/tenants/{tenant_id}")
def get_tenant(database: DatabaseDep, tenant_id: UUID) -> Tenant:
    return tenants.get_tenant(database, tenant_id)


@router.patch("/tenants/{tenant_id}")
def update_tenant(database: DatabaseDep, tenant_id: UUID, body: TenantUpdate) -> Tenant:
    return tenants.update_tenant(database, tenant_id, body)


@router.get("/tenants/{tenant_id}/calibration")
def get_calibration(database: DatabaseDep, tenant_id: UUID) -> CalibrationReport:
    return calibration.calibration_report(database, tenant_id)
