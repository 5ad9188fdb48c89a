"""The delivery loop: claims due rows of notification_deliveries and sends them, retrying with backoff.

It runs beside the ingest worker's loop, in the same process (functions/ingest/worker.py), on a thread of its
own so that a long ingestion never holds back a hand-off. Nothing in it raises into the worker: a failed
send is retried (jittered exponential backoff) until the row's attempts run out, then it is dead; a failing
database is logged and tried again on the next round.
"""

import logging
import random
import threading
from collections.abc import Callable

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.notifications import mail, repository, webhook
from tinyeclipse.notifications.errors import DeliveryFailed
from tinyeclipse.notifications.repository import Delivery
from tinyeclipse.notifications.signing import webhook_secret

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0
# Longer than one send can take (a 5 s webhook, a 10 s SMTP session), so a live attempt is never taken over.
LEASE_SECONDS = 120.0
# Rows sent per round before the loop looks at its stop event again.
BATCH = 20


def backoff_seconds(
    attempts: int, base_seconds: float, uniform: Callable[[float, float], float] = random.uniform
) -> float:
    """The delay before attempt `attempts + 1`: base, then twice as long each time up to an hour, ± 20 %."""
    return min(MAX_BACKOFF_SECONDS, base_seconds * 2 ** max(0, attempts - 1)) * uniform(0.8, 1.2)


def _send(settings: Settings, delivery: Delivery) -> None:
    if delivery.channel == "webhook":
        if settings.app_secret_key is None:
            raise DeliveryFailed("APP_SECRET_KEY is not set: the webhook cannot be signed")
        secret = webhook_secret(settings.app_secret_key.get_secret_value(), delivery.tenant_id)
        webhook.post(delivery.target, delivery.payload, secret, settings)
    else:
        mail.send(settings, delivery.target, delivery.payload)


def _log(delivery: Delivery) -> dict[str, object]:
    return {"tenant_id": str(delivery.tenant_id), "delivery_id": delivery.id, "channel": delivery.channel}


def deliver(db: Database, settings: Settings, delivery: Delivery) -> str:
    """One attempt at a claimed delivery; returns its status afterwards: sent, queued (retry later) or dead."""
    try:
        _send(settings, delivery)
    except DeliveryFailed as exc:
        failure, permanent = exc.reason, exc.permanent
    except Exception as exc:
        logger.exception("notification delivery failed unexpectedly", extra=_log(delivery))
        failure, permanent = str(exc) or type(exc).__name__, False
    else:
        with db.operator() as conn:
            repository.mark_sent(conn, delivery.id)
        logger.info("notification %s sent by %s", delivery.event, delivery.channel, extra=_log(delivery))
        return "sent"
    if permanent or delivery.attempts >= delivery.max_attempts:
        reason = failure if permanent else f"{failure} (gave up after {delivery.attempts} attempts)"
        with db.operator() as conn:
            repository.mark_dead(conn, delivery.id, reason)
        logger.warning("notification %s dead: %s", delivery.event, reason, extra=_log(delivery))
        return "dead"
    delay = backoff_seconds(delivery.attempts, settings.notify_backoff_base_seconds)
    with db.operator() as conn:
        run_at = repository.retry_later(conn, delivery.id, failure, delay)
    logger.info(
        "notification %s attempt %s failed (%s); retrying at %s",
        delivery.event,
        delivery.attempts,
        failure,
        run_at,
        extra=_log(delivery),
    )
    return "queued"


def deliver_due(db: Database, settings: Settings, *, limit: int = BATCH) -> int:
    """Claim and attempt up to `limit` due deliveries; how many were attempted. Never raises."""
    attempted = 0
    try:
        while attempted < limit:
            with db.operator() as conn:
                delivery = repository.claim(conn, LEASE_SECONDS)
            if delivery is None:
                break
            attempted += 1
            deliver(db, settings, delivery)
    except Exception:
        # The database restarting, say: the claimed row (if any) is claimed again once its lease runs out.
        logger.exception("notification delivery round failed; trying again next round")
    return attempted


def run_deliveries(db: Database, settings: Settings, stop: threading.Event) -> None:
    """Deliver until `stop` is set, polling every WORKER_POLL_SECONDS while nothing is due."""
    logger.info("notification delivery started")
    while not stop.is_set():
        if deliver_due(db, settings) < BATCH:
            stop.wait(settings.worker_poll_seconds)
    logger.info("notification delivery stopped")
