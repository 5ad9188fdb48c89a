"""What the sources API takes and gives."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

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


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
WebUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s/?#]+")]


class FaqPair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class SourceCreate(BaseModel):
    """A url, pdf (by URL; uploads come as multipart), faq or text source for one tenant."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    type: SourceType
    title: Title | None = None
    url: WebUrl | None = None
    content: Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)] | list[FaqPair] | None = None
    crawl: bool = False
    max_pages: int | None = Field(default=None, ge=1, le=1_000)

    @model_validator(mode="after")
    def _fits_its_type(self) -> "SourceCreate":
        if self.type in (SourceType.url, SourceType.pdf):
            if self.url is None:
                raise ValueError(f"a {self.type} source needs a url (upload a PDF as multipart/form-data)")
            if self.content is not None:
                raise ValueError(f"a {self.type} source takes a url, not content")
        elif self.url is not None:
            raise ValueError(f"a {self.type} source takes content, not a url")
        if self.type is SourceType.text and not (isinstance(self.content, str) and self.content.strip()):
            raise ValueError("a text source needs content: a non-empty string")
        if self.type is SourceType.faq and not (
            isinstance(self.content, list) and 0 < len(self.content) <= MAX_FAQ_PAIRS
        ):
            raise ValueError(
                f'a faq source needs content: a list of 1 to {MAX_FAQ_PAIRS} {{"question", "answer"}} pairs'
            )
        if (self.crawl or self.max_pages is not None) and self.type is not SourceType.url:
            raise ValueError("crawl and max_pages apply to url sources only")
        if self.max_pages is not None and not self.crawl:
            raise ValueError("max_pages needs crawl: true")
        return self


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
