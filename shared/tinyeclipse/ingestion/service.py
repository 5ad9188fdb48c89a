"""Sources use cases for the admin API: add, upload, list, read, delete, and ask for (re-)ingestion."""

from typing import Any
from uuid import UUID

from pydantic import ValidationError

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.errors import InvalidInput, NotFound, TooLarge
from tinyeclipse.ingestion import repository
from tinyeclipse.ingestion.models import MAX_FAQ_PAIRS, FaqPair, IngestJob, Source, SourceCreate, SourceType
from tinyeclipse.ingestion.queue import get_queue
from tinyeclipse.ingestion.updates import FAQ_CONTENT, TEXT_CONTENT, Chunk, SourceUpdate
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.tenants import repository as tenants_repository
from tinyeclipse.tenants.errors import TenantNotFound
from tinyeclipse.tenants.index_model import switch, tenant_models

PDF_MAGIC = b"%PDF-"


class SourceNotFound(NotFound):
    code = "source_not_found"

    def __init__(self, source_id: UUID) -> None:
        super().__init__(f"No source with id {source_id}.")


def _require_tenant(conn: Connection, tenant_id: UUID) -> None:
    if tenants_repository.get(conn, tenant_id) is None:
        raise TenantNotFound(tenant_id)


def _created(conn: Connection, tenant_id: UUID, source_id: UUID, settings: Settings) -> Source:
    get_queue(settings).enqueue(conn, tenant_id, source_id, "created")
    row = repository.get_source(conn, source_id)
    assert row is not None
    return Source(**row)


def create_source(db: Database, settings: Settings, data: SourceCreate) -> Source:
    values = {"url": None, "content": None, "crawl": False, "max_pages": None, **data.model_dump()}
    with db.tenant(data.tenant_id) as conn:
        _require_tenant(conn, data.tenant_id)
        source_id = repository.insert_source(conn, values)
        return _created(conn, data.tenant_id, source_id, settings)


def upload_pdf(
    db: Database, settings: Settings, tenant_id: UUID, *, title: str | None, filename: str, data: bytes
) -> Source:
    if len(data) > settings.ingest_max_pdf_bytes:
        raise TooLarge(f"The file is {len(data)} bytes; the limit is {settings.ingest_max_pdf_bytes} bytes.")
    if not data.startswith(PDF_MAGIC):
        raise InvalidInput("file: this is not a PDF (it does not start with %PDF-).")
    with db.tenant(tenant_id) as conn:
        _require_tenant(conn, tenant_id)
        values = {"tenant_id": tenant_id, "type": SourceType.pdf, "title": title or filename, "url": None}
        source_id = repository.insert_source(conn, values | {"content": None, "crawl": False, "max_pages": None})
        repository.insert_file(conn, tenant_id, source_id, filename=filename, content_type="application/pdf", data=data)
        return _created(conn, tenant_id, source_id, settings)


