"""POST /api/chat's use case, the six steps: input, retrieval, response, confidence, log, escalate."""

import logging
import time
from dataclasses import dataclass
from uuid import UUID

from tinyeclipse.chat import citations, grounding, intents, retrieval
from tinyeclipse.chat.confidence import Confidence, assess, no_answer
from tinyeclipse.chat.engine import Engine
from tinyeclipse.chat.escalation import Outcome, decide, provider_failed
from tinyeclipse.chat.features import extract
from tinyeclipse.chat.intents import Intent
from tinyeclipse.chat.llm import ContextChunk, LLMAnswer, LLMError, LLMRequest, Turn
from tinyeclipse.chat.models import ChatRequest, ChatResponse, ConsentRequired, SourceRef
from tinyeclipse.chat.prompts import system_prompt
from tinyeclipse.chat.reading import Reading
from tinyeclipse.chat.terms import in_context, keyword_query
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

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Turn:
    tenant_id: UUID
    tenant_name: str
    plan: Plan
    settings: TenantSettings
    conversation_id: UUID
    history: list[Turn]


def _open_turn(db: Database, config: Settings, request: ChatRequest, origin: str | None) -> _Turn:
    """Step 1, in one tenant transaction: every check, then the visitor's message is stored."""
    with db.tenant(request.tenant_id) as conn:
        tenant = active_tenant(conn, request.tenant_id, config)
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
        previous = conversations.recent_messages(conn, conversation["id"], config.chat_history_turns * 2)
        conversations.insert_message(
            conn, request.tenant_id, conversation["id"], {"role": "user", "content": request.message}
        )
    history = [Turn(role=row["role"], content=row["content"]) for row in previous]
    return _Turn(request.tenant_id, tenant.name, tenant.plan, settings, conversation["id"], history)


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


def _context(found: list[retrieval.Retrieved]) -> list[ContextChunk]:
    return [
        ContextChunk(
            number=i,
            source_id=hit.source_id,
            title=hit.title,
            url=hit.url,
            text=hit.content,
            heading=hit.heading,
            faq_question=hit.faq_question,
        )
        for i, hit in enumerate(found, start=1)
    ]


def _respond(
    engine: Engine, turn: _Turn, message: str, language: str | None, context: list[ContextChunk]
) -> LLMAnswer | None:
    """The provider's answer; None when it failed (the caller hands off to a human)."""
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
    except LLMError as exc:
        # Why the visitor got the hand-off (timed out, busy, HTTP 429 ...): the operator's first question.
        logger.warning(
            "provider failed",
            extra={"tenant_id": str(turn.tenant_id), "provider": engine.provider.name, "reason": str(exc)},
        )
        return None


def _assess(
    engine: Engine,
    question: str,
    found: list[retrieval.Retrieved],
    reading: Reading,
    answer: LLMAnswer | None,
    language: str,
) -> Confidence:
    """Step 4: the features of the answer and the fitted confidence."""
    if answer is None or not answer.text.strip():
        return no_answer(extract(question, found, reading, [], language))
    features = extract(question, found, reading, grounding.support(reading, answer), language)
    grounded = 1.0 if answer.quoted else grounding.groundedness(engine.embedder, reading, answer)
    return assess(features, coherence=answer.coherence, groundedness=grounded)


def answer_message(
    db: Database, settings: Settings, engine: Engine, request: ChatRequest, origin: str | None
) -> ChatResponse:
    started = time.perf_counter()
    if len(request.message) > settings.chat_max_message_chars:
        raise InvalidInput(f"message: at most {settings.chat_max_message_chars} characters.")
    turn = _open_turn(db, settings, request, origin)
    detected = intents.detect(request.message)
    if detected is not None:
        return _answer_intent(db, turn, request, detected.intent, started)
    question = in_context(request.message, [t.content for t in turn.history if t.role == "user"])
    found = _retrieve(db, engine, settings, turn, question)
    context = _context(found)
    answer = _respond(engine, turn, request.message, request.language, context)
    reading = engine.reader.read(question, context)
    language = request.language or turn.settings.language
    confidence = _assess(engine, question, found, reading, answer, language.split("-")[0])
    outcome = provider_failed(turn.settings) if answer is None else decide(answer.text, confidence.score, turn.settings)
    # The operator sees what was found even for a refusal; the visitor is shown sources only with an answer.
    cited = answer.cited if answer else ()
    listed = citations.list_sources(found, cited, answer.quoted if answer else ())
    text = outcome.answer if outcome.refused or answer is None else citations.renumber(outcome.answer, listed)
    outcome = Outcome(text, escalated=outcome.escalated, refused=outcome.refused)
    sources = [] if outcome.refused else listed.sources
    latency_ms = round((time.perf_counter() - started) * 1000)
    message_id = _log(db, turn, outcome, listed.sources, answer, engine.provider.name, latency_ms, confidence)
    _observe(turn, message_id, outcome, confidence.score, engine.provider.name, latency_ms)
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=message_id,
        answer=outcome.answer,
        confidence=confidence.score,
        escalated=outcome.escalated,
        refused=outcome.refused,
        sources=sources,
    )


def _answer_intent(db: Database, turn: _Turn, request: ChatRequest, intent: Intent, started: float) -> ChatResponse:
    """Small talk gets a short friendly answer without retrieval; a request for a person is escalated."""
    text = intents.reply(
        intent,
        greeting=turn.settings.greeting,
        team=turn.tenant_name,
        language=request.language,
        message=request.message,
        contact=turn.settings.contact,
    )
    outcome = Outcome(text, escalated=intent is Intent.handoff, refused=False)
    latency_ms = round((time.perf_counter() - started) * 1000)
    message_id = _log(db, turn, outcome, [], None, "intents", latency_ms, intent=intent)
    _observe(turn, message_id, outcome, None, "intents", latency_ms)
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=message_id,
        answer=text,
        confidence=None,
        escalated=outcome.escalated,
        refused=False,
        sources=[],
        intent=intent,
    )


def _observe(
    turn: _Turn, message_id: UUID, outcome: Outcome, score: float | None, provider: str, latency_ms: int
) -> None:
    """The answer's log line (ids and numbers, never the visitor's text) and its metrics."""
    logger.info(
        "chat answered",
        extra={
            "tenant_id": str(turn.tenant_id),
            "conversation_id": str(turn.conversation_id),
            "message_id": str(message_id),
            "confidence": None if score is None else round(score, 4),
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
    sources: list[SourceRef],
    answer: LLMAnswer | None,
    provider: str,
    latency_ms: int,
    confidence: Confidence | None = None,
    intent: Intent | None = None,
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
                "confidence": confidence.score if confidence else None,
                "confidence_parts": confidence.parts() if confidence else None,
                "intent": intent,
                "sources_used": [source.model_dump(mode="json") for source in sources],
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
