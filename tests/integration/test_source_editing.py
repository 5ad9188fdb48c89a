"""Editing knowledge (PATCH /api/admin/sources/{id}) and browsing a source's chunks (GET .../chunks)."""

from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.webserver import WebServer, web_server_fixture  # noqa: F401
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import worker

FAQ = [
    {"question": "Do you have phone support?", "answer": "Yes, on weekdays from 9 to 5."},
    {"question": "Where are your servers?", "answer": "Our servers are in Amsterdam."},
    {"question": "Do you offer refunds?", "answer": "Within 30 days, no questions asked."},
]


def _index(db: Database, settings: Settings) -> None:
    while worker.run_once(db, settings, "test"):
        pass


def _tenant(admin: TestClient, whmcs: int = 9101) -> str:
    return admin.post("/api/admin/tenants", json={"name": f"Acme {whmcs}", "whmcs_client_id": whmcs}).json()["id"]


def _source(admin: TestClient, db: Database, settings: Settings, tenant: str, **body: object) -> dict:
    created = admin.post("/api/admin/sources", json={"tenant_id": tenant, **body})
    assert created.status_code == 201, created.text
    _index(db, settings)
    return admin.get(f"/api/admin/sources/{created.json()['id']}").json()


def _chunks(admin: TestClient, source_id: str, **params: object) -> dict:
    response = admin.get(f"/api/admin/sources/{source_id}/chunks", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_faq_pairs_added_edited_and_removed_reindex_only_what_changed(
    admin: TestClient, clean_db: Database, settings: Settings
) -> None:
    tenant = _tenant(admin)
    source = _source(admin, clean_db, settings, tenant, type="faq", title="FAQ", content=FAQ)
    assert source["status"] == "indexed" and source["document_count"] == 3
    before = {chunk["question"]: chunk for chunk in _chunks(admin, source["id"])["items"]}

    pairs = [
        FAQ[0],  # kept as it was
        {"question": FAQ[1]["question"], "answer": "Our servers are in Frankfurt since 2025."},  # edited
        {"question": "Can I pay by invoice?", "answer": "Yes, business customers can."},  # added; refunds removed
    ]
    response = admin.patch(f"/api/admin/sources/{source['id']}", json={"content": pairs, "title": "Help"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "pending"
    assert response.json()["content"] == pairs and response.json()["title"] == "Help"
    _index(clean_db, settings)

    after = {chunk["question"]: chunk for chunk in _chunks(admin, source["id"])["items"]}
    assert set(after) == {FAQ[0]["question"], FAQ[1]["question"], "Can I pay by invoice?"}
    # The title is part of every FAQ document, so a new title re-embeds them all; without it only the edited
    # pair is new (next test).
    assert "Frankfurt" in after[FAQ[1]["question"]]["content"]
    assert admin.get(f"/api/admin/sources/{source['id']}").json()["status"] == "indexed"
    assert before[FAQ[0]["question"]]["content"] == after[FAQ[0]["question"]]["content"]


def test_an_unchanged_pair_keeps_its_chunk(admin: TestClient, clean_db: Database, settings: Settings) -> None:
    tenant = _tenant(admin)
    source = _source(admin, clean_db, settings, tenant, type="faq", title="FAQ", content=FAQ)
    before = {chunk["question"]: chunk["id"] for chunk in _chunks(admin, source["id"])["items"]}
    edited = [FAQ[0], {**FAQ[1], "answer": "Our servers are in Frankfurt."}, FAQ[2]]
    assert admin.patch(f"/api/admin/sources/{source['id']}", json={"content": edited}).status_code == 200
    _index(clean_db, settings)
    after = {chunk["question"]: chunk["id"] for chunk in _chunks(admin, source["id"])["items"]}
    assert after[FAQ[0]["question"]] == before[FAQ[0]["question"]]
    assert after[FAQ[2]["question"]] == before[FAQ[2]["question"]]
    assert after[FAQ[1]["question"]] != before[FAQ[1]["question"]]


def test_a_text_source_is_edited_and_its_chunks_show_the_new_text(
    admin: TestClient, clean_db: Database, settings: Settings
) -> None:
    tenant = _tenant(admin)
    source = _source(admin, clean_db, settings, tenant, type="text", title="About", content="We host since 2004.")
    assert [chunk["content"] for chunk in _chunks(admin, source["id"])["items"]] == ["We host since 2004."]
    response = admin.patch(f"/api/admin/sources/{source['id']}", json={"content": "# About\n\nWe host since 1999."})
    assert response.status_code == 200 and response.json()["content"] == "# About\n\nWe host since 1999."
    _index(clean_db, settings)
    chunks = _chunks(admin, source["id"])["items"]
    assert len(chunks) == 1 and "We host since 1999." in chunks[0]["content"] and "2004" not in chunks[0]["content"]
    assert chunks[0]["heading"] == "About" and chunks[0]["document_title"] == "About"


def test_chunks_are_paginated_in_reading_order(admin: TestClient, clean_db: Database, settings: Settings) -> None:
    tenant = _tenant(admin)
    pairs = [{"question": f"Question number {i}?", "answer": f"Answer number {i}."} for i in range(7)]
    source = _source(admin, clean_db, settings, tenant, type="faq", content=pairs)
    first = _chunks(admin, source["id"], limit=3)
    rest = _chunks(admin, source["id"], limit=10, offset=3)
    assert first["total"] == rest["total"] == 7 and (first["limit"], rest["offset"]) == (3, 3)
    questions = [chunk["question"] for chunk in first["items"] + rest["items"]]
    assert questions == [pair["question"] for pair in pairs]
    assert [chunk["document_position"] for chunk in first["items"]] == [0, 1, 2]


def test_a_web_source_shows_page_urls_and_last_fetch_and_its_url_and_crawl_can_change(
    admin: TestClient, clean_db: Database, settings: Settings, web_server: WebServer
) -> None:
    fetching = settings.model_copy(update={"ingest_allow_private_urls": True})
    page = "<html><head><title>{0}</title></head><body><main><h1>{0}</h1><p>{1}</p></main></body></html>"
    web_server.route("/ssl", page.format("SSL", "Certificates renew automatically every 60 days."))
    web_server.route("/mail", page.format("Mail", "Use port 993 for IMAP with SSL on every mailbox."))
    tenant = _tenant(admin)
    source = _source(admin, clean_db, fetching, tenant, type="url", url=web_server.url("/ssl"))
    chunk = _chunks(admin, source["id"])["items"][0]
    assert chunk["url"] == web_server.url("/ssl") and "60 days" in chunk["content"]
    assert chunk["fetched_at"] >= source["created_at"]

    response = admin.patch(f"/api/admin/sources/{source['id']}", json={"url": web_server.url("/mail")})
    assert response.status_code == 200 and response.json()["url"] == web_server.url("/mail")
    _index(clean_db, fetching)
    chunk = _chunks(admin, source["id"])["items"][0]
    assert chunk["url"] == web_server.url("/mail") and "993" in chunk["content"]

    crawled = admin.patch(f"/api/admin/sources/{source['id']}", json={"crawl": True, "max_pages": 5}).json()
    assert (crawled["crawl"], crawled["max_pages"]) == (True, 5)
    plain = admin.patch(f"/api/admin/sources/{source['id']}", json={"crawl": False}).json()
    assert (plain["crawl"], plain["max_pages"]) == (False, None)


@pytest.mark.parametrize(
    ("kind", "patch", "says"),
    [
        ("url", {"content": "text"}, "content: a url source has no content"),
        ("text", {"url": "https://example.com/"}, "url: only url sources"),
        ("text", {"crawl": True}, "crawl: only url sources"),
        ("url", {"max_pages": 5}, "max_pages needs crawl"),
        ("faq", {"content": []}, "content: List should have at least 1 item"),
        ("faq", {"content": [{"question": "Only a question"}]}, "content.0.answer: Field required"),
        ("text", {"content": "   "}, "must not be blank"),
        ("text", {"contents": "typo"}, "contents"),
        ("text", {"title": ""}, "title"),
    ],
)
def test_a_bad_edit_is_a_problem_and_changes_nothing(
    admin: TestClient, clean_db: Database, kind: str, patch: dict, says: str
) -> None:
    tenant = _tenant(admin)
    body = {
        "url": {"type": "url", "url": "https://docs.example.com/"},
        "text": {"type": "text", "content": "Some text."},
        "faq": {"type": "faq", "content": FAQ},
    }[kind]
    source = admin.post("/api/admin/sources", json={"tenant_id": tenant, **body}).json()
    detail = assert_problem(admin.patch(f"/api/admin/sources/{source['id']}", json=patch), 422, "invalid_request")
    assert says in detail
    assert admin.get(f"/api/admin/sources/{source['id']}").json() == source


def test_an_unknown_source_cannot_be_edited_or_browsed(admin: TestClient, clean_db: Database) -> None:
    missing = uuid4()
    assert_problem(admin.patch(f"/api/admin/sources/{missing}", json={"title": "x"}), 404, "source_not_found")
    assert_problem(admin.get(f"/api/admin/sources/{missing}/chunks"), 404, "source_not_found")


def test_an_edit_without_changes_queues_nothing(admin: TestClient, clean_db: Database, settings: Settings) -> None:
    tenant = _tenant(admin)
    source = _source(admin, clean_db, settings, tenant, type="text", content="Some text.")
    assert admin.patch(f"/api/admin/sources/{source['id']}", json={}).json() == source
    assert not worker.run_once(clean_db, settings, "test")
