"""The consent function: visitors' GDPR consent records."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from tinyeclipse.consent import service as consents
from tinyeclipse.consent.models import Consent, ConsentCreate, ConsentQuery, ConsentStatus
from tinyeclipse.observability import http_entry
from tinyeclipse.web.app import create_app
from tinyeclipse.web.client import client_ip, user_agent
from tinyeclipse.web.cors import allow_any_origin
from tinyeclipse.web.deps import DatabaseDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(prefix="/api/consent", tags=["consent"])
# A consent is a few short fields.
MAX_BODY_BYTES = 16 * 1024


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(403, 404, 429))
def record_consent(request: Request, database: DatabaseDep, body: ConsentCreate) -> Consent:
    return consents.record_consent(database, body, ip_address=client_ip(request), user_agent=user_agent(request))


@router.get("/check", responses=problem_responses(403, 404))
def check_consent(database: DatabaseDep, query: Annotated[ConsentQuery, Query()]) -> ConsentStatus:
    return consents.consent_status(database, query.tenant_id, query.session_id)


app = create_app("consent", router, max_body_bytes=MAX_BODY_BYTES)
allow_any_origin(app)
handler = http_entry("consent", app)
