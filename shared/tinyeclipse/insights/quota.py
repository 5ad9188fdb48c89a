"""The monthly message quota as the operator reads it: each tenant's answers this month against its quota."""

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.pagination import MAX_LIMIT, PageParams
from tinyeclipse.ratelimit import quota
from tinyeclipse.ratelimit.quota import QuotaUsage
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import Tenant, TenantFilters


class QuotaQuery(BaseModel):
    tenant_id: UUID | None = Field(default=None, description="One tenant; absent: every tenant.")


class QuotaReport(BaseModel):
    month: date = Field(description="The first day of the current month (UTC).")
    tenants: list[QuotaUsage] = Field(description="Fullest first.")


def _every_tenant(db: Database, settings: Settings) -> list[Tenant]:
    found: list[Tenant] = []
    while True:
        page = tenants.list_tenants(db, settings, TenantFilters(), PageParams(limit=MAX_LIMIT, offset=len(found)))
        found.extend(page.items)
        if not page.items or len(found) >= page.total:
            return found


def quota_report(db: Database, settings: Settings, query: QuotaQuery) -> QuotaReport:
    month = quota.current_month()
    if query.tenant_id is None:
        chosen = _every_tenant(db, settings)
        with db.operator() as conn:
            used = quota.used_by_tenant(conn, month)
    else:
        chosen = [tenants.get_tenant(db, settings, query.tenant_id)]
        with db.tenant(query.tenant_id) as conn:
            used = quota.used_by_tenant(conn, month, query.tenant_id)
    usages = [
        quota.usage_of(tenant.id, month, used.get(tenant.id, 0), tenant.effective_settings.monthly_message_quota)
        for tenant in chosen
    ]
    usages.sort(key=lambda usage: (-usage.used / usage.quota, str(usage.tenant_id)))
    return QuotaReport(month=month, tenants=usages)
