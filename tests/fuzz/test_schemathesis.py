"""Schemathesis against the four apps' OpenAPI schemas, in-process (ASGI) on the real test database.

Every operation gets a fixed number of generated requests (valid and invalid, NUL characters included) from a
fixed seed; every response must be no server error, with a documented status code and content type and a
body matching its schema. Some generated ids are swapped for a seeded tenant, session, conversation, message
and source, so that requests also reach past the 404s into the services.
"""

import hashlib
import importlib
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig

from tests.conftest import ADMIN_KEY, TABLES
from tinyeclipse.chat.engine import build_engine, get_engine
from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import Database, get_database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import SOURCE_CREATE

SEED = 20261201
MAX_EXAMPLES = 40
SESSION = "fuzz-session"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
# Known ids, by the names parameters and fields carry them.
SEEDED: dict[str, str] = {}
# Status codes each operation answered, for the last test.
STATUSES: dict[str, set[int]] = {}
APPS = ("chat", "consent", "ingest", "admin")


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # Derandomized, and no example database: every run sends the same requests.
            # Unknown query parameters are ignored by design (cache busters, newer clients), not a 422.
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "allow-extra-parameters": False,
            },
            # Stateful runs follow links we do not declare; the rest is bounded by max-examples.
            "phases": {"stateful": {"enabled": False}},
            # Answers take the LLM's deadline at worst, not Schemathesis's default 10 s.
            "request-timeout": 60,
            # A schema-valid request may still break a business rule (terms not current, a message of only
            # punctuation): a documented 422, not a failure.
            # The request guard refuses a NUL before the route's authentication runs (a 422 without the key says
            # nothing about it): not "missing Authorization accepted". ignored_auth still holds the key to 401.
            "checks": {"positive_data_acceptance": {"enabled": False}, "missing_required_header": {"enabled": False}},
        }
    )


def _seed(database: Database, settings: Settings) -> None:
    with database.operator() as conn:
        tenant = conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, plan) VALUES (777001, 'Fuzz Hosting', 'pro') RETURNING id"
        ).fetchone()["id"]
    with database.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO consents (tenant_id, session_id, accepted, terms_version) VALUES (%s, %s, true, '1')",
            [tenant, SESSION],
        )
        conversation = conn.execute(
            "INSERT INTO conversations (tenant_id, session_id) VALUES (%s, %s) RETURNING id", [tenant, SESSION]
        ).fetchone()["id"]
        message = conn.execute(
            "INSERT INTO messages (tenant_id, conversation_id, role, content, confidence) "
            "VALUES (%s, %s, 'assistant', 'We back up every night.', 0.8) RETURNING id",
            [tenant, conversation],
        ).fetchone()["id"]
    text = {"tenant_id": tenant, "type": "text", "title": "Backups", "content": "We back up every night."}
    source = sources.create_source(database, settings, SOURCE_CREATE.validate_python(text)).id
    SEEDED.update(
        tenant_id=str(tenant),
        conversation_id=str(conversation),
        message_id=str(message),
        source_id=str(source),
        session_id=SESSION,
    )


@pytest.fixture(scope="module")
def apps(settings: Settings, database: Database) -> Iterator[dict[str, FastAPI]]:
    """The four apps on the test database (extractive answers: no LLM server), with seeded data."""
    fuzz_settings = settings.model_copy(update={"llm_provider": "extractive"})
    engine = build_engine(fuzz_settings)
    _seed(database, fuzz_settings)
    apps = {name: importlib.import_module(f"functions.{name}.app").app for name in APPS}
    for app in apps.values():
        app.dependency_overrides[get_settings] = lambda: fuzz_settings
        app.dependency_overrides[get_database] = lambda: database
    apps["chat"].dependency_overrides[get_engine] = lambda: engine
    yield apps
    for app in apps.values():
        app.dependency_overrides.clear()
    SEEDED.clear()
    with psycopg.connect(settings.migrations_database_url.get_secret_value(), autocommit=True) as owner:
        owner.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")


