"""What the sources API takes and gives."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator

MAX_TEXT_CHARS = 1_000_000
MAX_FAQ_PAIRS = 1_000


class SourceType(StrEnum):
    url = "url"
    pdf = "pdf"
    faq = "faq"
    text = "text"


class SourceStatus(StrEnum):
    pending = "pending"
    indexed = "indexed"
    failed = "failed"


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
WebUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s/?#]+")]


class FaqPair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class _NewSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    title: Title | None = None


class NewTextSource(_NewSource):
    type: Literal[SourceType.text]
    content: Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS), AfterValidator(_not_blank)]


class NewFaqSource(_NewSource):
    type: Literal[SourceType.faq]
    content: Annotated[list[FaqPair], Field(min_length=1, max_length=MAX_FAQ_PAIRS)]


class NewUrlSource(_NewSource):
    type: Literal[SourceType.url]
    url: WebUrl
    crawl: bool = False
    max_pages: int | None = Field(default=None, ge=1, le=1_000)

    @model_validator(mode="after")
    def _max_pages_needs_crawl(self) -> "NewUrlSource":
        if self.max_pages is not None and not self.crawl:
            raise ValueError("max_pages needs crawl: true")
        return self


class NewPdfUrlSource(_NewSource):
    """A PDF at a URL; an uploaded PDF arrives as multipart/form-data instead."""

    type: Literal[SourceType.pdf]
    url: WebUrl


SourceCreate = Annotated[NewTextSource | NewFaqSource | NewUrlSource | NewPdfUrlSource, Field(discriminator="type")]
SOURCE_CREATE = TypeAdapter(SourceCreate)


class Source(BaseModel):
    id: UUID
    tenant_id: UUID
    type: SourceType
    title: str | None
    url: str | None
    content: Any = Field(description="The text, or the FAQ pairs; null for url and pdf sources.")
    crawl: bool
    max_pages: int | None
    filename: str | None = Field(description="The uploaded PDF's file name, for uploads.")
    status: SourceStatus
    error: str | None = Field(description="Why the last ingestion failed, for the operator.")
    chunk_count: int
    document_count: int
    last_indexed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class IngestJob(BaseModel):
    id: int
    source_id: UUID
    status: str
    reason: str
    attempts: int
    run_at: datetime
    created_at: datetime
