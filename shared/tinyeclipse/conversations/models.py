"""What the admin's conversation, usage and calibration reads give, and the visitor's feedback on an answer."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from tinyeclipse.chat.intents import Intent
from tinyeclipse.consent.models import SessionId
from tinyeclipse.conversations.states import Actor, State


class ConversationFilters(BaseModel):
    tenant_id: UUID | None = None
    status: str | None = Field(default=None, pattern="^(open|closed)$")
    escalated: bool | None = None
    state: State | None = Field(default=None, description="Who answers now: bot, waiting (for a person) or human.")
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description='Full-text search over the messages (web search syntax: words, "a phrase", -not).',
    )


class ConversationSummary(BaseModel):
    id: UUID
    tenant_id: UUID
    tenant_name: str
    session_id: str
    status: str
    escalated: bool
    handled_by: State
    waiting_since: datetime | None = Field(description="Since when it waits for a person; null unless waiting.")
    visitor_email: str | None
    page_url: str | None = Field(description="The page the widget was on when the conversation started.")
    message_count: int
    last_message: str | None
    last_visitor_message: str | None = Field(description="The visitor's last message (not the bot's answer).")
    created_at: datetime
    updated_at: datetime


class Transition(BaseModel):
    """One change of who answers the conversation, and who made it."""

    from_state: State
    to_state: State
    actor: Actor
    reason: str
    created_at: datetime


# What a visitor's message was recognised as before retrieval; None for a question answered from the knowledge.
Feedback = Literal["up", "down"]


class ConfidenceParts(BaseModel):
    """The parts an answer's confidence was computed from, so the operator can see why it scored what it did."""

    # Lenient: the confidence model may add parts without breaking the admin's reads.
    model_config = ConfigDict(extra="allow")

    retrieval_similarity: float
    source_coverage: float
    answer_coherence: float
    features: dict[str, float] = Field(default_factory=dict)


class Message(BaseModel):
    id: UUID
    role: str
    content: str
    confidence: float | None
    confidence_parts: ConfidenceParts | None = None
    intent: Intent | None = None
    feedback: Feedback | None = None
    sources_used: list[dict[str, Any]]
    escalated: bool
    refused: bool
    latency_ms: int | None
    created_at: datetime


class FeedbackRequest(BaseModel):
    """The visitor's thumbs on one bot answer; null clears it."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    session_id: SessionId
    value: Feedback | None


class FeedbackResult(BaseModel):
    message_id: UUID
    feedback: Feedback | None


class Conversation(BaseModel):
    id: UUID
    tenant_id: UUID
    tenant_name: str
    session_id: str
    status: str
    escalated: bool
    handled_by: State
    waiting_since: datetime | None
    visitor_email: str | None
    page_url: str | None
    created_at: datetime
    updated_at: datetime
    messages: list[Message]
    transitions: list[Transition]


class OperatorReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class ConversationUpdate(BaseModel):
    """The operator's triage: close or reopen, and clear (or set) the escalation flag."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "closed"] | None = None
    escalated: bool | None = None


def _calendar_day(value: object) -> object:
    # Pydantic would read "0" or "1700000000" as a Unix time; the API takes days as YYYY-MM-DD only.
    if isinstance(value, str) and not (len(value) == 10 and value[4] == value[7] == "-"):
        raise ValueError("a day as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_calendar_day)]


class UsageQuery(BaseModel):
    tenant_id: UUID | None = None
    since: Day | None = Field(default=None, alias="from", description="First day (UTC), default 30 days ago.")
    until: Day | None = Field(default=None, alias="to", description="Last day (UTC), default today.")


class UsageCounts(BaseModel):
    messages: int = Field(default=0, description="Visitor messages.")
    answers: int = Field(default=0, description="Bot answers to knowledge questions (small talk not counted).")
    resolved: int = Field(
        default=0,
        description="Answers given without a human: not escalated, not refused, no thumbs down and no operator "
        "message later in the conversation.",
    )
    escalations: int = Field(default=0, description="Answers escalated to a human (knowledge answers only).")
    refusals: int = Field(default=0, description="Answers refused (knowledge answers only).")
    handoff_requests: int = Field(default=0, description="Visitor requests for a person.")
    thumbs_up: int = 0
    thumbs_down: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


class UsageDay(UsageCounts):
    tenant_id: UUID
    day: date


class UsageTotals(UsageCounts):
    pass


class Usage(BaseModel):
    since: date
    until: date
    days: list[UsageDay]
    totals: UsageTotals


class CalibrationStats(BaseModel):
    answers: int
    judged: int
    wrong: int
    wrong_rate: float | None = Field(description="wrong / judged; null when nothing was judged.")


class CalibrationBucket(CalibrationStats):
    low: float
    high: float


class CalibrationReport(BaseModel):
    """How often a tenant's answers were judged wrong at each confidence, from its own thumbs and operators."""

    tenant_id: UUID
    escalate_threshold: float
    refuse_threshold: float
    judged: int = Field(description="Answers with a judgement: thumbs, an operator's reply, or a quiet close.")
    min_judged: int = Field(description="Below this many judged answers no threshold is suggested.")
    buckets: list[CalibrationBucket]
    above_threshold: CalibrationStats = Field(description="Answers with confidence >= escalate_threshold.")
    suggested_escalate_threshold: float | None
    explanation: str


@dataclass(frozen=True)
class AnswerOutcome:
    """One knowledge answer and what happened after it: the raw material of the calibration report."""

    confidence: float
    escalated: bool
    feedback: Feedback | None
    operator_replied: bool
    conversation_closed: bool
