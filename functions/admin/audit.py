"""Admin route for the audit log: who did what to which tenant, when (newest first)."""

from typing import Annotated

from fastapi import APIRouter, Query

from tinyeclipse.audit import service as audit
from tinyeclipse.audit.models import AuditEntry, AuditFilters
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.web.deps import DatabaseDep

router = APIRouter(tags=["audit"])


@router.get("/audit")
def list_audit_entries(
    database: DatabaseDep, filters: Annotated[AuditFilters, Query()], page: Annotated[PageParams, Query()]
) -> Page[AuditEntry]:
    return audit.list_entries(database, filters, page)
