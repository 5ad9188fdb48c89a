"""The admin function: the operator's API behind the admin panel."""

from fastapi import APIRouter, Depends

from functions.admin import conversations, sources, tenants
from tinyeclipse.observability import http_entry
from tinyeclipse.web.app import create_app
from tinyeclipse.web.auth import require_admin

router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)])
router.include_router(tenants.router)
router.include_router(sources.router)
router.include_router(conversations.router)

app = create_app("admin", router)
handler = http_entry("admin", app)
