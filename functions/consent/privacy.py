"""The visitor's own rights, from the widget's menu: "Download my data" and "Delete my data" for the session."""

from typing import Annotated

from fastapi import APIRouter, Header

from tinyeclipse.privacy import service as privacy
from tinyeclipse.privacy.models import DataExport, Erasure, VisitorRequest
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

# POST, not GET/DELETE with a query: the session id proves whose data it is and stays out of URLs and access logs.
router = APIRouter(prefix="/api/consent/data", tags=["privacy"])


@router.post("/export", responses=problem_responses(403, 404, 429))
def export_my_data(
    database: DatabaseDep,
    settings: SettingsDep,
    body: VisitorRequest,
    origin: Annotated[str | None, Header()] = None,
) -> DataExport:
    """The session's consent records, conversations and messages, as JSON."""
    return privacy.export_for_visitor(database, settings, body, origin=origin)


@router.post("/erase", responses=problem_responses(403, 404, 429))
def erase_my_data(
    database: DatabaseDep,
    settings: SettingsDep,
    body: VisitorRequest,
    origin: Annotated[str | None, Header()] = None,
) -> Erasure:
    """Delete the session's consent records, conversations and messages; the count per table."""
    return privacy.erase_for_visitor(database, settings, body, origin=origin)
