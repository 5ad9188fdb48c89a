"""The chat function: the widget's questions, answered from the tenant's knowledge or handed to a human."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from mangum import Mangum

from tinyeclipse.chat import service as chat
from tinyeclipse.chat.engine import Engine, get_engine
from tinyeclipse.chat.models import ChatRequest, ChatResponse
from tinyeclipse.ingestion.embedder import get_embedder
from tinyeclipse.web.app import create_app
from tinyeclipse.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/chat", tags=["chat"])


@router.post("")
def post_chat(
    body: ChatRequest,
    database: DatabaseDep,
    settings: SettingsDep,
    engine: Annotated[Engine, Depends(get_engine)],
    origin: Annotated[str | None, Header()] = None,
) -> ChatResponse:
    return chat.answer_message(database, settings, engine, body, origin)


def _load_model() -> None:
    get_embedder().encode(["warm up"])


# The model loads at start-up, not on the first visitor's question (Lambda: on the first invocation).
app = create_app("chat", router, warm_up=_load_model)
handler = Mangum(app, lifespan="off")
