"""Fit the confidence model and its default thresholds to ../shared/eval (`make calibrate`).

1. Ask every evaluation question through the chat service (bench/answers.py); each answer stores its features.
   The records are kept in .data/calibration/records.jsonl; `--reuse` fits again from them without asking.
2. Leave one article out: for each article, fit a logistic regression on the others' answers and predict its
   own; every reported number comes from these held-out predictions, as on articles the model never saw.
3. Choose the default thresholds on the held-out predictions (rules below), fit the final model on all
   answers, and write both to shared/tinyeclipse/chat/confidence_model.json; the report goes to
   docs/benchmarks.md.

The target is "right": an answerable question of the tenant's own knowledge whose answer holds a gold answer.
Unanswerable and off-topic questions, and wrong answers, are the negatives, so the score estimates P(right).
"""

import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.answers import Record, ask, by_tenant_corpus, load, read, save
from bench.metrics import roc_auc
from bench.stack import REPO, Stack, append_results, machine
from tinyeclipse.chat.confidence import fitted_model
from tinyeclipse.chat.features import NAMES

RECORDS = REPO / ".data" / "calibration" / "records.jsonl"
MODEL = REPO / "shared" / "tinyeclipse" / "chat" / "confidence_model.json"
REGULARISATION = 1.0  # sklearn's C, on standardised features
# Threshold rules (the product's promise, not tuned to a number): escalate so that at most MAX_UNFLAGGED of the
# unanswerable questions (written to look answerable) and at most MAX_OFF_TOPIC_UNFLAGGED of the off-topic ones
# get an answer with no flag, with a margin below the goals (0.15 and 0.02) for articles the model never saw;
# refuse where answers are almost never right.
MAX_UNFLAGGED = 0.12
MAX_OFF_TOPIC_UNFLAGGED = 0.01
REFUSE_RIGHT_AT_MOST = 0.10


@dataclass(frozen=True)
class Fitted:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.intercept + ((x - self.mean) / self.scale) @ self.coef)))


def matrix(records: Sequence[Record], names: Sequence[str] = NAMES) -> np.ndarray:
    return np.array([[r.features[name] for name in names] for r in records], dtype=float)


def fit(x: np.ndarray, y: np.ndarray) -> Fitted:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=REGULARISATION, max_iter=2000).fit((x - mean) / scale, y)
    return Fitted(mean, scale, model.coef_[0], float(model.intercept_[0]))


