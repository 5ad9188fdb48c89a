"""Ingestion: documents per source, uploaded files, the job queue, chunks tied to their document.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op

from tinyeclipse.migrations.rls import tenant_policies

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_TABLES = ("documents", "source_files", "ingest_jobs")

UPGRADE = """
-- A text source keeps its text as a JSON string, a faq source its [{question, answer}] pairs.
ALTER TABLE sources ALTER COLUMN content TYPE jsonb USING to_jsonb(content);
ALTER TABLE sources
    ADD COLUMN crawl boolean NOT NULL DEFAULT false,
    ADD COLUMN max_pages integer CHECK (max_pages BETWEEN 1 AND 1000),
    ADD COLUMN document_count integer NOT NULL DEFAULT 0;

-- An uploaded PDF. Stored uncompressed (EXTERNAL): PDFs are compressed already, and the worker
-- reads it back in slices, which is cheap only for uncompressed values.
CREATE TABLE source_files (
    source_id    uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size_bytes   integer NOT NULL CHECK (size_bytes > 0),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE source_files ALTER COLUMN data SET STORAGE EXTERNAL;

-- One document of a source (a page of a site or of a PDF, a text, an FAQ pair). Its content hash
-- lets a re-ingestion keep an unchanged document's chunks instead of embedding them again.
CREATE TABLE documents (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL,
    source_id    uuid NOT NULL,
    key          text NOT NULL,
    title        text,
    url          text,
    content_hash text NOT NULL,
    position     integer NOT NULL CHECK (position >= 0),
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (source_id, key),
    UNIQUE (tenant_id, id)
);

-- Nothing wrote embeddings before this revision, so the new NOT NULL column needs no backfill.
ALTER TABLE embeddings
    ADD COLUMN document_id uuid NOT NULL,
    ADD FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE,
    DROP CONSTRAINT embeddings_source_id_chunk_index_key,
    ADD UNIQUE (document_id, chunk_index);
CREATE INDEX embeddings_source_idx ON embeddings (source_id);

CREATE TYPE job_status AS ENUM ('queued', 'running', 'done', 'dead');
CREATE TABLE ingest_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    source_id    uuid NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('created', 'manual', 'scheduled')),
    status       job_status NOT NULL DEFAULT 'queued',
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL CHECK (max_attempts > 0),
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    locked_by    text,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id) ON DELETE CASCADE
);
-- At most one waiting job per source: asking twice does not index twice.
CREATE UNIQUE INDEX ingest_jobs_one_queued_per_source ON ingest_jobs (source_id) WHERE status = 'queued';
CREATE INDEX ingest_jobs_ready_idx ON ingest_jobs (run_at) WHERE status = 'queued';
CREATE INDEX ingest_jobs_lease_idx ON ingest_jobs (locked_until) WHERE status = 'running';
CREATE INDEX ingest_jobs_source_idx ON ingest_jobs (source_id, created_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON documents, source_files TO tinyeclipse_app, tinyeclipse_operator;
GRANT SELECT, INSERT, UPDATE ON ingest_jobs TO tinyeclipse_app, tinyeclipse_operator;
"""

DOWNGRADE = """
DROP TABLE ingest_jobs;
DROP TYPE job_status;
DELETE FROM embeddings;
ALTER TABLE embeddings DROP COLUMN document_id, ADD UNIQUE (source_id, chunk_index);
DROP INDEX embeddings_source_idx;
DROP TABLE documents, source_files;
ALTER TABLE sources DROP COLUMN crawl, DROP COLUMN max_pages, DROP COLUMN document_count;
ALTER TABLE sources ALTER COLUMN content TYPE text USING content #>> '{}';
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute("".join(tenant_policies(table) for table in NEW_TABLES))


def downgrade() -> None:
    op.execute(DOWNGRADE)
