"""The bot speaks the visitor's language: refusals, hand-offs, small talk, the greeting and the LLM's answer."""

import json
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.fake_llm import FakeLLM, fake_llm_fixture  # noqa: F401
from tests.integration.conftest import ask, give_consent, make_tenant
from tinyeclipse.chat.escalation import hand_off, refusal
from tinyeclipse.chat.language import TEXT_SEARCH_CONFIGS
from tinyeclipse.chat.replies import replies
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE

DEMO = Path(__file__).parents[2] / "infra" / "local" / "demo"


@pytest.fixture
def demo_faq(settings: Settings, clean_db: Database) -> UUID:
    """The demo's English FAQ, embedded by the English model (MiniLM): a Dutch question finds nothing in it."""
    tenant_id = make_tenant(clean_db, settings, 8300, {}, '{"embedding_model": "all-MiniLM-L6-v2"}')
    pairs = json.loads((DEMO / "faq.json").read_text())
    body = {"tenant_id": tenant_id, "type": "faq", "title": "FAQ", "content": pairs}
    sources.create_source(clean_db, settings, SOURCE_CREATE.validate_python(body))
    while worker.run_once(clean_db, settings, "test"):
        pass
    give_consent(clean_db, tenant_id, "visitor-1")
    return tenant_id


def test_a_dutch_question_the_knowledge_does_not_answer_is_refused_in_dutch(
    chat: TestClient, demo_faq: UUID, clean_db: Database
) -> None:
    body = ask(chat, demo_faq, "Hoe kan ik mijn wachtwoord resetten?").json()
    assert body["refused"] and body["answer"] == refusal(None, language="nl")
    assert body["answer"].startswith("Sorry, daar kan ik met de informatie die ik heb geen antwoord op geven.")
    with clean_db.operator() as conn:
        stored = conn.execute("SELECT content FROM messages WHERE id = %s", [body["message_id"]]).fetchone()
    assert stored["content"] == body["answer"]


def test_the_widget_language_does_not_override_the_question_s_language(chat: TestClient, demo_faq: UUID) -> None:
    body = ask(chat, demo_faq, "Wie backe ich ein Sauerteigbrot?", language="en").json()
    assert body["refused"] and body["answer"] == refusal(None, language="de")
    assert body["answer"].startswith("Das kann ich anhand der mir vorliegenden Informationen leider nicht")


def test_an_english_question_is_still_refused_in_english(chat: TestClient, demo_faq: UUID) -> None:
    body = ask(chat, demo_faq, "How do I bake sourdough bread?", language="nl").json()
    assert body["refused"] and body["answer"] == refusal(None)


@pytest.mark.parametrize(
    ("message", "widget", "answer"),
    [
        ("hoi", None, replies("nl").greeting),  # the tenant kept the built-in greeting: it comes in Dutch
        ("danke", None, replies("de").thanks),
        ("merci", None, replies("fr").thanks),
        ("bedankt!", "en", replies("nl").thanks),  # the message tells, whatever the page says
        ("tschüss", None, replies("de").goodbye),
        ("ok", "fr-BE", replies("fr").thanks),  # "ok" tells nothing: the widget's language
        ("hallo", "de", replies("de").greeting),  # Dutch and German: the widget's language
        ("👍", None, replies("en").thanks),  # nothing tells: the tenant's language
    ],
)
def test_small_talk_is_answered_in_the_visitor_s_language(
    chat: TestClient, demo_faq: UUID, message: str, widget: str | None, answer: str
) -> None:
    extra = {"language": widget} if widget else {}
    body = ask(chat, demo_faq, message, **extra).json()
    assert body["intent"] is not None and body["answer"] == answer


