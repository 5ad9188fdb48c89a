"""Queueing notifications: which deliveries an event makes for a tenant, inserted as rows, never sent here.

Nothing in here may fail the chat request or the operator's action that caused the event: `enqueue` works in
a savepoint of the caller's transaction and swallows (and logs) its own errors; `notify` opens its own.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal, get_args
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.notifications import messages, repository
from tinyeclipse.notifications.errors import WebhookSigningOff
from tinyeclipse.notifications.models import WebhookSecret
from tinyeclipse.notifications.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_secret
from tinyeclipse.tenants.errors import TenantNotFound

logger = logging.getLogger(__name__)

Event = Literal["handoff.requested", "conversation.escalated", "visitor.replied", "operator.replied"]
EVENTS: tuple[str, ...] = get_args(Event)
# The tenant's webhook hears about what needs its team; the operator's own reply is no news to it.
WEBHOOK_EVENTS = frozenset({"handoff.requested", "conversation.escalated", "visitor.replied"})
TEAM_EMAIL_EVENTS = frozenset(messages.TEAM_SUBJECTS)


def _planned(
    settings: Settings,
    recipients: repository.Recipients,
    tenant_id: UUID,
    event: str,
    data: dict[str, Any],
    conversation_id: UUID | None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """(channel, target, payload) of each delivery the event makes."""
    planned: list[tuple[str, str, dict[str, Any]]] = []
    if event in WEBHOOK_EVENTS and recipients.webhook_url:
        if settings.app_secret_key is None:
            logger.warning("webhook not queued: APP_SECRET_KEY is not set, so it cannot be signed")
        else:
            body = messages.envelope(event, tenant_id, conversation_id, datetime.now(UTC), data)
            planned.append(("webhook", recipients.webhook_url, body))
    if not settings.smtp_host:
        return planned
    if event in TEAM_EMAIL_EVENTS and messages.is_address(recipients.notify_email):
        link = messages.conversation_link(settings.admin_public_url, conversation_id)
        email = messages.team_email(event, recipients.tenant_name, data, link)
        planned.append(("email", str(recipients.notify_email), email))
    if event == "operator.replied" and messages.is_address(data.get("visitor_email")):
        reply_to = recipients.notify_email if messages.is_address(recipients.notify_email) else None
        email = messages.visitor_email(recipients.tenant_name, data, reply_to)
        planned.append(("email", str(data["visitor_email"]), email))
    return planned


def enqueue(
    conn: Connection,
    settings: Settings,
    tenant_id: UUID,
    event: Event,
    payload: dict[str, Any],
    conversation_id: UUID | None = None,
) -> list[int]:
    """Queue the deliveries `event` makes for the tenant inside the caller's transaction (tenant or operator
    scoped); returns their ids. Never raises: a failure here is logged and rolled back to a savepoint, and the
    caller's transaction goes on."""
    try:
        if event not in EVENTS:
            raise ValueError(f"unknown notification event {event!r}")
        # Stored as JSON: ids and times the caller passes become strings now, not a failure in the worker.
        data = json.loads(json.dumps(payload, default=str))
        with conn.transaction():
            recipients = repository.recipients(conn, tenant_id)
            if recipients is None:
                return []
            return [
                repository.insert(
                    conn,
                    tenant_id=tenant_id,
                    conversation_id=conversation_id,
                    event=event,
                    channel=channel,
                    target=target,
                    payload=body,
                    max_attempts=settings.notify_max_attempts,
                )
                for channel, target, body in _planned(settings, recipients, tenant_id, event, data, conversation_id)
            ]
    except Exception:
        logger.exception("notification %s not queued", event, extra={"tenant_id": str(tenant_id)})
        return []


def notify(
    db: Database,
    settings: Settings,
    tenant_id: UUID,
    event: Event,
    payload: dict[str, Any],
    conversation_id: UUID | None = None,
) -> list[int]:
    """`enqueue` in a transaction of its own (after the caller's commit, say); never raises."""
    try:
        with db.tenant(tenant_id) as conn:
            return enqueue(conn, settings, tenant_id, event, payload, conversation_id)
    except Exception:
        logger.exception("notification %s not queued", event, extra={"tenant_id": str(tenant_id)})
        return []


def tenant_webhook_secret(db: Database, settings: Settings, tenant_id: UUID) -> WebhookSecret:
    """The secret the tenant's receiver verifies our signature with; TenantNotFound for an unknown tenant."""
    # The tenant's stored row, not its validated settings: a secret is shown whatever the settings hold.
    with db.tenant(tenant_id) as conn:
        if repository.recipients(conn, tenant_id) is None:
            raise TenantNotFound(tenant_id)
    if settings.app_secret_key is None:
        raise WebhookSigningOff()
    return WebhookSecret(
        secret=webhook_secret(settings.app_secret_key.get_secret_value(), tenant_id),
        signature_header=SIGNATURE_HEADER,
        timestamp_header=TIMESTAMP_HEADER,
    )
