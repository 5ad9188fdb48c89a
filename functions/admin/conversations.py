"""Admin routes for conversations (the hand-off inbox) and usage."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

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
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.web.deps import DatabaseDep, SettingsDep

router = APIRouter(tags=["conversations"])


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
def reply(database: DatabaseDep, settings: SettingsDep, conversation_id: UUID, body: OperatorReply) -> Message:
    return conversations.reply(database, settings, conversation_id, body)


@router.post("/conversations/{conversation_id}/take")
def take(database: DatabaseDep, conversation_id: UUID) -> Conversation:
    return conversations.take(database, conversation_id)


@router.post("/conversations/{conversation_id}/hand-back")
def hand_back(database: DatabaseDep, conversation_id: UUID) -> Conversation:
    return conversations.hand_back(database, conversation_id)


@router.patch("/conversations/{conversation_id}")
def update_conversation(database: DatabaseDep, conversation_id: UUID, body: ConversationUpdate) -> Conversation:
    return conversations.update_conversation(database, conversation_id, body)


@router.get("/usage", tags=["usage"])
def get_usage(database: DatabaseDep, query: Annotated[UsageQuery, Query()]) -> Usage:
    return conversations.usage(database, query)
