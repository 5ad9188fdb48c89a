"""The chat function: the widget's questions, answered from the tenant's knowledge or handed to a human."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from tinyeclipse.chat import service as chat
from tinyeclipse.chat import widget
from tinyeclipse.chat.engine import Engine, get_engine
from tinyeclipse.chat.models import ChatRequest, ChatResponse, SessionMessages, SessionMessagesQuery, WidgetConfig
from tinyeclipse.conversations import feedback
from tinyeclipse.conversations.models import FeedbackRequest, FeedbackResult
from tinyeclipse.ingestion.embedder import get_embedder
from tinyeclipse.observability import http_entry
from tinyeclipse.web.app import create_app
from tinyeclipse.web.cors import allow_any_origin
from tinyeclipse.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/chat", tags=["chat"])
CONFIG_MAX_AGE_SECONDS = 300


@router.post("")
def post_chat(
    body: ChatRequest,
    database: DatabaseDep,
    settings: SettingsDep,
    engine: Annotated[Engine, Depends(get_engine)],
    origin: Annotated[str | None, Header()] = None,
) -> ChatResponse:
    return chat.answer_message(database, settings, engine, body, origin)


@router.get("/config")
def get_config(
    database: DatabaseDep, tenant_id: UUID, response: Response, origin: Annotated[str | None, Header()] = None
) -> WidgetConfig:
    # The answer depends on the Origin (a tenant may list its domains), so caches must key on it.
    response.headers["Cache-Control"] = f"public, max-age={CONFIG_MAX_AGE_SECONDS}"
    response.headers["Vary"] = "Origin"
    return widget.widget_config(database, tenant_id, origin)


@router.get("/conversations/{conversation_id}/messages")
def get_session_messages(
    database: DatabaseDep, conversation_id: UUID, query: Annotated[SessionMessagesQuery, Query()]
) -> SessionMessages:
    return widget.session_messages(database, conversation_id, query)


@router.post("/messages/{message_id}/feedback")
def post_feedback(
    database: DatabaseDep, message_id: UUID, body: FeedbackRequest, origin: Annotated[str | None, Header()] = None
) -> FeedbackResult:
    return feedback.set_feedback(database, message_id, body, origin)


def _load_model() -> None:
    get_embedder().encode(["warm up"])


# The model loads at start-up, not on the first visitor's question (on Lambda: in the init phase).
app = create_app("chat", router, warm_up=_load_model)
allow_any_origin(app)
handler = http_entry("chat", app, warm_up=_load_model)
