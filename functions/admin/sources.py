"""Admin routes for knowledge sources: JSON for url/pdf-by-URL/faq/text, multipart/form-data for PDF uploads."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile

from tinyeclipse.audit import service as audit
from tinyeclipse.db import Database
from tinyeclipse.errors import InvalidInput
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import SOURCE_CREATE, IngestJob, Source, Title
from tinyeclipse.ingestion.updates import Chunk, SourceUpdate
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.web.auth import Admin
from tinyeclipse.web.bodies import parse_fields, parse_json
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.guard import require_text
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(tags=["sources"])


def _audit(database: Database, admin: str, action: str, source: Source, **details: object) -> None:
    """The operator's change of a source, in the audit log (its type and title; never its content)."""
    audit.record_action(
        database,
        admin,
        action,
        tenant_id=source.tenant_id,
        target_type="source",
        target_id=source.id,
        details={"type": source.type, "title": source.title, **details},
    )


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class PdfUploadFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: UUID
    type: Literal["pdf"] = "pdf"
    title: Title | None = None


BOTH_BODIES = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "{tenant_id, type: url|pdf|faq|text, title?, url?, content?, crawl?, max_pages?}; "
                    'faq content is [{"question", "answer"}].',
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["tenant_id", "file"],
                    "properties": {
                        "tenant_id": {"type": "string", "format": "uuid"},
                        "type": {"const": "pdf"},
                        "title": {"type": "string"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }
}


async def _upload(request: Request, database: DatabaseDep, settings: SettingsDep) -> Source:
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("file: attach the PDF as the form field 'file'.")
    fields = parse_fields(PdfUploadFields, {key: value for key, value in form.items() if key != "file"})
    data = await upload.read(settings.ingest_max_pdf_bytes + 1)
    return await run_in_threadpool(
        sources.upload_pdf,
        database,
        settings,
        fields.tenant_id,
        title=fields.title,
        filename=require_text("file", upload.filename or "upload.pdf"),
        data=data,
    )


@router.post(
    "/sources", status_code=status.HTTP_201_CREATED, openapi_extra=BOTH_BODIES, responses=problem_responses(404)
)
async def create_source(request: Request, database: DatabaseDep, settings: SettingsDep, admin: Admin) -> Source:
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        source = await _upload(request, database, settings)
    else:
        body = parse_json(SOURCE_CREATE, await request.body())
        source = await run_in_threadpool(sources.create_source, database, settings, body)
    await run_in_threadpool(_audit, database, admin, "source.create", source)
    return source


@router.get("/sources", responses=problem_responses(404))
def list_sources(database: DatabaseDep, tenant_id: UUID, page: Annotated[PageParams, Query()]) -> Page[Source]:
    return sources.list_sources(database, tenant_id, page)


@router.get("/sources/{source_id}")
def get_source(database: DatabaseDep, source_id: UUID) -> Source:
    return sources.get_source(database, source_id)


@router.delete("/sources/{source_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_source(database: DatabaseDep, admin: Admin, source_id: UUID) -> Response:
    source = sources.get_source(database, source_id)
    sources.delete_source(database, source_id)
    _audit(database, admin, "source.delete", source)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/sources/{source_id}/ingest", status_code=status.HTTP_202_ACCEPTED)
def ingest_source(database: DatabaseDep, settings: SettingsDep, admin: Admin, source_id: UUID) -> IngestJob:
    job = sources.request_ingestion(database, settings, source_id)
    _audit(database, admin, "source.ingest", sources.get_source(database, source_id))
    return job


@router.patch("/sources/{source_id}")
def update_source(
    database: DatabaseDep, settings: SettingsDep, admin: Admin, source_id: UUID, body: SourceUpdate
) -> Source:
    """Edit the title, text, FAQ pairs, URL or crawl options; the source is indexed again (pending until then)."""
    source = sources.update_source(database, settings, source_id, body)
    _audit(database, admin, "source.update", source, fields=sorted(body.model_fields_set))
    return source


@router.get("/sources/{source_id}/chunks")
def list_chunks(database: DatabaseDep, source_id: UUID, page: Annotated[PageParams, Query()]) -> Page[Chunk]:
    """The chunks the answers read, in reading order, with their document (page URL and last fetch for web)."""
    return sources.source_chunks(database, source_id, page)
