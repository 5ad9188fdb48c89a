"""Admin routes for content gaps: what the bot could not answer, grouped by meaning; answer or dismiss."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from tinyeclipse.insights import gaps
from tinyeclipse.insights.models import GapAnswer, GapAnswered, GapClosed, GapDismissal, Gaps, GapsQuery
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(tags=["gaps"])


@router.get("/tenants/{tenant_id}/gaps", responses=problem_responses(404))
async def list_gaps(
    database: DatabaseDep, settings: SettingsDep, tenant_id: UUID, query: Annotated[GapsQuery, Query()]
) -> Gaps:
    # Grouping may embed new questions: off the event loop.
    return await run_in_threadpool(gaps.list_gaps, database, settings, tenant_id, query)


@router.post("/tenants/{tenant_id}/gaps/dismiss", responses=problem_responses(404))
def dismiss_gaps(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID, body: GapDismissal) -> GapClosed:
    return gaps.dismiss(database, settings, tenant_id, body)


@router.post("/tenants/{tenant_id}/gaps/answer", status_code=201, responses=problem_responses(404))
def answer_gap(database: DatabaseDep, settings: SettingsDep, tenant_id: UUID, body: GapAnswer) -> GapAnswered:
    """ "Answer this": the pair is added to the tenant's FAQ, which is indexed again; the group's answers close."""
    return gaps.answer(database, settings, tenant_id, body)
