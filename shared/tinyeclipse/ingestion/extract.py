"""A source, of any type, as a stream of documents."""

import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.ingestion.documents import Block, Document, ExtractionError, markdown_blocks
from tinyeclipse.ingestion.models import SourceType

PDF_TYPES = ("application/pdf", "application/x-pdf", "application/octet-stream")


@dataclass(frozen=True)
class SourceSpec:
    id: UUID
    tenant_id: UUID
    type: SourceType
    title: str | None
    url: str | None
    content: Any
    crawl: bool
    max_pages: int | None
    has_file: bool


def text_documents(spec: SourceSpec) -> Iterator[Document]:
    yield Document(key="text", title=spec.title, url=None, blocks=markdown_blocks(spec.content or ""))


def faq_documents(spec: SourceSpec) -> Iterator[Document]:
    """One document per pair, keyed by its question, so reordering the pairs re-embeds nothing."""
    for pair in spec.content or []:
        question, answer = pair["question"].strip(), pair["answer"].strip()
        key = "faq:" + hashlib.sha256(question.encode()).hexdigest()[:16]
        blocks = [Block(question, heading=True), *markdown_blocks(answer)]
        yield Document(key=key, title=spec.title, url=None, blocks=blocks, metadata={"question": question})


def web_documents(spec: SourceSpec, settings: Settings) -> Iterator[Document]:
    from tinyeclipse.ingestion.crawl import crawl_site, fetch_page
    from tinyeclipse.ingestion.fetch import FetchLimits

    assert spec.url is not None
    limits = FetchLimits.from_settings(settings)
    if spec.crawl:
        max_pages = min(spec.max_pages or settings.ingest_crawl_max_pages, settings.ingest_crawl_max_pages)
        yield from crawl_site(spec.url, limits, max_pages=max_pages)
    else:
        yield fetch_page(spec.url, limits, title=spec.title)


def pdf_documents(spec: SourceSpec, settings: Settings, read_file: Callable[[BinaryIO], bool]) -> Iterator[Document]:
    """The PDF (uploaded, or downloaded from its URL) spooled to a temp file, then read page by page."""
    from tinyeclipse.ingestion.fetch import FetchLimits, download
    from tinyeclipse.ingestion.pdf import pdf_documents as read_pdf

    with tempfile.NamedTemporaryFile(suffix=".pdf") as spool:
        if spec.has_file:
            if not read_file(spool):
                raise ExtractionError("The uploaded PDF is missing.")
        else:
            assert spec.url is not None
            download(
                spec.url,
                FetchLimits.from_settings(settings, max_bytes=settings.ingest_max_pdf_bytes),
                accept=PDF_TYPES,
                into=spool,
            )
        spool.flush()
        yield from read_pdf(Path(spool.name), title=spec.title, url=spec.url)


def extract_documents(
    spec: SourceSpec, settings: Settings, read_file: Callable[[BinaryIO], bool]
) -> Iterator[Document]:
    """The source's documents, lazily; ExtractionError or TransientFetchError when it cannot be read."""
    if spec.type is SourceType.text:
        return text_documents(spec)
    if spec.type is SourceType.faq:
        return faq_documents(spec)
    if spec.type is SourceType.url:
        return web_documents(spec, settings)
    return pdf_documents(spec, settings, read_file)
