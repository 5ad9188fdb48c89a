"""The sources admin API: adding each kind of source, uploads, listing, deleting, asking for ingestion."""

from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem, client_for
from tinyeclipse.db import Database

FAQ = [{"question": "Do you have phone support?", "answer": "Yes, on weekdays from 9 to 5."}]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def tenant_id(admin: TestClient) -> str:
    response = admin.post("/api/admin/tenants", json={"name": "Acme", "whmcs_client_id": 9001, "plan": "pro"})
    return response.json()["id"]


def _queued_jobs(db: Database, source_id: str) -> list[dict]:
    with db.operator() as conn:
        return conn.execute(
            "SELECT id, status, reason FROM ingest_jobs WHERE source_id = %s ORDER BY id", [source_id]
        ).fetchall()


@pytest.mark.parametrize(
    "body",
    [
        {"type": "text", "title": "About us", "content": "# About\n\nWe host websites since 2004."},
        {"type": "faq", "title": "FAQ", "content": FAQ},
        {"type": "url", "url": "https://docs.example.com/start", "title": "Docs"},
        {"type": "url", "url": "https://docs.example.com/", "crawl": True, "max_pages": 20},
        {"type": "pdf", "url": "https://example.com/terms.pdf"},
    ],
)
def test_each_kind_of_source_is_created_pending_with_a_queued_job(
    admin: TestClient, clean_db: Database, tenant_id: str, body: dict
) -> None:
    response = admin.post("/api/admin/sources", json={"tenant_id": tenant_id, **body})
    assert response.status_code == 201, response.text
    source = response.json()
    assert source["status"] == "pending" and source["chunk_count"] == 0 and source["error"] is None
    assert source["type"] == body["type"] and source["tenant_id"] == tenant_id
    assert source["content"] == body.get("content")
    assert [(job["status"], job["reason"]) for job in _queued_jobs(clean_db, source["id"])] == [("queued", "created")]
    assert admin.get(f"/api/admin/sources/{source['id']}").json() == source


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"type": "faq", "content": "Q: what? A: that"}, "faq.content: Input should be a valid array"),
        ({"type": "faq", "content": [{"question": "Only a question"}]}, "faq.content.0.answer: Field required"),
        ({"type": "faq", "content": []}, "faq.content: List should have at least 1 item"),
        ({"type": "faq", "content": [{"question": "Q", "answer": "A", "extra": 1}]}, "extra"),
        ({"type": "text"}, "text.content: Field required"),
        ({"type": "text", "content": "   "}, "must not be blank"),
        ({"type": "text", "content": "x", "url": "https://example.com"}, "text.url: Extra inputs"),
        ({"type": "url"}, "url.url: Field required"),
        ({"type": "url", "url": "ftp://example.com/file"}, "url.url"),
        ({"type": "url", "url": "https://example.com", "content": "x"}, "url.content: Extra inputs"),
        ({"type": "text", "content": "x", "crawl": True}, "text.crawl: Extra inputs"),
        ({"type": "url", "url": "https://example.com", "max_pages": 5}, "max_pages needs crawl"),
        ({"type": "url", "url": "https://example.com", "crawl": True, "max_pages": 0}, "max_pages"),
        ({"type": "video", "url": "https://example.com"}, "type"),
    ],
)
def test_bad_sources_are_422_problems_that_say_what_is_wrong(
    admin: TestClient, tenant_id: str, body: dict, says: str
) -> None:
    detail = assert_problem(
        admin.post("/api/admin/sources", json={"tenant_id": tenant_id, **body}), 422, "invalid_request"
    )
    assert says in detail


def test_sources_need_an_existing_tenant_and_valid_json(admin: TestClient) -> None:
    unknown = {"tenant_id": str(uuid4()), "type": "text", "content": "hello"}
    assert_problem(admin.post("/api/admin/sources", json=unknown), 404, "tenant_not_found")
    response = admin.post("/api/admin/sources", content=b"{nope", headers={"Content-Type": "application/json"})
    assert "JSON" in assert_problem(response, 422, "invalid_request")
    assert_problem(admin.post("/api/admin/sources", json={"type": "text", "content": "x"}), 422, "invalid_request")


