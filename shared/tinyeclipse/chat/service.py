"""POST /api/chat's use case, the six steps: input, retrieval, response, confidence, log, escalate."""

import logging
import time
from dataclasses import dataclass
from uuid import UUID

from tinyeclipse.chat import citations, grounding, intents, preview, retrieval
from tinyeclipse.chat.confidence import Confidence, assess, no_answer
from tinyeclipse.chat.engine import Engine, Engines
from tinyeclipse.chat.escalation import Outcome, decide, provider_failed
from tinyeclipse.chat.features import extract
from tinyeclipse.chat.intents import Intent
from tinyeclipse.chat.language import tenant_languages, text_search_config, visitor_language
from tinyeclipse.chat.llm import ContextChunk, LLMAnswer, LLMError, LLMRequest, Turn
from tinyeclipse.chat.models import ChatRequest, ChatResponse, ConsentRequired, SourceRef
from tinyeclipse.chat.preview import PreviewAnswer, PreviewRequest
from tinyeclipse.chat.prompts import system_prompt
from tinyeclipse.chat.reading import Reading
from tinyeclipse.chat.replies import replies
from tinyeclipse.chat.terms import in_context, keyword_query
from tinyeclipse.config import Settings
from tinyeclipse.consent.service import has_current_consent
from tinyeclipse.conversations import ownership
from tinyeclipse.conversations import repository as conversations
from tinyeclipse.conversations.errors import ConversationNotFound
from tinyeclipse.conversations.states import BOT_SILENT, Actor, Reason, State
from tinyeclipse.db import Connection, Database
from tinyeclipse.embeddings.names import EmbeddingModel
from tinyeclipse.errors import InvalidInput
from tinyeclipse.notifications import Event, enqueue
from tinyeclipse.observability import record_chat_answer
from tinyeclipse.ratelimit import quota
from tinyeclipse.ratelimit.limiter import consume, tenant_limits
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.access import active_tenant, require_allowed_origin
from tinyeclipse.tenants.models import Tenant
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
    handled_by: State
    message_id: UUID
    # What a notification to the team tells besides the question.
    context: dict[str, object]
    was_escalated: bool
    embedding_model: EmbeddingModel  # of the chunks the tenant's answers read now


def _open_turn(db: Database, config: Settings, request: ChatRequest, origin: str | None) -> _Turn:
    """Step 1, in one tenant transaction: every check, then the visitor's message is stored. While a person is
    asked for or answers, that is all: the team is told the visitor wrote."""
    with db.tenant(request.tenant_id) as conn:
        tenant = active_tenant(conn, request.tenant_id, config)
        settings = tenant.effective_settings
        require_allowed_origin(origin, settings.allowed_domains)
        if not has_current_consent(conn, request.tenant_id, request.session_id, settings.terms_version):
            raise ConsentRequired(f"The visitor must accept the terms (version {settings.terms_version}) first.")
        consume(conn, request.tenant_id, tenant_limits(settings, request.session_id))
        if request.conversation_id is None:
            conversation = conversations.create_conversation(
                conn, request.tenant_id, request.session_id, request.page_url
            )
        else:
            conversation = conversations.session_conversation(conn, request.conversation_id, request.session_id)
            if conversation is None:
                raise ConversationNotFound(request.conversation_id)
            if request.page_url and conversation["page_url"] is None:
                conversations.keep_page_url(conn, conversation["id"], request.page_url)
        previous = conversations.recent_messages(conn, conversation["id"], config.chat_history_turns * 2)
        message = conversations.insert_message(
            conn, request.tenant_id, conversation["id"], {"role": "user", "content": request.message}
        )
        handled_by = State(conversation["handled_by"])
        context = {
            "message": request.message,
            "page_url": conversation["page_url"] or request.page_url,
            "visitor_email": conversation["visitor_email"],
        }
        if handled_by in BOT_SILENT:
            conversations.touch_conversation(conn, conversation["id"], escalated=False)
            enqueue(conn, config, request.tenant_id, "visitor.replied", context, conversation["id"])
    history = [Turn(role=row["role"], content=row["content"]) for row in previous]
    return _Turn(
        request.tenant_id,
        tenant.name,
        tenant.plan,
        settings,
        conversation["id"],
        history,
        handled_by,
        message["id"],
        context,
        conversation["escalated"],
        tenant.index_model,
    )


