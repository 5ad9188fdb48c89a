"""What the audit API gives, and the actions it records."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

# Who acts when no operator does. Admin key names cannot hold ':', so these never clash with an operator's name.
VISITOR = "visitor:widget"
RETENTION = "system:retention"


class AuditEntry(BaseModel):
    id: int
    created_at: datetime
    actor: str = Field(description=f"The admin key's name, '{VISITOR}' (a visitor's own request) or '{RETENTION}'.")
    action: str = Field(description="What was done, like tenant.suspend, source.create or privacy.erase.")
    tenant_id: UUID | None
    target_type: str | None = Field(description="What the action was on: tenant, source, conversation, session.")
    target_id: str | None
    details: dict[str, Any] = Field(description="Counts and changed field names; never a visitor's content.")


class AuditFilters(BaseModel):
    tenant_id: UUID | None = None
    actor: str | None = Field(default=None, max_length=100)
    action: str | None = Field(
        default=None, max_length=60, pattern=r"^[a-z_.]+$", description="An action, or its prefix ending in '.'."
    )
