"""The operator's reads: conversations across tenants (the hand-off inbox) and usage per tenant and day."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.conversations import ownership, repository
from tinyeclipse.conversations.errors import ConversationNotFound
from tinyeclipse.conversations.models import (
    Conversation,
    ConversationFilters,
    ConversationSummary,
    ConversationUpdate,
    Message,
    OperatorReply,
    Usage,
    UsageDay,
    UsageQuery,
    UsageTotals,
)
from tinyeclipse.conversations.states import Actor, Reason, State
from tinyeclipse.db import Database
from tinyeclipse.errors import InvalidInput
from tinyeclipse.notifications import enqueue
from tinyeclipse.pagination import Page, PageParams

DEFAULT_USAGE_DAYS = 30
MAX_USAGE_DAYS = 366


def list_conversations(db: Database, filters: ConversationFilters, page: PageParams) -> Page[ConversationSummary]:
    with db.operator() as conn:
        rows, total = repository.list_page(
            conn,
            tenant_id=filters.tenant_id,
            status=filters.status,
            escalated=filters.escalated,
            state=filters.state,
            q=filters.q,
            limit=page.limit,
            offset=page.offset,
        )
    return Page[ConversationSummary](items=rows, total=total, limit=page.limit, offset=page.offset)


def get_conversation(db: Database, conversation_id: UUID) -> Conversation:
    with db.operator() as conn:
        row = repository.get_with_messages(conn, conversation_id)
    if row is None:
        raise ConversationNotFound(conversation_id)
    return Conversation(**row)


def reply(db: Database, settings: Settings, conversation_id: UUID, body: OperatorReply) -> Message:
    """An operator's message in the visitor's conversation, which an operator now owns; the widget shows it on its
    next poll, and a visitor who left an address gets it by email too."""
    with db.operator() as conn:
        conversation = repository.get_conversation(conn, conversation_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        tenant_id = conversation["tenant_id"]
        ownership.move(conn, tenant_id, conversation_id, State.human, Actor.operator, Reason.operator_reply)
        message = repository.insert_message(
            conn, tenant_id, conversation_id, {"role": "operator", "content": body.content}
        )
        repository.update_conversation(conn, conversation_id, {"status": "open"})
        data = {"reply": body.content, "visitor_email": conversation["visitor_email"]}
        enqueue(conn, settings, tenant_id, "operator.replied", data, conversation_id)
    return Message(**message)


def take(db: Database, conversation_id: UUID) -> Conversation:
    """The operator answers from now on: the bot goes silent."""
    return _move(db, conversation_id, State.human, Reason.operator_take)


def hand_back(db: Database, conversation_id: UUID) -> Conversation:
    """The bot answers again."""
    return _move(db, conversation_id, State.bot, Reason.operator_hand_back)


def _move(db: Database, conversation_id: UUID, target: State, reason: Reason) -> Conversation:
    with db.operator() as conn:
        tenant_id = repository.tenant_of(conn, conversation_id)
        if tenant_id is None:
            raise ConversationNotFound(conversation_id)
        ownership.move(conn, tenant_id, conversation_id, target, Actor.operator, reason)
    return get_conversation(db, conversation_id)


def update_conversation(db: Database, conversation_id: UUID, body: ConversationUpdate) -> Conversation:
    """Triage; closing a conversation gives it back to the bot, should the visitor write again."""
    with db.operator() as conn:
        if not repository.update_conversation(conn, conversation_id, body.model_dump()):
            raise ConversationNotFound(conversation_id)
        if body.status == "closed":
            tenant_id = repository.tenant_of(conn, conversation_id)
            assert tenant_id is not None
            ownership.move(conn, tenant_id, conversation_id, State.bot, Actor.operator, Reason.closed)
    return get_conversation(db, conversation_id)


def usage(db: Database, query: UsageQuery) -> Usage:
    until = query.until or datetime.now(UTC).date()
    since = query.since or until - timedelta(days=DEFAULT_USAGE_DAYS - 1)
    if since > until:
        raise InvalidInput("from: must not be after to.")
    if (until - since).days >= MAX_USAGE_DAYS:
        raise InvalidInput(f"from/to: at most {MAX_USAGE_DAYS} days at a time.")
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    with db.operator() as conn:
        rows = repository.usage_by_day(conn, tenant_id=query.tenant_id, since=start, until=end)
    days = [UsageDay(**row) for row in rows]
    totals = UsageTotals(**{field: sum(getattr(day, field) for day in days) for field in UsageTotals.model_fields})
    return Usage(since=since, until=until, days=days, totals=totals)