def _retrieve(
    db: Database, engine: Engine, settings: Settings, turn: _Turn, query: str, language: str
) -> list[retrieval.Retrieved]:
    """Step 2: the tenant's best chunks, by its model's vectors and by key words in the visitor's language."""
    vector = engine.embedder.encode_query(query)
    with db.tenant(turn.tenant_id) as conn:
        return retrieval.search(
            conn,
            retrieval.Query(
                tenant_id=turn.tenant_id,
                model=turn.embedding_model,
                vector=vector,
                keywords=keyword_query(query),
                words=text_search_config(language),
            ),
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


def _respond(engine: Engine, turn: _Turn, message: str, language: str, context: list[ContextChunk]) -> LLMAnswer | None:
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
        return no_answer(extract(question, found, reading, [], language), engine.embedder.name)
    features = extract(question, found, reading, grounding.support(reading, answer), language)
    grounded = 1.0 if answer.quoted else grounding.groundedness(engine.embedder, reading, answer)
    return assess(features, engine.embedder.name, coherence=answer.coherence, groundedness=grounded)


@dataclass(frozen=True)
class _Answered:
    """Steps 2 to 4 for a question to the knowledge: the answer, its confidence, what the visitor is told."""

    answer: LLMAnswer | None  # None: the provider failed
    confidence: Confidence
    outcome: Outcome
    sources: list[SourceRef]  # everything found, in the order the answer's [n] refer to


def _answer_question(
    db: Database, settings: Settings, engine: Engine, turn: _Turn, message: str, language: str
) -> _Answered:
    question = in_context(message, [t.content for t in turn.history if t.role == "user"])
    found = _retrieve(db, engine, settings, turn, question, language)
    context = _context(found)
    answer = _respond(engine, turn, message, language, context)
    reading = engine.reader.read(question, context)
    confidence = _assess(engine, question, found, reading, answer, language)
    outcome = (
        provider_failed(turn.settings, language)
        if answer is None
        else decide(answer.text, confidence.score, turn.settings, language)
    )
    listed = citations.list_sources(found, answer.cited if answer else (), answer.quoted if answer else ())
    text = outcome.answer if outcome.refused or answer is None else citations.renumber(outcome.answer, listed)
    return _Answered(
        answer, confidence, Outcome(text, escalated=outcome.escalated, refused=outcome.refused), listed.sources
    )


def answer_message(
    db: Database, settings: Settings, engines: Engines, request: ChatRequest, origin: str | None
) -> ChatResponse:
    started = time.perf_counter()
    if len(request.message) > settings.chat_max_message_chars:
        raise InvalidInput(f"message: at most {settings.chat_max_message_chars} characters.")
    turn = _open_turn(db, settings, request, origin)
    if turn.handled_by in BOT_SILENT:
        return _held_for_a_person(turn)
    engine = engines.using(turn.embedding_model)
    # Before retrieval: the keyword search parses the question in it, and whatever the bot says is in it.
    language = visitor_language(
        request.message, request.language, turn.settings.language, tenant_languages(turn.settings.language)
    )
    if not quota.take_one(db, turn.tenant_id, turn.settings.monthly_message_quota):
        return _answer_over_quota(db, settings, turn, language, started)
    detected = intents.detect(request.message)
    if detected is not None:
        return _answer_intent(db, settings, turn, detected.intent, language, started)
    answered = _answer_question(db, settings, engine, turn, request.message, language)
    outcome, confidence = answered.outcome, answered.confidence
    # The operator sees what was found even for a refusal; the visitor is shown sources only with an answer.
    sources = [] if outcome.refused else answered.sources
    latency_ms = round((time.perf_counter() - started) * 1000)
    hand_over = _escalation(turn, outcome)
    message_id, handled_by = _log(
        db,
        settings,
        turn,
        outcome,
        answered.sources,
        answered.answer,
        engine.provider.name,
        latency_ms,
        confidence,
        hand_over,
    )
    _observe(turn, message_id, outcome, confidence.score, engine.provider.name, latency_ms)
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=message_id,
        answer=outcome.answer,
        confidence=confidence.score,
        escalated=outcome.escalated,
        refused=outcome.refused,
        sources=sources,
        handled_by=handled_by,
    )


