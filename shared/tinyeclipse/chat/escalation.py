"""What the visitor is told, and what the operator is shown, for a given confidence."""

from dataclasses import dataclass

from tinyeclipse.chat.replies import Replies, replies
from tinyeclipse.tenants.settings import TenantSettings


@dataclass(frozen=True)
class Outcome:
    answer: str
    escalated: bool
    refused: bool


def _human(contact: str | None, texts: Replies) -> str:
    return texts.contact_team.format(contact=contact) if contact else texts.ask_for_person


def refusal(contact: str | None, handed_over: bool = False, language: str | None = None) -> str:
    """`handed_over`: the conversation now waits for the team (the tenant's escalation_hands_over); `language`:
    the visitor's (English when the bot has no texts for it)."""
    texts = replies(language)
    if handed_over:
        also = texts.also_reach.format(contact=contact) if contact else ""
        return f"{texts.cannot_answer} {texts.passed_on}{also}"
    return f"{texts.cannot_answer} {_human(contact, texts)}"


def hand_off(contact: str | None, language: str | None = None) -> str:
    texts = replies(language)
    return f"{texts.unavailable} {_human(contact, texts)}"


def decide(answer: str, confidence: float, settings: TenantSettings, language: str | None = None) -> Outcome:
    """Below the refuse threshold the bot does not answer; below the escalate threshold a human reviews."""
    if confidence < settings.refuse_threshold or not answer.strip():
        text = refusal(settings.contact, settings.escalation_hands_over, language)
        return Outcome(text, escalated=True, refused=True)
    return Outcome(answer, escalated=confidence < settings.escalate_threshold, refused=False)


def provider_failed(settings: TenantSettings, language: str | None = None) -> Outcome:
    return Outcome(hand_off(settings.contact, language), escalated=True, refused=False)
