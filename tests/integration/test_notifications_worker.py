"""The ingest worker process delivers notifications beside its ingestion loop: no extra process to run."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_notifications import APP_SECRET_KEY, Receiver, make_tenant, rows
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.notifications import notify

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver([])
    yield made
    made.server.close()


def test_the_ingest_worker_sends_queued_webhooks_and_stops_cleanly(
    clean_db: Database, settings: Settings, receiver: Receiver
) -> None:
    worker_settings = settings.model_copy(
        update={
            "app_secret_key": Settings(
                _env_file=None, database_url="postgresql://x@h/d", app_secret_key=APP_SECRET_KEY
            ).app_secret_key
        }
    )
    tenant = make_tenant(clean_db, 9201, webhook_url=receiver.url)
    assert notify(clean_db, worker_settings, tenant, "handoff.requested", {"message": "A person, please"})
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("SMTP_", "WEBHOOK_"))},
        "TINYECLIPSE_ENV_FILE": os.devnull,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "APP_SECRET_KEY": APP_SECRET_KEY,
        "WEBHOOK_ALLOW_HTTP": "true",
        "WORKER_POLL_SECONDS": "0.2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "functions.ingest.worker"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not receiver.calls and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        assert receiver.calls, f"the worker sent nothing; it exited with {worker.poll()}"
        assert json.loads(receiver.calls[0]["body"])["data"] == {"message": "A person, please"}
        worker.send_signal(signal.SIGTERM)
        _, errors = worker.communicate(timeout=30)
        assert worker.returncode == 0, errors
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    deadline = time.monotonic() + 5
    while rows(clean_db, tenant)[0]["status"] != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert rows(clean_db, tenant)[0]["status"] == "sent"
