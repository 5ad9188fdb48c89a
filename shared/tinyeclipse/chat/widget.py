"""What the widget reads besides answers: the tenant's public settings and new messages in its conversation.

Both answer only a page on one of the tenant's domains, when it lists any, as the chat does.
"""

from datetime import UTC, datetime
from uuid import UUID

from tinyeclipse.chat.language import primary
from tinyeclipse.chat.models import SessionMessage, SessionMessages, SessionMessagesQuery, WidgetConfig
from tinyeclipse.chat.replies import greeting
from tinyeclipse.config import Settings
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.conversations.errors import ConversationNotFound
from tinyeclipse.conversations.office_hours import is_open
from tinyeclipse.db import Database
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin

MAX_MESSAGES_PER_POLL = 100


def widget_config(
    db: Database,
    settings: Settings,
    tenant_id: UUID,
    origin: str | None,
    now: datetime | None = None,
    language: str | None = None,
) -> WidgetConfig:
    """`language`: the widget's; the built-in greeting is shown in it (else in the tenant's language), a tenant's
    own greeting as written."""
    with db.tenant(tenant_id) as conn:
        tenant = active_tenant(conn, tenant_id, settings)
    public = tenant.effective_settings
    require_allowed_origin(origin, public.allowed_domains)
    return WidgetConfig(
        tenant_id=tenant.id,
        name=tenant.name,
        greeting=greeting(public.greeting, primary(language) or public.language),
        primary_color=public.primary_color,
        primary_text_color=public.primary_text_color,
        language=public.language,
        terms_version=public.terms_version,
        terms_url=public.terms_url,
        contact=public.contact,
        office_hours_open=is_open(public.office_hours, now or datetime.now(UTC)),
        expected_reply=public.expected_reply,
    )


def session_messages(
    db: Database, settings: Settings, conversation_id: UUID, query: SessionMessagesQuery, origin: str | None
) -> SessionMessages:
    """New messages of the visitor's own conversation (operator replies, say); polled by the widget."""
    with db.tenant(query.tenant_id) as conn:
        tenant = active_tenant(conn, query.tenant_id, settings)
        require_allowed_origin(origin, tenant.effective_settings.allowed_domains)
        conversation = conversations.session_conversation(conn, conversation_id, query.session_id, lock=False)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        rows = conversations.messages_after(conn, conversation_id, query.after, MAX_MESSAGES_PER_POLL)
    return SessionMessages(messages=[SessionMessage(**row) for row in rows], handled_by=conversation["handled_by"])
