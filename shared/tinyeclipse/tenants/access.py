"""The first check of every public (widget) request: the tenant exists and is active."""

from urllib.parse import urlsplit
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection
from tinyeclipse.errors import Forbidden
from tinyeclipse.tenants import repository
from tinyeclipse.tenants.errors import TenantNotFound
from tinyeclipse.tenants.models import Tenant, TenantStatus
from tinyeclipse.tenants.settings import Plan, effective_settings, operator_defaults


class TenantSuspended(Forbidden):
    code = "tenant_suspended"

    def __init__(self, tenant_id: UUID) -> None:
        super().__init__(f"Tenant {tenant_id} is suspended.")


class OriginNotAllowed(Forbidden):
    code = "origin_not_allowed"


def require_allowed_origin(origin: str | None, allowed_domains: list[str]) -> None:
    """When a tenant lists its domains, a browser's Origin must be one of them (host, or host:port)."""
    if not allowed_domains:
        return
    parts = urlsplit(origin or "")
    host = (parts.hostname or "").lower()
    if not host or (host not in allowed_domains and f"{host}:{parts.port}" not in allowed_domains):
        raise OriginNotAllowed(f"Requests from {origin or 'an unknown origin'} are not allowed for this tenant.")


def active_tenant(conn: Connection, tenant_id: UUID, settings: Settings) -> Tenant:
    """The tenant with its effective settings (the operator's defaults from `settings` under its overrides);
    TenantNotFound or TenantSuspended if it may not be served."""
    row = repository.get(conn, tenant_id)
    if row is None:
        raise TenantNotFound(tenant_id)
    if row["status"] == TenantStatus.suspended:
        raise TenantSuspended(tenant_id)
    defaults = operator_defaults(settings)
    return Tenant(**row, effective_settings=effective_settings(Plan(row["plan"]), row["settings"], defaults))


def require_tenant(conn: Connection, tenant_id: UUID) -> None:
    """TenantNotFound unless the tenant exists (active or suspended)."""
    if repository.get(conn, tenant_id) is None:
        raise TenantNotFound(tenant_id)