def held_out(records: Sequence[Record], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each answer's score from a model fitted without its article."""
    groups = np.array([r.question.article for r in records])
    predictions = np.zeros(len(records))
    for article in sorted(set(groups)):
        test = groups == article
        predictions[test] = fit(x[~test], y[~test]).predict(x[test])
    return predictions


def _share(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if len(flags) else float("nan")


def rates(records: Sequence[Record], scores: np.ndarray, escalate: float, refuse: float) -> dict[str, float]:
    """The product's measures if the answers had these scores and thresholds."""
    on = [(r, s) for r, s in zip(records, scores, strict=True) if not r.off_topic]
    answerable = [(r, s) for r, s in on if r.question.answerable]
    unanswerable = [(r, s) for r, s in on if not r.question.answerable]
    off = [s for r, s in zip(records, scores, strict=True) if r.off_topic]
    return {
        "resolution": _share([r.contained and s >= escalate for r, s in answerable]),
        "answerable handed off": _share([s < escalate for _, s in answerable]),
        "answerable refused": _share([s < refuse for _, s in answerable]),
        "unanswerable unflagged": _share([s >= escalate for _, s in unanswerable]),
        "off-topic handed off": _share([s < escalate for s in off]),
        "AUC answerable vs unanswerable": roc_auc([s for _, s in answerable], [s for _, s in unanswerable])
        if unanswerable
        else float("nan"),
    }


def choose_thresholds(records: Sequence[Record], scores: np.ndarray) -> tuple[float, float]:
    """The lowest escalate threshold that keeps the promise on both kinds of negatives; the highest refuse
    threshold below which at most REFUSE_RIGHT_AT_MOST of the answers would have been right."""
    unanswerable = np.array([s for r, s in zip(records, scores, strict=True) if not r.question.answerable])
    off_topic = np.array([s for r, s in zip(records, scores, strict=True) if r.off_topic])
    escalate = max(
        float(np.quantile(unanswerable, 1 - MAX_UNFLAGGED)),
        float(np.quantile(off_topic, 1 - MAX_OFF_TOPIC_UNFLAGGED)),
    )
    right = np.array([r.right for r in records])
    refuse = 0.0
    for t in np.unique(np.round(scores, 2)):
        below = scores < t
        if t <= escalate and below.any() and right[below].mean() <= REFUSE_RIGHT_AT_MOST:
            refuse = float(t)
    return round(escalate, 2), round(refuse, 2)


def feature_table(records: Sequence[Record], x: np.ndarray, fitted: Fitted) -> list[str]:
    right = np.array([r.right for r in records])
    rows = ["| feature | AUC alone (right vs not) | weight (standardised) |", "|---|---|---|"]
    for i, name in enumerate(NAMES):
        auc = roc_auc(list(x[right, i]), list(x[~right, i]))
        rows.append(
            f"| {name} | {max(auc, 1 - auc):.3f}{' (lower is better)' if auc < 0.5 else ''} | {fitted.coef[i]:+.2f} |"
        )
    return rows


def threshold_meaning(records: Sequence[Record], scores: np.ndarray) -> list[str]:
    """What a threshold means in plain words: of the answers scoring at least t, how many were wrong."""
    right = np.array([r.right for r in records])
    rows = ["| threshold | answers at or above it | of them wrong | right answers kept |", "|---|---|---|---|"]
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        above = scores >= t
        wrong = 1 - right[above].mean() if above.any() else float("nan")
        rows.append(f"| {t:.1f} | {above.mean():.3f} | {wrong:.3f} | {right[above].sum() / right.sum():.3f} |")
    return rows


def report(
    records: Sequence[Record], scores: np.ndarray, escalate: float, refuse: float, x: np.ndarray, fitted: Fitted
) -> str:
    lines = [
        f"## Confidence calibration (leave one article out) — {machine()}",
        "",
        f"{len(records)} answers ({sum(r.right for r in records)} right) from "
        f"{len({r.question.article for r in records})} articles: the SQuAD 2.0 slice and XQuAD English, plus "
        "off-topic questions. Every number below is from held-out predictions (the model never saw the "
        "question's article). Chosen thresholds: "
        f"escalate < {escalate}, refuse < {refuse}.",
        "",
        "| measure | SQuAD slice | XQuAD en |",
        "|---|---|---|",
    ]
    by_corpus = {}
    score_of = {id(r): s for r, s in zip(records, scores, strict=True)}
    for corpus in ("squad", "xquad-en"):
        kept = by_tenant_corpus(list(records), corpus)
        by_corpus[corpus] = rates(kept, np.array([score_of[id(r)] for r in kept]), escalate, refuse)
    for name in by_corpus["squad"]:
        lines.append(f"| {name} | {by_corpus['squad'][name]:.3f} | {by_corpus['xquad-en'][name]:.3f} |")
    lines += ["", *threshold_meaning(records, scores), "", *feature_table(records, x, fitted), ""]
    return "\n".join(lines)


def _write_model(fitted: Fitted, thresholds: tuple[float, float], note: str) -> None:
    model = {
        "names": list(NAMES),
        "mean": fitted.mean.round(6).tolist(),
        "scale": fitted.scale.round(6).tolist(),
        "coef": fitted.coef.round(6).tolist(),
        "intercept": round(fitted.intercept, 6),
    }
    thresholds_json = {"escalate": thresholds[0], "refuse": thresholds[1]}
    MODEL.write_text(json.dumps({"fitted": note, "model": model, "thresholds": thresholds_json}, indent=1) + "\n")


def collect() -> list[Record]:
    # The features do not depend on the model, but the chat loads it: a neutral one (every answer 0.5) stands in
    # while the answers are collected, also when the features changed since the last fit.
    neutral = np.zeros(len(NAMES))
    _write_model(Fitted(neutral, np.ones(len(NAMES)), neutral, 0.0), (0.5, 0.0), "neutral, while collecting")
    fitted_model.cache_clear()
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-calibrate-") as workdir:
        stack = Stack(Path(workdir), llm_provider="extractive")
        try:
            # Thresholds at 0: every answer is shown, so "right" is judged on what the bot would say, not on
            # whether the model of the day refused it.
            tenants, questions = load(stack, {"escalate_threshold": 0.0, "refuse_threshold": 0.0})
            return ask(stack, tenants, questions)
        finally:
            stack.close()


def main() -> None:
    if "--reuse" in sys.argv and RECORDS.exists():
        records = read(RECORDS)
    else:
        records = collect()
        save(records, RECORDS)
    x = matrix(records)
    y = np.array([r.right for r in records], dtype=int)
    scores = held_out(records, x, y)
    escalate, refuse = choose_thresholds(records, scores)
    final = fit(x, y)
    _write_model(
        final, (escalate, refuse), f"{datetime.now(UTC):%Y-%m-%d} by bench/calibrate.py on {len(records)} answers"
    )
    append_results(report(records, scores, escalate, refuse, x, final))


if __name__ == "__main__":
    main()
