"""The visitor's side of a hand-off: "Talk to a person", and an email address to be answered at."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from tinyeclipse.chat.models import ContactRequest, HandoffRequest, HandoffStatus
from tinyeclipse.chat.replies import expected_reply
from tinyeclipse.config import Settings
from tinyeclipse.conversations import ownership
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.conversations.errors import ConversationNotFound
from tinyeclipse.conversations.office_hours import is_open
from tinyeclipse.conversations.states import Actor, Reason, State
from tinyeclipse.db import Database
from tinyeclipse.notifications import enqueue
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin
from tinyeclipse.tenants.settings import TenantSettings


def request_handoff(
    db: Database,
    settings: Settings,
    conversation_id: UUID,
    request: HandoffRequest,
    origin: str | None,
    now: datetime | None = None,
) -> HandoffStatus:
    """Move the visitor's conversation to waiting (again is no change) and tell the team the first time."""
    now = now or datetime.now(UTC)
    with db.tenant(request.tenant_id) as conn:
        tenant = active_tenant(conn, request.tenant_id, settings)
        public = tenant.effective_settings
        require_allowed_origin(origin, public.allowed_domains)
        conversation = conversations.session_conversation(conn, conversation_id, request.session_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        moved = ownership.move(
            conn, request.tenant_id, conversation_id, State.waiting, Actor.visitor, Reason.handoff_button
        )
        if moved.changed:
            data = {
                "message": conversations.last_visitor_message(conn, conversation_id),
                "page_url": conversation["page_url"],
                "visitor_email": conversation["visitor_email"],
                "handled_by": moved.after,
            }
            enqueue(conn, settings, request.tenant_id, "handoff.requested", data, conversation_id)
    waiting_since = now if moved.changed else conversation["waiting_since"]
    language = request.language or public.language
    return status(public, moved.after, waiting_since, conversation["visitor_email"], now, language)


def status(
    public: TenantSettings,
    handled_by: State,
    waiting_since: datetime | None,
    visitor_email: str | None,
    now: datetime,
    language: str | None = None,
) -> HandoffStatus:
    """Ask for an email while nobody answers, outside office hours or once the tenant's patience runs out.
    `language`: the visitor's, for the default expected reply ("as soon as possible")."""
    office_open = is_open(public.office_hours, now)
    waited_long = waiting_since is not None and now - waiting_since >= timedelta(minutes=public.ask_email_after_minutes)
    return HandoffStatus(
        handled_by=handled_by,
        office_open=office_open,
        ask_email=handled_by is State.waiting and visitor_email is None and (not office_open or waited_long),
        expected_reply=expected_reply(public.expected_reply, language),
    )


def leave_contact(
    db: Database, settings: Settings, conversation_id: UUID, request: ContactRequest, origin: str | None
) -> None:
    with db.tenant(request.tenant_id) as conn:
        tenant = active_tenant(conn, request.tenant_id, settings)
        require_allowed_origin(origin, tenant.effective_settings.allowed_domains)
        if not conversations.set_visitor_email(conn, conversation_id, request.session_id, request.email):
            raise ConversationNotFound(conversation_id)