def test_a_request_for_a_person_is_answered_in_french_with_the_contact_route(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    tenant = make_tenant(clean_db, settings, 8301, {}, '{"contact": "support@demo.example"}')
    give_consent(clean_db, tenant, "visitor-1")
    body = ask(chat, tenant, "Je voudrais parler à un conseiller, s'il vous plaît").json()
    assert body["intent"] == "handoff"
    assert body["answer"] == (
        "Je transmets votre demande à notre équipe ; une personne vous répondra. "
        "Vous pouvez aussi nous joindre directement : support@demo.example."
    )


def test_when_nothing_tells_the_tenant_s_language_is_used(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    tenant = make_tenant(clean_db, settings, 8302, {}, '{"language": "nl", "greeting": "Welkom bij Bakkerij Jansen!"}')
    give_consent(clean_db, tenant, "visitor-1")
    assert ask(chat, tenant, "👍").json()["answer"] == replies("nl").thanks
    # The tenant's own greeting is used as written.
    assert ask(chat, tenant, "hallo").json()["answer"] == "Welkom bij Bakkerij Jansen!"
    refused = ask(chat, tenant, "xyz 123").json()
    assert refused["refused"] and refused["answer"] == refusal(None, language="nl")


def _llm_client(chat_app: tuple, settings: Settings, fake_llm: FakeLLM) -> TestClient:
    _, open_client = chat_app
    update = {
        "llm_provider": "groq",
        "groq_api_key": SecretStr("k"),
        "groq_base_url": fake_llm.base_url,
        "llm_timeout_seconds": 0.5,
    }
    return open_client(settings.model_copy(update=update))


def test_the_llm_is_told_the_visitor_s_language(
    chat_app: tuple, settings: Settings, hosting: UUID, fake_llm: FakeLLM
) -> None:
    client = _llm_client(chat_app, settings, fake_llm)
    fake_llm.reply_json("We bewaren back-ups 30 dagen [1].", 0.9, [1])
    ask(client, hosting, "Hoe lang bewaren jullie back-ups?", language="en")
    system = fake_llm.requests[-1]["messages"][0]
    assert system["role"] == "system" and 'Answer in the language with code "nl"' in system["content"]


def test_a_failing_provider_hands_off_in_the_visitor_s_language(
    chat_app: tuple, settings: Settings, hosting: UUID, fake_llm: FakeLLM
) -> None:
    client = _llm_client(chat_app, settings, fake_llm)
    fake_llm.fail(500)
    body = ask(client, hosting, "Wie lange bewahren Sie die Backups auf?").json()
    assert body["escalated"] and not body["refused"] and body["answer"] == hand_off(None, "de")
    assert body["answer"].startswith("Ich kann Ihre Frage gerade leider nicht beantworten.")


def test_the_config_greets_in_the_widget_s_language_unless_the_tenant_wrote_its_own(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    default = make_tenant(clean_db, settings, 8303, {}, '{"language": "de"}')
    own = make_tenant(clean_db, settings, 8304, {}, '{"greeting": "Welkom!"}')

    def greeting(tenant: UUID, **params: str) -> str:
        response = chat.get("/api/chat/config", params={"tenant_id": str(tenant), **params})
        assert response.status_code == 200, response.text
        return response.json()["greeting"]

    assert greeting(default, language="nl") == "Hoi! Waarmee kan ik je helpen?"
    assert greeting(default, language="fr-BE") == "Bonjour ! Comment puis-je vous aider ?"
    assert greeting(default) == "Hallo! Wie kann ich Ihnen helfen?"  # the tenant's language
    assert greeting(default, language="ja") == "Hi! How can I help you today?"  # no Japanese texts: English
    assert greeting(own, language="fr") == "Welkom!"
    bad = chat.get("/api/chat/config", params={"tenant_id": str(default), "language": "not a language"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


def test_the_expected_reply_of_a_hand_off_is_in_the_visitor_s_language(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    tenant = make_tenant(clean_db, settings, 8305, {})
    give_consent(clean_db, tenant, "visitor-1")
    conversation = ask(chat, tenant, "bonjour").json()["conversation_id"]
    handoff = chat.post(
        f"/api/chat/conversations/{conversation}/handoff",
        json={"tenant_id": str(tenant), "session_id": "visitor-1", "language": "fr"},
    )
    assert handoff.status_code == 200, handoff.text
    assert handoff.json()["expected_reply"] == "dès que possible"


def test_every_text_search_configuration_exists_in_postgres(clean_db: Database) -> None:
    with clean_db.operator() as conn:
        known = {row["cfgname"] for row in conn.execute("SELECT cfgname FROM pg_ts_config").fetchall()}
    assert set(TEXT_SEARCH_CONFIGS.values()) | {"simple"} <= known
