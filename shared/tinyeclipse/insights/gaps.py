"""Content gaps: what the bot could not answer, grouped by meaning, and the operator answering or dismissing it."""

from typing import TYPE_CHECKING, Any
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import FaqPair
from tinyeclipse.insights import gaps_repository as repository
from tinyeclipse.insights.models import (
    GapAnswer,
    GapAnswered,
    GapClosed,
    GapDismissal,
    GapExample,
    GapGroup,
    Gaps,
    GapsQuery,
)
from tinyeclipse.insights.period import period_bounds
from tinyeclipse.tenants import service as tenants

if TYPE_CHECKING:
    import numpy

# Grouping is quadratic in the questions: the newest this many are grouped (docs/dashboard.md).
MAX_QUESTIONS = 400
EXAMPLES = 5


def _vectors(db: Database, tenant_id: UUID, model: str, rows: list[dict[str, Any]]) -> "numpy.ndarray":
    """Each row's question embedded by `model`: kept ones read, new ones embedded once and kept."""
    # Here, not at import: the admin function starts without numpy and the models (they load on a gaps read).
    import numpy

    from tinyeclipse.embeddings.registry import get_chat_embedder

    ids = [row["question_id"] for row in rows]
    with db.tenant(tenant_id) as conn:
        kept = repository.question_vectors(conn, ids, model)
    missing = {row["question_id"]: row["question"] for row in rows if row["question_id"] not in kept}
    if missing:
        embedder = get_chat_embedder(model)
        new = {message_id: embedder.encode_query(text) for message_id, text in missing.items()}
        with db.tenant(tenant_id) as conn:
            repository.keep_question_vectors(conn, tenant_id, model, new)
        kept = {**kept, **new}
    return numpy.stack([numpy.asarray(kept[message_id], dtype=numpy.float32) for message_id in ids])


def _group(rows: list[dict[str, Any]], vectors: "numpy.ndarray", members: list[int]) -> GapGroup:
    from tinyeclipse.insights.clustering import representative

    # Rows come newest first, and a group's members in row order: its first member is its newest.
    middle = rows[representative(vectors, members)]
    examples = [GapExample(**rows[i]) for i in members[:EXAMPLES]]
    return GapGroup(
        id=str(middle["message_id"]),
        count=len(members),
        question=middle["question"],
        answer=middle["answer"],
        refused=sum(rows[i]["refused"] for i in members),
        escalated=sum(rows[i]["escalated"] for i in members),
        thumbs_down=sum(rows[i]["feedback"] == "down" for i in members),
        latest_at=rows[members[0]]["created_at"],
        examples=examples,
        message_ids=[rows[i]["message_id"] for i in members],
    )


def list_gaps(db: Database, settings: Settings, tenant_id: UUID, query: GapsQuery) -> Gaps:
    """The tenant's open gaps in the period, grouped by meaning with the tenant's embedding model."""
    tenant = tenants.get_tenant(db, settings, tenant_id)
    since, until, start, end = period_bounds(query)
    with db.tenant(tenant_id) as conn:
        total = repository.count_open(conn, tenant_id, start, end)
        rows = repository.open_gaps(conn, tenant_id, start, end, MAX_QUESTIONS)
    model = tenant.index_model
    groups: list[GapGroup] = []
    if rows:
        from tinyeclipse.insights.clustering import cluster, merge_threshold

        vectors = _vectors(db, tenant_id, model, rows)
        groups = [_group(rows, vectors, members) for members in cluster(vectors, merge_threshold(model))]
    if query.sort == "largest":
        groups.sort(key=lambda group: (-group.count, -group.latest_at.timestamp()))
    else:
        groups.sort(key=lambda group: -group.latest_at.timestamp())
    return Gaps(
        tenant_id=tenant_id, since=since, until=until, model=model, questions=total, groups=groups[: query.limit]
    )


def dismiss(db: Database, settings: Settings, tenant_id: UUID, body: GapDismissal) -> GapClosed:
    tenants.get_tenant(db, settings, tenant_id)
    with db.tenant(tenant_id) as conn:
        return GapClosed(closed=repository.close(conn, tenant_id, body.message_ids, "dismissed"))


def answer(db: Database, settings: Settings, tenant_id: UUID, body: GapAnswer) -> GapAnswered:
    """ "Answer this": the pair goes into the tenant's FAQ (indexed again), and the gap's answers are closed."""
    pair = FaqPair(question=body.question, answer=body.answer)
    source = sources.add_faq_pair(db, settings, tenant_id, pair, body.source_id)
    closed = 0
    if body.message_ids:
        with db.tenant(tenant_id) as conn:
            closed = repository.close(conn, tenant_id, body.message_ids, "answered", source.id)
    return GapAnswered(source=source, pair=pair, closed=closed)
