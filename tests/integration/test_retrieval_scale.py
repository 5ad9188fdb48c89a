"""The vector half's physical design at small sizes (migration 0009): a small tenant is searched exactly, a big one
in a graph of its own, whatever plan the pool's connection has cached. Timing is bench/scale.py's business."""

from collections.abc import Iterator
from uuid import UUID, uuid4

import numpy as np
import psycopg
import pytest

from tinyeclipse import migrations
from tinyeclipse.chat import retrieval
from tinyeclipse.db import Database
from tinyeclipse.ingestion import repository as ingestion_repository
from tinyeclipse.tenants import service as tenants

MODEL = "all-MiniLM-L6-v2"
# More searches than psycopg's prepare threshold (5) plus Postgres' custom plans before a generic one (5).
REPEATS = 12


def unit(rng: np.random.Generator, count: int, centre: np.ndarray | None = None) -> np.ndarray:
    vectors = rng.normal(size=(count, 384)).astype(np.float32)
    if centre is not None:
        vectors = centre + 0.5 * vectors / np.sqrt(384)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def add_tenant(db: Database, whmcs: int, vectors: np.ndarray) -> tuple[UUID, list[int]]:
    """A tenant whose chunks have these vectors; their ids in the same order."""
    tenant_id = uuid4()
    with db.operator() as conn:
        conn.execute(
            "INSERT INTO tenants (id, whmcs_client_id, name) VALUES (%s, %s, %s)", [tenant_id, whmcs, f"T{whmcs}"]
        )
    with db.tenant(tenant_id) as conn:
        source = conn.execute(
            "INSERT INTO sources (tenant_id, type, status) VALUES (%s, 'text', 'indexed') RETURNING id", [tenant_id]
        ).fetchone()["id"]
        document = conn.execute(
            "INSERT INTO documents (tenant_id, source_id, key, content_hash, position)"
            " VALUES (%s, %s, 'text', 'h', 0) RETURNING id",
            [tenant_id, source],
        ).fetchone()["id"]
        ids = []
        for index, vector in enumerate(vectors):
            ids.append(
                conn.execute(
                    "INSERT INTO embeddings (tenant_id, source_id, document_id, chunk_index, content, embedding,"
                    " embedding_model) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    [tenant_id, source, document, index, f"chunk {index}", vector, MODEL],
                ).fetchone()["id"]
            )
    return tenant_id, ids


def nearest(vectors: np.ndarray, ids: list[int], query: np.ndarray, k: int = 5) -> list[int]:
    order = np.argsort(-(vectors @ query), kind="stable")
    return [ids[i] for i in order[:k]]


def search(conn: psycopg.Connection, tenant_id: UUID, query: np.ndarray) -> list[int]:
    found = retrieval.search(
        conn, retrieval.Query(tenant_id, MODEL, query, keywords="", words="simple"), k=5, candidates=20
    )
    return [hit.chunk_id for hit in found]


def graph_scans(owner: psycopg.Connection, tenant_id: UUID) -> int:
    name = owner.execute("SELECT tenant_vector_index(%s, %s)", [tenant_id, MODEL]).fetchone()[0]
    owner.execute("SELECT pg_stat_clear_snapshot()")
    row = owner.execute("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = %s", [name]).fetchone()
    return row[0]


@pytest.fixture
def graphs(owner: psycopg.Connection) -> Iterator[None]:
    """Drops the tenants' graphs the test made (the tables are emptied, the indexes would stay)."""
    yield
    names = owner.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' AND indexname LIKE 'embeddings\\_hnsw\\_%'"
    ).fetchall()
    for (name,) in names:
        owner.execute(f'DROP INDEX "{name}"')


def test_a_small_tenant_gets_its_exact_nearest_chunks_from_a_connection_that_caches_plans(
    clean_db: Database, graphs: None
) -> None:
    rng = np.random.default_rng(1)
    centre = unit(rng, 1)[0]
    # A crowd of another tenant's chunks around the same point: a shared graph filtered afterwards would wade
    # through them; the exact scan never sees them.
    add_tenant(clean_db, 9101, unit(rng, 400, centre))
    vectors = unit(rng, 60, centre)
    tenant_id, ids = add_tenant(clean_db, 9102, vectors)
    with clean_db.tenant(tenant_id) as conn:
        assert ingestion_repository.ensure_vector_index(conn, tenant_id, MODEL) is False
    queries = unit(rng, REPEATS, centre)
    for query in queries:
        with clean_db.tenant(tenant_id) as conn:
            assert search(conn, tenant_id, query) == nearest(vectors, ids, query)


