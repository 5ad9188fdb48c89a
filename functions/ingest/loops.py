"""Run a background loop of the ingest function as its own process until SIGTERM or SIGINT."""

import signal
import threading
from collections.abc import Callable

from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import Database, close_database, get_database
from tinyeclipse.observability import configure_logging

Loop = Callable[[Database, Settings, threading.Event], None]


def run(loop: Loop) -> None:
    configure_logging("ingest")
    settings = get_settings()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        loop(get_database(), settings, stop)
    finally:
        close_database()
