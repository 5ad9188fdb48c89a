"""Answer quality on the SQuAD 2.0 slice, as ../shared/eval/README.md describes it (`make eval`).

Each article is a tenant; each paragraph a text source titled "<article> #<n>", ingested by the product's
own pipeline; each question asked through the chat service with the extractive provider, in a fresh
conversation. Reports hit@5, answer containment, hand-off rates, the ROC AUC of confidence, isolation,
and the thresholds this data suggests.
"""

import json
import re
import string
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from bench.stack import SQUAD, Stack, append_results, machine
from tinyeclipse.chat.engine import build_engine
from tinyeclipse.chat.models import ChatRequest
from tinyeclipse.chat.service import answer_message
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE

SESSION = "eval"


@dataclass(frozen=True)
class Outcome:
    answerable: bool
    hit: bool
    retrieved_hit: bool
    contained: bool
    escalated: bool
    refused: bool
    confidence: float
    foreign_citation: bool


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation) | {"\u201c", "\u201d", "\u2019"})
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """P(a random positive scores above a random negative), ties counting half (Mann-Whitney U)."""
    ranked = sorted([(score, 1) for score in positives] + [(score, 0) for score in negatives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2
        rank_sum += average_rank * sum(label for _, label in ranked[i:j])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def load_articles(stack: Stack, data: dict) -> list[tuple[UUID, dict, list[UUID]]]:
    """A tenant per article with one text source per paragraph, all indexed; their consents given."""
    loaded = []
    for number, article in enumerate(data["data"], start=1):
        tenant_id = stack.add_tenant(article["title"], 10_000 + number)
        source_ids = []
        for n, paragraph in enumerate(article["paragraphs"], start=1):
            body = {"tenant_id": tenant_id, "type": "text", "title": f"{article['title']} #{n}"}
            source = sources.create_source(
                stack.db, stack.settings, SOURCE_CREATE.validate_python({**body, "content": paragraph["context"]})
            )
            source_ids.append(source.id)
        with stack.db.tenant(tenant_id) as conn:
            conn.execute(
                "INSERT INTO consents (tenant_id, session_id, accepted, terms_version) VALUES (%s, %s, true, '1')",
                [tenant_id, SESSION],
            )
        loaded.append((tenant_id, article, source_ids))
    while worker.run_once(stack.db, stack.settings, "eval"):
        pass
    return loaded


def ask_all(stack: Stack, loaded: list[tuple[UUID, dict, list[UUID]]], limit: int | None) -> list[Outcome]:
    engine = build_engine(stack.settings)
    all_sources = {source_id: tenant_id for tenant_id, _, ids in loaded for source_id in ids}
    outcomes = []
    for tenant_id, article, source_ids in loaded:
        questions = [(n, qa) for n, p in enumerate(article["paragraphs"]) for qa in p["qas"]][:limit]
        for n, qa in questions:
            request = ChatRequest(tenant_id=tenant_id, session_id=SESSION, message=qa["question"])
            response = answer_message(stack.db, stack.settings, engine, request, origin=None)
            with stack.db.tenant(tenant_id) as conn:
                used = conn.execute("SELECT sources_used FROM messages WHERE id = %s", [response.message_id])
                retrieved = {UUID(source["source_id"]) for source in used.fetchone()["sources_used"]}
            returned = {source.source_id for source in response.sources}
            golds = [normalize(answer["text"]) for answer in qa["answers"]]
            outcomes.append(
                Outcome(
                    answerable=not qa["is_impossible"],
                    hit=source_ids[n] in returned,
                    retrieved_hit=source_ids[n] in retrieved,
                    contained=any(gold and gold in normalize(response.answer) for gold in golds),
                    escalated=response.escalated,
                    refused=response.refused,
                    confidence=response.confidence,
                    foreign_citation=any(all_sources.get(s) != tenant_id for s in returned | retrieved),
                )
            )
    return outcomes


def _share(items: Sequence[Outcome], test: object) -> float:
    return sum(1 for item in items if test(item)) / max(1, len(items))  # type: ignore[operator]


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered))))]


def report(outcomes: list[Outcome], seconds: float, escalate: float, refuse: float) -> str:
    answerable = [o for o in outcomes if o.answerable]
    impossible = [o for o in outcomes if not o.answerable]
    auc = roc_auc([o.confidence for o in answerable], [o.confidence for o in impossible])
    # What the data suggests: refuse below the answerable 10th percentile (≤ 10% of answerable refused);
    # escalate below the unanswerable 90th percentile (≥ 90% of unanswerable handed off).
    suggested_refuse = _quantile([o.confidence for o in answerable], 0.10)
    suggested_escalate = _quantile([o.confidence for o in impossible], 0.90)
    rows = [
        (
            "hit@5 (answerable: the question's paragraph among the sources returned)",
            _share(answerable, lambda o: o.hit),
            "≥ 0.95",
        ),
        (
            "retrieval hit@5 (among the sources found, also when the answer was refused)",
            _share(answerable, lambda o: o.retrieved_hit),
            "",
        ),
        ("answer containment (answerable)", _share(answerable, lambda o: o.contained), "≥ 0.6"),
        (
            "unanswerable handed off (escalated or refused)",
            _share(impossible, lambda o: o.escalated or o.refused),
            "≥ 0.9",
        ),
        ("answerable refused", _share(answerable, lambda o: o.refused), "≤ 0.1"),
        ("answerable escalated (incl. refused)", _share(answerable, lambda o: o.escalated), ""),
        ("ROC AUC of confidence (answerable vs unanswerable)", auc, "≥ 0.85"),
        ("isolation: answers citing another tenant's source", _share(outcomes, lambda o: o.foreign_citation), "0"),
    ]
    lines = [
        f"## Answer quality (SQuAD 2.0 slice, extractive provider) — {machine()}",
        "",
        f"{len(outcomes)} questions ({len(answerable)} answerable, {len(impossible)} unanswerable) in "
        f"{seconds:.0f} s; thresholds escalate < {escalate}, refuse < {refuse}.",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        *(f"| {name} | {value:.3f} | {goal} |" for name, value, goal in rows),
        "",
        f"Confidence medians: answerable {_quantile([o.confidence for o in answerable], 0.5):.3f}, "
        f"unanswerable {_quantile([o.confidence for o in impossible], 0.5):.3f}. Thresholds this data suggests: "
        f"refuse < {suggested_refuse:.2f} (10th percentile of answerable), escalate < {suggested_escalate:.2f} "
        "(90th percentile of unanswerable).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else None  # questions per article, for a quick look
    data = json.loads(SQUAD.read_text())
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-eval-") as workdir:
        stack = Stack(Path(workdir), llm_provider="extractive")
        try:
            loaded = load_articles(stack, data)
            started = time.perf_counter()
            outcomes = ask_all(stack, loaded, limit)
            seconds = time.perf_counter() - started
        finally:
            stack.close()
    from tinyeclipse.tenants.settings import TenantSettings

    defaults = TenantSettings()
    append_results(report(outcomes, seconds, defaults.escalate_threshold, defaults.refuse_threshold))


if __name__ == "__main__":
    main()