def list_sources(db: Database, tenant_id: UUID, page: PageParams) -> Page[Source]:
    with db.tenant(tenant_id) as conn:
        _require_tenant(conn, tenant_id)
        rows, total = repository.list_sources(conn, tenant_id, limit=page.limit, offset=page.offset)
    return Page[Source](items=[Source(**row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def get_source(db: Database, source_id: UUID) -> Source:
    # The admin addresses a source by its id alone, so this is operator-wide by nature.
    with db.operator() as conn:
        row = repository.get_source(conn, source_id)
    if row is None:
        raise SourceNotFound(source_id)
    return Source(**row)


def delete_source(db: Database, source_id: UUID) -> None:
    with db.operator() as conn:
        if not repository.delete_source(conn, source_id):
            raise SourceNotFound(source_id)


def request_ingestion(db: Database, settings: Settings, source_id: UUID) -> IngestJob:
    with db.operator() as conn:
        row = repository.get_source(conn, source_id)
        if row is None:
            raise SourceNotFound(source_id)
        job = get_queue(settings).enqueue(conn, row["tenant_id"], source_id, "manual")
    return IngestJob(**job.__dict__)


def follow_embedding_model(conn: Connection, settings: Settings, tenant_id: UUID) -> None:
    """After the tenant chose another embedding model: every source is embedded with it too (the answers read
    the old chunks meanwhile and switch when the last source is done). With no documents it switches now."""
    models = tenant_models(conn, tenant_id)
    if models is None or not models.moving:
        return
    if not repository.tenant_has_documents_without_model(conn, tenant_id, models.target):
        switch(conn, tenant_id, models.target)
        return
    queue = get_queue(settings)
    for source_id in repository.tenant_source_ids(conn, tenant_id):
        queue.enqueue(conn, tenant_id, source_id, "model")


def _changes(row: dict[str, Any], data: SourceUpdate) -> dict[str, Any]:
    """The columns `data` changes, checked against the source's type."""
    changes = data.model_dump(exclude_unset=True)
    kind = SourceType(row["type"])
    if changes.get("title", "") is None:
        changes.pop("title")  # null keeps the title: a source without one shows its URL or file name
    if "content" in changes:
        if kind not in (SourceType.text, SourceType.faq):
            raise InvalidInput(f"content: a {kind} source has no content to edit; change its url instead.")
        adapter = TEXT_CONTENT if kind is SourceType.text else FAQ_CONTENT
        try:
            content = adapter.validate_python(changes["content"])
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(["content", *(str(part) for part in first["loc"])])
            raise InvalidInput(f"{where}: {first['msg']}") from exc
        changes["content"] = content if kind is SourceType.text else [pair.model_dump() for pair in content]
    pdf_by_url = kind is SourceType.pdf and row["url"] is not None
    if "url" in changes and (changes["url"] is None or not (kind is SourceType.url or pdf_by_url)):
        raise InvalidInput("url: only url sources and PDFs fetched from a URL have one to change.")
    if ("crawl" in changes or "max_pages" in changes) and kind is not SourceType.url:
        raise InvalidInput("crawl: only url sources are crawled.")
    if "crawl" in changes and changes["crawl"] is None:
        raise InvalidInput("crawl: true or false.")
    if not changes.get("crawl", row["crawl"]):
        if changes.get("max_pages") is not None:
            raise InvalidInput("max_pages needs crawl: true")
        if "crawl" in changes:
            changes["max_pages"] = None
    return changes


def update_source(db: Database, settings: Settings, source_id: UUID, data: SourceUpdate) -> Source:
    """Edit a source and index it again: only documents whose text changed are embedded again."""
    with db.operator() as conn:
        row = repository.get_source(conn, source_id, for_update=True)
        if row is None:
            raise SourceNotFound(source_id)
        changes = _changes(row, data)
        if not changes:
            return Source(**row)
        repository.update_source(conn, source_id, changes)
        get_queue(settings).enqueue(conn, row["tenant_id"], source_id, "manual")
        updated = repository.get_source(conn, source_id)
    assert updated is not None
    return Source(**updated)


def source_chunks(db: Database, source_id: UUID, page: PageParams) -> Page[Chunk]:
    with db.operator() as conn:
        if repository.get_source(conn, source_id) is None:
            raise SourceNotFound(source_id)
        rows, total = repository.chunk_page(conn, source_id, limit=page.limit, offset=page.offset)
    return Page[Chunk](items=[Chunk(**row) for row in rows], total=total, limit=page.limit, offset=page.offset)


def add_faq_pair(
    db: Database, settings: Settings, tenant_id: UUID, pair: FaqPair, source_id: UUID | None = None
) -> Source:
    """Add a question and its answer to the tenant's FAQ (the given FAQ source, else its oldest, else a new one
    titled "FAQ") and index it again. A pair with the same question gets the new answer instead."""
    with db.tenant(tenant_id) as conn:
        _require_tenant(conn, tenant_id)
        source_id = source_id or repository.oldest_faq_source(conn, tenant_id)
        if source_id is None:
            values = {"tenant_id": tenant_id, "type": SourceType.faq, "title": "FAQ", "url": None}
            new_id = repository.insert_source(
                conn, values | {"content": [pair.model_dump()], "crawl": False, "max_pages": None}
            )
            return _created(conn, tenant_id, new_id, settings)
        row = repository.get_source(conn, source_id, for_update=True)
        if row is None:
            raise SourceNotFound(source_id)
        if row["type"] != SourceType.faq:
            raise InvalidInput(f"source_id: source {source_id} is a {row['type']} source, not an FAQ.")
        asked = pair.question.casefold()
        pairs = [kept for kept in row["content"] or [] if kept["question"].strip().casefold() != asked]
        if len(pairs) >= MAX_FAQ_PAIRS:
            raise InvalidInput(f"The FAQ has {MAX_FAQ_PAIRS} pairs already; add this one to another FAQ source.")
        repository.update_source(conn, source_id, {"content": [*pairs, pair.model_dump()]})
        get_queue(settings).enqueue(conn, tenant_id, source_id, "manual")
        updated = repository.get_source(conn, source_id)
    assert updated is not None
    return Source(**updated)


def drop_vector_indexes(db: Database, tenant_id: UUID) -> int:
    """A terminated tenant's own vector graphs, dropped (after its rows are gone); how many."""
    with db.tenant(tenant_id) as conn:
        return repository.drop_vector_indexes(conn, tenant_id)
