"""POST /api/chat's use case, the six steps: input, retrieval, response, confidence, log, escalate."""

import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tinyeclipse.chat import retrieval
from tinyeclipse.chat.confidence import confidence
from tinyeclipse.chat.engine import Engine
from tinyeclipse.chat.escalation import Outcome, decide, provider_failed
from tinyeclipse.chat.llm import ContextChunk, LLMAnswer, LLMError, LLMRequest, Turn
from tinyeclipse.chat.models import (
    ChatRequest,
    ChatResponse,
    ConsentRequired,
    SourceRef,
)
from tinyeclipse.chat.prompts import system_prompt
from tinyeclipse.chat.terms import best_sentence_coverage, in_context, key_terms, keyword_query
from tinyeclipse.config import Settings
from tinyeclipse.consent.service import has_current_consent
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.conversations.errors import ConversationNotFound
from tinyeclipse.db import Database
from tinyeclipse.errors import InvalidInput
from tinyeclipse.observability import record_chat_answer
from tinyeclipse.ratelimit.limiter import consume, tenant_limits
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin
from tinyeclipse.tenants.settings import Plan, TenantSettings

SNIPPET_CHARS = 240

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Turn:
    tenant_id: UUID
    plan: Plan
    settings: TenantSettings
    conversation_id: UUID
    history: list[Turn]


def _open_turn(db: Database, request: ChatRequest, origin: str | None, history_turns: int) -> _Turn:
    """Step 1, in one tenant transaction: every check, then the visitor's message is stored."""
    with db.tenant(request.tenant_id) as conn:
        tenant = active_tenant(conn, request.tenant_id)
        settings = tenant.effective_settings
        require_allowed_origin(origin, settings.allowed_domains)
        if not has_current_consent(conn, request.tenant_id, request.session_id, settings.terms_version):
            raise ConsentRequired(f"The visitor must accept the terms (version {settings.terms_version}) first.")
        consume(conn, request.tenant_id, tenant_limits(settings, request.session_id))
        if request.conversation_id is None:
            conversation = conversations.create_conversation(conn, request.tenant_id, request.session_id)
        else:
            conversation = conversations.session_conversation(conn, request.conversation_id, request.session_id)
            if conversation is None:
                raise ConversationNotFound(request.conversation_id)
        previous = conversations.recent_messages(conn, conversation["id"], history_turns * 2)
        conversations.insert_message(
            conn, request.tenant_id, conversation["id"], {"role": "user", "content": request.message}
        )
    history = [Turn(role=row["role"], content=row["content"]) for row in previous]
    return _Turn(request.tenant_id, tenant.plan, settings, conversation["id"], history)


def _retrieve(db: Database, engine: Engine, settings: Settings, turn: _Turn, query: str) -> list[retrieval.Retrieved]:
    vector = engine.embedder.encode_query(query)
    with db.tenant(turn.tenant_id) as conn:
        return retrieval.search(
            conn,
            turn.tenant_id,
            vector,
            keyword_query(query),
            k=settings.retrieval_top_k,
            candidates=settings.retrieval_candidates,
        )


def _respond(
    engine: Engine, turn: _Turn, message: str, language: str | None, found: list[retrieval.Retrieved]
) -> LLMAnswer | None:
    """The provider's answer; None when it failed (the caller hands off to a human)."""
    context = [
        ContextChunk(number=i, source_id=hit.source_id, title=hit.title, url=hit.url, text=hit.content)
        for i, hit in enumerate(found, start=1)
    ]
    if not context:
        return LLMAnswer(text="", coherence=0.0, cited=(), tokens_in=0, tokens_out=0, model=engine.provider.name)
    request = LLMRequest(
        question=message,
        history=turn.history,
        context=context,
        system_prompt=system_prompt(turn.plan, turn.settings),
        language=language,
    )
    try:
        return engine.provider.answer(request)
    except LLMError:
        return None


