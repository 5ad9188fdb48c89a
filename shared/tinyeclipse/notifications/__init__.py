"""Notifications: a tenant's webhook and emails about hand-offs and replies (docs/notifications.md).

`enqueue` (inside the caller's transaction) or `notify` (its own) only insert rows into
notification_deliveries; the ingest worker's delivery loop (`delivery.run_deliveries`) sends them.
"""

from tinyeclipse.notifications.service import EVENTS, Event, enqueue, notify

__all__ = ["EVENTS", "Event", "enqueue", "notify"]
