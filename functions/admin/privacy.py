"""Admin routes for a data subject's rights, when the request arrives by mail: export and erasure by tenant and
session id or the visitor's email."""

from fastapi import APIRouter

from tinyeclipse.privacy import service as privacy
from tinyeclipse.privacy.models import DataExport, Erasure, SubjectRequest
from tinyeclipse.web.auth import Admin
from tinyeclipse.web.deps import DatabaseDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(prefix="/privacy", tags=["privacy"])


@router.post("/export", responses=problem_responses(404))
def export_data(database: DatabaseDep, admin: Admin, body: SubjectRequest) -> DataExport:
    """Everything stored about the subject's sessions: consent records, conversations, messages."""
    return privacy.export_for_subject(database, body, admin)


@router.post("/erase", responses=problem_responses(404))
def erase_data(database: DatabaseDep, admin: Admin, body: SubjectRequest) -> Erasure:
    """Delete the subject's sessions' rows; the count per table. Recorded in the audit log without content."""
    return privacy.erase_for_subject(database, body, admin)
