"""What the privacy APIs take and give."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tinyeclipse.consent.models import SessionId
from tinyeclipse.tenants.settings import EmailAddress


class VisitorRequest(BaseModel):
    """A visitor's own request from the widget: the session id is what proves the data is theirs."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId


class SubjectRequest(BaseModel):
    """An operator's request for a data subject who wrote in (by mail): by session id or by the email address the
    visitor left in the chat. Exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId | None = None
    visitor_email: EmailAddress | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "SubjectRequest":
        if (self.session_id is None) == (self.visitor_email is None):
            raise ValueError("give either session_id or visitor_email")
        return self


class ExportedConsent(BaseModel):
    id: UUID
    session_id: str
    accepted: bool
    terms_version: str
    ip_address: str | None
    user_agent: str | None
    created_at: datetime


class ExportedMessage(BaseModel):
    id: UUID
    role: str = Field(description="user (the visitor), assistant (the bot) or operator (a person of the team).")
    content: str
    feedback: str | None = Field(description="The visitor's thumbs on a bot answer: up, down or null.")
    created_at: datetime


class ExportedTransition(BaseModel):
    from_state: str
    to_state: str
    actor: str
    reason: str
    created_at: datetime


class ExportedConversation(BaseModel):
    id: UUID
    session_id: str
    status: str
    handled_by: str
    visitor_email: str | None
    page_url: str | None
    created_at: datetime
    updated_at: datetime
    messages: list[ExportedMessage]
    transitions: list[ExportedTransition]


class DataExport(BaseModel):
    """Everything stored about the sessions: their consent records, conversations and messages."""

    tenant_id: UUID
    session_ids: list[str]
    exported_at: datetime
    consents: list[ExportedConsent]
    conversations: list[ExportedConversation]


class Erasure(BaseModel):
    """What was deleted, per table. The usage counts of the deleted messages stay, as daily totals."""

    tenant_id: UUID
    sessions: int = Field(description="How many sessions the request matched.")
    deleted: dict[str, int]


class Termination(BaseModel):
    """A terminated tenant: every row of it deleted, per table. Asked again, the same answer."""

    tenant_id: UUID
    whmcs_client_id: int
    status: Literal["terminated"] = "terminated"
    deleted: dict[str, int]
    terminated_by: str
    terminated_at: datetime


class RetentionRun(BaseModel):
    """One tenant's rows deleted by one retention run."""

    tenant_id: UUID
    deleted: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.deleted.values())
