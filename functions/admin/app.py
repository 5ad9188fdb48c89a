"""The admin function: the operator's API behind the admin panel."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from mangum import Mangum

from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import Tenant, TenantCreate, TenantFilters, TenantUpdate
from tinyeclipse.web.app import create_app
from tinyeclipse.web.auth import require_admin
from tinyeclipse.web.deps import DatabaseDep

router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)])


@router.get("/tenants", tags=["tenants"])
def list_tenants(
    database: DatabaseDep,
    filters: Annotated[TenantFilters, Query()],
    page: Annotated[PageParams, Query()],
) -> Page[Tenant]:
    return tenants.list_tenants(database, filters, page)


@router.post("/tenants", status_code=status.HTTP_201_CREATED, tags=["tenants"])
def create_tenant(database: DatabaseDep, body: TenantCreate) -> Tenant:
    return tenants.create_tenant(database, body)


@router.get("/tenants/{tenant_id}", tags=["tenants"])
def get_tenant(database: DatabaseDep, tenant_id: UUID) -> Tenant:
    return tenants.get_tenant(database, tenant_id)


@router.patch("/tenants/{tenant_id}", tags=["tenants"])
def update_tenant(database: DatabaseDep, tenant_id: UUID, body: TenantUpdate) -> Tenant:
    return tenants.update_tenant(database, tenant_id, body)


app = create_app("admin", router)
handler = Mangum(app, lifespan="off")
