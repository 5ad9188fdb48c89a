"""Bad input is a problem response, never a 500: NUL characters, lone surrogates, out-of-range pagination,
oversized bodies; the admin schema behind the key; the problem responses documented; OPTIONS and 405 name the
path's real methods; one Vary: Origin."""

import importlib
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, assert_problem, client_for
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

APPS = ("chat", "consent", "ingest", "admin")
NUL_JSON = '"a\\u0000b"'  # JSON text for the string a<NUL>b
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def public(settings: Settings, clean_db: Database) -> Iterator[dict[str, TestClient]]:
    clients = {}
    for name in ("chat", "consent"):
        app = importlib.import_module(f"functions.{name}.app").app
        clients[name] = client_for(app, settings, clean_db)
    yield clients
    for client in clients.values():
        client.app.dependency_overrides.clear()


@pytest.fixture
def tenant(admin: TestClient) -> str:
    return admin.post("/api/admin/tenants", json={"name": "Acme", "whmcs_client_id": 4242}).json()["id"]


@pytest.fixture
def conversation(clean_db: Database, tenant: str) -> UUID:
    with clean_db.tenant(UUID(tenant)) as conn:
        return conn.execute(
            "INSERT INTO conversations (tenant_id, session_id) VALUES (%s, 's') RETURNING id", [tenant]
        ).fetchone()["id"]


def _multipart(tenant: str, filename: bytes) -> bytes:
    # By hand: httpx would percent-encode the NUL in the file's name.
    return (
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="tenant_id"\r\n\r\n' + tenant.encode() + b"\r\n"
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--BOUNDARY--\r\n"
    )


def _json(client: TestClient, method: str, path: str, body: str) -> object:
    return client.request(method, path, content=body.encode(), headers={"Content-Type": "application/json"})


def test_a_nul_in_any_admin_text_is_a_422(admin: TestClient, tenant: str, conversation: UUID) -> None:
    refused = [
        _json(admin, "POST", "/api/admin/tenants", f'{{"name": {NUL_JSON}, "whmcs_client_id": 1}}'),
        _json(admin, "PATCH", f"/api/admin/tenants/{tenant}", f'{{"name": {NUL_JSON}}}'),
        _json(admin, "PATCH", f"/api/admin/tenants/{tenant}", f'{{"settings": {{"greeting": {NUL_JSON}}}}}'),
        _json(admin, "PATCH", f"/api/admin/tenants/{tenant}", f'{{"settings": {{{NUL_JSON}: "x"}}}}'),
        _json(
            admin, "POST", "/api/admin/sources", f'{{"tenant_id": "{tenant}", "type": "text", "content": {NUL_JSON}}}'
        ),
        _json(admin, "POST", f"/api/admin/conversations/{conversation}/messages", f'{{"content": {NUL_JSON}}}'),
        admin.get("/api/admin/tenants", params={"search": "a\x00b"}),
        admin.get("/api/admin/conversations?tenant_id=%00"),
        admin.post(
            "/api/admin/sources",
            data={"tenant_id": tenant, "title": "a\x00b"},
            files={"file": ("terms.pdf", PDF, "application/pdf")},
        ),
        admin.post(
            "/api/admin/sources",
            content=_multipart(tenant, filename=b"a\x00.pdf"),
            headers={"Content-Type": "multipart/form-data; boundary=BOUNDARY"},
        ),
    ]
    for response in refused:
        assert "NUL" in assert_problem(response, 422, "invalid_request")
    # Nothing was written on the way.
    assert admin.get(f"/api/admin/tenants/{tenant}").json()["name"] == "Acme"
    assert admin.get("/api/admin/sources", params={"tenant_id": tenant}).json()["total"] == 0


def test_a_nul_in_a_visitors_request_is_a_422(public: dict[str, TestClient], tenant: str) -> None:
    chat, consent = public["chat"], public["consent"]
    refused = [
        _json(chat, "POST", "/api/chat", f'{{"tenant_id": "{tenant}", "session_id": "s", "message": {NUL_JSON}}}'),
        _json(chat, "POST", "/api/chat", f'{{"tenant_id": "{tenant}", "session_id": {NUL_JSON}, "message": "hi"}}'),
        _json(
            consent,
            "POST",
            "/api/consent",
            f'{{"tenant_id": "{tenant}", "session_id": {NUL_JSON}, "accepted": true, "terms_version": "1"}}',
        ),
        consent.get("/api/consent/check", params={"tenant_id": tenant, "session_id": "a\x00"}),
        chat.get(f"/api/chat/conversations/{uuid4()}/messages", params={"tenant_id": tenant, "session_id": "\x00"}),
    ]
    for response in refused:
        assert "NUL" in assert_problem(response, 422, "invalid_request")


def test_a_lone_surrogate_is_a_422_and_an_escaped_backslash_is_just_text(admin: TestClient) -> None:
    response = _json(admin, "POST", "/api/admin/tenants", '{"name": "a\\ud800", "whmcs_client_id": 1}')
    assert "surrogate" in assert_problem(response, 422, "invalid_request")
    # A real pair is an emoji; "\\u0000" is a backslash followed by "u0000".
    pair = _json(admin, "POST", "/api/admin/tenants", '{"name": "a\\ud83d\\ude00", "whmcs_client_id": 2}')
    assert pair.status_code == 201 and pair.json()["name"] == "a😀"
    literal = _json(admin, "POST", "/api/admin/tenants", '{"name": "a\\\\u0000", "whmcs_client_id": 3}')
    assert literal.status_code == 201 and literal.json()["name"] == "a\\u0000"


