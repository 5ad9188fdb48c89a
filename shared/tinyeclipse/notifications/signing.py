"""The webhook signature: a per-tenant secret derived from APP_SECRET_KEY, HMAC-SHA256 over timestamp and body."""

import hashlib
import hmac
from uuid import UUID

TIMESTAMP_HEADER = "X-TinyEclipse-Timestamp"
SIGNATURE_HEADER = "X-TinyEclipse-Signature"


def webhook_secret(app_secret_key: str, tenant_id: UUID) -> str:
    """The tenant's webhook secret: stable while APP_SECRET_KEY is, never stored, different per tenant."""
    message = f"tinyeclipse-webhook:{tenant_id}".encode()
    return hmac.new(app_secret_key.encode(), message, hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, f"{timestamp}.{body}"); the timestamp lets a receiver refuse replays."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}
