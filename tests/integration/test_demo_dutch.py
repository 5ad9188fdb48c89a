"""The Dutch demo tenant answers Dutch questions in Dutch, from its Dutch help pages and FAQ (issue 15), asked as
its demo page's widget asks: from the demo site's origin, with the page's language."""

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from infra.local.seed import DEMO_NL_TENANT, DUTCH, demo_sources, seed_demo
from tests.integration.conftest import give_consent
from tinyeclipse.chat.language import detect
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import worker

DUTCH_TITLES = {source.title for source in demo_sources(UUID(int=0), DUTCH)}


@pytest.fixture
def dutch_demo(settings: Settings, clean_db: Database) -> UUID:
    """The Dutch demo tenant as `make up` seeds it, its knowledge indexed by the ingest worker."""
    tenant, added = seed_demo(clean_db, settings, None, DUTCH)
    assert added == len(DUTCH_TITLES) == 6
    while worker.run_once(clean_db, settings, "test"):
        pass
    give_consent(clean_db, tenant.id, "visitor-1")
    return tenant.id


def _ask(chat: TestClient, settings: Settings, tenant: UUID, question: str) -> dict:
    response = chat.post(
        "/api/chat",
        json={"tenant_id": str(tenant), "session_id": "visitor-1", "message": question, "language": "nl"},
        headers={"Origin": f"http://{settings.http_host}:{settings.demo_port}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Hoe kan ik mijn wachtwoord resetten?", 'klik op "Wachtwoord vergeten"'),
        ("Wat kost het Starter pakket?", "€ 4,95 per maand"),
    ],
)
def test_a_dutch_question_is_answered_in_dutch_with_its_dutch_source(
    chat: TestClient, settings: Settings, dutch_demo: UUID, question: str, fact: str
) -> None:
    body = _ask(chat, settings, dutch_demo, question)
    assert not body["refused"] and body["intent"] is None, body
    assert fact in body["answer"] and detect(body["answer"]) == "nl", body["answer"]
    first = body["sources"][0]
    # The FAQ answer is quoted whole (so no snippet beside it).
    assert first["cited"] and first["title"] == "Veelgestelde vragen", body["sources"]
    assert {source["title"] for source in body["sources"]} <= DUTCH_TITLES


def test_the_dutch_demo_greets_in_dutch_and_indexes_its_pages_as_dutch(
    chat: TestClient, settings: Settings, dutch_demo: UUID, clean_db: Database
) -> None:
    config = chat.get(
        "/api/chat/config",
        params={"tenant_id": str(dutch_demo), "language": "nl"},
        headers={"Origin": f"http://{settings.http_host}:{settings.demo_port}"},
    )
    assert config.status_code == 200, config.text
    assert config.json()["greeting"] == DEMO_NL_TENANT.settings["greeting"]

    # Embedded by the multilingual model, stemmed as Dutch for the keyword half of retrieval.
    with clean_db.operator() as conn:
        chunks = conn.execute(
            "SELECT embedding_model, language::text AS language, count(*) AS n FROM embeddings"
            " WHERE tenant_id = %s GROUP BY 1, 2",
            [dutch_demo],
        ).fetchall()
    assert [(row["embedding_model"], row["language"]) for row in chunks] == [("multilingual-e5-small", "dutch")]
