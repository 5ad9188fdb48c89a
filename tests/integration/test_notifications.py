"""Notifications end to end on real Postgres: queued rows, a signed webhook to a local receiver, email through a
local SMTP server (aiosmtpd), retries with backoff, dead letters, and a loop that never raises."""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from uuid import UUID, uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from infra.local.harness import free_port
from tests.conftest import assert_problem
from tests.local_http import LocalHTTPServer, QuietHandler
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.notifications import enqueue, notify
from tinyeclipse.notifications.delivery import deliver_due, run_deliveries

APP_SECRET_KEY = "notification-test-key-" + "x" * 20
CONVERSATION = UUID("11111111-2222-4333-8444-555555555555")


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers `statuses` in turn (then 200) and checks every signature."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.calls: list[dict] = []
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send(status, {"Content-Type": "text/plain"}, b"ok")

        self.server = LocalHTTPServer(Handler)
        self.url = self.server.base_url + "/hooks/tinyeclipse"

    def verified(self, secret: str, call: dict) -> bool:
        # The few lines docs/notifications.md gives a receiver.
        timestamp = call["headers"]["X-TinyEclipse-Timestamp"]
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + call["body"], hashlib.sha256).hexdigest()
        return hmac.compare_digest(call["headers"]["X-TinyEclipse-Signature"], f"sha256={expected}")


class Inbox:
    """A local SMTP server's mailbox: keeps what it is sent, refuses nobody@ addresses."""

    async def handle_RCPT(self, server: object, session: object, envelope: object, address: str, options: list) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    statuses: list[int] = []
    made = Receiver(statuses)
    yield made
    made.server.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def notify_settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    return settings.model_copy(
        update={
            "app_secret_key": Settings(
                _env_file=None, database_url="postgresql://x@h/d", app_secret_key=APP_SECRET_KEY
            ).app_secret_key,
            "webhook_allow_http": True,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_starttls": False,
            "smtp_from": "notifications@tinyeclipse.example",
            "admin_public_url": "https://support.example.com/admin",
        }
    )


def make_tenant(db: Database, whmcs: int, **settings: str) -> UUID:
    # Stored straight into the row: what the tenant settings API (issue 14, 14-A) stores.
    with db.operator() as conn:
        return conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, settings) VALUES (%s, %s, %s) RETURNING id",
            [whmcs, "Zoë's Bakery", json.dumps(settings)],
        ).fetchone()["id"]


def rows(db: Database, tenant_id: UUID) -> list[dict]:
    with db.operator() as conn:
        return conn.execute(
            "SELECT *, run_at - now() AS due_in FROM notification_deliveries WHERE tenant_id = %s ORDER BY id",
            [tenant_id],
        ).fetchall()


def secret_from_admin(admin, settings: Settings, tenant_id: UUID) -> str:
    """The secret the admin API shows, with `settings` (APP_SECRET_KEY set) in force for this one request."""
    from tinyeclipse.config import get_settings

    overrides = admin.app.dependency_overrides
    before = overrides[get_settings]
    overrides[get_settings] = lambda: settings
    try:
        response = admin.get(f"/api/admin/tenants/{tenant_id}/webhook-secret")
    finally:
        overrides[get_settings] = before
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["signature_header"] == "X-TinyEclipse-Signature"
    return body["secret"]


