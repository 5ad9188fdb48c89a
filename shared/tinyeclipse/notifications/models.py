"""The notifications' API shapes."""

from pydantic import BaseModel, Field


class WebhookSecret(BaseModel):
    """What a tenant's webhook receiver needs to verify a call (docs/notifications.md)."""

    secret: str = Field(description="HMAC-SHA256 key: the signature is over f'{timestamp}.{body}'.")
    signature_header: str = Field(description="Carries sha256=<hex digest>.")
    timestamp_header: str = Field(description="Carries the Unix time the call was signed at.")
