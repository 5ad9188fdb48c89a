"""Asking the evaluation questions through the chat service, as ../shared/eval/README.md describes.

Shared by `make eval` (bench/eval_squad.py reports) and `make calibrate` (bench/calibrate.py fits the confidence
model on the features each answer stored). Each SQuAD article is a tenant; the English XQuAD articles are one
more tenant; each paragraph is a `text` source titled "<article> #<n>", ingested by the product's own pipeline.
Each tenant is also asked OFF_TOPIC answerable questions of articles it does not hold (it should hand them off).
"""

import json
import random
import re
import string
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from uuid import UUID

from bench.stack import REPO, Stack
from tinyeclipse.chat.engine import build_engine
from tinyeclipse.chat.models import ChatRequest
from tinyeclipse.chat.service import answer_message
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion import worker
from tinyeclipse.ingestion.models import SOURCE_CREATE

EVAL = REPO.parent / "shared" / "eval"
SQUAD = EVAL / "squad2-dev-slice.json"
XQUAD = EVAL / "xquad-dev.json"
SESSION = "eval"
OFF_TOPIC = 50
SEED = 12


@dataclass(frozen=True)
class Question:
    corpus: str  # "squad", "xquad-en" ...
    article: str  # the article the question was written on (the validation group)
    tenant: int  # index into the loaded tenants
    text: str
    answerable: bool
    golds: tuple[str, ...]
    paragraph: int | None  # index of the question's paragraph in the tenant's sources; None when off-topic


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
    corpus: str
    id: UUID
    articles: tuple[str, ...]
    source_ids: tuple[UUID, ...]


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    drop = set(string.punctuation) | {"\u201c", "\u201d", "\u2019"}
    text = "".join(ch for ch in text.lower() if ch not in drop)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def _add_tenant(stack: Stack, corpus: str, articles: list[dict], number: int, overrides: dict) -> Tenant:
    tenant_id = stack.add_tenant(f"{corpus}: {articles[0]['title']}", 10_000 + number, overrides)
    source_ids = []
    for article in articles:
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


def _questions(corpus: str, tenant: int, articles: list[dict]) -> Iterator[Question]:
    n = 0
    for article in articles:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                yield Question(
                    corpus=corpus,
                    article=article["title"],
                    tenant=tenant,
                    text=qa["question"],
                    answerable=not qa.get("is_impossible", False),
                    golds=tuple(normalize(a["text"]) for a in qa["answers"]),
                    paragraph=n,
                )
            n += 1


def load(stack: Stack, overrides: dict | None = None) -> tuple[list[Tenant], list[Question]]:
    """The tenants (one per SQuAD article, one for XQuAD English, with these settings `overrides`), indexed,
    and every question to ask them."""
    overrides = overrides or {}
    squad = json.loads(SQUAD.read_text())["data"]
    xquad = json.loads(XQUAD.read_text())["data"]["en"]
    tenants: list[Tenant] = []
    questions: list[Question] = []
    for article in squad:
        tenants.append(_add_tenant(stack, "squad", [article], len(tenants) + 1, overrides))
        questions += _questions("squad", len(tenants) - 1, [article])
    tenants.append(_add_tenant(stack, "xquad-en", xquad, len(tenants) + 1, overrides))
    questions += _questions("xquad-en", len(tenants) - 1, xquad)
    while worker.run_once(stack.db, stack.settings, "eval"):
        pass
    # Off-topic: answerable questions of articles the tenant does not hold, fixed by the seed.
    pool = [q for q in questions if q.answerable]
    rng = random.Random(SEED)
    for index, tenant in enumerate(tenants):
        foreign = [q for q in pool if q.article not in tenant.articles]
        for q in rng.sample(foreign, OFF_TOPIC):
            questions.append(Question(q.corpus, q.article, index, q.text, True, q.golds, None))
    return tenants, questions


def ask(stack: Stack, tenants: list[Tenant], questions: list[Question]) -> list[Record]:
    """Each question through the chat service (extractive provider), in a fresh conversation."""
    engine = build_engine(stack.settings)
    owner = {source_id: tenant.id for tenant in tenants for source_id in tenant.source_ids}
    records = []
    for question in questions:
        tenant = tenants[question.tenant]
        request = ChatRequest(tenant_id=tenant.id, session_id=SESSION, message=question.text)
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
    """The records of the tenants of `corpus`: their own questions and the off-topic ones they were asked."""
    corpus_of = {r.question.tenant: r.question.corpus for r in records if not r.off_topic}
    return [r for r in records if corpus_of[r.question.tenant] == corpus]


def save(records: list[Record], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for record in records:
            out.write(json.dumps(asdict(record)) + "\n")


def read(path: Path) -> list[Record]:
    records = []
    for line in path.read_text().splitlines():
        data = json.loads(line)
        question = data.pop("question")
        question = Question(**{**question, "golds": tuple(question["golds"])})
        records.append(Record(question=question, **data))
    return records