def test_a_handoff_reaches_the_webhook_signed_and_the_team_by_email(
    admin, clean_db: Database, notify_settings: Settings, receiver: Receiver, smtp
) -> None:
    inbox, _ = smtp
    tenant = make_tenant(clean_db, 9101, webhook_url=receiver.url, notify_email="team@bakery.example")
    payload = {"message": "Can I talk to a real person please?", "page_url": "https://bakery.example/cakes"}
    ids = notify(clean_db, notify_settings, tenant, "handoff.requested", payload, conversation_id=CONVERSATION)
    assert len(ids) == 2
    assert [(r["channel"], r["status"]) for r in rows(clean_db, tenant)] == [("webhook", "queued"), ("email", "queued")]
    assert receiver.calls == [] and inbox.messages == [], "notify only queues: nothing is sent in the request"

    assert deliver_due(clean_db, notify_settings) == 2
    assert [(r["status"], r["attempts"]) for r in rows(clean_db, tenant)] == [("sent", 1), ("sent", 1)]
    assert all(r["sent_at"] is not None for r in rows(clean_db, tenant))

    (call,) = receiver.calls
    assert receiver.verified(secret_from_admin(admin, notify_settings, tenant), call)
    assert call["headers"]["Content-Type"] == "application/json"
    assert abs(int(call["headers"]["X-TinyEclipse-Timestamp"]) - time.time()) < 60
    event = json.loads(call["body"])
    assert event["event"] == "handoff.requested" and event["tenant_id"] == str(tenant)
    assert event["conversation_id"] == str(CONVERSATION) and event["occurred_at"]
    assert event["data"] == payload

    ((recipients, email),) = inbox.messages
    assert recipients == ["team@bakery.example"] and email["To"] == "team@bakery.example"
    assert email["From"] == "notifications@tinyeclipse.example"
    assert "Zoë's Bakery" in email["Subject"] and "person" in email["Subject"]
    text = email.get_content()
    assert "> Can I talk to a real person please?" in text and "https://bakery.example/cakes" in text
    assert f"https://support.example.com/admin/conversations/view?id={CONVERSATION}" in text


def test_an_operator_reply_is_emailed_to_the_visitor_and_not_posted_to_the_webhook(
    clean_db: Database, notify_settings: Settings, receiver: Receiver, smtp
) -> None:
    inbox, _ = smtp
    tenant = make_tenant(clean_db, 9102, webhook_url=receiver.url, notify_email="team@bakery.example")
    reply = {"reply": "Yes, we bake gluten-free bread on Fridays. Café au lait too!", "visitor_email": "ann@ex.org"}
    notify(clean_db, notify_settings, tenant, "operator.replied", reply, conversation_id=CONVERSATION)
    assert [(r["channel"], r["target"]) for r in rows(clean_db, tenant)] == [("email", "ann@ex.org")]
    deliver_due(clean_db, notify_settings)
    ((recipients, email),) = inbox.messages
    assert recipients == ["ann@ex.org"]
    assert email["Subject"] == "Reply from Zoë's Bakery" and email["Reply-To"] == "team@bakery.example"
    assert "Yes, we bake gluten-free bread on Fridays. Café au lait too!" in email.get_content()
    assert receiver.calls == []


def test_nothing_is_queued_where_the_tenant_set_nothing_and_no_email_while_smtp_is_off(
    clean_db: Database, notify_settings: Settings, receiver: Receiver
) -> None:
    quiet = make_tenant(clean_db, 9103)
    assert notify(clean_db, notify_settings, quiet, "handoff.requested", {"message": "Hello?"}) == []
    no_smtp = notify_settings.model_copy(update={"smtp_host": ""})
    tenant = make_tenant(clean_db, 9104, webhook_url=receiver.url, notify_email="team@bakery.example")
    notify(clean_db, no_smtp, tenant, "conversation.escalated", {"message": "Where is my order?"})
    notify(clean_db, no_smtp, tenant, "operator.replied", {"reply": "On its way.", "visitor_email": "ann@ex.org"})
    assert [r["channel"] for r in rows(clean_db, tenant)] == ["webhook"]


def test_a_receiver_failure_is_retried_with_backoff_and_then_sent(
    clean_db: Database, notify_settings: Settings, receiver: Receiver
) -> None:
    receiver.statuses[:] = [500]
    tenant = make_tenant(clean_db, 9105, webhook_url=receiver.url)
    notify(clean_db, notify_settings, tenant, "visitor.replied", {"message": "Yes please"}, CONVERSATION)

    assert deliver_due(clean_db, notify_settings) == 1
    (row,) = rows(clean_db, tenant)
    assert (row["status"], row["attempts"], row["last_error"]) == ("queued", 1, "HTTP 500 from the webhook")
    # The first retry waits NOTIFY_BACKOFF_BASE_SECONDS (30) give or take a fifth.
    assert 20 < row["due_in"].total_seconds() <= 36
    assert deliver_due(clean_db, notify_settings) == 0, "not due yet"

    with clean_db.operator() as conn:
        conn.execute("UPDATE notification_deliveries SET run_at = now() WHERE tenant_id = %s", [tenant])
    assert deliver_due(clean_db, notify_settings) == 1
    (row,) = rows(clean_db, tenant)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)
    assert len(receiver.calls) == 2
    first, second = (json.loads(call["body"]) for call in receiver.calls)
    assert first == second, "a retry sends the same event (receivers can deduplicate on it)"


