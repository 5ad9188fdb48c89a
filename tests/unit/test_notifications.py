"""Notifications without a database: the webhook signature, the backoff, and what the emails say."""

import hashlib
import hmac
import re
import time
from email import message_from_bytes, policy
from pathlib import Path
from uuid import UUID

import pytest
from pydantic import ValidationError

from tinyeclipse.config import Settings
from tinyeclipse.notifications import mail, messages
from tinyeclipse.notifications.delivery import MAX_BACKOFF_SECONDS, backoff_seconds
from tinyeclipse.notifications.signing import signature, signed_headers, webhook_secret

TENANT = UUID("6f1c2a5e-9d7b-4c3a-8e21-0b5f4d3c2a10")
OTHER = UUID("0d9e8f7a-6b5c-4d3e-9f21-1a2b3c4d5e6f")
KEY = "k" * 40


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What docs/notifications.md tells a receiver to do."""
    timestamp = headers["X-TinyEclipse-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-TinyEclipse-Signature"], f"sha256={expected}")


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"event":"handoff.requested"}'
    expected = hmac.new(b"secret", b'1700000000.{"event":"handoff.requested"}', hashlib.sha256).hexdigest()
    assert signature("secret", 1700000000, body) == f"sha256={expected}"


def test_a_receiver_verifies_the_headers_and_notices_any_change() -> None:
    body = '{"data":{"message":"Ça coûte combien ?"}}'.encode()
    headers = signed_headers("secret", 1700000000, body)
    assert verify("secret", headers, body)
    assert not verify("secret", headers, body.replace(b"combien", b"beaucoup"))
    assert not verify("other secret", headers, body)
    assert not verify("secret", {**headers, "X-TinyEclipse-Timestamp": "1700000001"}, body)


def test_each_tenant_has_its_own_webhook_secret_which_follows_app_secret_key() -> None:
    assert webhook_secret(KEY, TENANT) == webhook_secret(KEY, TENANT)
    assert webhook_secret(KEY, TENANT) != webhook_secret(KEY, OTHER)
    assert webhook_secret(KEY, TENANT) != webhook_secret("j" * 40, TENANT)
    assert KEY not in webhook_secret(KEY, TENANT) and len(webhook_secret(KEY, TENANT)) == 64


def test_the_backoff_doubles_from_the_base_up_to_an_hour() -> None:
    exact = [backoff_seconds(attempts, 30, uniform=lambda low, high: 1.0) for attempts in (1, 2, 3, 4)]
    assert exact == [30, 60, 120, 240]
    assert backoff_seconds(40, 30, uniform=lambda low, high: 1.0) == MAX_BACKOFF_SECONDS


def test_the_backoff_is_jittered_by_a_fifth_either_way() -> None:
    delays = {backoff_seconds(3, 10) for _ in range(200)}
    assert all(32 <= delay <= 48 for delay in delays)
    assert len(delays) > 100, "the delays are spread out, so retries of many rows do not all come at once"
    assert backoff_seconds(3, 10, uniform=lambda low, high: low) == pytest.approx(32)
    assert backoff_seconds(3, 10, uniform=lambda low, high: high) == pytest.approx(48)


def test_the_team_email_quotes_the_question_and_links_the_conversation() -> None:
    conversation = UUID("11111111-2222-4333-8444-555555555555")
    link = messages.conversation_link("https://support.example.com/admin/", conversation)
    data = {"message": "Can I talk to a person?\nIt is urgent.", "page_url": "https://shop.example/cart"}
    email = messages.team_email("handoff.requested", "Bakery\nBcc: everyone@example.com", data, link)
    assert "\n" not in email["subject"] and "Bakery Bcc" in email["subject"]
    assert "> Can I talk to a person?\n> It is urgent." in email["text"]
    assert "Page: https://shop.example/cart" in email["text"]
    assert f"https://support.example.com/admin/conversations/view?id={conversation}" in email["text"]
    assert messages.conversation_link("", conversation) is None


def test_the_visitor_email_carries_the_reply_under_the_tenants_name() -> None:
    email = messages.visitor_email("Bakery Ltd", {"reply": "Yes, we deliver on Sundays."}, "team@bakery.example")
    assert email["subject"] == "Reply from Bakery Ltd"
    assert "Bakery Ltd replied to your question:\n\nYes, we deliver on Sundays." in email["text"]
    assert email["reply_to"] == "team@bakery.example"
    assert "reply_to" not in messages.visitor_email("Bakery Ltd", {"reply": "Yes."}, None)


def test_an_email_is_plain_utf8_text_that_parses_back() -> None:
    settings = Settings(_env_file=None, database_url="postgresql://x@h/d", smtp_host="smtp", smtp_from="bot@ex.com")
    content = messages.visitor_email("Café Zoë", {"reply": "Natürlich, gerne: 5 €! " + "long line " * 30}, None)
    raw = mail.build(settings, "visitor@example.com", content).as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))  # SMTP's line limit
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Reply from Café Zoë" and parsed["From"] == "bot@ex.com"
    assert parsed.get_content_type() == "text/plain"
    assert "Natürlich, gerne: 5 €!" in parsed.get_content()


@pytest.mark.parametrize("address", ["a@b.example", "first.last+tag@sub.example.org"])
def test_addresses_accepted(address: str) -> None:
    assert messages.is_address(address)


@pytest.mark.parametrize("address", ["", "nobody", "a@b", "a b@c.example", "a@b.example\nBcc: x@y.example", None])
def test_addresses_refused(address: object) -> None:
    assert not messages.is_address(address)


def test_smtp_needs_a_sender_address() -> None:
    with pytest.raises(ValidationError, match="SMTP_FROM"):
        Settings(_env_file=None, database_url="postgresql://x@h/d", smtp_host="smtp.example.com")
    assert Settings(_env_file=None, database_url="postgresql://x@h/d").smtp_host == ""


def test_the_escalation_email_shows_what_the_assistant_answered() -> None:
    data = {"message": "Do you ship to Norway?", "answer": "I'm not sure about that."}
    email = messages.team_email("conversation.escalated", "Bakery", data, None)
    assert "> Do you ship to Norway?" in email["text"]
    assert "The assistant answered:\n\n> I'm not sure about that." in email["text"]
    assert "Open the conversation" not in email["text"], "no link without ADMIN_PUBLIC_URL"


def test_the_verification_code_in_the_docs_accepts_our_signature_and_refuses_an_old_one() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text()
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", docs, re.DOTALL) if "def verify" in block]
    namespace: dict = {}
    exec(code, namespace)
    body = b'{"event":"handoff.requested"}'
    assert namespace["verify"]("secret", signed_headers("secret", int(time.time()), body), body)
    assert not namespace["verify"]("secret", signed_headers("secret", int(time.time()) - 3600, body), body)
    assert not namespace["verify"]("other", signed_headers("secret", int(time.time()), body), body)
