"""How a delivery attempt failed: worth another try later, or never going to work."""


class DeliveryFailed(Exception):
    """The attempt failed; `permanent` ones are not retried (a refused address, a URL we may not call)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
