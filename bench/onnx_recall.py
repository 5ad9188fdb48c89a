"""The chat's ONNX query vectors against the PyTorch ones (issue 16 point 1), on ../shared/eval.

The model is the one the chat loads (float32 by default); EMBEDDING_ONNX_PATH=.../all-MiniLM-L6-v2.int8.onnx
measures the int8 export (`python -m infra.onnx_export --int8`).

Passages are embedded by sentence-transformers, as ingestion stores them: one passage per paragraph, each
article of the SQuAD 2.0 slice one tenant, each XQuAD language one tenant. Every question is encoded both ways
and the tenant's passages ranked by cosine (the vector half of retrieval, exact search):
- recall@5: the share of PyTorch's top 5 that the ONNX query also puts in its top 5 (goal ≥ 0.99);
- hit@5 both ways: the question's own paragraph in the top 5 (answerable questions; goal: within 0.005);
- the cosine between the two query vectors; the per-query encode time, median, one process, one thread each.

`python -m bench.onnx_recall` appends the results to docs/benchmarks.md.
"""

import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy

from bench.stack import REPO, SQUAD, append_results, machine
from tinyeclipse.embeddings import onnx_minilm
from tinyeclipse.embeddings.minilm import TorchMiniLM
from tinyeclipse.embeddings.onnx_minilm import OnnxMiniLM

XQUAD = REPO.parent / "shared" / "eval" / "xquad-dev.json"
XQUAD_PAIRS = (("en", "en"), ("de", "de"), ("es", "es"), ("de", "en"), ("es", "en"))  # (question, knowledge)
K = 5
TIMED = 300  # questions timed per runtime (interleaved, after a warm-up)


@dataclass
class Question:
    text: str
    passage: int | None  # index of its paragraph among the tenant's passages; None when unanswerable


@dataclass
class Tenant:
    name: str
    passages: list[str]
    questions: list[Question]


def squad_tenants() -> list[Tenant]:
    tenants = []
    for article in json.loads(SQUAD.read_text())["data"]:
        passages, questions = [], []
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                questions.append(Question(qa["question"], None if qa["is_impossible"] else len(passages)))
            passages.append(paragraph["context"])
        tenants.append(Tenant(f"squad {article['title']}", passages, questions))
    return tenants


def xquad_tenants() -> list[Tenant]:
    data = json.loads(XQUAD.read_text())["data"]
    tenants = []
    for question_language, knowledge_language in XQUAD_PAIRS:
        passages = [p["context"] for article in data[knowledge_language] for p in article["paragraphs"]]
        questions = []
        index = 0
        for article in data[question_language]:
            for paragraph in article["paragraphs"]:
                questions += [Question(qa["question"], index) for qa in paragraph["qas"]]
                index += 1
        tenants.append(Tenant(f"xquad {question_language}>{knowledge_language}", passages, questions))
    return tenants


@dataclass
class Result:
    name: str
    questions: int
    answerable: int
    recall: float
    hit_torch: float
    hit_onnx: float
    cosines: numpy.ndarray


def top(queries: numpy.ndarray, passages: numpy.ndarray) -> numpy.ndarray:
    scores = queries @ passages.T
    return numpy.argsort(-scores, axis=1, kind="stable")[:, :K]


def compare(tenant: Tenant, torch_model: TorchMiniLM, onnx_model: OnnxMiniLM) -> Result:
    passages = torch_model.encode(tenant.passages)
    texts = [q.text for q in tenant.questions]
    theirs, ours = torch_model.encode(texts), onnx_model.encode(texts)
    top_theirs, top_ours = top(theirs, passages), top(ours, passages)
    recall = numpy.mean([len(set(a) & set(b)) / K for a, b in zip(top_theirs, top_ours, strict=True)])
    answerable = [i for i, q in enumerate(tenant.questions) if q.passage is not None]

    def hits(ranked: numpy.ndarray) -> float:
        return float(numpy.mean([tenant.questions[i].passage in ranked[i] for i in answerable]))

    return Result(
        tenant.name,
        len(texts),
        len(answerable),
        float(recall),
        hits(top_theirs),
        hits(top_ours),
        (theirs * ours).sum(axis=1),
    )


