"""What POST /api/chat takes and gives."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from tinyeclipse.chat.intents import Intent, require_content
from tinyeclipse.consent.models import SessionId
from tinyeclipse.conversations.states import State
from tinyeclipse.errors import Forbidden
from tinyeclipse.tenants.settings import EmailAddress

HANDLED_BY = (
    "Who answers the conversation after this message: the bot, nobody yet (waiting: the team was asked) or a "
    "person (human). While waiting or human the bot stays silent."
)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId
    # The length cap is a setting (CHAT_MAX_MESSAGE_CHARS), checked by the service.
    # At least one letter, digit or emoji ("5", "ok", "👋"): "...", "¿?" and spaces say nothing, a 422.
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(require_content)]
    conversation_id: UUID | None = None
    # The widget's data-language; the answer follows the question's language when absent.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    # The page the widget is on; the conversation keeps the first one it is told.
    page_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://[^\s]+$")


class SourceRef(BaseModel):
    source_id: UUID
    title: str | None
    url: str | None
    snippet: str
    score: float = Field(description="The chunk's cosine similarity to the question, 0..1.")
    cited: bool = Field(description="Whether the answer quotes or cites this source.")


class ChatResponse(BaseModel):
    conversation_id: UUID
    message_id: UUID
    answer: str
    confidence: float | None = Field(
        description="How likely the answer is right, 0..1 (fitted on evaluation data); null for small talk "
        "and requests for a person, which are not answers from the knowledge."
    )
    escalated: bool
    refused: bool
    sources: list[SourceRef] = Field(
        description="The cited sources first, in the order the answer's [n] markers number them, then related ones."
    )
    intent: Intent | None = Field(
        default=None, description="Set when the message was small talk or a request for a person (no retrieval)."
    )
    handled_by: State = Field(description=HANDLED_BY)


class HandoffRequest(BaseModel):
    """The visitor's "Talk to a person"."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId
    # The widget's language, for the default expected reply; the tenant's when absent.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class HandoffStatus(BaseModel):
    handled_by: State = Field(description=HANDLED_BY)
    office_open: bool = Field(description="Whether it is within the tenant's office hours now.")
    ask_email: bool = Field(
        description="Whether the widget should ask for an email address: nobody has taken the conversation and "
        "it is outside office hours or has waited the tenant's ask_email_after_minutes, and none was left yet."
    )
    expected_reply: str = Field(description="When to expect an answer, to show the visitor.")


class ContactRequest(BaseModel):
    """The visitor's email address, so that the team can answer after the tab is closed."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId
    email: EmailAddress


class ConsentRequired(Forbidden):
    code = "consent_required"


class WidgetConfig(BaseModel):
    """The tenant's public settings for the widget: nothing private."""

    tenant_id: UUID
    name: str
    greeting: str
    primary_color: str
    primary_text_color: str
    language: str
    terms_version: str
    terms_url: str | None
    contact: str | None
    office_hours_open: bool = Field(description="Whether the team is in now (this answer may be cached minutes).")
    expected_reply: str | None = Field(description="The tenant's expected reply time, like 'within one working day'.")


class SessionMessagesQuery(BaseModel):
    tenant_id: UUID
    session_id: SessionId
    after: UUID | None = Field(default=None, description="Only messages written after this one.")


class SessionMessage(BaseModel):
    id: UUID
    role: str
    content: str
    created_at: datetime


class SessionMessages(BaseModel):
    messages: list[SessionMessage]
    handled_by: State = Field(description=HANDLED_BY.replace("after this message", "now"))
