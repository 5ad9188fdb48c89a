"""A report's period: whole UTC days, `from` and `to` included."""

from datetime import UTC, date, datetime, timedelta

from tinyeclipse.errors import InvalidInput
from tinyeclipse.insights.models import Period

DEFAULT_DAYS = 30
MAX_DAYS = 366


def period_bounds(period: Period) -> tuple[date, date, datetime, datetime]:
    """The period's first and last day and the instants it spans (UTC days)."""
    until = period.until or datetime.now(UTC).date()
    since = period.since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise InvalidInput("from: must not be after to.")
    if (until - since).days >= MAX_DAYS:
        raise InvalidInput(f"from/to: at most {MAX_DAYS} days at a time.")
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    return since, until, start, end