def test_a_delivery_is_dead_after_its_attempts_run_out(
    clean_db: Database, notify_settings: Settings, receiver: Receiver
) -> None:
    receiver.statuses[:] = [503, 500, 500]
    impatient = notify_settings.model_copy(update={"notify_max_attempts": 3, "notify_backoff_base_seconds": 0.0})
    tenant = make_tenant(clean_db, 9106, webhook_url=receiver.url)
    notify(clean_db, impatient, tenant, "handoff.requested", {"message": "Anyone there?"})
    assert deliver_due(clean_db, impatient) == 3
    (row,) = rows(clean_db, tenant)
    assert (row["status"], row["attempts"]) == ("dead", 3)
    assert row["last_error"] == "HTTP 500 from the webhook (gave up after 3 attempts)"
    assert len(receiver.calls) == 3
    assert deliver_due(clean_db, impatient) == 0, "a dead delivery is never tried again"


@pytest.mark.parametrize(
    ("allow_http", "scheme", "error"),
    [(False, "http", "webhook URLs must be https"), (False, "https", "non-public address 127.0.0.1")],
)
def test_without_the_test_flag_only_https_to_public_addresses_is_called(
    clean_db: Database, notify_settings: Settings, receiver: Receiver, allow_http: bool, scheme: str, error: str
) -> None:
    strict = notify_settings.model_copy(update={"webhook_allow_http": allow_http})
    url = receiver.url.replace("http:", f"{scheme}:")
    tenant = make_tenant(clean_db, 9107, webhook_url=url)
    notify(clean_db, strict, tenant, "handoff.requested", {"message": "Hi"})
    deliver_due(clean_db, strict)
    (row,) = rows(clean_db, tenant)
    assert (row["status"], row["attempts"]) == ("dead", 1), "a URL we may not call is not retried"
    assert error in row["last_error"]
    assert receiver.calls == []


def test_enqueue_is_part_of_the_callers_transaction_and_its_failure_never_breaks_it(
    clean_db: Database, notify_settings: Settings, receiver: Receiver
) -> None:
    tenant = make_tenant(clean_db, 9108, webhook_url=receiver.url)
    with pytest.raises(RuntimeError), clean_db.tenant(tenant) as conn:
        assert len(enqueue(conn, notify_settings, tenant, "handoff.requested", {"message": "Hi"})) == 1
        raise RuntimeError("the caller's work failed after queueing")
    assert rows(clean_db, tenant) == [], "rolled back with the caller's transaction"

    with clean_db.tenant(tenant) as conn:
        conn.execute("CREATE TEMP TABLE caller_work (n int) ON COMMIT DROP")
        # A conversation id Postgres refuses: the insert fails inside enqueue.
        assert enqueue(conn, notify_settings, tenant, "handoff.requested", {}, "not-a-uuid") == []  # type: ignore[arg-type]
        assert enqueue(conn, notify_settings, tenant, "no.such.event", {}) == []  # type: ignore[arg-type]
        conn.execute("INSERT INTO caller_work VALUES (1)")
        assert enqueue(conn, notify_settings, tenant, "handoff.requested", {"message": "Hi"}, CONVERSATION)
        assert conn.execute("SELECT count(*) AS n FROM caller_work").fetchone()["n"] == 1
    assert [r["conversation_id"] for r in rows(clean_db, tenant)] == [CONVERSATION]


