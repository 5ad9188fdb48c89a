"""The embedding models a tenant can choose, by name (light: settings and the admin API import it)."""

from typing import Literal, get_args

EmbeddingModel = Literal["all-MiniLM-L6-v2", "multilingual-e5-small"]
MODELS: tuple[str, ...] = get_args(EmbeddingModel)
DEFAULT_MODEL: EmbeddingModel = "all-MiniLM-L6-v2"

# The names people know the models by (the seed's EMBEDDING_MODEL among them) → ours.
ALIASES: dict[str, EmbeddingModel] = {
    "all-MiniLM-L6-v2": "all-MiniLM-L6-v2",
    "sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2",
    "multilingual-e5-small": "multilingual-e5-small",
    "intfloat/multilingual-e5-small": "multilingual-e5-small",
}
