"""The first check of every public (widget) request: the tenant exists and is active."""

from uuid import UUID

from tinyeclipse.db import Connection
from tinyeclipse.errors import Forbidden
from tinyeclipse.tenants import repository
from tinyeclipse.tenants.errors import TenantNotFound
from tinyeclipse.tenants.models import Tenant, TenantStatus
from tinyeclipse.tenants.settings import Plan, effective_settings


class TenantSuspended(Forbidden):
    code = "tenant_suspended"

    def __init__(self, tenant_id: UUID) -> None:
        super().__init__(f"Tenant {tenant_id} is suspended.")


def active_tenant(conn: Connection, tenant_id: UUID) -> Tenant:
    """The tenant with its effective settings; TenantNotFound or TenantSuspended if it may not be served."""
    row = repository.get(conn, tenant_id)
    if row is None:
        raise TenantNotFound(tenant_id)
    if row["status"] == TenantStatus.suspended:
        raise TenantSuspended(tenant_id)
    return Tenant(**row, effective_settings=effective_settings(Plan(row["plan"]), row["settings"]))
