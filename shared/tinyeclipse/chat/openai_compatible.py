"""Generative answers over the OpenAI chat-completions protocol: Groq (through its SDK) and any compatible server."""

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import groq
import httpx
from groq.types.chat import ChatCompletion

from tinyeclipse.chat.deadline import CallLimits, ReplyTooLarge
from tinyeclipse.chat.llm import ContextChunk, LLMAnswer, LLMError, LLMRequest, Turn
from tinyeclipse.config import Settings

_FORMAT = (
    'Reply with a JSON object only: {"answer": "<your answer>", '
    '"confidence": <a number from 0 to 1: how well the context supports your answer>, '
    '"sources": [<the numbers of the context passages you used>]}.'
)
_CITATION = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
_SPACE = re.compile(r"\s")
_MAX_OBJECT_STARTS = 20
# Unknown when the model does not say: neither trusted nor dismissed.
_DEFAULT_COHERENCE = 0.5


@dataclass(frozen=True)
class _Reply:
    """The parts of a chat completion an answer is made of."""

    content: str
    tokens_in: int
    tokens_out: int
    model: str


class GroqProvider:
    name = "groq"

    def __init__(self, settings: Settings) -> None:
        if settings.groq_api_key is None:
            raise LLMError("groq: GROQ_API_KEY is not set")
        self._settings = settings
        self._limits = CallLimits.from_settings(settings)
        self._client = groq.Groq(
            api_key=settings.groq_api_key.get_secret_value(),
            base_url=settings.groq_base_url,
            timeout=httpx.Timeout(settings.llm_timeout_seconds),
            max_retries=0,  # a visitor is waiting; the caller hands off to a human instead
            http_client=self._limits.http_client(),
        )

    def answer(self, request: LLMRequest) -> LLMAnswer:
        settings = self._settings
        try:
            with self._limits.call(self.name):
                completion = self._client.chat.completions.create(
                    model=settings.groq_model,
                    messages=build_messages(request),
                    temperature=settings.llm_temperature,
                    max_tokens=settings.llm_max_tokens,
                    response_format={"type": "json_object"},
                )
        except groq.APITimeoutError as exc:
            raise LLMError("groq: timed out") from exc
        except groq.RateLimitError as exc:
            raise LLMError("groq: rate limited (HTTP 429)") from exc
        except groq.APIStatusError as exc:
            raise LLMError(f"groq: HTTP {exc.status_code}") from exc
        except groq.APIConnectionError as exc:
            if isinstance(exc.__cause__, ReplyTooLarge):
                raise LLMError("groq: reply too large") from exc
            raise LLMError("groq: connection failed") from exc
        except (groq.APIError, ValueError) as exc:  # the SDK lets a body that is not JSON through as ValueError
            raise LLMError("groq: malformed reply") from exc
        envelope = completion.model_dump() if isinstance(completion, ChatCompletion) else None
        return _parse_answer(
            _reply(envelope, settings.groq_model, "groq"), request.context, settings.llm_max_answer_chars
        )

    def close(self) -> None:
        self._client.close()


class OpenAICompatibleProvider:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._url = f"{settings.openai_base_url.rstrip('/')}/chat/completions"
        key = settings.openai_api_key
        self._limits = CallLimits.from_settings(settings)
        self._client = self._limits.http_client({"Authorization": f"Bearer {key.get_secret_value()}"} if key else {})

    def answer(self, request: LLMRequest) -> LLMAnswer:
        settings = self._settings
        body = {
            "model": settings.openai_model,
            "messages": build_messages(request),
            "temperature": settings.llm_temperature,
            "max_tokens": settings.llm_max_tokens,
            "response_format": {"type": "json_object"},
        }
        try:
            with self._limits.call(self.name):
                response = self._client.post(self._url, json=body)
        except httpx.TimeoutException as exc:
            raise LLMError("openai: timed out") from exc
        except ReplyTooLarge as exc:
            raise LLMError("openai: reply too large") from exc
        except httpx.HTTPError as exc:
            raise LLMError("openai: connection failed") from exc
        if response.status_code == 429:
            raise LLMError("openai: rate limited (HTTP 429)")
        if response.status_code >= 400:
            raise LLMError(f"openai: HTTP {response.status_code}")
        try:
            envelope = response.json()
        except ValueError as exc:
            raise LLMError("openai: malformed reply") from exc
        return _parse_answer(
            _reply(envelope, settings.openai_model, "openai"), request.context, settings.llm_max_answer_chars
        )

    def close(self) -> None:
        self._client.close()