@dataclass(frozen=True)
class _HandOver:
    """What an answer does to the conversation: move it to waiting (or not), and which event tells the team."""

    event: Event
    actor: Actor | None = None
    reason: Reason | None = None


def _escalation(turn: _Turn, outcome: Outcome) -> _HandOver | None:
    if not outcome.escalated:
        return None
    if turn.settings.escalation_hands_over:
        return _HandOver("conversation.escalated", Actor.bot, Reason.escalated_answer)
    # The bot keeps answering: the team hears of the conversation's first escalation only.
    return None if turn.was_escalated else _HandOver("conversation.escalated")


def _held_for_a_person(turn: _Turn) -> ChatResponse:
    """The visitor's message is stored for the team; the bot says nothing."""
    logger.info(
        "chat held for a person",
        extra={
            "tenant_id": str(turn.tenant_id),
            "conversation_id": str(turn.conversation_id),
            "message_id": str(turn.message_id),
            "handled_by": str(turn.handled_by),
        },
    )
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=turn.message_id,
        answer="",
        confidence=None,
        escalated=False,
        refused=False,
        sources=[],
        handled_by=turn.handled_by,
    )


def _answer_intent(
    db: Database, settings: Settings, turn: _Turn, intent: Intent, language: str, started: float
) -> ChatResponse:
    """Small talk gets a short friendly answer without retrieval; a request for a person is escalated."""
    text = intents.reply(
        intent, greeting=turn.settings.greeting, team=turn.tenant_name, language=language, contact=turn.settings.contact
    )
    outcome = Outcome(text, escalated=intent is Intent.handoff, refused=False)
    latency_ms = round((time.perf_counter() - started) * 1000)
    hand_over = (
        _HandOver("handoff.requested", Actor.visitor, Reason.handoff_intent) if intent is Intent.handoff else None
    )
    message_id, handled_by = _log(
        db, settings, turn, outcome, [], None, "intents", latency_ms, intent=intent, hand_over=hand_over
    )
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
        handled_by=handled_by,
    )


def _answer_over_quota(db: Database, settings: Settings, turn: _Turn, language: str, started: float) -> ChatResponse:
    """The month's quota is used up: the bot says so and the team takes the conversation."""
    outcome = Outcome(replies(language).quota_reached, escalated=False, refused=False)
    latency_ms = round((time.perf_counter() - started) * 1000)
    hand_over = _HandOver("handoff.requested", Actor.bot, Reason.quota_exhausted)
    message_id, handled_by = _log(
        db, settings, turn, outcome, [], None, "quota", latency_ms, intent=Intent.quota, hand_over=hand_over
    )
    _observe(turn, message_id, outcome, None, "quota", latency_ms)
    return ChatResponse(
        conversation_id=turn.conversation_id,
        message_id=message_id,
        answer=outcome.answer,
        confidence=None,
        escalated=False,
        refused=False,
        sources=[],
        intent=Intent.quota,
        handled_by=handled_by,
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
    config: Settings,
    turn: _Turn,
    outcome: Outcome,
    sources: list[SourceRef],
    answer: LLMAnswer | None,
    provider: str,
    latency_ms: int,
    confidence: Confidence | None = None,
    hand_over: _HandOver | None = None,
    intent: Intent | None = None,
) -> tuple[UUID, State]:
    """Steps 5 and 6: the answer, the conversation's escalation flag and the usage, in one transaction; a hand-off
    moves the conversation to waiting and tells the team. Returns the answer's id and who answers next."""
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
        handled_by = _hand_over(conn, config, turn, hand_over, outcome.answer)
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
    return message["id"], handled_by


