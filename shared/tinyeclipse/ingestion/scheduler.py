"""Scheduled re-ingestion: queue url and pdf-by-url sources whose tenant's interval has passed."""

import logging
import threading

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion.queue import get_queue

logger = logging.getLogger(__name__)


def enqueue_due(db: Database, settings: Settings) -> int:
    """Queue the due re-ingestions (the EventBridge schedule's job on AWS); returns how many."""
    with db.operator() as conn:
        queued = get_queue(settings).enqueue_due(conn)
    if queued:
        logger.info("scheduler queued %s re-ingestions", queued)
    return queued


def run_scheduler(db: Database, settings: Settings, stop: threading.Event) -> None:
    logger.info("ingest scheduler started (every %s s)", settings.scheduler_interval_seconds)
    while not stop.is_set():
        try:
            enqueue_due(db, settings)
        except Exception:
            logger.exception("ingest scheduler: queueing re-ingestions failed")
        stop.wait(settings.scheduler_interval_seconds)
