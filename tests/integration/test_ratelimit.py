"""The Postgres-backed rate limiter: fixed windows, all-or-nothing counting, exact under concurrency."""

import math
import threading
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tinyeclipse.db import Database
from tinyeclipse.ingestion import scheduler
from tinyeclipse.ratelimit.limiter import Limit, RateLimited, consume, purge_old_windows, tenant_limits
from tinyeclipse.tenants.settings import OperatorDefaults, Plan, effective_settings
from tinyeclipse.web.problems import install_problem_handlers


@pytest.fixture
def tenant_id(clean_db: Database) -> UUID:
    with clean_db.operator() as conn:
        row = conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, plan) VALUES (8001, 'Acme', 'tiny') RETURNING id"
        ).fetchone()
    return row["id"]


@pytest.fixture
def within_one_minute() -> None:
    """Start early enough in a minute that the test's requests all fall in one minute window."""
    second = datetime.now(UTC).second
    if second >= 50:
        time.sleep(61 - second)


def _consume(db: Database, tenant_id: UUID, *limits: Limit) -> None:
    with db.tenant(tenant_id) as conn:
        consume(conn, tenant_id, limits)


def _counts(db: Database) -> dict[str, int]:
    with db.operator() as conn:
        rows = conn.execute("SELECT key, count FROM rate_limit_counters").fetchall()
    return {row["key"]: row["count"] for row in rows}


def test_limits_come_from_the_plan_and_the_overrides() -> None:
    assert tenant_limits(effective_settings(Plan.pro, {}, OperatorDefaults()), "abc") == [
        Limit("tenant:minute", "minute", 30),
        Limit("tenant:day", "day", 5_000),
        Limit("session:abc:minute", "minute", 10),
        Limit("session:abc:day", "day", 200),
    ]
    overridden = effective_settings(
        Plan.tiny, {"rate_limit_per_minute": 3, "session_rate_limit_per_day": 7}, OperatorDefaults()
    )
    assert tenant_limits(overridden, "s") == [
        Limit("tenant:minute", "minute", 3),
        Limit("tenant:day", "day", 500),
        Limit("session:s:minute", "minute", 5),
        Limit("session:s:day", "day", 7),
    ]


@pytest.mark.usefixtures("within_one_minute")
def test_the_request_over_the_limit_is_refused_until_the_window_ends(clean_db: Database, tenant_id: UUID) -> None:
    limit = Limit("tenant:minute", "minute", 3)
    for _ in range(3):
        _consume(clean_db, tenant_id, limit)
    with pytest.raises(RateLimited) as refused:
        _consume(clean_db, tenant_id, limit)
    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.code == "rate_limited"
    assert _counts(clean_db) == {"tenant:minute": 3}


@pytest.mark.usefixtures("within_one_minute")
def test_a_refused_request_counts_against_no_limit(clean_db: Database, tenant_id: UUID) -> None:
    tenant, session = Limit("tenant:minute", "minute", 10), Limit("session:s:minute", "minute", 2)
    for _ in range(2):
        _consume(clean_db, tenant_id, tenant, session)
    with clean_db.tenant(tenant_id) as conn:
        with pytest.raises(RateLimited):
            consume(conn, tenant_id, [tenant, session])
        # Only the savepoint is undone: the caller's transaction is still usable.
        assert conn.execute("SELECT count(*) AS n FROM rate_limit_counters").fetchone()["n"] == 2
    assert _counts(clean_db) == {"tenant:minute": 2, "session:s:minute": 2}


@pytest.mark.usefixtures("within_one_minute")
def test_the_longest_wait_among_exceeded_limits_is_reported(clean_db: Database, tenant_id: UUID) -> None:
    minute, day = Limit("tenant:minute", "minute", 1), Limit("tenant:day", "day", 1)
    _consume(clean_db, tenant_id, minute, day)
    with pytest.raises(RateLimited) as refused:
        _consume(clean_db, tenant_id, minute, day)
    now = datetime.now(UTC)
    until_midnight = (now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1) - now).total_seconds()
    assert abs(refused.value.retry_after - math.ceil(until_midnight)) <= 2


