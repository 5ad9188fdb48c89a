"""The visitor's thumbs up or down on a bot answer: one per answer, changeable, only from the answer's session."""

from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.conversations import repository
from tinyeclipse.conversations.errors import MessageNotFound
from tinyeclipse.conversations.models import FeedbackRequest, FeedbackResult
from tinyeclipse.db import Database
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin


def set_feedback(
    db: Database, settings: Settings, message_id: UUID, request: FeedbackRequest, origin: str | None
) -> FeedbackResult:
    """Store (or clear, with None) the vote; another session's, another tenant's or a visitor's own message is
    indistinguishable from an unknown one."""
    with db.tenant(request.tenant_id) as conn:
        tenant = active_tenant(conn, request.tenant_id, settings)
        require_allowed_origin(origin, tenant.effective_settings.allowed_domains)
        result = repository.set_feedback(conn, message_id, request.session_id, request.value)
    if result is None:
        raise MessageNotFound(message_id)
    return result