@pytest.mark.parametrize("path", ["/api/admin/tenants", "/api/admin/conversations", "/api/admin/sources"])
@pytest.mark.parametrize(
    "page", [{"offset": 9223372036854775808}, {"offset": 2**63 - 1}, {"offset": -1}, {"limit": 10**6}, {"limit": 0}]
)
def test_pagination_out_of_range_is_a_422(admin: TestClient, tenant: str, path: str, page: dict[str, int]) -> None:
    assert_problem(admin.get(path, params={"tenant_id": tenant, **page}), 422, "invalid_request")


def test_a_deep_but_valid_offset_is_an_empty_page(admin: TestClient, tenant: str) -> None:
    page = admin.get("/api/admin/tenants", params={"offset": 1_000_000_000}).json()
    assert page["items"] == [] and page["total"] == 1


def test_bodies_over_the_apps_limit_are_a_413(public: dict[str, TestClient], admin: TestClient, tenant: str) -> None:
    message = "x" * (200 * 1024)
    body = {"tenant_id": tenant, "session_id": "s", "message": message}
    assert_problem(public["chat"].post("/api/chat", json=body), 413, "payload_too_large")
    consent = {"tenant_id": tenant, "session_id": "s" * 20_000, "accepted": True, "terms_version": "1"}
    assert_problem(public["consent"].post("/api/consent", json=consent), 413, "payload_too_large")
    # The admin takes a source's text of that size.
    text = {"tenant_id": tenant, "type": "text", "title": "Long", "content": message}
    assert admin.post("/api/admin/sources", json=text).status_code == 201


def test_the_admin_key_is_taken_from_the_header_only(settings: Settings, clean_db: Database) -> None:
    from functions.admin.app import app

    with client_for(app, settings, clean_db) as client:
        for name in ("key", "api_key", "token", "access_token", "authorization"):
            assert_problem(client.get("/api/admin/tenants", params={name: ADMIN_KEY}), 401, "unauthorized")
    app.dependency_overrides.clear()


def test_the_admin_schema_and_docs_need_the_key(admin: TestClient) -> None:
    bare = TestClient(admin.app)
    assert_problem(bare.get("/api/admin/openapi.json"), 401, "unauthorized")
    assert_problem(bare.get("/api/admin/docs"), 401, "unauthorized")
    assert "/api/admin/tenants" in admin.get("/api/admin/openapi.json").json()["paths"]
    assert "swagger" in admin.get("/api/admin/docs").text.lower()


@pytest.mark.parametrize("name", ["chat", "consent", "ingest"])
def test_public_schemas_stay_public(name: str) -> None:
    client = TestClient(importlib.import_module(f"functions.{name}.app").app)
    assert client.get(f"/api/{name}/openapi.json").json()["info"]["title"] == f"TinyEclipse {name}"
    assert client.get(f"/api/{name}/docs").status_code == 200


def _operations(name: str) -> Iterator[tuple[str, str, dict]]:
    schema = importlib.import_module(f"functions.{name}.app").app.openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


@pytest.mark.parametrize("name", APPS)
def test_every_operation_documents_its_problem_responses(name: str) -> None:
    schema = importlib.import_module(f"functions.{name}.app").app.openapi()
    assert schema["components"]["schemas"]["Problem"]["required"] == ["code", "detail"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for method, path, operation in _operations(name):
        responses = operation["responses"]
        expected = {"422", "503"}
        expected |= {"413"} if "requestBody" in operation else set()
        expected |= {"404"} if "{" in path else set()
        expected |= {"401"} if name == "admin" and not path.endswith("/health") else set()
        assert expected <= set(responses), f"{method} {path}: {sorted(responses)}"
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], f"{method} {path} {status}"
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }


def test_route_specific_problems_are_documented() -> None:
    chat = {(method, path): set(op["responses"]) for method, path, op in _operations("chat")}
    assert {"403", "404", "429"} <= chat[("POST", "/api/chat")]
    consent = {(method, path): set(op["responses"]) for method, path, op in _operations("consent")}
    assert {"403", "404", "429"} <= consent[("POST", "/api/consent")]
    assert (
        "Retry-After"
        in next(op for method, path, op in _operations("chat") if (method, path) == ("POST", "/api/chat"))["responses"][
            "429"
        ]["headers"]
    )


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/admin/tenants/{id}", "GET, PATCH, OPTIONS"),
        ("/api/admin/tenants", "GET, POST, OPTIONS"),
        ("/api/admin/sources/{id}", "GET, PATCH, DELETE, OPTIONS"),
        ("/api/admin/conversations/{id}", "GET, PATCH, OPTIONS"),
        ("/api/admin/conversations/{id}/messages", "POST, OPTIONS"),
    ],
)
def test_options_and_405_name_every_method_of_the_path(admin: TestClient, path: str, allowed: str) -> None:
    path = path.replace("{id}", str(uuid4()))
    options = admin.options(path)
    assert options.status_code == 204 and options.headers["allow"] == allowed
    wrong = admin.put(path, json={})
    assert_problem(wrong, 405, "method_not_allowed")
    assert wrong.headers["allow"] == allowed


def test_chat_config_varies_on_origin_once(public: dict[str, TestClient], tenant: str) -> None:
    response = public["chat"].get(
        "/api/chat/config", params={"tenant_id": tenant}, headers={"Origin": "https://a.example"}
    )
    assert response.status_code == 200
    assert response.headers.get_list("vary") == ["Origin"]