def test_a_pdf_upload_is_stored_with_its_file_name(admin: TestClient, clean_db: Database, tenant_id: str) -> None:
    response = admin.post(
        "/api/admin/sources",
        data={"tenant_id": tenant_id, "type": "pdf", "title": "Terms"},
        files={"file": ("terms.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    source = response.json()
    assert (source["type"], source["title"], source["filename"], source["url"]) == ("pdf", "Terms", "terms.pdf", None)
    with clean_db.operator() as conn:
        stored = conn.execute("SELECT data FROM source_files WHERE source_id = %s", [source["id"]]).fetchone()
    assert stored["data"] == PDF
    assert len(_queued_jobs(clean_db, source["id"])) == 1


def test_uploads_that_are_not_pdfs_too_big_or_incomplete_are_refused(
    admin: TestClient, settings, clean_db: Database, tenant_id: str
) -> None:
    def upload(data: bytes, **fields: str):
        files = {"file": ("doc.pdf", data, "application/pdf")}
        return admin.post("/api/admin/sources", data={"tenant_id": tenant_id, **fields}, files=files)

    assert "not a PDF" in assert_problem(upload(b"GIF89a not a pdf"), 422, "invalid_request")
    assert_problem(upload(PDF, type="text"), 422, "invalid_request")
    response = admin.post("/api/admin/sources", data={"tenant_id": tenant_id})
    assert "file" in assert_problem(response, 422, "invalid_request")

    from functions.admin.app import app
    from tinyeclipse.config import get_settings

    app.dependency_overrides[get_settings] = lambda: settings.model_copy(update={"ingest_max_pdf_bytes": 1000})
    assert "limit is 1000 bytes" in assert_problem(upload(PDF + b"0" * 2000), 413, "payload_too_large")
    with clean_db.operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM sources").fetchone()["n"] == 0


def test_list_is_per_tenant_and_paginated(admin: TestClient, tenant_id: str) -> None:
    other = admin.post("/api/admin/tenants", json={"name": "Other", "whmcs_client_id": 9002}).json()["id"]
    for n in range(3):
        admin.post("/api/admin/sources", json={"tenant_id": tenant_id, "type": "text", "content": f"text {n}"})
    admin.post("/api/admin/sources", json={"tenant_id": other, "type": "text", "content": "theirs"})
    page = admin.get("/api/admin/sources", params={"tenant_id": tenant_id, "limit": 2}).json()
    rest = admin.get("/api/admin/sources", params={"tenant_id": tenant_id, "limit": 2, "offset": 2}).json()
    assert page["total"] == 3
    assert [s["content"] for s in page["items"] + rest["items"]] == ["text 2", "text 1", "text 0"]
    assert [s["content"] for s in admin.get("/api/admin/sources", params={"tenant_id": other}).json()["items"]] == [
        "theirs"
    ]
    assert_problem(admin.get("/api/admin/sources"), 422, "invalid_request")
    assert_problem(admin.get("/api/admin/sources", params={"tenant_id": str(uuid4())}), 404, "tenant_not_found")


def test_delete_removes_the_source_with_its_chunks(admin: TestClient, clean_db: Database, tenant_id: str) -> None:
    source = admin.post("/api/admin/sources", json={"tenant_id": tenant_id, "type": "text", "content": "x"}).json()
    with clean_db.tenant(UUID(tenant_id)) as conn:
        document = conn.execute(
            "INSERT INTO documents (tenant_id, source_id, key, content_hash, position)"
            " VALUES (%s, %s, 'text', 'h', 0) RETURNING id",
            [tenant_id, source["id"]],
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO embeddings"
            " (tenant_id, source_id, document_id, chunk_index, content, embedding, embedding_model)"
            " VALUES (%s, %s, %s, 0, 'x', array_fill(0.1, ARRAY[384])::vector, 'all-MiniLM-L6-v2')",
            [tenant_id, source["id"], document],
        )
    assert admin.delete(f"/api/admin/sources/{source['id']}").status_code == 204
    assert_problem(admin.get(f"/api/admin/sources/{source['id']}"), 404, "source_not_found")
    assert_problem(admin.delete(f"/api/admin/sources/{source['id']}"), 404, "source_not_found")
    with clean_db.operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM embeddings").fetchone()["n"] == 0
        assert conn.execute("SELECT count(*) AS n FROM ingest_jobs").fetchone()["n"] == 0


def test_asking_for_ingestion_is_accepted_once_per_waiting_job(
    admin: TestClient, clean_db: Database, tenant_id: str
) -> None:
    source = admin.post("/api/admin/sources", json={"tenant_id": tenant_id, "type": "text", "content": "x"}).json()
    first = admin.post(f"/api/admin/sources/{source['id']}/ingest")
    second = admin.post(f"/api/admin/sources/{source['id']}/ingest")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"] and first.json()["status"] == "queued"
    assert len(_queued_jobs(clean_db, source["id"])) == 1
    assert_problem(admin.post(f"/api/admin/sources/{uuid4()}/ingest"), 404, "source_not_found")
    assert_problem(admin.post("/api/admin/sources/nope/ingest"), 422, "invalid_request")


def test_sources_need_the_admin_key(settings, clean_db: Database) -> None:
    from functions.admin.app import app

    with client_for(app, settings, clean_db) as anonymous:
        assert anonymous.get("/api/admin/sources", params={"tenant_id": str(uuid4())}).status_code == 401
        assert anonymous.post("/api/admin/sources", json={}).status_code == 401
    app.dependency_overrides.clear()
