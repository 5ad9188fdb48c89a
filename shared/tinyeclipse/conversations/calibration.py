"""A tenant's calibration report: how often its answers were judged wrong at each confidence, from its own
thumbs and operator outcomes, and the escalate threshold that data suggests. Nothing is changed automatically."""

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

from tinyeclipse.config import Settings
from tinyeclipse.conversations import repository
from tinyeclipse.conversations.models import AnswerOutcome, CalibrationBucket, CalibrationReport, CalibrationStats
from tinyeclipse.db import Database
from tinyeclipse.tenants import service as tenants

MIN_JUDGED = 50
MAX_WRONG_RATE = 0.10
BUCKET_COUNT = 10

Verdict = Literal["right", "wrong"]


def verdict(outcome: AnswerOutcome) -> Verdict | None:
    """Wrong: thumbs down, or an operator stepped in later without a thumbs up. Right: thumbs up, or the
    conversation closed with no escalation and no operator. Anything else is not judged."""
    if outcome.feedback == "down":
        return "wrong"
    if outcome.feedback == "up":
        return "right"
    if outcome.operator_replied:
        return "wrong"
    if not outcome.escalated and outcome.conversation_closed:
        return "right"
    return None


def _stats(verdicts: Sequence[Verdict | None]) -> CalibrationStats:
    judged = sum(v is not None for v in verdicts)
    wrong = sum(v == "wrong" for v in verdicts)
    return CalibrationStats(
        answers=len(verdicts), judged=judged, wrong=wrong, wrong_rate=wrong / judged if judged else None
    )


def _bucket_of(confidence: float) -> int:
    return min(max(int(confidence * BUCKET_COUNT), 0), BUCKET_COUNT - 1)


def suggested_threshold(judged: Sequence[tuple[float, Verdict]]) -> float | None:
    """The lowest judged confidence t such that at most MAX_WRONG_RATE of the judged answers scoring >= t were
    wrong; None when no such t exists."""
    ordered = sorted(judged, key=lambda item: item[0])
    wrong_from = [0] * (len(ordered) + 1)  # wrong answers among ordered[i:]
    for i in range(len(ordered) - 1, -1, -1):
        wrong_from[i] = wrong_from[i + 1] + (ordered[i][1] == "wrong")
    for i, (confidence, _) in enumerate(ordered):
        if i > 0 and ordered[i - 1][0] == confidence:
            continue  # ties: t includes every answer with that score
        if wrong_from[i] <= MAX_WRONG_RATE * (len(ordered) - i):
            return confidence
    return None


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def _explanation(escalate_threshold: float, judged: int, above: CalibrationStats, suggestion: float | None) -> str:
    if judged < MIN_JUDGED:
        return (
            f"Only {judged} answers have been judged so far (by a thumbs vote, an operator's reply, or a conversation "
            f"closed without escalation); a threshold is suggested once {MIN_JUDGED} are."
        )
    observed = (
        f"Of the judged answers scoring at least the escalate threshold {escalate_threshold:.2f}, {above.wrong} of "
        f"{above.judged} ({_percent(above.wrong_rate)}) were judged wrong"
    )
    if suggestion is None:
        return f"{observed}, and no threshold keeps judged-wrong answers to 1 in 10 or fewer, so none is suggested."
    return (
        f"{observed}; at {suggestion:.2f} or more at most 1 in 10 judged answers was wrong, so that is the "
        "suggested escalate threshold (nothing changes until you set it)."
    )


def build_report(
    tenant_id: UUID, escalate_threshold: float, refuse_threshold: float, outcomes: Sequence[AnswerOutcome]
) -> CalibrationReport:
    """The report from the tenant's answers and their outcomes: pure computation."""
    verdicts = [verdict(outcome) for outcome in outcomes]
    by_bucket: list[list[Verdict | None]] = [[] for _ in range(BUCKET_COUNT)]
    for outcome, v in zip(outcomes, verdicts, strict=True):
        by_bucket[_bucket_of(outcome.confidence)].append(v)
    buckets = [
        CalibrationBucket(
            low=round(i / BUCKET_COUNT, 2), high=round((i + 1) / BUCKET_COUNT, 2), **_stats(group).model_dump()
        )
        for i, group in enumerate(by_bucket)
    ]
    above = _stats(
        [v for outcome, v in zip(outcomes, verdicts, strict=True) if outcome.confidence >= escalate_threshold]
    )
    judged = [(outcome.confidence, v) for outcome, v in zip(outcomes, verdicts, strict=True) if v is not None]
    suggestion = suggested_threshold(judged) if len(judged) >= MIN_JUDGED else None
    return CalibrationReport(
        tenant_id=tenant_id,
        escalate_threshold=escalate_threshold,
        refuse_threshold=refuse_threshold,
        judged=len(judged),
        min_judged=MIN_JUDGED,
        buckets=buckets,
        above_threshold=above,
        suggested_escalate_threshold=suggestion,
        explanation=_explanation(escalate_threshold, len(judged), above, suggestion),
    )


def calibration_report(db: Database, config: Settings, tenant_id: UUID) -> CalibrationReport:
    """The tenant's report at its current thresholds; TenantNotFound for an unknown tenant."""
    settings = tenants.get_tenant(db, config, tenant_id).effective_settings
    with db.tenant(tenant_id) as conn:
        outcomes = repository.answer_outcomes(conn, tenant_id)
    return build_report(tenant_id, settings.escalate_threshold, settings.refuse_threshold, outcomes)
