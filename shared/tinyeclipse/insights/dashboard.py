"""The outcome dashboard: per tenant or overall, per day or week, what the bot did and what the team had to do."""

import csv
import io
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Connection, Database
from tinyeclipse.insights import dashboard_repository as repository
from tinyeclipse.insights.models import Dashboard, DashboardQuery, OutcomeBucket, Outcomes
from tinyeclipse.insights.period import period_bounds
from tinyeclipse.tenants import service as tenants

CSV_COLUMNS = ("start", *Outcomes.model_fields)


def _read(conn: Connection, query: DashboardQuery) -> Dashboard:
    since, until, start, end = period_bounds(query)
    bounds = {"tenant_id": query.tenant_id, "first": since, "last": until, "since": start, "until": end}
    buckets = repository.outcomes(conn, **bounds, interval=query.interval)
    (totals,) = repository.outcomes(conn, **bounds, interval=None)
    totals.pop("start")
    return Dashboard(
        tenant_id=query.tenant_id,
        since=since,
        until=until,
        interval=query.interval,
        buckets=[OutcomeBucket(**row) for row in buckets],
        totals=Outcomes(**totals),
    )


def dashboard(db: Database, settings: Settings, query: DashboardQuery) -> Dashboard:
    if query.tenant_id is None:
        with db.operator() as conn:
            return _read(conn, query)
    tenant_id: UUID = query.tenant_id
    tenants.get_tenant(db, settings, tenant_id)
    with db.tenant(tenant_id) as conn:
        return _read(conn, query)


def dashboard_csv(db: Database, settings: Settings, query: DashboardQuery) -> str:
    """The dashboard's buckets as CSV (one row per day or week, the columns of docs/dashboard.md)."""
    report = dashboard(db, settings, query)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for bucket in report.buckets:
        row = bucket.model_dump()
        writer.writerow(["" if row[column] is None else row[column] for column in CSV_COLUMNS])
    return out.getvalue()
