"""Fit the confidence model of each embedding model and the default thresholds to ../shared/eval (`make calibrate`).

For each embedding model (every tenant created with it):
1. Ask every evaluation question through the chat service (bench/answers.py); each answer stores its features.
   The multilingual model is also asked XQuAD's German and Spanish questions of German, Spanish and English
   knowledge (de>de, es>es, de>en, es>en: its visitors' case). The records are kept in
   .data/calibration/records.<model>.jsonl; `--reuse` fits again from them without asking; `--model NAME` fits one.
2. Leave one article out: for each article (an XQuAD article in every language is one), fit a logistic regression
   on the others' answers and predict its own; every reported number comes from these held-out predictions, as on
   articles the model never saw.
3. Choose thresholds on the held-out predictions (rules below), fit the final model on all answers, and write
   both to the model's file (tinyeclipse.chat.confidence.MODEL_FILES); the report goes to docs/benchmarks.md.

The product keeps one set of default thresholds, the default model's (all-MiniLM-L6-v2, read by
tenants/settings.py): each model's score estimates the same probability, so a threshold means the same whatever
the model. The thresholds the rule would pick for another model are written to its file and reported beside.

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

from bench.answers import ENGLISH, PAIRS, Record, ask, by_tenant_corpus, kept, load, pair_corpus, save
from bench.metrics import roc_auc
from bench.stack import REPO, Stack, append_results, machine
from tinyeclipse.chat import confidence
from tinyeclipse.chat.confidence import MODEL_FILES, Model
from tinyeclipse.chat.features import NAMES
from tinyeclipse.embeddings.names import DEFAULT_MODEL, MODELS

RECORDS = REPO / ".data" / "calibration"
MODELS_DIR = REPO / "shared" / "tinyeclipse" / "chat"
# The models whose tenants' visitors write in other languages than the knowledge's: fitted on those answers too.
PAIRED = frozenset({"multilingual-e5-small"})
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


def _cell(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.3f}"


def corpora(records: Sequence[Record]) -> list[str]:
    """The corpora of these answers, in the report's order: the English ones, then XQuAD's other pairs."""
    asked = {r.question.corpus for r in records}
    return [c for c in dict.fromkeys((*ENGLISH, *(pair_corpus(q, k) for q, k in PAIRS))) if c in asked]


def rates_table(records: Sequence[Record], scores: np.ndarray, escalate: float, refuse: float) -> list[str]:
    score_of = {id(r): s for r, s in zip(records, scores, strict=True)}
    columns = corpora(records)
    table = {}
    for corpus in columns:
        kept = by_tenant_corpus(list(records), corpus)
        table[corpus] = rates(kept, np.array([score_of[id(r)] for r in kept]), escalate, refuse)
    lines = [f"| measure | {' | '.join(columns)} |", f"|---|{'---|' * len(columns)}"]
    for name in table[columns[0]]:
        lines.append(f"| {name} | {' | '.join(_cell(table[c][name]) for c in columns)} |")
    return lines


def report(
    embedding_model: str,
    records: Sequence[Record],
    scores: np.ndarray,
    chosen: tuple[float, float],
    defaults: tuple[float, float],
    x: np.ndarray,
    fitted: Fitted,
) -> str:
    default_model = embedding_model == DEFAULT_MODEL
    lines = [
        f"## Confidence calibration of {embedding_model} (leave one article out) — {machine()}",
        "",
        f"{len(records)} answers ({sum(r.right for r in records)} right) from "
        f"{len({r.question.article for r in records})} articles, every tenant on {embedding_model}: "
        f"{', '.join(corpora(records))}, plus off-topic questions. Every number below is from held-out predictions "
        "(the model never saw the question's article, in any language). "
        + (
            f"Thresholds the rule chose (the product's defaults): escalate < {chosen[0]}, refuse < {chosen[1]}."
            if default_model
            else f"At the product's default thresholds (escalate < {defaults[0]}, refuse < {defaults[1]}, "
            f"{DEFAULT_MODEL}'s); the rule would choose escalate < {chosen[0]}, refuse < {chosen[1]} for this model."
        ),
        "",
        *rates_table(records, scores, *defaults),
        "",
    ]
    if not default_model:
        lines += [
            f"At the thresholds the rule chose for {embedding_model}:",
            "",
            *rates_table(records, scores, *chosen),
        ]
        lines.append("")
    lines += [*threshold_meaning(records, scores), "", *feature_table(records, x, fitted), ""]
    return "\n".join(lines)


def model_path(embedding_model: str) -> Path:
    return MODELS_DIR / MODEL_FILES[embedding_model]


def _write_model(embedding_model: str, fitted: Fitted, thresholds: tuple[float, float], note: str) -> None:
    model = {
        "names": list(NAMES),
        "mean": fitted.mean.round(6).tolist(),
        "scale": fitted.scale.round(6).tolist(),
        "coef": fitted.coef.round(6).tolist(),
        "intercept": round(fitted.intercept, 6),
    }
    thresholds_json = {"escalate": thresholds[0], "refuse": thresholds[1]}
    data = {"fitted": note, "embedding_model": embedding_model, "model": model, "thresholds": thresholds_json}
    model_path(embedding_model).write_text(json.dumps(data, indent=1) + "\n")


def collect(embedding_model: str, part: str | None = None, every: int = 1, offset: int = 0) -> list[Record]:
    # The features do not depend on the confidence model, but the chat scores every answer: a neutral model (every
    # answer 0.5) stands in, in this process only (the shipped files stay as they are for whoever else runs the
    # code meanwhile), also when the features changed since the last fit.
    neutral = Model(NAMES, (0.0,) * len(NAMES), (1.0,) * len(NAMES), (0.0,) * len(NAMES), 0.0)
    shipped = confidence.fitted_model
    confidence.fitted_model = lambda _name: neutral
    try:
        with tempfile.TemporaryDirectory(prefix="tinyeclipse-calibrate-") as workdir:
            stack = Stack(Path(workdir), llm_provider="extractive")
            try:
                # Thresholds at 0: every answer is shown, so "right" is judged on what the bot would say, not on
                # whether the model of the day refused it.
                settings = {"embedding_model": embedding_model, "escalate_threshold": 0.0, "refuse_threshold": 0.0}
                tenants, questions = load(stack, settings, pairs=embedding_model in PAIRED, part=part)
                return ask(stack, tenants, questions[offset::every])
            finally:
                stack.close()
    finally:
        confidence.fitted_model = shipped


def calibrate(embedding_model: str, reuse: bool, every: int = 1) -> tuple[float, float]:
    """Fit `embedding_model`'s confidence model and write it; the thresholds the rule chose for it."""
    path = RECORDS / f"records.{embedding_model}.jsonl"
    if reuse:
        records = kept(RECORDS, embedding_model)
    else:
        records = collect(embedding_model, every=every)
        save(records, path)
    x = matrix(records)
    y = np.array([r.right for r in records], dtype=int)
    scores = held_out(records, x, y)
    chosen = choose_thresholds(records, scores)
    final = fit(x, y)
    note = f"{datetime.now(UTC):%Y-%m-%d} by bench/calibrate.py on {len(records)} answers"
    _write_model(embedding_model, final, chosen, note)
    defaults = chosen if embedding_model == DEFAULT_MODEL else _default_thresholds()
    append_results(report(embedding_model, records, scores, chosen, defaults, x, final))
    return chosen


