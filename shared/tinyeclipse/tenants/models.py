"""What the tenants API takes and gives."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tinyeclipse.embeddings.names import EmbeddingModel
from tinyeclipse.tenants.settings import Domain, Plan, TenantSettings


class TenantStatus(StrEnum):
    active = "active"
    suspended = "suspended"


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
WhmcsClientId = Annotated[int, Field(strict=True, gt=0, le=2_147_483_647)]


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    whmcs_client_id: WhmcsClientId
    plan: Plan = Plan.tiny
    domain: Domain | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class TenantUpdate(BaseModel):
    """A partial update: only the fields sent change; `settings` is a JSON merge patch."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    whmcs_client_id: WhmcsClientId | None = None
    plan: Plan | None = None
    status: TenantStatus | None = None
    domain: Domain | None = None
    settings: dict[str, Any] | None = None

    @field_validator("name", "whmcs_client_id", "plan", "status", "settings", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class Tenant(BaseModel):
    id: UUID
    whmcs_client_id: int
    name: str
    plan: Plan
    status: TenantStatus
    domain: str | None
    settings: dict[str, Any] = Field(description="The tenant's overrides of its plan's defaults.")
    effective_settings: TenantSettings = Field(description="Plan defaults with the overrides applied.")
    index_model: EmbeddingModel = Field(
        description="The embedding model of the chunks the answers read now. After a change of "
        "effective_settings.embedding_model it stays the old one until every source has chunks of the new one."
    )
    created_at: datetime
    updated_at: datetime


class TenantFilters(BaseModel):
    status: TenantStatus | None = None
    plan: Plan | None = None
    search: str | None = Field(default=None, max_length=200, description="Part of the name, domain or WHMCS id.")
    whmcs_client_id: int | None = Field(default=None, gt=0, le=2_147_483_647, description="The billing system's id.")


# An Idempotency-Key: what a billing system sends to make a retried create safe (printable ASCII, like a UUID).
IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")]
