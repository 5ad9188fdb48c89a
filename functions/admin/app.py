"""The admin function: the operator's API behind the admin panel."""

from fastapi import APIRouter, Depends

from functions.admin import audit, conversations, dashboard, gaps, preview, privacy, sources, tenants
from tinyeclipse.observability import http_entry
from tinyeclipse.web.app import create_app
from tinyeclipse.web.auth import require_admin
from tinyeclipse.web.cors import allow_configured_origins
from tinyeclipse.web.openapi import problem_responses

# PDF uploads: the service enforces INGEST_MAX_PDF_BYTES on the file; this bounds the whole request.
MAX_BODY_BYTES = 32 * 1024 * 1024

router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)], responses=problem_responses(401))
router.include_router(tenants.router)
router.include_router(sources.router)
router.include_router(conversations.router)
router.include_router(gaps.router)
router.include_router(preview.router)
router.include_router(privacy.router)
router.include_router(audit.router)
router.include_router(dashboard.router)

# The schema and the docs describe the operator's API: behind the same key. Tools (the panel's type
# generation) read it in-process: `functions.admin.app.app.openapi()`.
app = create_app("admin", router, max_body_bytes=MAX_BODY_BYTES, docs_dependencies=[Depends(require_admin)])
allow_configured_origins(app)
handler = http_entry("admin", app)