def encode_times(encoders: dict[str, Callable[[str], object]], questions: Sequence[str]) -> dict[str, float]:
    """Median milliseconds of one uncached query encode, the runtimes interleaved question by question."""
    for encode in encoders.values():
        for text in questions[:20]:
            encode(text)
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for text in questions:
        for name, encode in encoders.items():
            started = time.perf_counter()
            encode(text)
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def report(results: list[Result], timing: dict[str, float], seconds: float) -> str:
    model = onnx_minilm.model_file()
    cosines = numpy.concatenate([r.cosines for r in results])
    squad = [r for r in results if r.name.startswith("squad")]
    grouped = [
        Result(
            "squad (6 tenants)",
            sum(r.questions for r in squad),
            sum(r.answerable for r in squad),
            sum(r.recall * r.questions for r in squad) / sum(r.questions for r in squad),
            sum(r.hit_torch * r.answerable for r in squad) / sum(r.answerable for r in squad),
            sum(r.hit_onnx * r.answerable for r in squad) / sum(r.answerable for r in squad),
            numpy.concatenate([r.cosines for r in squad]),
        ),
        *(r for r in results if not r.name.startswith("squad")),
    ]
    total_questions = sum(r.questions for r in results)
    recall_all = sum(r.recall * r.questions for r in results) / total_questions
    lines = [
        f"## ONNX {precision(model)} query vectors vs PyTorch — {machine()}",
        "",
        f"`{model.name}` ({model.stat().st_size / 1e6:.0f} MB; infra/onnx_export.py"
        + (
            " --int8: per-channel int8 weights for the MatMuls and word embeddings, the feed-forward output MatMuls "
            "float)"
            if precision(model) == "int8"
            else ", `make onnx`: float32 weights)"
        )
        + " against "
        "sentence-transformers on the same packaged weights. Passages (one per paragraph) embedded by "
        "sentence-transformers as ingestion stores them; each question's vector from both runtimes ranks its "
        "tenant's passages by cosine (exact; the vector half of hybrid retrieval). recall@5: the share of "
        "PyTorch's top 5 the ONNX vector also ranks in its top 5. hit@5: the question's own paragraph in the top "
        f"5 (answerable questions). {total_questions} questions in {seconds:.0f} s.",
        "",
        "| tenants | questions | recall@5 ONNX vs PyTorch | hit@5 PyTorch | hit@5 ONNX | difference |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r.name} | {r.questions} | {r.recall:.4f} | {r.hit_torch:.4f} | {r.hit_onnx:.4f} "
            f"| {r.hit_onnx - r.hit_torch:+.4f} |"
            for r in grouped
        ),
        f"| **all** | {total_questions} | **{recall_all:.4f}** | | | |",
        "",
        f"Cosine between the two vectors of a question: min {cosines.min():.4f}, 1st percentile "
        f"{numpy.quantile(cosines, 0.01):.4f}, median {numpy.median(cosines):.4f}.",
        "",
        f"One query encode, median of {TIMED} questions, uncached, interleaved: "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in timing.items())
        + f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end of the run).",
        "",
    ]
    return "\n".join(lines)


def precision(model: Path) -> str:
    return "int8" if model.name.endswith(".int8.onnx") else "float32"


def main() -> None:
    import torch

    started = time.monotonic()
    torch_model = TorchMiniLM()
    onnx_model = OnnxMiniLM.load()
    results = []
    for tenant in squad_tenants() + xquad_tenants():
        results.append(compare(tenant, torch_model, onnx_model))
        print(f"{tenant.name}: recall@5 {results[-1].recall:.4f}", flush=True)
    questions = [q.text for tenant in squad_tenants() for q in tenant.questions][::7][:TIMED]
    threads = torch.get_num_threads()
    timing = encode_times(
        {
            f"ONNX {precision(onnx_minilm.model_file())} (1 thread)": lambda text: onnx_model.encode([text]),
            f"PyTorch ({threads} threads, its default)": lambda text: torch_model.encode([text]),
        },
        questions,
    )
    torch.set_num_threads(1)
    timing |= encode_times({"PyTorch (1 thread)": lambda text: torch_model.encode([text])}, questions)
    torch.set_num_threads(threads)
    append_results(report(results, timing, time.monotonic() - started))


if __name__ == "__main__":
    main()
