"""Run a background loop of the ingest function as its own process until SIGTERM or SIGINT."""

import logging
import signal
import threading
from collections.abc import Callable

from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import Database, close_database, get_database
from tinyeclipse.observability import configure_logging

Loop = Callable[[Database, Settings, threading.Event], None]
logger = logging.getLogger(__name__)


def run(loop: Loop, *beside: Loop) -> None:
    """Run `loop` in the main thread and each of `beside` on a thread of its own, all until the signal."""
    configure_logging("ingest")
    settings = get_settings()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    database = get_database()
    threads = [
        threading.Thread(target=_guarded, args=(other, database, settings, stop), name=other.__name__, daemon=True)
        for other in beside
    ]
    try:
        for thread in threads:
            thread.start()
        loop(database, settings, stop)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        close_database()


def _guarded(loop: Loop, database: Database, settings: Settings, stop: threading.Event) -> None:
    # A loop beside the main one must never take the process down with it.
    try:
        loop(database, settings, stop)
    except Exception:
        logger.exception("%s stopped with an error", loop.__name__)
