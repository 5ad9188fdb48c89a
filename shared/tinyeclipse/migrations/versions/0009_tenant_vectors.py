"""Vector search per tenant: an exact scan of a small tenant's chunks, an HNSW graph of its own for a big one.

One HNSW graph over every tenant's chunks, filtered by tenant after the scan, missed a big tenant's nearest chunks
(recall@5 0.96, some queries 0) and never served a small one: the pool's prepared statements fall back to a
generic plan, which scans the tenant's rows exactly for everyone, 100,000 of them for the biggest (bench/scale.py,
docs/benchmarks.md). Now:
- vectors are stored inline (STORAGE MAIN): out of line (the type's default), every row of an exact scan cost
  four buffer reads in the TOAST table; inline, an exact scan of 5,000 chunks is about 5 times faster (9 ms
  instead of 43 on a busy 2-core machine);
- the shared graph is gone; a tenant's chunks of a model get a partial HNSW index of their own from
  VECTOR_INDEX_MIN_CHUNKS on (created here for the tenants already that big, afterwards by ingestion through
  index_tenant_vectors()); retrieval uses it when it exists and scans exactly otherwise.

The upgrade rewrites `embeddings` (an ACCESS EXCLUSIVE lock: seconds for thousands of chunks, minutes for a
million) and builds the big tenants' graphs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# tinyeclipse.ingestion.repository.VECTOR_INDEX_MIN_CHUNKS when this revision was written (a migration stays as
# written).
VECTOR_INDEX_MIN_CHUNKS = 5_000

UPGRADE = """
DROP INDEX embeddings_embedding_hnsw_idx;
-- Inline vectors; the no-op type change with USING rewrites every row, so that the stored ones move inline too.
ALTER TABLE embeddings
    ALTER COLUMN embedding SET STORAGE MAIN,
    ALTER COLUMN embedding TYPE vector(384) USING embedding::real[]::vector(384);

-- The name of the graph of one tenant's chunks of one model (at most 57 characters: Postgres keeps 63).
CREATE FUNCTION tenant_vector_index(tenant uuid, model text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'embeddings_hnsw_' || replace(tenant::text, '-', '') || '_' || left(md5(model), 8);

-- Builds that graph (its owner's right, hence SECURITY DEFINER) for the tenant the transaction is scoped to; the
-- caller decides when its chunks are enough. A plain CREATE INDEX: other tenants' chunk writes wait for the build
-- (about a minute for 100,000 chunks); reads do not.
CREATE FUNCTION index_tenant_vectors(tenant uuid, model text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET maintenance_work_mem = '256MB'
AS $$
DECLARE
    name text := tenant_vector_index(tenant, model);
BEGIN
    IF tenant IS DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::uuid THEN
        RAISE EXCEPTION 'index_tenant_vectors: tenant % is not the one this transaction is scoped to', tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON embeddings USING hnsw (embedding vector_cosine_ops) '
        'WHERE tenant_id = %L::uuid AND embedding_model = %L::text', name, tenant, model);
    RETURN name;
END
$$;
REVOKE ALL ON FUNCTION index_tenant_vectors(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION index_tenant_vectors(uuid, text) TO tinyeclipse_app, tinyeclipse_operator;

-- Drops every graph of the tenant the transaction is scoped to (a terminated tenant leaves no index behind). DROP
-- INDEX locks the table for a moment: call it in a short transaction of its own.
CREATE FUNCTION drop_tenant_vectors(tenant uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    graph text;
    dropped integer := 0;
BEGIN
    IF tenant IS DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::uuid THEN
        RAISE EXCEPTION 'drop_tenant_vectors: tenant % is not the one this transaction is scoped to', tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR graph IN SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'embeddings'
                 AND indexname LIKE 'embeddings\\_hnsw\\_' || replace(tenant::text, '-', '') || '\\_%' LOOP
        EXECUTE format('DROP INDEX %I', graph);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;
REVOKE ALL ON FUNCTION drop_tenant_vectors(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION drop_tenant_vectors(uuid) TO tinyeclipse_app, tinyeclipse_operator;
"""

# The tenants already big enough get their graphs now. RLS is forced on the owner too (it sees no rows), so it is
# lifted for this transaction only.
EXISTING_BIG_TENANTS = f"""
ALTER TABLE embeddings NO FORCE ROW LEVEL SECURITY;
DO $$
DECLARE
    bigs jsonb;
    big record;
BEGIN
    SET LOCAL maintenance_work_mem = '256MB';
    -- Read first: an index cannot be built while a scan of its table is open.
    SELECT coalesce(jsonb_agg(jsonb_build_object('tenant', tenant_id, 'model', embedding_model)), '[]') INTO bigs
    FROM (SELECT tenant_id, embedding_model FROM embeddings GROUP BY 1, 2
          HAVING count(*) >= {VECTOR_INDEX_MIN_CHUNKS}) counted;
    FOR big IN SELECT * FROM jsonb_to_recordset(bigs) AS b(tenant uuid, model text) LOOP
        EXECUTE format(
            'CREATE INDEX %I ON embeddings USING hnsw (embedding vector_cosine_ops) '
            'WHERE tenant_id = %L::uuid AND embedding_model = %L::text',
            tenant_vector_index(big.tenant, big.model), big.tenant, big.model);
    END LOOP;
END
$$;
ALTER TABLE embeddings FORCE ROW LEVEL SECURITY;
"""

DOWNGRADE = """
DO $$
DECLARE
    graph text;
BEGIN
    FOR graph IN SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'embeddings'
                 AND indexname LIKE 'embeddings\\_hnsw\\_%' LOOP
        EXECUTE format('DROP INDEX %I', graph);
    END LOOP;
END
$$;
DROP FUNCTION drop_tenant_vectors(uuid);
DROP FUNCTION index_tenant_vectors(uuid, text);
DROP FUNCTION tenant_vector_index(uuid, text);
ALTER TABLE embeddings ALTER COLUMN embedding SET STORAGE EXTERNAL;
CREATE INDEX embeddings_embedding_hnsw_idx ON embeddings USING hnsw (embedding vector_cosine_ops);
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(EXISTING_BIG_TENANTS)


def downgrade() -> None:
    op.execute(DOWNGRADE)
