"""Admin routes for the outcome dashboard (JSON and CSV) and the monthly message quota."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tinyeclipse.insights import dashboard as outcomes
from tinyeclipse.insights.models import Dashboard, DashboardQuery
from tinyeclipse.insights.quota import QuotaQuery, QuotaReport, quota_report
from tinyeclipse.web.deps import DatabaseDep, SettingsDep
from tinyeclipse.web.openapi import problem_responses

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", responses=problem_responses(404))
def get_dashboard(database: DatabaseDep, settings: SettingsDep, query: Annotated[DashboardQuery, Query()]) -> Dashboard:
    return outcomes.dashboard(database, settings, query)


@router.get(
    "/dashboard.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per day or week."}, **problem_responses(404)},
)
def get_dashboard_csv(
    database: DatabaseDep, settings: SettingsDep, query: Annotated[DashboardQuery, Query()]
) -> Response:
    body = outcomes.dashboard_csv(database, settings, query)
    name = f"tinyeclipse-outcomes-{query.tenant_id or 'all'}.csv"
    return Response(body, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/usage/quota", tags=["usage"], responses=problem_responses(404))
def get_quota(database: DatabaseDep, settings: SettingsDep, query: Annotated[QuotaQuery, Query()]) -> QuotaReport:
    """This month's bot answers against each tenant's monthly_message_quota (its plan's default or its own)."""
    return quota_report(database, settings, query)
