"""What the admin panel's "Test your bot" takes and gives, and its conversations' SQL.

A preview runs the real pipeline on a conversation marked `preview`: no consent, rate limit, quota, usage,
notification or hand-off, and no count (inbox, usage, gaps, dashboard) includes it.
"""

from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from tinyeclipse.chat.intents import Intent, require_content
from tinyeclipse.chat.models import SourceRef
from tinyeclipse.conversations.models import ConfidenceParts
from tinyeclipse.db import Connection


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(require_content)]
    conversation_id: UUID | None = Field(default=None, description="A preview conversation to go on with.")
    language: str | None = Field(
        default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description="As the widget's data-language."
    )


class PreviewAnswer(BaseModel):
    conversation_id: UUID
    message_id: UUID
    answer: str
    confidence: float | None = Field(description="As POST /api/chat: null for small talk and requests for a person.")
    confidence_parts: ConfidenceParts | None = Field(description="Why the confidence is what it is.")
    escalated: bool
    refused: bool
    handed_off: bool = Field(description="A visitor's conversation would now wait for the team.")
    intent: Intent | None
    language: str = Field(description="The language the bot answered in.")
    sources: list[SourceRef] = Field(
        description="What was found, cited first; a visitor sees them only with an answer (not with a refusal)."
    )
    latency_ms: int


def create_conversation(conn: Connection, tenant_id: UUID) -> dict[str, Any]:
    row = conn.execute(
        """INSERT INTO conversations (tenant_id, session_id, preview) VALUES (%s, %s, true)
           RETURNING id, escalated""",
        [tenant_id, f"preview-{uuid4()}"],
    ).fetchone()
    assert row is not None
    return row


def find_conversation(conn: Connection, conversation_id: UUID) -> dict[str, Any] | None:
    """A preview conversation (of the transaction's tenant); None for any other."""
    return conn.execute(
        "SELECT id, escalated FROM conversations WHERE id = %s AND preview", [conversation_id]
    ).fetchone()
