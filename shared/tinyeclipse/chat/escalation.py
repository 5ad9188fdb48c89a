"""What the visitor is told, and what the operator is shown, for a given confidence."""

from dataclasses import dataclass

from tinyeclipse.tenants.settings import TenantSettings


@dataclass(frozen=True)
class Outcome:
    answer: str
    escalated: bool
    refused: bool


def _human(contact: str | None) -> str:
    return f"Please contact our team at {contact}." if contact else "Please ask to speak to a member of our team."


def refusal(contact: str | None, handed_over: bool = False) -> str:
    """`handed_over`: the conversation now waits for the team (the tenant's escalation_hands_over)."""
    if handed_over:
        also = f" You can also reach them at {contact}." if contact else ""
        return (
            "I'm sorry, I can't answer that from the information I have. "
            f"I've passed your question on to our team, and a person will answer here.{also}"
        )
    return f"I'm sorry, I can't answer that from the information I have. {_human(contact)}"


def hand_off(contact: str | None) -> str:
    return (
        "I'm sorry, I can't answer right now. I've passed your question on to our team, "
        f"and someone will follow up. {_human(contact)}"
    )


def decide(answer: str, confidence: float, settings: TenantSettings) -> Outcome:
    """Below the refuse threshold the bot does not answer; below the escalate threshold a human reviews."""
    if confidence < settings.refuse_threshold or not answer.strip():
        return Outcome(refusal(settings.contact, settings.escalation_hands_over), escalated=True, refused=True)
    return Outcome(answer, escalated=confidence < settings.escalate_threshold, refused=False)


def provider_failed(settings: TenantSettings) -> Outcome:
    return Outcome(hand_off(settings.contact), escalated=True, refused=False)
