"""POSTing a signed event to a tenant's webhook: https, public addresses only, short timeouts, 2xx = sent.

The address check and pinning are the URL fetcher's (tinyeclipse.ingestion.fetch): the host is resolved once,
every address must be public, and the connection goes only to those addresses (no DNS rebinding into the
operator's network). WEBHOOK_ALLOW_HTTP (tests, local development) allows http:// and private addresses, so a
test receiver on 127.0.0.1 can be called.
"""

import json
import time
from typing import Any

import httpx

from tinyeclipse.config import Settings
from tinyeclipse.ingestion.documents import ExtractionError, TransientFetchError
from tinyeclipse.ingestion.fetch import _check_target, _PinnedBackend
from tinyeclipse.network import transport_over
from tinyeclipse.notifications.errors import DeliveryFailed
from tinyeclipse.notifications.signing import signed_headers

USER_AGENT = "TinyEclipse-Webhook/1"


def body_bytes(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def post(url: str, envelope: dict[str, Any], secret: str, settings: Settings) -> None:
    """Deliver once; raises DeliveryFailed unless the receiver answered 2xx."""
    target = httpx.URL(url)
    if target.scheme != "https" and not (settings.webhook_allow_http and target.scheme == "http"):
        raise DeliveryFailed(f"webhook URLs must be https: {url}", permanent=True)
    backend = _PinnedBackend()
    try:
        backend.pin(target, _check_target(target, settings.webhook_allow_http))
    except ExtractionError as exc:
        raise DeliveryFailed(str(exc), permanent=True) from exc
    except TransientFetchError as exc:
        raise DeliveryFailed(str(exc)) from exc
    body = body_bytes(envelope)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(secret, int(time.time()), body),
    }
    # No redirects (a 3xx is a failure) and no environment proxy (the address check would mean nothing).
    with httpx.Client(
        transport=transport_over(backend), timeout=httpx.Timeout(settings.webhook_timeout_seconds)
    ) as client:
        try:
            response = client.post(target, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(f"timed out after {settings.webhook_timeout_seconds:g} s") from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"could not connect: {exc or type(exc).__name__}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code} from the webhook")
