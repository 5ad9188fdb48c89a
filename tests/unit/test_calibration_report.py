"""The calibration report's computation: verdicts, buckets, the answers above the threshold, the suggestion."""

from uuid import uuid4

import pytest

from tinyeclipse.conversations.calibration import MIN_JUDGED, build_report, verdict
from tinyeclipse.conversations.models import AnswerOutcome


def outcome(
    confidence: float,
    *,
    feedback: str | None = None,
    escalated: bool = False,
    operator_replied: bool = False,
    closed: bool = False,
) -> AnswerOutcome:
    return AnswerOutcome(confidence, escalated, feedback, operator_replied, closed)  # type: ignore[arg-type]


def right(confidence: float) -> AnswerOutcome:
    return outcome(confidence, feedback="up")


def wrong(confidence: float) -> AnswerOutcome:
    return outcome(confidence, feedback="down")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (outcome(0.9, feedback="down", closed=True), "wrong"),
        (outcome(0.2, feedback="up", escalated=True, operator_replied=True), "right"),
        (outcome(0.9, operator_replied=True, closed=True), "wrong"),
        (outcome(0.9, closed=True), "right"),
        (outcome(0.5, escalated=True, closed=True), None),
        (outcome(0.9), None),
    ],
    ids=["thumbs-down", "thumbs-up-wins", "operator-replied", "closed-quietly", "escalated-unanswered", "open"],
)
def test_what_counts_as_judged_right_or_wrong(answer: AnswerOutcome, expected: str | None) -> None:
    assert verdict(answer) == expected


def _report(outcomes: list[AnswerOutcome], escalate: float = 0.6):
    return build_report(uuid4(), escalate, 0.3, outcomes)


def test_no_threshold_is_suggested_below_min_judged() -> None:
    # 49 judged answers, all right, plus unjudged ones that do not count towards the minimum.
    outcomes = [right(0.9)] * (MIN_JUDGED - 1) + [outcome(0.9)] * 20
    report = _report(outcomes)
    assert report.judged == MIN_JUDGED - 1 == 49
    assert report.suggested_escalate_threshold is None
    assert "49" in report.explanation and "50" in report.explanation


@pytest.mark.parametrize(
    ("wrong_at_half", "expected"),
    [(2, 0.5), (3, 0.5), (4, 0.8)],
    ids=["8%-at-0.5", "exactly-10%-at-0.5", "12%-at-0.5"],
)
def test_the_suggestion_is_the_lowest_score_with_at_most_one_in_ten_wrong_above_it(
    wrong_at_half: int, expected: float
) -> None:
    # Judged wrong at or above 0.5: wrong_at_half + 2 of 50; at or above 0.8: 2 of 40 (5%).
    outcomes = (
        [wrong(0.3)] * 20
        + [wrong(0.5)] * wrong_at_half
        + [right(0.5)] * (10 - wrong_at_half)
        + [wrong(0.8)] * 2
        + [right(0.8)] * 38
    )
    report = _report(outcomes)
    assert report.judged == 70
    assert report.suggested_escalate_threshold == expected
    assert f"{expected:.2f}" in report.explanation


def test_no_suggestion_when_no_score_keeps_wrong_answers_to_one_in_ten() -> None:
    outcomes = [right(0.4)] * 40 + [wrong(0.9)] * 20
    report = _report(outcomes)
    assert report.judged == 60 and report.suggested_escalate_threshold is None
    assert "none is suggested" in report.explanation


def test_buckets_and_the_answers_above_the_threshold() -> None:
    outcomes = [wrong(0.05), right(0.12), outcome(0.15), wrong(0.6), right(0.65), outcome(0.68), right(1.0)]
    report = _report(outcomes, escalate=0.6)
    assert [(b.low, b.high) for b in report.buckets] == [(i / 10, (i + 1) / 10) for i in range(10)]
    counts = {b.low: (b.answers, b.judged, b.wrong, b.wrong_rate) for b in report.buckets if b.answers}
    assert counts == {
        0.0: (1, 1, 1, 1.0),
        0.1: (2, 1, 0, 0.0),
        0.6: (3, 2, 1, 0.5),
        0.9: (1, 1, 0, 0.0),
    }
    assert report.buckets[5].wrong_rate is None
    above = report.above_threshold
    assert (above.answers, above.judged, above.wrong, above.wrong_rate) == (4, 3, 1, pytest.approx(1 / 3))
    assert (report.escalate_threshold, report.refuse_threshold, report.min_judged) == (0.6, 0.3, MIN_JUDGED)
