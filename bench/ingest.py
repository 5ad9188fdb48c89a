"""Ingestion benchmark: pipeline throughput against raw model.encode, and the worker's peak RSS on big PDFs.

`make bench` runs it against a throw-away embedded Postgres and appends the results to docs/benchmarks.md.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stack import REPO, SQUAD, Stack, append_results, machine

RUNS = 3


def corpus() -> str:
    """A few hundred KB of real prose: the SQuAD 2.0 slice's paragraphs, under their article titles."""
    data = json.loads(SQUAD.read_text())
    parts = []
    for article in data["data"]:
        parts.append(f"# {article['title'].replace('_', ' ')}")
        parts.extend(paragraph["context"] for paragraph in article["paragraphs"])
    return "\n\n".join(parts)


def make_pdf(path: Path, pages: int) -> int:
    """A PDF of `pages` pages, each with text and an incompressible image (so size grows with pages)."""
    from fpdf import FPDF
    from PIL import Image

    rng = random.Random(7)
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    with tempfile.TemporaryDirectory() as images:
        for number in range(pages):
            image = Path(images) / f"{number}.png"
            Image.frombytes("L", (300, 300), rng.randbytes(300 * 300)).save(image)
            pdf.add_page()
            pdf.multi_cell(0, 6, f"Page {number + 1}. " + "Customers can renew their hosting plan online. " * 20)
            pdf.image(str(image), w=60)
    pdf.output(str(path))
    return path.stat().st_size


def throughput(stack: Stack) -> dict[str, float]:
    from tinyeclipse.embeddings.registry import get_embedder
    from tinyeclipse.ingestion import service as sources
    from tinyeclipse.ingestion.models import SOURCE_CREATE
    from tinyeclipse.ingestion.pipeline import index_source

    text = corpus()
    embedder = get_embedder("all-MiniLM-L6-v2")
    embedder.encode(["warm up"])
    body = {"tenant_id": stack.tenant, "type": "text", "title": "SQuAD", "content": text}
    pipeline_rates, encode_rates, chunk_count = [], [], 0
    for _ in range(RUNS):
        source = sources.create_source(stack.db, stack.settings, SOURCE_CREATE.validate_python(body))
        started = time.perf_counter()
        result = index_source(stack.db, stack.settings, stack.tenant, source.id)
        pipeline_rates.append(result.chunk_count / (time.perf_counter() - started))
        chunk_count = result.chunk_count
        with stack.db.tenant(stack.tenant) as conn:
            texts = [
                r["content"] for r in conn.execute("SELECT content FROM embeddings WHERE source_id = %s", [source.id])
            ]
        started = time.perf_counter()
        embedder.encode(texts, batch_size=stack.settings.embedding_batch_size)
        encode_rates.append(len(texts) / (time.perf_counter() - started))
        sources.delete_source(stack.db, source.id)
    pipeline_rate, encode_rate = statistics.median(pipeline_rates), statistics.median(encode_rates)
    return {
        "text_kb": len(text.encode()) / 1024,
        "chunks": chunk_count,
        "pipeline_chunks_per_s": pipeline_rate,
        "encode_chunks_per_s": encode_rate,
        "ratio": pipeline_rate / encode_rate,
    }


