"""What every answering provider takes and gives back, and which provider the settings select."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

from tinyeclipse.config import Settings

ProviderName = Literal["groq", "openai", "extractive"]


@dataclass(frozen=True)
class ContextChunk:
    number: int  # 1-based, as the model sees it: "[1]", "[2]" ...
    source_id: UUID
    title: str | None
    url: str | None
    text: str
    heading: str | None = None  # the section heading `text` starts with
    faq_question: str | None = None  # set when the chunk is an FAQ pair


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant", "operator"]
    content: str


@dataclass(frozen=True)
class LLMRequest:
    question: str
    history: Sequence[Turn]  # earlier turns of the conversation, oldest first
    context: Sequence[ContextChunk]  # retrieved knowledge, best first
    system_prompt: str
    language: str | None  # the visitor's language (BCP 47, like "nl"); None: the question's language


@dataclass(frozen=True)
class LLMAnswer:
    text: str
    coherence: float  # 0..1, the model's own view of how well the context supports the answer
    cited: tuple[int, ...]  # context numbers the answer relies on
    tokens_in: int
    tokens_out: int
    model: str
    # (context number, sentence index) of each statement an extractive answer quotes; empty for generated text
    quoted: tuple[tuple[int, int], ...] = ()


class LLMError(Exception):
    """The provider failed (timeout, HTTP error, rate limit, unusable reply): the caller hands off to a human."""


class Provider(Protocol):
    name: str

    def answer(self, request: LLMRequest) -> LLMAnswer: ...


def provider_name(settings: Settings) -> ProviderName:
    """The configured provider; "auto" is groq when a Groq key is set, else the offline extractive one."""
    if settings.llm_provider == "auto":
        return "groq" if settings.groq_api_key else "extractive"
    return settings.llm_provider