def _default_thresholds() -> tuple[float, float]:
    thresholds = json.loads(model_path(DEFAULT_MODEL).read_text())["thresholds"]
    return thresholds["escalate"], thresholds["refuse"]


def main() -> None:
    args = sys.argv[1:]
    models = [args[args.index("--model") + 1]] if "--model" in args else list(MODELS)
    # Every n-th question only (a bounded run on a busy machine; say so with the results).
    every = int(args[args.index("--every") + 1]) if "--every" in args else 1
    # ... starting at this one: `--every 2 --offset 1` asks the other half, in parallel.
    offset = int(args[args.index("--offset") + 1]) if "--offset" in args else 0
    unknown = set(models) - set(MODELS)
    if unknown:
        raise SystemExit(f"unknown embedding model {sorted(unknown)}; known: {', '.join(MODELS)}")
    if "--part" in args:
        # Ask one part ("squad" or "xquad") and keep its answers; `--reuse` then fits from the parts together.
        part = args[args.index("--part") + 1]
        for embedding_model in models:
            answers = collect(embedding_model, part, every, offset)
            save(answers, RECORDS / f"records.{embedding_model}.part-{part}-{offset}.jsonl")
        return
    # The default model first: the others are reported at the default thresholds it sets.
    for embedding_model in sorted(models, key=lambda m: m != DEFAULT_MODEL):
        calibrate(embedding_model, reuse="--reuse" in args, every=every)


if __name__ == "__main__":
    main()
