"""The consent function: visitors' GDPR consent records."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status

from functions.consent import privacy
from tinyeclipse.consent import service as consents
from tinyeclipse.consent.models import Consent, ConsentCreate, ConsentQuery, ConsentStatus
from tinyeclipse.observability import http_entry
from tinyeclipse.web.app import create_app
from tinyeclipse.web.client import client_ip, user_agent
from tinyeclipse.web.cors import allow_any_origin
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(prefix="/api/consent", tags=["consent"])
# A consent is a few short fields.
MAX_BODY_BYTES = 16 * 1024


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(403, 404, 429))
def record_consent(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    body: ConsentCreate,
    origin: Annotated[str | None, Header()] = None,
) -> Consent:
    return consents.record_consent(
        database, settings, body, origin=origin, ip_address=client_ip(request), user_agent=user_agent(request)
    )


@router.get("/check", responses=problem_responses(403, 404))
def check_consent(
    database: DatabaseDep,
    settings: SettingsDep,
    query: Annotated[ConsentQuery, Query()],
    origin: Annotated[str | None, Header()] = None,
) -> ConsentStatus:
    return consents.consent_status(database, settings, query.tenant_id, query.session_id, origin=origin)


app = create_app("consent", router, privacy.router, max_body_bytes=MAX_BODY_BYTES)
allow_any_origin(app)
handler = http_entry("consent", app)
