"""What the content gaps and the outcome dashboard take and give."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from tinyeclipse.ingestion.models import FaqPair, Source


def _calendar_day(value: object) -> object:
    # Pydantic would read "0" or "1700000000" as a Unix time; days are YYYY-MM-DD only.
    if isinstance(value, str) and not (len(value) == 10 and value[4] == value[7] == "-"):
        raise ValueError("a day as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_calendar_day)]


class Period(BaseModel):
    since: Day | None = Field(default=None, alias="from", description="First day (UTC), default 29 days before to.")
    until: Day | None = Field(default=None, alias="to", description="Last day (UTC), default today.")


class GapsQuery(Period):
    sort: Literal["largest", "newest"] = Field(
        default="largest", description="largest: most questions first (newest first among equals); newest: latest."
    )
    limit: int = Field(default=50, ge=1, le=200, description="At most this many groups.")


class GapExample(BaseModel):
    message_id: UUID = Field(description="The bot's answer (the gap); dismiss or answer by these ids.")
    question_id: UUID
    conversation_id: UUID
    question: str
    answer: str = Field(description="What the bot answered.")
    refused: bool
    escalated: bool
    feedback: Literal["up", "down"] | None
    confidence: float | None
    created_at: datetime


class GapGroup(BaseModel):
    id: str = Field(description="The representative answer's id: stable while the group keeps that member.")
    count: int
    question: str = Field(description="The representative question: the one most like the rest of the group.")
    answer: str = Field(description="What the bot answered the representative question.")
    refused: int = Field(description="How many of the group's answers were refused.")
    escalated: int
    thumbs_down: int
    latest_at: datetime
    examples: list[GapExample] = Field(description="The latest questions of the group, newest first (at most 5).")
    message_ids: list[UUID] = Field(description="Every answer of the group: what dismiss or answer closes.")


class Gaps(BaseModel):
    tenant_id: UUID
    since: date
    until: date
    model: str = Field(description="The embedding model the questions were grouped with (the tenant's).")
    questions: int = Field(description="Open gap questions in the period (the newest MAX_QUESTIONS are grouped).")
    groups: list[GapGroup]


MessageIds = Annotated[list[UUID], Field(min_length=1, max_length=1000)]


class GapDismissal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_ids: MessageIds


class GapClosed(BaseModel):
    closed: int = Field(description="How many of the answers were open gaps of the tenant and are closed now.")


class GapAnswer(BaseModel):
    """ "Answer this": a question and answer pair for the tenant's FAQ; the gap's answers are closed."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
    source_id: UUID | None = Field(
        default=None, description="The FAQ source to add to; default the tenant's oldest FAQ source (made if none)."
    )
    message_ids: list[UUID] = Field(default_factory=list, max_length=1000)


class GapAnswered(BaseModel):
    source: Source = Field(description="The FAQ source, pending: re-indexing was requested.")
    pair: FaqPair
    closed: int


class DashboardQuery(Period):
    tenant_id: UUID | None = Field(default=None, description="One tenant; absent: every tenant together.")
    interval: Literal["day", "week"] = "day"


class Outcomes(BaseModel):
    """The numbers of one period; docs/dashboard.md defines each."""

    conversations: int = 0
    visitor_messages: int = 0
    answered: int = 0
    resolved: int = 0
    handed_off: int = 0
    refused: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    first_response_median_seconds: float | None = None
    first_responses: int = Field(default=0, description="Hand-offs the team answered (the median's sample).")


class OutcomeBucket(Outcomes):
    start: date = Field(description="The day, or the Monday of the ISO week (UTC).")


class Dashboard(BaseModel):
    tenant_id: UUID | None
    since: date
    until: date
    interval: Literal["day", "week"]
    buckets: list[OutcomeBucket]
    totals: Outcomes
