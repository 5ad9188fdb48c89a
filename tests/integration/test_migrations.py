"""Migrations build the schema from an empty database, and roll back to empty."""

import psycopg
import pytest

from tests.conftest import TABLES, Cluster
from tinyeclipse import migrations


@pytest.fixture
def empty_database(cluster: Cluster) -> tuple[str, str]:
    return cluster.create_database("migrations_from_empty")


def _tables(conn: psycopg.Connection) -> dict[str, tuple[bool, bool]]:
    rows = conn.execute(
        """SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
           WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'alembic_version'"""
    ).fetchall()
    return {name: (enabled, forced) for name, enabled, forced in rows}


def test_upgrade_from_empty_creates_every_table_with_forced_rls(empty_database: tuple[str, str]) -> None:
    _, owner_url = empty_database
    migrations.upgrade(owner_url)
    with psycopg.connect(owner_url) as conn:
        tables = _tables(conn)
        assert set(tables) == set(TABLES)
        assert all(tables[name] == (True, True) for name in TABLES), tables
        policies = conn.execute("SELECT tablename, policyname FROM pg_policies").fetchall()
        assert {table for table, policy in policies if policy == "tenant_isolation"} == set(TABLES)
        embedding_type = conn.execute(
            """SELECT format_type(atttypid, atttypmod) FROM pg_attribute
               WHERE attrelid = 'embeddings'::regclass AND attname = 'embedding'"""
        ).fetchone()
        assert embedding_type == ("vector(384)",)
        # Vectors inline, and no graph shared by every tenant: a big tenant's chunks get their own (migration 0009).
        storage = conn.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'embeddings'::regclass AND attname = 'embedding'"
        ).fetchone()
        assert storage == ("m",)
        assert conn.execute("SELECT to_regclass('embeddings_embedding_hnsw_idx')").fetchone() == (None,)


def test_downgrade_to_base_leaves_nothing_and_upgrade_again_works(empty_database: tuple[str, str]) -> None:
    _, owner_url = empty_database
    migrations.upgrade(owner_url)
    migrations.downgrade(owner_url, "base")
    with psycopg.connect(owner_url) as conn:
        assert _tables(conn) == {}
    migrations.upgrade(owner_url)
    with psycopg.connect(owner_url) as conn:
        assert set(_tables(conn)) == set(TABLES)


def test_the_app_role_owns_nothing_and_cannot_bypass_rls(settings) -> None:
    with psycopg.connect(settings.database_url.get_secret_value()) as conn:
        role = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
        assert role == (False, False)
        owned = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()
        assert owned == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("ALTER TABLE tenants DISABLE ROW LEVEL SECURITY")
