"""Run a background loop of the ingest function as its own process until SIGTERM or SIGINT."""

import logging
import signal
import threading
from collections.abc import Callable

from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import Database, close_database, get_database

Loop = Callable[[Database, Settings, threading.Event], None]


def run(loop: Loop) -> None:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        loop(get_database(), settings, stop)
    finally:
        close_database()
