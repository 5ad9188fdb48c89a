"""What POST /api/chat takes and gives."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from tinyeclipse.chat.intents import Intent, require_content
from tinyeclipse.consent.models import SessionId
from tinyeclipse.errors import Forbidden


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