def _hand_over(conn: Connection, config: Settings, turn: _Turn, hand_over: _HandOver | None, answer: str) -> State:
    """Who answers after this answer; the team is told in the answer's transaction, only of a real change."""
    if hand_over is None:
        return turn.handled_by
    if hand_over.actor is None or hand_over.reason is None:
        enqueue(conn, config, turn.tenant_id, hand_over.event, {**turn.context, "answer": answer}, turn.conversation_id)
        return turn.handled_by
    moved = ownership.move(conn, turn.tenant_id, turn.conversation_id, State.waiting, hand_over.actor, hand_over.reason)
    if moved.changed:
        data = {**turn.context, "answer": answer, "handled_by": moved.after}
        enqueue(conn, config, turn.tenant_id, hand_over.event, data, turn.conversation_id)
    return moved.after


def _open_preview_turn(db: Database, config: Settings, tenant: Tenant, request: PreviewRequest) -> _Turn:
    """A preview's step 1: no consent, rate limit or quota; the question is stored in a preview conversation."""
    with db.tenant(tenant.id) as conn:
        if request.conversation_id is None:
            conversation = preview.create_conversation(conn, tenant.id)
        else:
            conversation = preview.find_conversation(conn, request.conversation_id)
            if conversation is None:
                raise ConversationNotFound(request.conversation_id)
        previous = conversations.recent_messages(conn, conversation["id"], config.chat_history_turns * 2)
        message = conversations.insert_message(
            conn, tenant.id, conversation["id"], {"role": "user", "content": request.message}
        )
    return _Turn(
        tenant.id,
        tenant.name,
        tenant.plan,
        tenant.effective_settings,
        conversation["id"],
        [Turn(role=row["role"], content=row["content"]) for row in previous],
        State.bot,
        message["id"],
        {},
        conversation["escalated"],
        tenant.index_model,
    )


def preview_message(
    db: Database, settings: Settings, engines: Engines, tenant_id: UUID, request: PreviewRequest
) -> PreviewAnswer:
    """The admin panel's "Test your bot": answer_message's steps on a preview conversation, with what an operator
    needs to see why (confidence parts, everything found). Nothing is counted, nobody is told, nothing moves."""
    started = time.perf_counter()
    if len(request.message) > settings.chat_max_message_chars:
        raise InvalidInput(f"message: at most {settings.chat_max_message_chars} characters.")
    turn = _open_preview_turn(db, settings, tenants.get_tenant(db, settings, tenant_id), request)
    engine = engines.using(turn.embedding_model)
    language = visitor_language(
        request.message, request.language, turn.settings.language, tenant_languages(turn.settings.language)
    )
    detected = intents.detect(request.message)
    confidence: Confidence | None = None
    listed_sources: list[SourceRef] = []
    if detected is not None:
        text = intents.reply(
            detected.intent,
            greeting=turn.settings.greeting,
            team=turn.tenant_name,
            language=language,
            contact=turn.settings.contact,
        )
        outcome = Outcome(text, escalated=detected.intent is Intent.handoff, refused=False)
        handed_off = detected.intent is Intent.handoff
    else:
        answered = _answer_question(db, settings, engine, turn, request.message, language)
        outcome, confidence, listed_sources = answered.outcome, answered.confidence, answered.sources
        hand_over = _escalation(turn, outcome)
        handed_off = hand_over is not None and hand_over.actor is not None
    latency_ms = round((time.perf_counter() - started) * 1000)
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
                "intent": detected.intent if detected else None,
                "sources_used": [source.model_dump(mode="json") for source in listed_sources],
                "escalated": outcome.escalated,
                "refused": outcome.refused,
                "latency_ms": latency_ms,
            },
        )
    return PreviewAnswer(
        conversation_id=turn.conversation_id,
        message_id=message["id"],
        answer=outcome.answer,
        confidence=confidence.score if confidence else None,
        confidence_parts=confidence.parts() if confidence else None,
        escalated=outcome.escalated,
        refused=outcome.refused,
        handed_off=handed_off,
        intent=detected.intent if detected else None,
        language=language,
        sources=listed_sources,
        latency_ms=latency_ms,
    )