@pytest.mark.usefixtures("within_one_minute")
def test_sessions_are_limited_independently(clean_db: Database, tenant_id: UUID) -> None:
    settings = effective_settings(Plan.tiny, {"session_rate_limit_per_minute": 2}, OperatorDefaults())
    for _ in range(2):
        _consume(clean_db, tenant_id, *tenant_limits(settings, "a"))
    with pytest.raises(RateLimited):
        _consume(clean_db, tenant_id, *tenant_limits(settings, "a"))
    _consume(clean_db, tenant_id, *tenant_limits(settings, "b"))
    counts = _counts(clean_db)
    assert (counts["session:a:minute"], counts["session:b:minute"], counts["tenant:minute"]) == (2, 1, 3)


def test_exactly_the_limit_passes_under_concurrency(settings, clean_db: Database, tenant_id: UUID) -> None:
    # A day window, so that no window boundary can fall inside the test.
    limit, workers = Limit("tenant:day", "day", 6), 18
    # Every worker holds a connection at once: the pool grows one at a time, so let them wait for it.
    db = Database(settings.database_url.get_secret_value(), max_size=20, wait_timeout=30)
    db.open()
    start = threading.Barrier(workers, timeout=30)
    outcomes: list[str] = []

    def request() -> None:
        try:
            with db.tenant(tenant_id) as conn:
                start.wait()  # every worker holds its own transaction before any counts
                consume(conn, tenant_id, [limit])
            outcomes.append("allowed")
        except RateLimited:
            outcomes.append("refused")

    try:
        threads = [threading.Thread(target=request) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        db.close()
    assert sorted(outcomes) == ["allowed"] * 6 + ["refused"] * 12
    assert _counts(clean_db) == {"tenant:day": 6}


def test_rate_limited_is_a_429_problem_with_retry_after() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/limited")
    def limited() -> None:
        raise RateLimited(17)

    response = TestClient(app).get("/limited")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "17"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "rate_limited"


def test_purging_deletes_only_old_windows(clean_db: Database, tenant_id: UUID) -> None:
    with clean_db.operator() as conn:
        for key, age in (("old", "3 days"), ("older", "30 days"), ("recent", "1 day"), ("current", "0 seconds")):
            conn.execute(
                "INSERT INTO rate_limit_counters (tenant_id, key, window_start, count)"
                " VALUES (%s, %s, now() - %s::interval, 1)",
                [tenant_id, key, age],
            )
        assert purge_old_windows(conn) == 2
        assert purge_old_windows(conn, older_than=timedelta(hours=1)) == 1
    assert set(_counts(clean_db)) == {"current"}


def _age_windows(db: Database, tenant_id: UUID) -> None:
    with db.operator() as conn:
        for key, age in (("session:gone:minute", "3 days"), ("tenant:day", "30 days"), ("tenant:minute", "0 s")):
            conn.execute(
                "INSERT INTO rate_limit_counters (tenant_id, key, window_start, count)"
                " VALUES (%s, %s, now() - %s::interval, 1)",
                [tenant_id, key, age],
            )


def test_each_scheduled_run_purges_windows_long_over(settings, clean_db: Database, tenant_id: UUID) -> None:
    _age_windows(clean_db, tenant_id)
    scheduler.run_once(clean_db, settings)
    assert set(_counts(clean_db)) == {"tenant:minute"}


def test_the_local_scheduler_loop_purges_them(settings, clean_db: Database, tenant_id: UUID) -> None:
    _age_windows(clean_db, tenant_id)
    stop = threading.Event()
    loop = threading.Thread(
        target=scheduler.run_scheduler,
        args=(clean_db, settings.model_copy(update={"scheduler_interval_seconds": 0.1}), stop),
    )
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while len(_counts(clean_db)) > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert set(_counts(clean_db)) == {"tenant:minute"}
