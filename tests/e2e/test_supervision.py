"""The fault suite: processes of the real stack killed (`kill -9`) while it works.

The runner restarts what died and the rest keeps serving: a killed ingest worker's job is finished by
its successor once the lease runs out; a killed Postgres is started again on the same data and port,
requests meanwhile fail fast with 503 database_unavailable, and no message that was answered is lost.
"""

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.stack import Stack, alive
from tests.webserver import WebServer
from tinyeclipse.db import Database

# The stack's own lease (.env.example); the worker's successor may take the job only after it.
LEASE_SECONDS = 30
LIMITS = {
    "rate_limit_per_minute": 10_000,
    "rate_limit_per_day": 1_000_000,
    "session_rate_limit_per_minute": 1_000,
    "session_rate_limit_per_day": 100_000,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(
        Path(tmp_path_factory.mktemp("supervision")), LLM_PROVIDER="extractive", INGEST_ALLOW_PRIVATE_URLS="true"
    )
    try:
        stack.start()
        yield stack
        assert stack.stop(signal.SIGINT) == 0, "Ctrl-C after the faults still stops cleanly"
    finally:
        stack.kill()


@pytest.fixture(scope="module")
def admin(stack: Stack) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    with httpx.Client(base_url=stack.base, timeout=30, headers=headers) as client:
        yield client


def _tenant(admin: httpx.Client, whmcs_client_id: int) -> str:
    body = {"name": f"Fault {whmcs_client_id}", "whmcs_client_id": whmcs_client_id, "plan": "pro", "settings": LIMITS}
    created = admin.post("/api/admin/tenants", json=body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _wait_for_log(stack: Stack, text: str, after: int, timeout: float) -> float:
    """Wait until the runner has printed `text` (past offset `after`); returns when."""
    deadline = time.monotonic() + timeout
    while text not in stack.log()[after:]:
        assert time.monotonic() < deadline, f"the runner did not print {text!r}:\n{stack.log()[after:]}"
        time.sleep(0.1)
    return time.monotonic()


class Probe:
    """Asks chat, consent and admin through Caddy every few tenths of a second; records what failed."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self.failures: list[str] = []
        self.answered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        auth = {"Authorization": f"Bearer {self._stack.admin_key}"}
        with httpx.Client(base_url=self._stack.base, timeout=5) as http:
            while not self._stop.wait(0.25):
                for path, headers in (
                    ("/api/chat/health", {}),
                    ("/api/consent/health", {}),
                    ("/api/admin/tenants", auth),
                ):
                    try:
                        status = http.get(path, headers=headers).status_code
                    except httpx.HTTPError as exc:
                        self.failures.append(f"{path}: {type(exc).__name__}")
                        continue
                    if status == 200:
                        self.answered += 1
                    else:
                        self.failures.append(f"{path}: {status}")

    def __enter__(self) -> "Probe":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def test_a_killed_ingest_worker_is_restarted_and_its_job_finished_while_the_stack_keeps_serving(
    stack: Stack, admin: httpx.Client
) -> None:
    tenant_id = _tenant(admin, 9101)
    with WebServer() as site, Probe(stack) as probe:
        # The first fetch hangs: the worker is mid-job when it is killed; the next one answers at once.
        page = "<html><title>Plans</title><body><h1>Plans</h1><p>The Pro plan hosts ten sites.</p></body></html>"
        site.route("/plans", page, delay=60)
        body = {"tenant_id": tenant_id, "type": "url", "url": site.url("/plans")}
        source = admin.post("/api/admin/sources", json=body)
        assert source.status_code == 201, source.text
        deadline = time.monotonic() + 120  # the worker may be indexing the demo knowledge first
        while not site.hits:
            assert time.monotonic() < deadline, "the worker never fetched the page"
            time.sleep(0.1)
        site.route("/plans", page)

        worker = stack.child("functions.ingest.worker")
        mark = len(stack.log())
        killed = time.monotonic()
        worker.send_signal(signal.SIGKILL)
        _wait_for_log(stack, "ingest-worker exited with code -9", mark, timeout=10)
        _wait_for_log(stack, "ingest-worker restarted", mark, timeout=15)
        successor = stack.child("functions.ingest.worker")
        assert successor.pid != worker.pid and not alive(worker)

        source_id = source.json()["id"]
        deadline = killed + LEASE_SECONDS + 30
        while (now := admin.get(f"/api/admin/sources/{source_id}").json())["status"] == "pending":
            assert time.monotonic() < deadline, f"the job was not finished {deadline - killed:.0f} s after the kill"
            time.sleep(0.5)
        finished_after = time.monotonic() - killed

    assert now["status"] == "indexed" and now["chunk_count"] > 0, now
    assert site.hits == ["/plans", "/plans"], "fetched again by the successor, once"
    assert finished_after <= LEASE_SECONDS + 30
    assert probe.failures == [] and probe.answered > 0, probe.failures[:10]


@dataclass
class Outcome:
    message: str
    status: int
    seconds: float
    code: str | None = None
    retry_after: str | None = None
    message_id: str | None = None


class Visitors:
    """A few visitors chatting in a loop through Caddy, each in its own session, until stopped."""

    def __init__(self, stack: Stack, tenant_id: str, count: int = 4) -> None:
        self._stack, self._tenant_id, self._count = stack, tenant_id, count
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._visit, args=(n,), daemon=True) for n in range(count)]

    def _visit(self, n: int) -> None:
        session = f"fault-visitor-{n}"
        with httpx.Client(base_url=self._stack.base, timeout=30) as http:
            consent = {"tenant_id": self._tenant_id, "session_id": session, "accepted": True, "terms_version": "1"}
            assert http.post("/api/consent", json=consent).status_code == 201
            i = 0
            while not self._stop.is_set():
                i += 1
                message = f"Visitor {n} question {i}: how many sites does the Pro plan host?"
                started = time.monotonic()
                try:
                    response = http.post(
                        "/api/chat", json={"tenant_id": self._tenant_id, "session_id": session, "message": message}
                    )
                except httpx.HTTPError as exc:
                    self._record(Outcome(message, 0, time.monotonic() - started, type(exc).__name__))
                    continue
                body = response.json() if response.headers.get("content-type", "").endswith("json") else {}
                self._record(
                    Outcome(
                        message,
                        response.status_code,
                        time.monotonic() - started,
                        body.get("code"),
                        response.headers.get("retry-after"),
                        body.get("message_id"),
                    )
                )
                if response.status_code != 200:
                    time.sleep(0.2)  # as a widget would, rather than spinning

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def since(self, index: int) -> list[Outcome]:
        with self._lock:
            return self.outcomes[index:]

    def __enter__(self) -> "Visitors":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def _wait_for_answers(visitors: Visitors, after: int, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while sum(o.status == 200 for o in visitors.since(after)) < count:
        assert time.monotonic() < deadline, f"fewer than {count} answers: {visitors.since(after)[-5:]}"
        time.sleep(0.1)


def test_a_killed_postgres_is_restarted_requests_meanwhile_fail_fast_with_503_and_no_answered_message_is_lost(
    stack: Stack, admin: httpx.Client
) -> None:
    tenant_id = _tenant(admin, 9102)
    with Visitors(stack, tenant_id) as visitors:
        _wait_for_answers(visitors, 0, 8, timeout=60)
        postmaster = psutil.Process(stack.postmaster_pid())
        mark, before_kill = len(stack.log()), len(visitors.since(0))
        os.kill(postmaster.pid, signal.SIGKILL)
        _wait_for_log(stack, "postgres exited with code -9", mark, timeout=10)
        _wait_for_log(stack, "postgres restarted", mark, timeout=60)
        restarted_at = len(visitors.since(0))
        # Service resumes by itself: every visitor is answered again.
        _wait_for_answers(visitors, restarted_at, 12, timeout=60)
    outcomes = visitors.since(0)

    assert stack.postmaster_pid() != postmaster.pid, "a new server on the same data dir"
    during = outcomes[before_kill:]
    failed = [o for o in during if o.status != 200]
    assert failed, "the kill was felt by the visitors"
    for outcome in failed:
        assert (outcome.status, outcome.code) == (503, "database_unavailable"), outcome
        assert outcome.retry_after is not None and int(outcome.retry_after) >= 1, outcome
    # Fast: the pool wait (0.5 s) and Caddy, not a 5 s pool timeout; some slack for a busy test machine.
    assert max(o.seconds for o in failed) < 3.0, sorted(o.seconds for o in failed)[-5:]

    answered = [o for o in outcomes if o.status == 200]
    database = Database(stack.database_url)
    database.open()
    try:
        with database.tenant(tenant_id) as conn:
            stored = {row["content"] for row in conn.execute("SELECT content FROM messages WHERE role = 'user'")}
            answers = {str(row["id"]) for row in conn.execute("SELECT id FROM messages WHERE role = 'assistant'")}
    finally:
        database.close()
    assert {o.message for o in answered} <= stored, "every question that got an answer is stored"
    assert {o.message_id for o in answered} <= answers, "and so is its answer"
    assert stack.log().count("postgres restarted") >= 1
