"""Admin routes for conversations (the hand-off inbox) and usage."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from tinyeclipse.audit import service as audit
from tinyeclipse.conversations import service as conversations
from tinyeclipse.conversations.models import (
    Conversation,
    ConversationFilters,
    ConversationSummary,
    ConversationUpdate,
    Message,
    OperatorReply,
    Usage,
    UsageQuery,
)
from tinyeclipse.db import Database
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.web.auth import Admin
from tinyeclipse.web.deps import DatabaseDep, SettingsDep

router = APIRouter(tags=["conversations"])


def _audit(database: Database, admin: str, action: str, conversation: Conversation, **details: object) -> Conversation:
    """The operator's action on a conversation, in the audit log (never what was written)."""
    audit.record_action(
        database,
        admin,
        action,
        tenant_id=conversation.tenant_id,
        target_type="conversation",
        target_id=conversation.id,
        details=details,
    )
    return conversation


@router.get("/conversations")
def list_conversations(
    database: DatabaseDep,
    filters: Annotated[ConversationFilters, Query()],
    page: Annotated[PageParams, Query()],
) -> Page[ConversationSummary]:
    return conversations.list_conversations(database, filters, page)


@router.get("/conversations/{conversation_id}")
def get_conversation(database: DatabaseDep, conversation_id: UUID) -> Conversation:
    return conversations.get_conversation(database, conversation_id)


@router.post("/conversations/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
def reply(
    database: DatabaseDep, settings: SettingsDep, admin: Admin, conversation_id: UUID, body: OperatorReply
) -> Message:
    message = conversations.reply(database, settings, conversation_id, body)
    _audit(database, admin, "conversation.reply", conversations.get_conversation(database, conversation_id))
    return message


@router.post("/conversations/{conversation_id}/take")
def take(database: DatabaseDep, admin: Admin, conversation_id: UUID) -> Conversation:
    return _audit(database, admin, "conversation.take", conversations.take(database, conversation_id))


@router.post("/conversations/{conversation_id}/hand-back")
def hand_back(database: DatabaseDep, admin: Admin, conversation_id: UUID) -> Conversation:
    return _audit(database, admin, "conversation.hand_back", conversations.hand_back(database, conversation_id))


@router.patch("/conversations/{conversation_id}")
def update_conversation(
    database: DatabaseDep, admin: Admin, conversation_id: UUID, body: ConversationUpdate
) -> Conversation:
    conversation = conversations.update_conversation(database, conversation_id, body)
    return _audit(database, admin, "conversation.update", conversation, **body.model_dump(exclude_unset=True))


@router.get("/usage", tags=["usage"])
def get_usage(database: DatabaseDep, query: Annotated[UsageQuery, Query()]) -> Usage:
    return conversations.usage(database, query)