def pdf_peak_rss(stack: Stack, pdf: Path) -> dict[str, float]:
    """Index an uploaded PDF in a fresh worker process; its peak RSS in MB and the time taken."""
    from tinyeclipse.ingestion import service as sources

    source = sources.upload_pdf(
        stack.db, stack.settings, stack.tenant, title=pdf.name, filename=pdf.name, data=pdf.read_bytes()
    )
    env = {
        **os.environ,
        "TINYECLIPSE_ENV_FILE": os.devnull,
        "DATABASE_URL": stack.settings.database_url.get_secret_value(),
        "MIGRATIONS_DATABASE_URL": stack.settings.migrations_database_url.get_secret_value(),
        "ADMIN_API_KEY": "b" * 32,
        "INGEST_MAX_PDF_BYTES": "100000000",
        "PYTHONPATH": str(REPO),
    }
    # The RSS is sampled during indexing (not ru_maxrss, which the model's load-time spike would mask).
    script = (
        "import threading, time, psutil\n"
        "from tinyeclipse.config import get_settings\n"
        "from tinyeclipse.db import get_database\n"
        "from tinyeclipse.ingestion.worker import run_once\n"
        "from tinyeclipse.embeddings.registry import get_embedder\n"
        "get_embedder('all-MiniLM-L6-v2').encode(['warm up'])\n"
        "me, done, peak = psutil.Process(), threading.Event(), [0]\n"
        "base = me.memory_info().rss\n"
        "def sample():\n"
        "    while not done.wait(0.02): peak[0] = max(peak[0], me.memory_info().rss)\n"
        "threading.Thread(target=sample, daemon=True).start()\n"
        "started = time.perf_counter()\n"
        "while run_once(get_database(), get_settings(), 'bench'): pass\n"
        "elapsed = time.perf_counter() - started\n"
        "done.set()\n"
        "print(base // 1024, max(peak[0], me.memory_info().rss) // 1024, elapsed)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    base_kb, peak_kb, seconds = out.stdout.split()
    indexed = sources.get_source(stack.db, source.id)
    assert indexed.status == "indexed", indexed.error
    sources.delete_source(stack.db, source.id)
    return {
        "mb": pdf.stat().st_size / 1e6,
        "pages": indexed.document_count,
        "chunks": indexed.chunk_count,
        "rss_after_model_mb": int(base_kb) / 1024,
        "peak_rss_mb": int(peak_kb) / 1024,
        "seconds": float(seconds),
    }


def report(rates: dict[str, float], pdfs: list[dict[str, float]]) -> str:
    lines = [
        f"## Ingestion — {machine()}",
        "",
        f"Full pipeline (extract → chunk → embed → store) on {rates['text_kb']:.0f} KB of text "
        f"({rates['chunks']} chunks), median of {RUNS} runs, against raw `model.encode` on the same chunks "
        "in the same run:",
        "",
        "| measure | chunks/s |",
        "|---|---|",
        f"| pipeline | {rates['pipeline_chunks_per_s']:.1f} |",
        f"| raw encode (batch 32) | {rates['encode_chunks_per_s']:.1f} |",
        f"| **ratio** (goal ≥ 0.8) | **{rates['ratio']:.2f}** |",
        "",
        f"Worker RSS indexing an uploaded PDF (a fresh process each time, model loaded first, RSS sampled every "
        f"20 ms; medians of {RUNS} runs):",
        "",
        "| PDF | pages | chunks | RSS before (model loaded) | peak RSS while indexing | time |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {p['mb']:.1f} MB | {p['pages']} | {p['chunks']} | {p['rss_after_model_mb']:.0f} MB "
        f"| {p['peak_rss_mb']:.0f} MB | {p['seconds']:.1f} s |"
        for p in pdfs
    ]
    growth = pdfs[-1]["peak_rss_mb"] - pdfs[0]["peak_rss_mb"]
    size = pdfs[-1]["mb"] / pdfs[0]["mb"]
    lines += [
        "",
        f"From the smallest PDF to one {size:.1f} times its size, the median peak RSS changes by {growth:+.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    os.chdir(REPO)
    os.environ.setdefault("TINYECLIPSE_ENV_FILE", os.devnull)
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-bench-") as workdir:
        stack = Stack(Path(workdir), ingest_max_pdf_bytes=100_000_000)
        stack.tenant = stack.add_tenant("Bench", 1)
        try:
            rates = throughput(stack)
            pdfs = []
            for pages in (60, 200, 400):
                path = Path(workdir) / f"{pages}-pages.pdf"
                make_pdf(path, pages)
                runs = [pdf_peak_rss(stack, path) for _ in range(RUNS)]
                pdfs.append({key: statistics.median(run[key] for run in runs) for key in runs[0]})
        finally:
            stack.close()
    append_results(report(rates, pdfs))


if __name__ == "__main__":
    main()
