"""The scheduled run: queue url and pdf-by-url sources whose tenant's interval has passed, and drop what nothing
else ever deletes: rate-limit counters of windows long over, and chunks of an embedding model a tenant left."""

import logging
import threading

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import repository
from tinyeclipse.ingestion.queue import get_queue
from tinyeclipse.privacy.retention import apply_retention
from tinyeclipse.ratelimit.limiter import purge_finished_windows

logger = logging.getLogger(__name__)

# A question that read a tenant's model just before it switched still searches the old chunks: keep them this long.
RETIRED_CHUNKS_GRACE_SECONDS = 120.0
RETIRED_CHUNKS_PER_BATCH = 5_000


def purge_retired_chunks(db: Database, grace_seconds: float = RETIRED_CHUNKS_GRACE_SECONDS) -> int:
    """Delete, in batches, the chunks of models their tenants no longer read nor move to; how many."""
    total = 0
    while True:
        with db.operator() as conn:
            deleted = repository.delete_retired_chunks(conn, grace_seconds, RETIRED_CHUNKS_PER_BATCH)
        total += deleted
        if deleted < RETIRED_CHUNKS_PER_BATCH:
            return total


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
    retired = purge_retired_chunks(db)
    if retired:
        logger.info("scheduler deleted %s chunks of embedding models no tenant reads any more", retired)
    apply_retention(db, settings)
    return enqueue_due(db, settings)


def run_scheduler(db: Database, settings: Settings, stop: threading.Event) -> None:
    logger.info("ingest scheduler started (every %s s)", settings.scheduler_interval_seconds)
    while not stop.is_set():
        try:
            run_once(db, settings)
        except Exception:
            logger.exception("ingest scheduler: the scheduled run failed")
        stop.wait(settings.scheduler_interval_seconds)
