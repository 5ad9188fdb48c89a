"""Whether the team is in: a tenant's office hours at a given moment (pure, so tests pass the clock)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tinyeclipse.tenants.settings import WEEKDAYS, OfficeHours


def is_open(hours: OfficeHours | None, now: datetime) -> bool:
    """`now` must be aware; no office hours set means always open."""
    if hours is None:
        return True
    local = now.astimezone(ZoneInfo(hours.timezone))
    clock = local.strftime("%H:%M")
    ranges = hours.days.get(WEEKDAYS[local.weekday()], [])
    return any(start <= clock < end for start, end in ranges)
