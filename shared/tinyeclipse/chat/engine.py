"""The chat's heavy parts, built once per process: the embedding model and the answering provider; and the
threads its requests run on."""

from dataclasses import dataclass
from functools import lru_cache

from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

from tinyeclipse.chat.llm import Provider, provider_name
from tinyeclipse.chat.reading import Reader
from tinyeclipse.config import Settings, get_settings
from tinyeclipse.ingestion.embedder import Embedder, get_embedder


@dataclass(frozen=True)
class Engine:
    embedder: Embedder
    provider: Provider
    reader: Reader  # the retrieved chunks sentence by sentence, for the extractive answer and the confidence


def build_engine(settings: Settings) -> Engine:
    embedder = get_embedder()
    reader = Reader(embedder)
    name = provider_name(settings)
    if name == "extractive":
        from tinyeclipse.chat.extractive import ExtractiveProvider

        return Engine(embedder, ExtractiveProvider(reader), reader)
    from tinyeclipse.chat.openai_compatible import GroqProvider, OpenAICompatibleProvider

    provider: Provider = GroqProvider(settings) if name == "groq" else OpenAICompatibleProvider(settings)
    return Engine(embedder, provider, reader)


@lru_cache
def get_engine() -> Engine:
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