def _sources(found: list[retrieval.Retrieved], cited: tuple[int, ...]) -> list[dict[str, Any]]:
    """The retrieved sources, the cited ones first, one entry per source."""
    order = sorted(range(len(found)), key=lambda i: (i + 1 not in cited, i))
    seen: set[UUID] = set()
    sources = []
    for i in order:
        hit = found[i]
        if hit.source_id in seen:
            continue
        seen.add(hit.source_id)
        snippet = " ".join(hit.content.split())
        sources.append(
            {
                "source_id": str(hit.source_id),
                "chunk_id": hit.chunk_id,
                "title": hit.title,
                "url": hit.url,
                "snippet": snippet if len(snippet) <= SNIPPET_CHARS else snippet[: SNIPPET_CHARS - 1] + "…",
                "score": round(max(0.0, hit.similarity), 4),
                "cited": i + 1 in cited,
            }
        )
    return sources


def answer_message(
    db: Database, settings: Settings, engine: Engine, request: ChatRequest, origin: str | None
) -> ChatResponse:
    started = time.perf_counter()
    if len(request.message) > settings.chat_max_message_chars:
        raise InvalidInput(f"message: at most {settings.chat_max_message_chars} characters.")
    turn = _open_turn(db, request, origin, settings.chat_history_turns)
    question = in_context(request.message, [t.content for t in turn.history if t.role == "user"])
    found = _retrieve(db, engine, settings, turn, question)
    answer = _respond(engine, turn, request.message, request.language, found)

    if answer is None:
        score, outcome, cited = 0.0, provider_failed(turn.settings), ()
    else:
        cited = answer.cited
        supporting = [hit.content for i, hit in enumerate(found, start=1) if i in cited] or [h.content for h in found]
        best = max((hit.similarity for hit in found), default=None)
        source_coverage = best_sentence_coverage(key_terms(question), supporting)
        score = confidence(best, source_coverage, answer.coherence).score
        outcome = decide(answer.text, score, turn.settings)
    # The operator sees what was found even for a refusal; the visitor is shown sources only with an answer.
    found_sources = _sources(found, cited)
    sources = [] if outcome.refused else found_sources
    latency_ms = round((time.perf_counter() - started) * 1000)
    message_id = _log(db, turn, outcome, score, found_sources, answer, engine.provider.name, latency_ms)
    _observe(turn, message_id, outcome, score, engine.provider.name, latency_ms)
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=message_id,
        answer=outcome.answer,
        confidence=score,
        escalated=outcome.escalated,
        refused=outcome.refused,
        sources=[SourceRef(**{key: source[key] for key in SourceRef.model_fields}) for source in sources],
    )


def _observe(turn: _Turn, message_id: UUID, outcome: Outcome, score: float, provider: str, latency_ms: int) -> None:
    """The answer's log line (ids and numbers, never the visitor's text) and its metrics."""
    logger.info(
        "chat answered",
        extra={
            "tenant_id": str(turn.tenant_id),
            "conversation_id": str(turn.conversation_id),
            "message_id": str(message_id),
            "confidence": round(score, 4),
            "escalated": outcome.escalated,
            "refused": outcome.refused,
            "provider": provider,
            "latency_ms": latency_ms,
        },
    )
    record_chat_answer(plan=str(turn.plan), escalated=outcome.escalated, refused=outcome.refused, latency_ms=latency_ms)


def _log(
    db: Database,
    turn: _Turn,
    outcome: Outcome,
    score: float,
    sources: list[dict[str, Any]],
    answer: LLMAnswer | None,
    provider: str,
    latency_ms: int,
) -> UUID:
    """Steps 5 and 6: the answer, the conversation's escalation flag and the usage, in one transaction."""
    with db.tenant(turn.tenant_id) as conn:
        message = conversations.insert_message(
            conn,
            turn.tenant_id,
            turn.conversation_id,
            {
                "role": "assistant",
                "content": outcome.answer,
                "confidence": score,
                "sources_used": sources,
                "escalated": outcome.escalated,
                "refused": outcome.refused,
                "latency_ms": latency_ms,
            },
        )
        conversations.touch_conversation(conn, turn.conversation_id, escalated=outcome.escalated)
        conversations.insert_usage(
            conn,
            turn.tenant_id,
            {
                "conversation_id": turn.conversation_id,
                "message_id": message["id"],
                "endpoint": "chat",
                "model": answer.model if answer else provider,
                "tokens_in": answer.tokens_in if answer else 0,
                "tokens_out": answer.tokens_out if answer else 0,
                "latency_ms": latency_ms,
            },
        )
    return message["id"]
