"""What a notification says: the webhook's JSON envelope and the plain-text emails (pure functions)."""

import re
from datetime import datetime
from typing import Any
from uuid import UUID

ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
SIGNATURE = "\n-- \nTinyEclipse\n"


def is_address(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 320 and bool(ADDRESS.match(value))


def envelope(
    event: str, tenant_id: UUID, conversation_id: UUID | None, occurred_at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    """The webhook's body: the same shape for every event (docs/notifications.md)."""
    return {
        "event": event,
        "tenant_id": str(tenant_id),
        "conversation_id": str(conversation_id) if conversation_id else None,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }


def _one_line(text: str) -> str:
    # Header values may not hold line breaks (and a tenant's name must not add headers).
    return " ".join(text.split())


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.strip().splitlines()) or "> (no text)"


def conversation_link(admin_public_url: str, conversation_id: UUID | None) -> str | None:
    if not admin_public_url or conversation_id is None:
        return None
    return f"{admin_public_url.rstrip('/')}/conversations/view?id={conversation_id}"


TEAM_SUBJECTS = {
    "handoff.requested": "A visitor asks to talk to a person",
    "conversation.escalated": "An answer was escalated to your team",
}
TEAM_LEADS = {
    "handoff.requested": "A visitor asked to talk to a person. Their message:",
    "conversation.escalated": "The assistant could not answer a visitor with confidence. The question:",
}


def team_email(event: str, tenant_name: str, data: dict[str, Any], link: str | None) -> dict[str, str]:
    """To the tenant's notification address: who is waiting, what they asked, and where to answer."""
    lines = [TEAM_LEADS[event], "", _quoted(str(data.get("message") or ""))]
    if data.get("answer"):
        lines += ["", "The assistant answered:", "", _quoted(str(data["answer"]))]
    details = [
        ("Page", data.get("page_url")),
        ("Visitor's email", data.get("visitor_email")),
        ("Open the conversation", link),
    ]
    extra = [f"{label}: {value}" for label, value in details if value]
    if extra:
        lines += ["", *extra]
    return {
        "subject": _one_line(f"{TEAM_SUBJECTS[event]} ({tenant_name})"),
        "text": "\n".join(lines) + "\n" + SIGNATURE,
    }


def visitor_email(tenant_name: str, data: dict[str, Any], reply_to: str | None) -> dict[str, str]:
    """To the visitor who left an address: the operator's reply, under the tenant's name."""
    name = _one_line(tenant_name)
    lines = [f"{name} replied to your question:", "", str(data.get("reply") or "").strip(), ""]
    lines.append("You can answer in the chat on the website" + (" or by replying to this email." if reply_to else "."))
    message = {
        "subject": f"Reply from {name}",
        "text": "\n".join(lines) + "\n" + SIGNATURE.replace("TinyEclipse", name),
    }
    if reply_to:
        message["reply_to"] = reply_to
    return message
