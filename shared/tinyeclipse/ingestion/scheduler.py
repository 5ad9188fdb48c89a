"""The scheduled run: queue url and pdf-by-url sources whose tenant's interval has passed, and drop rate-limit
counters of windows long over (nothing else ever deletes them)."""

import logging
import threading

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion.queue import get_queue
from tinyeclipse.ratelimit.limiter import purge_finished_windows

logger = logging.getLogger(__name__)


def enqueue_due(db: Database, settings: Settings) -> int:
    """Queue the due re-ingestions (the EventBridge schedule's job on AWS); returns how many."""
    with db.operator() as conn:
        queued = get_queue(settings).enqueue_due(conn)
    if queued:
        logger.info("scheduler queued %s re-ingestions", queued)
    return queued


def run_once(db: Database, settings: Settings) -> int:
    """One scheduled run (the EventBridge schedule's on AWS); returns how many re-ingestions were queued."""
    # First: it needs only the database, not the queue (SQS) that queueing may wait on.
    purged = purge_finished_windows(db)
    if purged:
        logger.info("scheduler purged %s rate-limit counters", purged)
    return enqueue_due(db, settings)


def run_scheduler(db: Database, settings: Settings, stop: threading.Event) -> None:
    logger.info("ingest scheduler started (every %s s)", settings.scheduler_interval_seconds)
    while not stop.is_set():
        try:
            run_once(db, settings)
        except Exception:
            logger.exception("ingest scheduler: the scheduled run failed")
        stop.wait(settings.scheduler_interval_seconds)
