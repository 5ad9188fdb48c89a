"""Sources use cases for the admin API: add, upload, list, read, delete, and ask for (re-)ingestion."""

from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.errors import InvalidInput, NotFound, TooLarge
from tinyeclipse.ingestion import repository
from tinyeclipse.ingestion.models import IngestJob, Source, SourceCreate, SourceType
from tinyeclipse.ingestion.queue import get_queue
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
