"""The chat's heavy parts, built once per process: per embedding model its embedder and reader, the answering
provider; and the threads its requests run on."""

from dataclasses import dataclass
from functools import cache

from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

from tinyeclipse.chat.llm import Provider, provider_name
from tinyeclipse.chat.reading import Reader
from tinyeclipse.config import Settings, get_settings
from tinyeclipse.embeddings.base import Embedder
from tinyeclipse.embeddings.names import EmbeddingModel
from tinyeclipse.embeddings.registry import get_chat_embedder


@dataclass(frozen=True)
class Engine:
    """What answers a tenant whose chunks one model embedded."""

    embedder: Embedder
    provider: Provider
    reader: Reader  # the retrieved chunks sentence by sentence, for the extractive answer and the confidence


class Engines:
    """One Engine per embedding model, made on first use; the LLM provider (if any) is shared."""

    def __init__(self, settings: Settings) -> None:
        self._name = provider_name(settings)
        self._llm: Provider | None = None
        if self._name != "extractive":
            from tinyeclipse.chat.openai_compatible import GroqProvider, OpenAICompatibleProvider

            self._llm = GroqProvider(settings) if self._name == "groq" else OpenAICompatibleProvider(settings)
        self.using = cache(self._build)

    def _build(self, model: EmbeddingModel) -> Engine:
        embedder = get_chat_embedder(model)
        reader = Reader(embedder)
        if self._llm is not None:
            return Engine(embedder, self._llm, reader)
        from tinyeclipse.chat.extractive import ExtractiveProvider

        return Engine(embedder, ExtractiveProvider(reader), reader)


def build_engine(settings: Settings) -> Engines:
    return Engines(settings)


@cache
def get_engine() -> Engines:
    return build_engine(get_settings())


# Per event loop, as anyio keeps its own default limiter (a limiter belongs to one loop; tests start several).
_CHAT_THREADS: RunVar[CapacityLimiter] = RunVar("chat_threads")


def chat_threads(total: int) -> CapacityLimiter:
    """The limiter of the threads chat requests run on: apart from the default pool the other routes use."""
    try:
        return _CHAT_THREADS.get()
    except LookupError:
        limiter = CapacityLimiter(total)
        _CHAT_THREADS.set(limiter)
        return limiter
