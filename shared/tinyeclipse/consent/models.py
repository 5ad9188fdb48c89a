"""What the consent API takes and gives."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SessionId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
TermsVersion = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId
    # Strict: consent must be an explicit true or false, never a coerced "yes" or 1.
    accepted: Annotated[bool, Field(strict=True)]
    terms_version: TermsVersion


class Consent(BaseModel):
    """A stored consent record (without the IP address and user agent kept as evidence)."""

    id: UUID
    tenant_id: UUID
    session_id: str
    accepted: bool
    terms_version: str
    created_at: datetime


class ConsentQuery(BaseModel):
    tenant_id: UUID
    session_id: SessionId


class ConsentStatus(BaseModel):
    consented: bool = Field(description="The latest record accepts the tenant's current terms.")
    terms_version: str | None = Field(description="The terms version of the latest record, if any.")
    current_terms_version: str
