"""A tenant's embedding model: the multilingual model finds English knowledge for a Dutch question, and changing
the model re-indexes every source through the job queue while the old chunks keep answering."""

from uuid import UUID

from fastapi.testclient import TestClient

from tests.integration.conftest import ask, give_consent, make_tenant
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import scheduler, worker
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import SOURCE_CREATE
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import TenantUpdate

KNOWLEDGE = {
    "Passwords": "To reset the password of your customer account, click 'Forgot password' on the login page. "
    "We email you a reset link that is valid for 60 minutes.",
    "Prices": "The Starter plan costs 4.95 EUR per month when paid yearly. It includes one website and 5 mailboxes.",
    "Support hours": "Our support desk answers from Monday to Friday, 08:00 to 20:00 CET.",
}
# Thresholds 0: these tests are about what retrieval finds, not about the confidence of the answer.
ANSWER_ALWAYS = '{"escalate_threshold": 0, "refuse_threshold": 0, "embedding_model": "%s"}'


def _chunks_by_model(db: Database, tenant: UUID) -> dict[str, int]:
    with db.operator() as conn:
        rows = conn.execute(
            "SELECT embedding_model, count(*) AS n FROM embeddings WHERE tenant_id = %s GROUP BY 1", [tenant]
        ).fetchall()
    return {row["embedding_model"]: row["n"] for row in rows}


def _index_model(db: Database, tenant: UUID) -> str:
    with db.operator() as conn:
        return conn.execute("SELECT index_model FROM tenants WHERE id = %s", [tenant]).fetchone()["index_model"]


def test_a_dutch_question_to_a_multilingual_tenant_finds_its_english_knowledge(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    tenant = make_tenant(clean_db, settings, 8400, KNOWLEDGE, ANSWER_ALWAYS % "multilingual-e5-small")
    give_consent(clean_db, tenant, "visitor-1")
    body = ask(chat, tenant, "Hoe kan ik mijn wachtwoord resetten?", language="nl").json()
    assert [source["title"] for source in body["sources"]][:1] == ["Passwords"], body
    # The extractive answer quotes the knowledge as it is.
    assert body["answer"].startswith("To reset the password of your customer account, click 'Forgot password'")


def test_changing_the_model_re_indexes_through_the_queue_and_the_old_chunks_answer_until_the_new_are_complete(
    chat: TestClient, settings: Settings, clean_db: Database
) -> None:
    tenant = make_tenant(clean_db, settings, 8401, KNOWLEDGE, ANSWER_ALWAYS % "all-MiniLM-L6-v2")
    give_consent(clean_db, tenant, "visitor-1")
    assert _chunks_by_model(clean_db, tenant) == {"all-MiniLM-L6-v2": 3}

    updated = tenants.update_tenant(
        clean_db, settings, tenant, TenantUpdate(settings={"embedding_model": "multilingual-e5-small"})
    )
    assert updated.effective_settings.embedding_model == "multilingual-e5-small"
    assert updated.index_model == "all-MiniLM-L6-v2"  # the answers read the old chunks until the new ones are done

    answers = []
    while True:
        body = ask(chat, tenant, "How do I reset my password?").json()
        answers.append((_index_model(clean_db, tenant), body["sources"][0]["title"] if body["sources"] else None))
        if not worker.run_once(clean_db, settings, "test"):
            break
    # Every question, before, during and after the move, was answered from the password text.
    assert [title for _, title in answers] == ["Passwords"] * 4, answers
    assert [model for model, _ in answers] == ["all-MiniLM-L6-v2"] * 3 + ["multilingual-e5-small"]
    assert _chunks_by_model(clean_db, tenant) == {"all-MiniLM-L6-v2": 3, "multilingual-e5-small": 3}

    # A question that read the old model just before the switch still finds the old chunks for a while.
    assert scheduler.purge_retired_chunks(clean_db) == 0
    assert scheduler.purge_retired_chunks(clean_db, grace_seconds=0) == 3
    assert _chunks_by_model(clean_db, tenant) == {"multilingual-e5-small": 3}
    body = ask(chat, tenant, "Hoe kan ik mijn wachtwoord resetten?").json()
    assert body["sources"][0]["title"] == "Passwords"


def test_a_source_added_during_the_move_is_embedded_by_both_models(settings: Settings, clean_db: Database) -> None:
    tenant = make_tenant(clean_db, settings, 8402, KNOWLEDGE, ANSWER_ALWAYS % "all-MiniLM-L6-v2")
    tenants.update_tenant(
        clean_db, settings, tenant, TenantUpdate(settings={"embedding_model": "multilingual-e5-small"})
    )
    body = {"tenant_id": tenant, "type": "text", "title": "Backups", "content": "We back up every site daily."}
    source = sources.create_source(clean_db, settings, SOURCE_CREATE.validate_python(body))
    with clean_db.operator() as conn:
        job = conn.execute("SELECT id FROM ingest_jobs WHERE source_id = %s", [source.id]).fetchone()["id"]
    assert worker.run_job(clean_db, settings, job, "test") is not None  # before the other sources' moves
    assert _index_model(clean_db, tenant) == "all-MiniLM-L6-v2"  # the others still lack the new model
    assert _chunks_by_model(clean_db, tenant) == {"all-MiniLM-L6-v2": 4, "multilingual-e5-small": 1}
    while worker.run_once(clean_db, settings, "test"):
        pass
    assert _index_model(clean_db, tenant) == "multilingual-e5-small"
    assert _chunks_by_model(clean_db, tenant) == {"all-MiniLM-L6-v2": 4, "multilingual-e5-small": 4}


def test_a_tenant_without_knowledge_switches_at_once(settings: Settings, clean_db: Database) -> None:
    tenant = make_tenant(clean_db, settings, 8403, {}, ANSWER_ALWAYS % "all-MiniLM-L6-v2")
    updated = tenants.update_tenant(
        clean_db, settings, tenant, TenantUpdate(settings={"embedding_model": "multilingual-e5-small"})
    )
    assert updated.index_model == "multilingual-e5-small"


def test_chunks_record_their_language_for_the_keyword_search(settings: Settings, clean_db: Database) -> None:
    dutch = "Je kunt je wachtwoord opnieuw instellen via de inlogpagina. Klik op 'Wachtwoord vergeten' en volg de link."
    tenant = make_tenant(
        clean_db, settings, 8404, {"Wachtwoord": dutch, **KNOWLEDGE}, ANSWER_ALWAYS % "all-MiniLM-L6-v2"
    )
    with clean_db.operator() as conn:
        rows = conn.execute(
            """SELECT e.metadata ->> 'title' AS title, e.language::text AS language,
                      e.content_tsv @@ to_tsquery('dutch', 'wachtwoorden') AS stemmed
               FROM embeddings e WHERE e.tenant_id = %s ORDER BY 1""",
            [tenant],
        ).fetchall()
    languages = {row["title"]: row["language"] for row in rows}
    assert languages == {"Wachtwoord": "dutch", "Passwords": "english", "Prices": "english", "Support hours": "english"}
    # The Dutch chunk is stemmed in Dutch: a plural finds the singular.
    assert [row["title"] for row in rows if row["stemmed"]] == ["Wachtwoord"]
