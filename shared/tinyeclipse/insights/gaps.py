"""Content gaps: what the bot could not answer, grouped by meaning, and the operator answering or dismissing it."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import numpy

from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.errors import InvalidInput
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import FaqPair
from tinyeclipse.insights import gaps_repository as repository
from tinyeclipse.insights.clustering import cluster, merge_threshold, representative
from tinyeclipse.insights.models import (
    GapAnswer,
    GapAnswered,
    GapClosed,
    GapDismissal,
    GapExample,
    GapGroup,
    Gaps,
    GapsQuery,
    Period,
)
from tinyeclipse.tenants import service as tenants

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Grouping is quadratic in the questions: the newest this many are grouped (docs/dashboard.md).
MAX_QUESTIONS = 400
EXAMPLES = 5


def period_bounds(period: Period) -> tuple[date, date, datetime, datetime]:
    """The period's first and last day and the instants it spans (UTC days)."""
    until = period.until or datetime.now(UTC).date()
    since = period.since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise InvalidInput("from: must not be after to.")
    if (until - since).days >= MAX_DAYS:
        raise InvalidInput(f"from/to: at most {MAX_DAYS} days at a time.")
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    return since, until, start, end


def _vectors(db: Database, tenant_id: UUID, model: str, rows: list[dict[str, Any]]) -> numpy.ndarray:
    """Each row's question embedded by `model`: kept ones read, new ones embedded once and kept."""
    from tinyeclipse.embeddings.registry import get_chat_embedder  # the model loads only when gaps are read

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


def _group(rows: list[dict[str, Any]], vectors: numpy.ndarray, members: list[int]) -> GapGroup:
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
