"""How a delivery attempt failed (worth another try later, or never going to work), and the API's errors."""

from tinyeclipse.errors import NotFound


class DeliveryFailed(Exception):
    """The attempt failed; `permanent` ones are not retried (a refused address, a URL we may not call)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class WebhookSigningOff(NotFound):
    """No APP_SECRET_KEY: there is no secret to show (and no webhook is sent). Not a 503: retrying will not
    help until the operator sets the key."""

    code = "webhook_signing_off"

    def __init__(self) -> None:
        super().__init__("Webhooks cannot be signed: APP_SECRET_KEY is not set in the environment.")