def test_the_delivery_loop_never_raises_into_the_worker(
    clean_db: Database, notify_settings: Settings, settings: Settings
) -> None:
    tenant = make_tenant(clean_db, 9109)
    # A row the sender cannot even read (an email without its subject): retried, never raised.
    with clean_db.tenant(tenant) as conn:
        conn.execute(
            """INSERT INTO notification_deliveries (tenant_id, event, channel, target, payload)
               VALUES (%s, 'handoff.requested', 'email', 'team@bakery.example', '{}')""",
            [tenant],
        )
    assert deliver_due(clean_db, notify_settings) == 1
    (row,) = rows(clean_db, tenant)
    assert (row["status"], row["attempts"], row["last_error"]) == ("queued", 1, "'subject'")

    # No database at all: a round logs and returns, and the loop stops when told.
    gone = Database(f"postgresql://nobody:x@127.0.0.1:{free_port()}/none", wait_timeout=0.2)
    gone.open()
    try:
        assert deliver_due(gone, notify_settings) == 0
        stop = threading.Event()
        loop = threading.Thread(target=run_deliveries, args=(gone, notify_settings, stop))
        loop.start()
        time.sleep(0.5)
        stop.set()
        loop.join(timeout=10)
        assert not loop.is_alive()
    finally:
        gone.close()


def test_the_admin_shows_the_webhook_secret_only_when_it_can_be_signed(
    admin, clean_db: Database, notify_settings: Settings
) -> None:
    tenant = make_tenant(clean_db, 9110)
    first = secret_from_admin(admin, notify_settings, tenant)
    assert first == secret_from_admin(admin, notify_settings, tenant)
    assert first != secret_from_admin(admin, notify_settings, make_tenant(clean_db, 9111))
    assert_problem(admin.get(f"/api/admin/tenants/{uuid4()}/webhook-secret"), 404, "tenant_not_found")
    # The `admin` client's settings have no APP_SECRET_KEY.
    assert_problem(admin.get(f"/api/admin/tenants/{tenant}/webhook-secret"), 404, "webhook_signing_off")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_logs_in_with_the_configured_user_and_a_refused_login_is_retried(
    clean_db: Database, notify_settings: Settings
) -> None:
    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"bot", b"s3cret")
        return AuthResult(success=good, handled=False)  # handled=False: the server answers 535 itself

    inbox, port = Inbox(), free_port()
    server = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    server.start()
    try:
        wrong = notify_settings.model_copy(
            update={"smtp_port": port, "smtp_user": "bot", "smtp_password": SecretStr("wrong")}
        )
        tenant = make_tenant(clean_db, 9112, notify_email="team@bakery.example")
        notify(clean_db, wrong, tenant, "handoff.requested", {"message": "Hello?"})
        deliver_due(clean_db, wrong)
        (row,) = rows(clean_db, tenant)
        assert (row["status"], row["last_error"]) == ("queued", "SMTP login as bot refused (535)")
        assert inbox.messages == []

        with clean_db.operator() as conn:
            conn.execute("UPDATE notification_deliveries SET run_at = now() WHERE tenant_id = %s", [tenant])
        deliver_due(clean_db, wrong.model_copy(update={"smtp_password": SecretStr("s3cret")}))
        assert [r["status"] for r in rows(clean_db, tenant)] == ["sent"]
        assert [to for to, _ in inbox.messages] == [["team@bakery.example"]]
    finally:
        server.stop()


def test_an_address_the_server_refuses_is_dead_at_once(clean_db: Database, notify_settings: Settings, smtp) -> None:
    tenant = make_tenant(clean_db, 9113)
    reply = {"reply": "Thanks for waiting.", "visitor_email": "nobody@ex.org"}
    notify(clean_db, notify_settings, tenant, "operator.replied", reply, CONVERSATION)
    deliver_due(clean_db, notify_settings)
    (row,) = rows(clean_db, tenant)
    assert (row["status"], row["attempts"], row["last_error"]) == ("dead", 1, "the SMTP server refused nobody@ex.org")
    assert smtp[0].messages == []
