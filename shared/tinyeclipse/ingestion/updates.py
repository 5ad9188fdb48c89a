"""What editing a source takes (PATCH /api/admin/sources/{id}) and what browsing its chunks gives."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from tinyeclipse.ingestion.models import MAX_FAQ_PAIRS, MAX_TEXT_CHARS, FaqPair, Title, WebUrl


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


TEXT_CONTENT = TypeAdapter(Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS), AfterValidator(_not_blank)])
FAQ_CONTENT = TypeAdapter(Annotated[list[FaqPair], Field(min_length=1, max_length=MAX_FAQ_PAIRS)])


class SourceUpdate(BaseModel):
    """Only the fields sent change; then the source is indexed again (unchanged documents keep their chunks)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    content: Any = Field(
        default=None,
        description='text sources: the text; faq sources: every pair, [{"question", "answer"}] (pairs left out are '
        "removed, new ones added).",
    )
    url: WebUrl | None = Field(default=None, description="url sources, and PDFs fetched from a URL.")
    crawl: bool | None = Field(default=None, description="url sources.")
    max_pages: int | None = Field(default=None, ge=1, le=1_000, description="url sources with crawl; null: default.")


class Chunk(BaseModel):
    """One chunk the tenant's answers read, with the document it came from."""

    id: int
    document_id: UUID
    document_position: int
    document_title: str | None
    url: str | None = Field(description="The page's URL (web sources, PDFs from a URL).")
    page: int | None = Field(description="The PDF page.")
    question: str | None = Field(description="The FAQ pair's question.")
    heading: str | None
    chunk_index: int
    content: str
    language: str = Field(description="The text-search configuration of its words ('simple': not known).")
    fetched_at: datetime = Field(description="When the document was last read (fetched, for web pages).")
    changed_at: datetime = Field(description="When the document's text last changed (and was embedded).")
