"""Admin route for "Test your bot": the real chat pipeline on a preview conversation of a tenant."""

from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from tinyeclipse.chat.preview import PreviewAnswer, PreviewRequest
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

if TYPE_CHECKING:
    from tinyeclipse.chat.engine import Engines
    from tinyeclipse.config import Settings

router = APIRouter(tags=["preview"])
# The engines per settings object (one in production): built on the first preview, since the admin function
# starts without the chat's models.
_built: dict[int, tuple["Settings", "Engines"]] = {}


def engines(settings: SettingsDep) -> "Engines":
    if id(settings) not in _built:
        from tinyeclipse.chat.engine import build_engine

        _built[id(settings)] = (settings, build_engine(settings))
    return _built[id(settings)][1]


@router.post("/tenants/{tenant_id}/preview", responses=problem_responses(404))
async def preview(
    database: DatabaseDep,
    settings: SettingsDep,
    chat_engines: Annotated[object, Depends(engines)],
    tenant_id: UUID,
    body: PreviewRequest,
) -> PreviewAnswer:
    from tinyeclipse.chat import service as chat

    return await run_in_threadpool(chat.preview_message, database, settings, chat_engines, tenant_id, body)
