"""Initial schema: the seven tables, roles, grants and row-level security.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from alembic import op

from tinyeclipse.migrations.rls import tenant_policies

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Tables whose rows belong to one tenant; `tenants` itself is scoped by its id.
TENANT_OWNED = ("sources", "embeddings", "conversations", "messages", "consents", "usage_logs")

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TYPE tenant_plan AS ENUM ('tiny', 'pro', 'pro_plus');
CREATE TYPE tenant_status AS ENUM ('active', 'suspended');
CREATE TYPE source_type AS ENUM ('url', 'pdf', 'faq', 'text');
CREATE TYPE source_status AS ENUM ('pending', 'indexed', 'failed');
CREATE TYPE conversation_status AS ENUM ('open', 'closed');
CREATE TYPE message_role AS ENUM ('user', 'assistant', 'operator');

CREATE TABLE tenants (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    whmcs_client_id integer NOT NULL UNIQUE CHECK (whmcs_client_id > 0),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    plan            tenant_plan NOT NULL DEFAULT 'tiny',
    status          tenant_status NOT NULL DEFAULT 'active',
    domain          text,
    settings        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenants_status_plan_idx ON tenants (status, plan);
CREATE INDEX tenants_created_at_idx ON tenants (created_at DESC, id);

CREATE TABLE sources (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type            source_type NOT NULL,
    title           text,
    url             text,
    content         text,
    status          source_status NOT NULL DEFAULT 'pending',
    error           text,
    chunk_count     integer NOT NULL DEFAULT 0,
    content_hash    text,
    last_indexed_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id)
);
CREATE INDEX sources_tenant_created_idx ON sources (tenant_id, created_at DESC);

CREATE TABLE embeddings (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    source_id   uuid NOT NULL,
    chunk_index integer NOT NULL CHECK (chunk_index >= 0),
    content     text NOT NULL,
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
    embedding   vector(384) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- The composite key keeps a chunk in its source's tenant.
    FOREIGN KEY (tenant_id, source_id) REFERENCES sources (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (source_id, chunk_index)
);
CREATE INDEX embeddings_tenant_idx ON embeddings (tenant_id);
CREATE INDEX embeddings_embedding_hnsw_idx ON embeddings USING hnsw (embedding vector_cosine_ops);

CREATE TABLE conversations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id text NOT NULL CHECK (length(session_id) BETWEEN 1 AND 128),
    status     conversation_status NOT NULL DEFAULT 'open',
    escalated  boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id)
);
CREATE INDEX conversations_tenant_session_idx ON conversations (tenant_id, session_id);
CREATE INDEX conversations_tenant_updated_idx ON conversations (tenant_id, updated_at DESC);
CREATE INDEX conversations_escalated_idx ON conversations (updated_at DESC) WHERE escalated;

CREATE TABLE messages (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL,
    conversation_id uuid NOT NULL,
    role            message_role NOT NULL,
    content         text NOT NULL,
    confidence      real CHECK (confidence BETWEEN 0 AND 1),
    sources_used    jsonb NOT NULL DEFAULT '[]'::jsonb,
    escalated       boolean NOT NULL DEFAULT false,
    refused         boolean NOT NULL DEFAULT false,
    latency_ms      integer CHECK (latency_ms >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation_created_idx ON messages (conversation_id, created_at);
CREATE INDEX messages_tenant_created_idx ON messages (tenant_id, created_at);

CREATE TABLE consents (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    session_id    text NOT NULL CHECK (length(session_id) BETWEEN 1 AND 128),
    accepted      boolean NOT NULL,
    terms_version text NOT NULL,
    ip_address    inet,
    user_agent    text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_tenant_session_idx ON consents (tenant_id, session_id, created_at DESC);

CREATE TABLE usage_logs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid,
    message_id      uuid,
    endpoint        text NOT NULL,
    model           text,
    tokens_in       integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out      integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    latency_ms      integer CHECK (latency_ms >= 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_logs_tenant_created_idx ON usage_logs (tenant_id, created_at);
"""

# The roles are cluster-wide, so they are created before migrations by whoever holds CREATEROLE
# (the local runner's bootstrap; the deployment guide on AWS): tinyeclipse_app, the login of the
# functions, and tinyeclipse_operator, which the explicit operator path switches to with
# SET LOCAL ROLE. Neither owns a table, so row-level security binds both.
ROLES = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tinyeclipse_app')
       OR NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tinyeclipse_operator') THEN
        RAISE EXCEPTION 'create the roles tinyeclipse_app and tinyeclipse_operator before migrating';
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO tinyeclipse_app, tinyeclipse_operator;
GRANT SELECT, INSERT, UPDATE ON tenants TO tinyeclipse_app, tinyeclipse_operator;
GRANT SELECT, INSERT, UPDATE, DELETE ON sources, embeddings, conversations, messages
    TO tinyeclipse_app, tinyeclipse_operator;
-- Consent records and usage logs are an audit trail: appended, never rewritten.
GRANT SELECT, INSERT ON consents, usage_logs TO tinyeclipse_app, tinyeclipse_operator;
"""


def _row_level_security() -> str:
    return tenant_policies("tenants", "id") + "".join(tenant_policies(table) for table in TENANT_OWNED)


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(ROLES)
    op.execute(_row_level_security())


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE usage_logs, consents, messages, conversations, embeddings, sources, tenants;
        DROP TYPE message_role, conversation_status, source_status, source_type, tenant_status, tenant_plan;
        REVOKE USAGE ON SCHEMA public FROM tinyeclipse_app, tinyeclipse_operator;
        """
    )
