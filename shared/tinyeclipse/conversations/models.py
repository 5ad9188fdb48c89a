"""What the admin's conversation and usage reads give."""

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class ConversationFilters(BaseModel):
    tenant_id: UUID | None = None
    status: str | None = Field(default=None, pattern="^(open|closed)$")
    escalated: bool | None = None


class ConversationSummary(BaseModel):
    id: UUID
    tenant_id: UUID
    tenant_name: str
    session_id: str
    status: str
    escalated: bool
    message_count: int
    last_message: str | None
    created_at: datetime
    updated_at: datetime


class Message(BaseModel):
    id: UUID
    role: str
    content: str
    confidence: float | None
    sources_used: list[dict[str, Any]]
    escalated: bool
    refused: bool
    latency_ms: int | None
    created_at: datetime


class Conversation(BaseModel):
    id: UUID
    tenant_id: UUID
    tenant_name: str
    session_id: str
    status: str
    escalated: bool
    created_at: datetime
    updated_at: datetime
    messages: list[Message]


class OperatorReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class ConversationUpdate(BaseModel):
    """The operator's triage: close or reopen, and clear (or set) the escalation flag."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "closed"] | None = None
    escalated: bool | None = None


class UsageQuery(BaseModel):
    tenant_id: UUID | None = None
    since: date | None = Field(default=None, alias="from", description="First day (UTC), default 30 days ago.")
    until: date | None = Field(default=None, alias="to", description="Last day (UTC), default today.")


class UsageDay(BaseModel):
    tenant_id: UUID
    day: date
    messages: int
    escalations: int
    refusals: int
    tokens_in: int
    tokens_out: int


class UsageTotals(BaseModel):
    messages: int = 0
    escalations: int = 0
    refusals: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


class Usage(BaseModel):
    since: date
    until: date
    days: list[UsageDay]
    totals: UsageTotals