def build_messages(request: LLMRequest) -> list[dict[str, str]]:
    """The chat: instructions, the earlier turns, then the numbered context with the question."""
    language = f'the language with code "{request.language}"' if request.language else "the language of the question"
    instructions = (
        "Answer only from the numbered context in the visitor's message. "
        "If the context does not contain the answer, say so honestly instead of guessing. "
        f"Answer in {language}. Cite the context passages you use as [n], like [1]. {_FORMAT}"
    )
    return [
        {"role": "system", "content": f"{request.system_prompt}\n\n{instructions}"},
        *(_history_message(turn) for turn in request.history),
        {"role": "user", "content": f"Context:\n{_numbered(request.context)}\n\nQuestion: {request.question}"},
    ]


def _history_message(turn: Turn) -> dict[str, str]:
    # The protocol has no third party: an operator's reply is the assistant's side, marked as a person's.
    if turn.role == "operator":
        return {"role": "assistant", "content": f"(human support agent) {turn.content}"}
    return {"role": turn.role, "content": turn.content}


def _numbered(context: Sequence[ContextChunk]) -> str:
    if not context:
        return "(no context found)"
    return "\n\n".join(f"{_heading(chunk)}\n{chunk.text}" for chunk in context)


def _heading(chunk: ContextChunk) -> str:
    parts = [f"[{chunk.number}]", chunk.title, f"({chunk.url})" if chunk.url else None]
    return " ".join(part for part in parts if part)


def _reply(envelope: Any, requested_model: str, provider: str) -> _Reply:
    """The content and usage of a chat-completion body; LLMError if it has none."""
    try:
        content = envelope["choices"][0]["message"]["content"]
        usage = envelope.get("usage") or {}
        return _Reply(
            content=content if isinstance(content, str) else "",
            tokens_in=int(usage.get("prompt_tokens") or 0),
            tokens_out=int(usage.get("completion_tokens") or 0),
            model=envelope.get("model") or requested_model,
        )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise LLMError(f"{provider}: malformed reply") from exc


def _parse_answer(reply: _Reply, context: Sequence[ContextChunk], max_chars: int) -> LLMAnswer:
    """The model's JSON answer (cut to `max_chars`), or its plain text when it ignored the format; LLMError if it
    said nothing."""
    known = {chunk.number for chunk in context}
    fields = _answer_object(reply.content)
    if fields is None:
        text, coherence = reply.content.strip(), _DEFAULT_COHERENCE
        cited = _numbers(_CITATION.findall(text))
    else:
        answer = fields["answer"]
        text, coherence = answer.strip() if isinstance(answer, str) else "", _confidence(fields.get("confidence"))
        sources = fields.get("sources")
        cited = _numbers(sources) if isinstance(sources, list) else _numbers(_CITATION.findall(text))
    if not text:
        raise LLMError("empty answer")
    return LLMAnswer(
        text=cap(text, max_chars),
        coherence=coherence,
        cited=tuple(number for number in cited if number in known),
        tokens_in=reply.tokens_in,
        tokens_out=reply.tokens_out,
        model=reply.model,
    )


def cap(text: str, limit: int) -> str:
    """`text`, or at most `limit` characters of it: cut after its last whole sentence (else word) and marked "…"."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    cut = max((found.start() + 1 for found in _SENTENCE_END.finditer(window)), default=0)
    if cut < limit // 2:  # one long sentence: cut between words rather than lose half the answer
        cut = max((found.start() for found in _SPACE.finditer(window, 0, limit - 1)), default=0)
    if cut < limit // 2:
        cut = limit - 1
    return text[:cut].rstrip() + "…"


def _answer_object(content: str) -> dict[str, Any] | None:
    """The first JSON object with an "answer" in the content, wherever it sits (models wrap it in fences or prose)."""
    decoder = json.JSONDecoder()
    start = content.find("{")
    # A few tries: a long reply full of braces must not cost a parse of the rest per brace.
    for _attempt in range(_MAX_OBJECT_STARTS):
        if start == -1:
            break
        try:
            value, _ = decoder.raw_decode(content, start)
        except ValueError:
            value = None
        if isinstance(value, dict) and "answer" in value:
            return value
        start = content.find("{", start + 1)
    return None


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _DEFAULT_COHERENCE
    return min(1.0, max(0.0, float(value)))


def _numbers(values: list[Any]) -> list[int]:
    """Distinct citation numbers, in order; models send 2, "2" or "[2]"."""
    numbers: list[int] = []
    for value in values:
        text = str(value).strip("[] ")
        if text.isdigit() and int(text) not in numbers:
            numbers.append(int(text))
    return numbers
