"""The job lease: renewed by a heartbeat while the worker lives, so it can be short and a dead worker's job
is taken over within one lease, however long a live worker's job runs."""

import threading
import time
from uuid import UUID

import pytest

from tests.integration.test_ingestion import _new_tenant, add, job_states
from tests.webserver import WebServer, web_server_fixture  # noqa: F401
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import jobs, worker
from tinyeclipse.ingestion import service as sources

# Seconds: short, so that outliving it a few times takes seconds, yet a beat (every third) survives a busy CPU.
LEASE = 3.0


@pytest.fixture
def lease_settings(settings: Settings) -> Settings:
    # model_copy skips validation: a lease this short is for the test only (the setting's minimum is 5 s).
    return settings.model_copy(
        update={"ingest_allow_private_urls": True, "job_backoff_base_seconds": 0.0, "job_lease_seconds": LEASE}
    )


def claim(db: Database, worker_name: str) -> jobs.Job | None:
    with db.operator() as conn:
        return jobs.claim(conn, worker_name, LEASE)


def test_the_default_lease_is_short() -> None:
    assert Settings(_env_file=None, database_url="postgresql://x@h/d").job_lease_seconds <= 30


def test_a_live_workers_slow_job_keeps_its_lease_and_a_stopped_heartbeat_frees_it_within_one_lease(
    clean_db: Database, lease_settings: Settings
) -> None:
    tenant = _new_tenant(clean_db, 7101)
    add(clean_db, lease_settings, tenant, type="text", content="A job that outlives its lease.")
    job = claim(clean_db, "worker-1")
    assert job is not None
    with worker.Heartbeat(clean_db, job, "worker-1", LEASE) as heartbeat:
        time.sleep(LEASE * 2.5)
        assert claim(clean_db, "worker-2") is None, "the heartbeat keeps the lease"
        heartbeat.check()
    # The heartbeat stopped, as it does when its process is killed: the job is free within one lease.
    stopped = time.monotonic()
    while (taken := claim(clean_db, "worker-2")) is None:
        assert time.monotonic() - stopped < LEASE + 1.0, "the job was not freed within one lease"
        time.sleep(0.1)
    assert taken.id == job.id and taken.attempts == 2

    # The first worker, back from a pause, learns that it lost the job at its next beat.
    with worker.Heartbeat(clean_db, job, "worker-1", LEASE) as late:
        time.sleep(LEASE / 3 + 0.5)
        with pytest.raises(worker.LeaseLost):
            late.check()


def test_a_job_running_longer_than_its_lease_is_not_run_twice(
    clean_db: Database, lease_settings: Settings, web_server: WebServer
) -> None:
    tenant: UUID = _new_tenant(clean_db, 7102)
    page = "<html><title>Slow</title><body><p>A page that takes a while.</p></body></html>"
    web_server.route("/slow", page, delay=LEASE * 2.5)
    source = add(clean_db, lease_settings, tenant, type="url", url=web_server.url("/slow"))
    done = threading.Event()
    slow = threading.Thread(target=lambda: (worker.run_once(clean_db, lease_settings, "slow-worker"), done.set()))
    slow.start()
    try:
        while not web_server.hits:
            time.sleep(0.05)
        # The fetch takes over two leases; another worker polling all along finds nothing to take.
        while not done.is_set():
            assert not worker.run_once(clean_db, lease_settings, "other-worker"), "a live worker's job was taken"
            time.sleep(0.2)
    finally:
        slow.join(timeout=30)
    assert web_server.hits == ["/slow"]
    assert sources.get_source(clean_db, source.id).status == "indexed"
    assert job_states(clean_db, source) == [("done", 1)]