def _digest(value: object) -> bytes:
    # Choices made from the generated value itself, so that every run makes the same ones.
    return hashlib.sha256(repr(value).encode()).digest()


def _swap_known(values: object) -> None:
    """Replace about half of the generated ids with seeded ones."""
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        if name in SEEDED and _digest(value)[0] < 128:
            values[name] = SEEDED[name]


def _put_nul(values: object) -> bool:
    """A NUL into the first text value (depth first), as the outside test sent; True if there was one."""
    items = values.items() if isinstance(values, dict) else enumerate(values) if isinstance(values, list) else ()
    for key, value in items:
        if isinstance(value, str) and key not in SEEDED:
            values[key] = value[:1] + "\x00" + value[1:]
            return True
        if _put_nul(value):
            return True
    return False


def _visitor_ids_together(body: object) -> None:
    """A visitor's ids come together, as the widget sends them: a body with the seeded tenant gets the seeded
    session (its consent is current) and the seeded conversation or none. Left to chance, the three seldom match,
    and whether any chat request got past the 404s varied from run to run."""
    if not isinstance(body, dict) or body.get("tenant_id") != SEEDED.get("tenant_id") or "session_id" not in body:
        return
    body["session_id"] = SEEDED["session_id"]
    if body.get("conversation_id") not in (None, SEEDED["conversation_id"]):
        body["conversation_id"] = None


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    # Positive cases only: a negative case with a seeded id swapped in could turn valid. Never into what deletes
    # the seeded rows for good (terminating the tenant, erasing the session): the other operations need them.
    destructive = case.path.endswith(("/terminate", "/erase"))
    if case.meta is not None and case.meta.generation.mode.is_positive and not destructive:
        for part in (case.path_parameters, case.query, case.body):
            _swap_known(part)
        _visitor_ids_together(case.body)
        # One case in four: Hypothesis alone seldom puts a NUL where it reaches the database.
        if _digest((case.query, case.body))[1] < 64:
            _put_nul(case.body) or _put_nul(case.query)
    return case


def _schema(name: str) -> Any:
    # From the app in-process (schemathesis.pytest.from_fixture does not work with pytest 9); `app` makes the
    # calls go to it through ASGI, with whatever dependency overrides `apps` has set.
    app = importlib.import_module(f"functions.{name}.app").app
    schema = schemathesis.openapi.from_dict(app.openapi(), config=_config())
    schema.app = app
    return schema


chat = _schema("chat")
consent = _schema("consent")
ingest = _schema("ingest")
admin = _schema("admin")


def _call(case: Any, **kwargs: Any) -> None:
    response = case.call_and_validate(**kwargs)
    STATUSES.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)


@chat.parametrize()
def test_chat(case: Any, apps: dict[str, FastAPI]) -> None:
    _call(case)


@consent.parametrize()
def test_consent(case: Any, apps: dict[str, FastAPI]) -> None:
    _call(case)


@ingest.parametrize()
def test_ingest(case: Any, apps: dict[str, FastAPI]) -> None:
    _call(case)


@admin.parametrize()
def test_admin(case: Any, apps: dict[str, FastAPI]) -> None:
    _call(case, headers=AUTH)


# After the four suites above (file order): they got past the key, the validation and the 404s.
SUCCEEDING = (
    "POST /api/chat",
    "GET /api/chat/config",
    "POST /api/consent",
    "GET /api/consent/check",
    "GET /api/admin/tenants",
    "PATCH /api/admin/tenants/{tenant_id}",
    "GET /api/admin/conversations/{conversation_id}",
    "POST /api/admin/conversations/{conversation_id}/messages",
    "GET /api/admin/sources/{source_id}",
)


@pytest.mark.parametrize("operation", SUCCEEDING)
def test_the_fuzzer_reached_the_services(operation: str) -> None:
    assert any(200 <= status < 300 for status in STATUSES.get(operation, ())), STATUSES.get(operation)
