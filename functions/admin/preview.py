"""Admin route for "Test your bot": the real chat pipeline on a preview conversation of a tenant."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from tinyeclipse.chat.engine import Engines, get_engine
from tinyeclipse.chat.preview import PreviewAnswer, PreviewRequest
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(tags=["preview"])


@router.post("/tenants/{tenant_id}/preview", responses=problem_responses(404))
async def preview(
    database: DatabaseDep,
    settings: SettingsDep,
    engines: Annotated[Engines, Depends(get_engine)],
    tenant_id: UUID,
    body: PreviewRequest,
) -> PreviewAnswer:
    from tinyeclipse.chat import service as chat  # the chat's models load with the first preview, not at start

    return await run_in_threadpool(chat.preview_message, database, settings, engines, tenant_id, body)
