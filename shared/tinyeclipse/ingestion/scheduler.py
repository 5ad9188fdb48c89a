"""Scheduled re-ingestion: queue url and pdf-by-url sources whose tenant's interval has passed."""

import logging
import threading

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import jobs
from tinyeclipse.tenants.settings import PLAN_DEFAULTS

logger = logging.getLogger(__name__)


def enqueue_due(db: Database, settings: Settings) -> int:
    default_hours = {str(plan): values["reingest_interval_hours"] for plan, values in PLAN_DEFAULTS.items()}
    with db.operator() as conn:
        queued = jobs.enqueue_due_reingestions(
            conn, default_hours=default_hours, max_attempts=settings.job_max_attempts
        )
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
