"""Fixtures of the chat tests: a chat app on real Postgres and the real model, a hosting tenant with knowledge."""

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.conftest import client_for
from tinyeclipse.chat.engine import build_engine, get_engine
from tinyeclipse.config import Settings
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE

HOSTING = {
    "Domains": "To transfer a domain to us, unlock it at your current registrar and request the EPP code. "
    "A transfer of a .com domain takes up to five days.",
    "Email": "Use mail.demo.example on port 993 with SSL for IMAP. Outgoing mail uses port 465.",
    "Backups": "We back up all files and databases every night and keep the backups for 30 days.",
}
BAKERY = {"Bread": "Our sourdough bread is baked every morning at 5 am with organic rye flour."}


def make_tenant(db: Database, settings: Settings, whmcs: int, knowledge: dict[str, str], overrides: str = "{}") -> UUID:
    model = json.loads(overrides).get("embedding_model", "all-MiniLM-L6-v2")
    with db.operator() as conn:
        tenant_id = conn.execute(
            """INSERT INTO tenants (whmcs_client_id, name, plan, settings, index_model)
               VALUES (%s, %s, 'pro', %s, %s) RETURNING id""",
            [whmcs, f"Tenant {whmcs}", overrides, model],
        ).fetchone()["id"]
    for title, text in knowledge.items():
        body = {"tenant_id": tenant_id, "type": "text", "title": title, "content": text}
        sources.create_source(db, settings, SOURCE_CREATE.validate_python(body))
    while worker.run_once(db, settings, "test"):
        pass
    return tenant_id


def give_consent(db: Database, tenant_id: UUID, session_id: str, accepted: bool = True, version: str = "1") -> None:
    with db.tenant(tenant_id) as conn:
        conn.execute(
            "INSERT INTO consents (tenant_id, session_id, accepted, terms_version) VALUES (%s, %s, %s, %s)",
            [tenant_id, session_id, accepted, version],
        )


@pytest.fixture
def chat_app(settings: Settings, clean_db: Database) -> Iterator[tuple]:
    from functions.chat.app import app

    def open_client(chat_settings: Settings) -> TestClient:
        engine = build_engine(chat_settings)
        client = client_for(app, chat_settings, clean_db)
        app.dependency_overrides[get_engine] = lambda: engine
        return client

    yield app, open_client
    app.dependency_overrides.clear()


@pytest.fixture
def hosting(settings: Settings, clean_db: Database) -> UUID:
    tenant_id = make_tenant(clean_db, settings, 8001, HOSTING)
    give_consent(clean_db, tenant_id, "visitor-1")
    return tenant_id


@pytest.fixture
def chat(chat_app: tuple, settings: Settings) -> TestClient:
    _, open_client = chat_app
    return open_client(settings.model_copy(update={"llm_provider": "extractive"}))


def ask(client: TestClient, tenant_id: UUID, message: str, session: str = "visitor-1", **extra: object):
    return client.post(
        "/api/chat", json={"tenant_id": str(tenant_id), "session_id": session, "message": message, **extra}
    )


def write_conversation(db: Database, tenant: UUID, *turns: dict[str, Any], closed: bool = False) -> None:
    """A conversation of session "s", each message (with its `feedback`, if given) in its own transaction, as
    the chat and the operator write them: later means later."""
    with db.tenant(tenant) as conn:
        conversation = conversations.create_conversation(conn, tenant, "s")["id"]
    for turn in turns:
        values = {key: value for key, value in turn.items() if key != "feedback"}
        with db.tenant(tenant) as conn:
            message = conversations.insert_message(conn, tenant, conversation, {"content": "…", **values})
            if "feedback" in turn:
                conversations.set_feedback(conn, message["id"], "s", turn["feedback"])
    if closed:
        with db.tenant(tenant) as conn:
            conversations.update_conversation(conn, conversation, {"status": "closed"})