def test_a_big_tenant_is_searched_in_its_own_graph_also_after_many_queries(
    clean_db: Database, owner: psycopg.Connection, graphs: None
) -> None:
    rng = np.random.default_rng(2)
    centre = unit(rng, 1)[0]
    small, _ = add_tenant(clean_db, 9201, unit(rng, 30, centre))
    vectors = unit(rng, 150, centre)
    big, ids = add_tenant(clean_db, 9202, vectors)
    # The planner's statistics as they are now, not as an earlier test's rows left them (it chose the exact scan
    # for the big tenant after the whole suite had run).
    owner.execute("ANALYZE embeddings")
    with clean_db.tenant(big) as conn:
        assert ingestion_repository.ensure_vector_index(conn, big, MODEL, min_chunks=100) is True
    with clean_db.tenant(small) as conn:
        assert ingestion_repository.ensure_vector_index(conn, small, MODEL, min_chunks=100) is False
    predicate = owner.execute(
        "SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
        " WHERE indexrelid = to_regclass(tenant_vector_index(%s, %s))",
        [big, MODEL],
    ).fetchone()[0]
    assert str(big) in predicate and MODEL in predicate

    before = graph_scans(owner, big)
    for query in unit(rng, REPEATS, centre):
        with clean_db.tenant(big) as conn:
            # The graph holds fewer chunks than the search keeps candidates: it finds the exact nearest.
            assert search(conn, big, query) == nearest(vectors, ids, query)
            conn.execute("SELECT pg_stat_force_next_flush()")
    assert graph_scans(owner, big) - before == REPEATS

    # Asking again changes nothing: the graph is there.
    with clean_db.tenant(big) as conn:
        assert ingestion_repository.ensure_vector_index(conn, big, MODEL, min_chunks=100) is True


def test_a_tenant_cannot_build_a_graph_of_another_tenants_chunks(clean_db: Database, graphs: None) -> None:
    rng = np.random.default_rng(3)
    mine, _ = add_tenant(clean_db, 9301, unit(rng, 3))
    theirs, _ = add_tenant(clean_db, 9302, unit(rng, 3))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), clean_db.tenant(mine) as conn:
        conn.execute("SELECT index_tenant_vectors(%s, %s)", [theirs, MODEL])


def test_the_upgrade_builds_graphs_for_tenants_already_big_and_stores_vectors_inline(cluster) -> None:
    app_url, owner_url = cluster.create_database("tenant_vectors_upgrade")
    migrations.upgrade(owner_url, "0008")
    db = Database(app_url, max_size=1)
    db.open()
    try:
        rng = np.random.default_rng(4)
        # The 0009 revision's threshold: the tenant at it gets a graph, the one below does not.
        big, _ = add_tenant(db, 9401, unit(rng, 5_000))
        small, _ = add_tenant(db, 9402, unit(rng, 4_999))
        migrations.upgrade(owner_url)
        with db.tenant(big) as conn:
            assert ingestion_repository.ensure_vector_index(conn, big, MODEL, min_chunks=10**6) is True
        with db.tenant(small) as conn:
            assert ingestion_repository.ensure_vector_index(conn, small, MODEL, min_chunks=10**6) is False
    finally:
        db.close()
    with psycopg.connect(owner_url) as conn:
        storage = conn.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'embeddings'::regclass AND attname = 'embedding'"
        ).fetchone()[0]
        assert storage == "m"
        shared = conn.execute("SELECT to_regclass('embeddings_embedding_hnsw_idx')").fetchone()[0]
        assert shared is None
        forced = conn.execute("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'embeddings'::regclass").fetchone()
        assert forced == (True,)


def test_terminating_a_tenant_drops_its_own_graphs_and_no_other(
    clean_db: Database, owner: psycopg.Connection, graphs: None
) -> None:
    rng = np.random.default_rng(4)
    gone, _ = add_tenant(clean_db, 9401, unit(rng, 120))
    kept, _ = add_tenant(clean_db, 9402, unit(rng, 120))
    for tenant in (gone, kept):
        with clean_db.tenant(tenant) as conn:
            assert ingestion_repository.ensure_vector_index(conn, tenant, MODEL, min_chunks=100) is True
    tenants.terminate_tenant(clean_db, gone, actor="test")

    def graph_of(tenant: UUID) -> object:
        return owner.execute("SELECT to_regclass(tenant_vector_index(%s, %s))", [tenant, MODEL]).fetchone()[0]

    assert graph_of(gone) is None
    assert graph_of(kept) is not None
    with pytest.raises(psycopg.errors.InsufficientPrivilege), clean_db.tenant(gone) as conn:
        conn.execute("SELECT drop_tenant_vectors(%s)", [kept])
