"""Tenants' SQL. Every function takes a connection from a `Database` transaction."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg import errors, sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from tinyeclipse.db import Connection
from tinyeclipse.tenants.errors import WhmcsClientIdTaken

COLUMNS = "id, whmcs_client_id, name, plan, status, domain, settings, index_model, created_at, updated_at"
UPDATABLE = frozenset({"name", "whmcs_client_id", "plan", "status", "domain", "settings"})


def _check_unique(exc: errors.UniqueViolation, whmcs_client_id: object) -> None:
    if exc.diag.constraint_name == "tenants_whmcs_client_id_key":
        raise WhmcsClientIdTaken(whmcs_client_id) from exc


def insert(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    try:
        row = conn.execute(
            f"""INSERT INTO tenants (whmcs_client_id, name, plan, domain, settings, index_model)
                VALUES (%(whmcs_client_id)s, %(name)s, %(plan)s, %(domain)s, %(settings)s, %(index_model)s)
                RETURNING {COLUMNS}""",
            {**values, "settings": Jsonb(values["settings"])},
        ).fetchone()
    except errors.UniqueViolation as exc:
        _check_unique(exc, values["whmcs_client_id"])
        raise
    assert row is not None
    return row


def get(conn: Connection, tenant_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    return conn.execute(f"SELECT {COLUMNS} FROM tenants WHERE id = %s{lock}", [tenant_id]).fetchone()


def get_by_whmcs_client_id(conn: Connection, whmcs_client_id: int) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {COLUMNS} FROM tenants WHERE whmcs_client_id = %s", [whmcs_client_id]).fetchone()


def list_page(
    conn: Connection,
    *,
    status: str | None,
    plan: str | None,
    search: str | None,
    limit: int,
    offset: int,
    whmcs_client_id: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    where = """WHERE (%(status)s::tenant_status IS NULL OR status = %(status)s)
                 AND (%(plan)s::tenant_plan IS NULL OR plan = %(plan)s)
                 AND (%(whmcs)s::integer IS NULL OR whmcs_client_id = %(whmcs)s)
                 AND (%(search)s::text IS NULL
                      OR name ILIKE %(pattern)s OR domain ILIKE %(pattern)s
                      OR whmcs_client_id::text = %(search)s)"""
    params = {
        "status": status,
        "plan": plan,
        "search": search,
        "whmcs": whmcs_client_id,
        "pattern": None if search is None else f"%{_escape_like(search)}%",
        "limit": limit,
        "offset": offset,
    }
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM tenants {where} ORDER BY created_at DESC, id LIMIT %(limit)s OFFSET %(offset)s",
        params,
    ).fetchall()
    total = conn.execute(f"SELECT count(*) AS n FROM tenants {where}", params).fetchone()
    assert total is not None
    return rows, total["n"]


def update(conn: Connection, tenant_id: UUID, values: dict[str, Any]) -> dict[str, Any] | None:
    unknown = set(values) - UPDATABLE
    assert not unknown, f"not updatable: {unknown}"
    if "settings" in values:
        values = {**values, "settings": Jsonb(values["settings"])}
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column)) for column in values
    )
    query = sql.SQL("UPDATE tenants SET {}, updated_at = now() WHERE id = {} RETURNING {}").format(
        assignments, sql.Placeholder("id"), sql.SQL(COLUMNS)
    )
    try:
        return conn.execute(query, {**values, "id": tenant_id}).fetchone()
    except errors.UniqueViolation as exc:
        _check_unique(exc, values.get("whmcs_client_id"))
        raise


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class IndexModels:
    current: str  # the model of the chunks the answers read
    chosen: str | None  # the tenant's setting (None: not set, keep the current one)


def index_models(conn: Connection, tenant_id: UUID) -> IndexModels | None:
    with conn.cursor(row_factory=class_row(IndexModels)) as cursor:
        return cursor.execute(
            "SELECT index_model AS current, settings ->> 'embedding_model' AS chosen FROM tenants WHERE id = %s",
            [tenant_id],
        ).fetchone()


def set_index_model(conn: Connection, tenant_id: UUID, model: str) -> None:
    conn.execute(
        "UPDATE tenants SET index_model = %s, index_model_since = now() WHERE id = %s AND index_model <> %s",
        [model, tenant_id, model],
    )


def all_settings(conn: Connection) -> list[dict[str, Any]]:
    """Every tenant's id, plan and overrides (operator path)."""
    return conn.execute("SELECT id, plan, settings FROM tenants ORDER BY id").fetchall()


def set_status(conn: Connection, tenant_id: UUID, status: str) -> bool:
    """Whether the status changed (False: it was `status` already)."""
    row = conn.execute(
        "UPDATE tenants SET status = %s, updated_at = now() WHERE id = %s AND status <> %s RETURNING id",
        [status, tenant_id, status],
    ).fetchone()
    return row is not None


def lock_idempotency_key(conn: Connection, key: str) -> None:
    """Serialize the requests with this key until the transaction ends (concurrent retries wait, then replay)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 18))", [f"idempotency:{key}"])


def idempotency_key(conn: Connection, key: str) -> dict[str, Any] | None:
    return conn.execute("SELECT request_hash, tenant_id FROM idempotency_keys WHERE key = %s", [key]).fetchone()


def insert_idempotency_key(conn: Connection, key: str, request_hash: str, tenant_id: UUID) -> None:
    conn.execute(
        "INSERT INTO idempotency_keys (key, request_hash, tenant_id) VALUES (%s, %s, %s)",
        [key, request_hash, tenant_id],
    )
