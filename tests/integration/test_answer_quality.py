"""What a visitor reads: small talk, a request for a person, readable extractive answers, grounded LLM answers."""

from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.fake_llm import FakeLLM, fake_llm_fixture  # noqa: F401
from tests.integration.conftest import ask, give_consent, make_tenant
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE
from tinyeclipse.tenants.settings import TenantSettings

HELP_PAGE = """# Domains and DNS

## Transferring a domain to Demo Hosting
To transfer a domain, first unlock it at your current registrar and request the authorization code (also called
EPP code). Then order a domain transfer in our customer portal and enter the code. A transfer of a .com domain
takes up to five days; .nl and .be domains usually transfer within one hour.

## Domain renewal
Domains renew automatically 30 days before they expire when automatic renewal is on.
"""
REFUND = {
    "question": "Do you offer a money-back guarantee?",
    "answer": "Yes, every hosting plan has a 30-day money-back guarantee. Cancel within 30 days of your first "
    "order and we refund the hosting fee in full. Domain registration fees are not refundable.",
}
DEFAULTS = TenantSettings()


@pytest.fixture
def demo_host(settings: Settings, clean_db: Database) -> UUID:
    tenant_id = make_tenant(clean_db, settings, 8200, {"Domains and DNS": HELP_PAGE})
    body = {"tenant_id": tenant_id, "type": "faq", "title": "FAQ", "content": [REFUND]}
    sources.create_source(clean_db, settings, SOURCE_CREATE.validate_python(body))
    while worker.run_once(clean_db, settings, "test"):
        pass
    give_consent(clean_db, tenant_id, "visitor-1")
    return tenant_id


@pytest.mark.parametrize(
    ("message", "intent", "reply"),
    [
        ("hi", "greeting", DEFAULTS.greeting),
        ("thanks!", "thanks", "You're welcome!"),
        ("Bedankt!", "thanks", "Graag gedaan!"),
        ("are you a bot?", "identity", "virtual assistant"),
    ],
)
def test_small_talk_is_answered_without_retrieval_or_escalation(
    chat: TestClient, hosting: UUID, clean_db: Database, message: str, intent: str, reply: str
) -> None:
    body = ask(chat, hosting, message).json()
    assert body["intent"] == intent and not body["escalated"] and not body["refused"]
    assert body["sources"] == [] and body["confidence"] is None and reply in body["answer"]
    with clean_db.operator() as conn:
        stored = conn.execute("SELECT intent, escalated FROM messages WHERE id = %s", [body["message_id"]]).fetchone()
        conversation = conn.execute("SELECT escalated FROM conversations WHERE id = %s", [body["conversation_id"]])
        assert stored == {"intent": intent, "escalated": False} and not conversation.fetchone()["escalated"]


@pytest.mark.parametrize("message", ["Can I talk to a real person please?", "Kan ik een medewerker spreken?"])
def test_a_request_for_a_person_is_escalated_with_its_reason(
    chat: TestClient, hosting: UUID, clean_db: Database, message: str
) -> None:
    body = ask(chat, hosting, message).json()
    assert body["intent"] == "handoff" and body["escalated"] and not body["refused"]
    assert "team" in body["answer"] or "medewerker" in body["answer"]
    with clean_db.operator() as conn:
        conversation = conn.execute("SELECT escalated FROM conversations WHERE id = %s", [body["conversation_id"]])
        assert conversation.fetchone()["escalated"]


def test_an_extractive_answer_reads_like_a_person_wrote_it(chat: TestClient, demo_host: UUID) -> None:
    body = ask(chat, demo_host, "How do I transfer a domain?").json()
    answer = body["answer"]
    # The passage around the best sentence, its heading not glued on, no quotes, one marker per source.
    assert answer.startswith("To transfer a domain, first unlock it") and "Then order a domain transfer" in answer
    assert "Transferring a domain to Demo Hosting" not in answer and "“" not in answer
    assert answer.endswith("[1]") and body["sources"][0]["cited"] and body["sources"][0]["title"] == "Domains and DNS"
    # The snippet shows what the answer does not.
    assert "first unlock it" not in body["sources"][0]["snippet"]
    assert body["confidence"] >= DEFAULTS.escalate_threshold and not body["escalated"]


def test_an_faq_source_answers_with_its_own_answer(chat: TestClient, demo_host: UUID) -> None:
    body = ask(chat, demo_host, "Can I get my money back if I'm not happy?").json()
    assert body["answer"] == f"{REFUND['answer']} [1]" and not body["refused"]
    assert body["sources"][0]["title"] == "FAQ" and body["sources"][0]["snippet"] == ""


def test_an_off_topic_question_is_handed_off(chat: TestClient, demo_host: UUID) -> None:
    body = ask(chat, demo_host, "Who won the football world cup in 2014?").json()
    assert body["escalated"] and body["confidence"] < DEFAULTS.escalate_threshold


@pytest.fixture
def groq_chat(chat_app: tuple, settings: Settings, fake_llm: FakeLLM) -> TestClient:
    _, open_client = chat_app
    update = {"llm_provider": "groq", "groq_api_key": SecretStr("k"), "groq_base_url": fake_llm.base_url}
    return open_client(settings.model_copy(update=update))


def test_an_llm_answer_the_sources_do_not_support_scores_lower(
    groq_chat: TestClient, hosting: UUID, fake_llm: FakeLLM, clean_db: Database
) -> None:
    question = "How long do you keep backups?"
    fake_llm.reply_json("We keep the backups of all files and databases for 30 days [1].", 0.9, [1])
    grounded = ask(groq_chat, hosting, question).json()
    fake_llm.reply_json("Backups are kept for ten years in a vault in Switzerland, free of charge [1].", 0.9, [1])
    invented = ask(groq_chat, hosting, question).json()
    assert grounded["confidence"] > 2 * invented["confidence"]
    assert invented["escalated"] and not grounded["escalated"]
    with clean_db.operator() as conn:
        parts = conn.execute("SELECT confidence_parts FROM messages WHERE id = %s", [invented["message_id"]])
        stored = parts.fetchone()["confidence_parts"]
    # The model's self-assessment stays visible; the groundedness check is what pulled the score down.
    assert stored["answer_coherence"] == 0.9 and stored["groundedness"] < 0.5
