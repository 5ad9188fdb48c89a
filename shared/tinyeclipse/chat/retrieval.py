"""Hybrid retrieval within one tenant: nearest chunks by cosine fused with full-text search (RRF).

Only the chunks of the tenant's current embedding model take part (while it moves to another model its chunks
exist twice). The question's key words are parsed with the visitor's language and also as written ('simple'),
so a chunk stemmed in its own language and a name in any language both match.

The nearest chunks come from the tenant's own HNSW graph once its chunks of the model are many (migration 0009,
built by ingestion's `ensure_vector_index`), else from an exact scan of its rows: a graph shared by all tenants
and filtered after the scan missed big tenants' nearest chunks, and the pool's cached generic plan scanned even
the biggest exactly (bench/scale.py, docs/benchmarks.md).
"""

from dataclasses import dataclass
from uuid import UUID

import numpy as np
from psycopg.rows import class_row, tuple_row

from tinyeclipse.db import Connection

# Reciprocal rank fusion's constant (Cormack et al. 2009): dampens the weight of the very first ranks.
RRF_K = 60

# Candidates the graph search keeps: 100 missed the nearest chunks of 1 query in 100 on clustered data, 200 none.
GRAPH_EF_SEARCH = 200

# Whether the tenant's chunks of the model have their graph. With one, the query is planned for its tenant each
# time (a cached generic plan cannot use a partial index), and sorting is made the planner's last resort so that
# the graph, not a sort of every row, gives the nearest chunks (ensure_vector_index built it because the tenant is
# big; the planner would otherwise weigh it against stale statistics). Without, the generic plan is the exact scan.
VECTOR_PLAN = """
SELECT graph IS NOT NULL AS graph,
       set_config('plan_cache_mode', CASE WHEN graph IS NULL THEN 'auto' ELSE 'force_custom_plan' END, true),
       set_config('enable_sort', CASE WHEN graph IS NULL THEN 'on' ELSE 'off' END, true),
       set_config('hnsw.ef_search', %(ef_search)s, true)
FROM (SELECT to_regclass(tenant_vector_index(%(tenant)s, %(model)s)) AS graph) tenant_graph
"""

_HYBRID_SEARCH = """
WITH vector_hits AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY distance) AS rank
    FROM (SELECT id, {distance} AS distance FROM embeddings
          WHERE tenant_id = %(tenant)s AND embedding_model = %(model)s
          ORDER BY distance LIMIT %(candidates)s) nearest
), keyword_hits AS MATERIALIZED (
    SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
    FROM (SELECT id, ts_rank_cd(content_tsv, parsed.query) AS score
          FROM embeddings,
               (SELECT to_tsquery(%(words)s::regconfig, %(keywords)s) || to_tsquery('simple', %(keywords)s)
                AS query) parsed
          WHERE tenant_id = %(tenant)s AND embedding_model = %(model)s AND %(keywords)s <> ''
            AND content_tsv @@ parsed.query
          ORDER BY score DESC LIMIT %(candidates)s) matches
), fused AS (
    SELECT COALESCE(v.id, k.id) AS id, v.rank AS vector_rank, k.rank AS keyword_rank,
           COALESCE(1.0 / (%(rrf_k)s + v.rank), 0) + COALESCE(1.0 / (%(rrf_k)s + k.rank), 0) AS rrf
    FROM vector_hits v FULL OUTER JOIN keyword_hits k ON k.id = v.id
)
SELECT e.id AS chunk_id, e.source_id, e.content, e.metadata ->> 'title' AS title, e.metadata ->> 'url' AS url,
       e.metadata ->> 'heading' AS heading, e.metadata ->> 'question' AS faq_question,
       (1 - (e.embedding <=> %(vector)s))::float8 AS similarity, f.rrf::float8 AS rrf,
       f.vector_rank::int AS vector_rank, f.keyword_rank::int AS keyword_rank
FROM fused f JOIN embeddings e ON e.id = f.id AND e.id = ANY (ARRAY(SELECT id FROM fused))
ORDER BY f.rrf DESC, similarity DESC
LIMIT %(k)s
"""
# The ids' list in the join makes it fetch the 20-odd rows by primary key: planned as a hash join with every row of
# the tenant (row-level security's filter), it cost a big tenant more than the search itself.
# The operator is what an HNSW index serves; the same distance as a function never is: the tenant's rows found by
# the (tenant_id, embedding_model) btree, every distance computed.
HYBRID_SEARCH = _HYBRID_SEARCH.format(distance="embedding <=> %(vector)s")
EXACT_HYBRID_SEARCH = _HYBRID_SEARCH.format(distance="cosine_distance(embedding, %(vector)s)")


@dataclass(frozen=True)
class Retrieved:
    chunk_id: int
    source_id: UUID
    content: str
    title: str | None
    url: str | None
    heading: str | None  # the section heading the chunk's text starts with
    faq_question: str | None  # set for an FAQ pair: the chunk is its question and answer
    similarity: float  # cosine similarity of the chunk to the query, -1..1
    rrf: float
    vector_rank: int | None  # rank among the nearest vectors (None: not among the candidates)
    keyword_rank: int | None  # rank among the full-text matches (None: no key word matched)


@dataclass(frozen=True)
class Query:
    tenant_id: UUID
    model: str  # the embedding model of the chunks to search (the tenant's current one)
    vector: np.ndarray  # the question by that model
    keywords: str  # an OR query of the question's key words for to_tsquery ('' for none)
    words: str  # the text-search configuration of the visitor's language ('simple' when unknown)


def search(conn: Connection, query: Query, *, k: int, candidates: int) -> list[Retrieved]:
    """The best `k` chunks of the tenant. RLS scopes the connection; the explicit filter lets the index help."""
    scope = {"tenant": query.tenant_id, "model": query.model}
    with conn.cursor(row_factory=tuple_row) as cursor:
        graph = cursor.execute(VECTOR_PLAN, {**scope, "ef_search": str(GRAPH_EF_SEARCH)}).fetchone()[0]
    with conn.cursor(row_factory=class_row(Retrieved)) as cursor:
        return cursor.execute(
            HYBRID_SEARCH if graph else EXACT_HYBRID_SEARCH,
            {
                "vector": query.vector,
                "tenant": query.tenant_id,
                "model": query.model,
                "keywords": query.keywords,
                "words": query.words,
                "candidates": candidates,
                "k": k,
                "rrf_k": RRF_K,
            },
        ).fetchall()
