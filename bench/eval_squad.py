"""Answer quality on ../shared/eval (`make eval`), as its README describes, at the default thresholds.

The SQuAD 2.0 slice (a tenant per article) and XQuAD English (one tenant) are asked through the chat service
with the extractive provider (bench/answers.py), plus off-topic questions of articles each tenant does not hold.
The confidence model was fitted on these same articles (`make calibrate`), so these numbers are in-sample: the
held-out estimate, as on articles the model never saw, is the calibration report's.
"""

import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.answers import Record, ask, by_tenant_corpus, load
from bench.metrics import roc_auc
from bench.stack import Stack, append_results, machine
from tinyeclipse.tenants.settings import TenantSettings


def _share(items: Sequence[Record], test: Callable[[Record], bool]) -> float:
    return sum(1 for item in items if test(item)) / max(1, len(items))


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered))))] if ordered else float("nan")


def measures(records: Sequence[Record]) -> list[tuple[str, float, str]]:
    on = [r for r in records if not r.off_topic]
    answerable = [r for r in on if r.question.answerable]
    impossible = [r for r in on if not r.question.answerable]
    off = [r for r in records if r.off_topic]
    auc = roc_auc([r.confidence for r in answerable], [r.confidence for r in impossible]) if impossible else None
    return [
        (
            "resolution (answerable: gold answer contained, not escalated or refused)",
            _share(answerable, lambda r: r.contained and not r.handed_off),
            "≥ 0.55",
        ),
        ("answerable escalated or refused", _share(answerable, lambda r: r.handed_off), ""),
        ("answerable refused", _share(answerable, lambda r: r.refused), ""),
        (
            "unanswerable unflagged (neither escalated nor refused)",
            _share(impossible, lambda r: not r.handed_off) if impossible else float("nan"),
            "≤ 0.15",
        ),
        ("off-topic handed off (another article's questions)", _share(off, lambda r: r.handed_off), "≥ 0.98"),
        ("ROC AUC of confidence (answerable vs unanswerable)", auc if auc is not None else float("nan"), "≥ 0.85"),
        ("hit@5 (the question's paragraph among the sources returned)", _share(answerable, lambda r: r.hit), ""),
        (
            "retrieval hit@5 (among the sources found, also when refused)",
            _share(answerable, lambda r: r.retrieved_hit),
            "",
        ),
        ("answer containment (answerable)", _share(answerable, lambda r: r.contained), "≥ 0.67"),
        ("cross-tenant citations", _share(records, lambda r: r.foreign_citation), "0"),
    ]


def report(records: list[Record], seconds: float, settings: TenantSettings) -> str:
    table = {corpus: measures(by_tenant_corpus(records, corpus)) for corpus in ("squad", "xquad-en")}
    answerable = [r for r in records if r.question.answerable and not r.off_topic]
    impossible = [r for r in records if not r.question.answerable]
    lines = [
        f"## Answer quality (SQuAD 2.0 slice and XQuAD en, extractive provider) — {machine()}",
        "",
        f"{len(records)} questions ({len(answerable)} answerable, {len(impossible)} unanswerable, "
        f"{sum(r.off_topic for r in records)} off-topic) in {seconds:.0f} s; default thresholds escalate < "
        f"{settings.escalate_threshold}, refuse < {settings.refuse_threshold}. In-sample: the confidence model was "
        "fitted on these articles (the calibration report gives the held-out numbers).",
        "",
        "| measure | SQuAD slice | XQuAD en | goal |",
        "|---|---|---|---|",
        *(
            f"| {name} | {value:.3f} | {table['xquad-en'][i][1]:.3f} | {goal} |"
            for i, (name, value, goal) in enumerate(table["squad"])
        ),
        "",
        f"Confidence medians: answerable {_quantile([r.confidence for r in answerable], 0.5):.3f}, "
        f"unanswerable {_quantile([r.confidence for r in impossible], 0.5):.3f}, off-topic "
        f"{_quantile([r.confidence for r in records if r.off_topic], 0.5):.3f}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else None  # every n-th question, for a quick look
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-eval-") as workdir:
        stack = Stack(Path(workdir), llm_provider="extractive")
        try:
            tenants, questions = load(stack)
            started = time.perf_counter()
            records = ask(stack, tenants, questions[::limit] if limit else questions)
            seconds = time.perf_counter() - started
        finally:
            stack.close()
    append_results(report(records, seconds, TenantSettings()))


if __name__ == "__main__":
    main()
