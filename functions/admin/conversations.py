"""Admin routes for conversations (the hand-off inbox) and usage."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from tinyeclipse.conversations import service as conversations
from tinyeclipse.conversations.models import Conversation, ConversationFilters, ConversationSummary, Usage, UsageQuery
from tinyeclipse.pagination import Page, PageParams
from tinyeclipse.web.deps import DatabaseDep

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


@router.get("/usage", tags=["usage"])
def get_usage(database: DatabaseDep, query: Annotated[UsageQuery, Query()]) -> Usage:
    return conversations.usage(database, query)
