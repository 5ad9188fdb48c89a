"""Chat latency benchmark: POST /api/chat through Caddy at 1, 8 and 32 concurrent sessions, beside the floor.

The real local stack (`python -m infra.local`, as `make up` runs it) comes up on free ports in a temp dir with
LLM_PROVIDER=extractive. A benchmark tenant gets the demo knowledge through the admin API; once it is indexed,
each session (closed loop, no think time) sends chat requests one after another, a fresh conversation each;
every question is made unique so the per-process query cache never helps (the worst case).
The floor, measured in this process in the same run against the same database and data, is what any answer
needs at least: one query encode and one top-k hybrid pgvector query. `make bench` appends the results to
docs/benchmarks.md; `python -m bench.chat --profile` adds where a request's time goes (profile_service).
"""

import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from bench.stack import REPO, UNLIMITED, append_results, machine
from infra.local.harness import LocalRunner
from infra.local.seed import demo_sources

QUESTIONS = (
    "How long does a .com domain transfer take?",
    "Which PHP versions do you support?",
    "How do I set up email on my phone?",
    "How much does the Starter plan cost?",
    "How do I restore a backup of my website?",
    "My emails are not arriving, what should I check?",
    "How do I install WordPress?",
    "Can I use my own SSL certificate?",
    "How do I point my domain to your nameservers?",
    "What are your support hours?",
    "How do I upload my website files?",
    "Do you offer a money-back guarantee?",
)
# (concurrent sessions, requests in all): about a minute of load on a 2-core machine.
LEVELS = ((1, 100), (8, 240), (32, 480))
LEVEL_TAGS = tuple((f"c{concurrency}", concurrency) for concurrency, _ in LEVELS)
WARM_UP = 24
# The floor is timed half before and half after the load, so a drift in the machine's noise hits both.
FLOOR_RUNS = 200
GOAL_P50_RATIO = 1.5
GOAL_P95_MS = 100.0
INDEX_SECONDS = 180


# --- the benchmark tenant, through the admin and consent APIs ---------------------------------------------


def _ok(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.status_code} {response.text}"
    return response.json()


def create_tenant(admin: httpx.Client) -> str:
    """A pro_plus tenant whose rate limits never trigger, with the demo knowledge."""
    body = {"name": "Chat benchmark", "whmcs_client_id": 990_001, "plan": "pro_plus", "settings": UNLIMITED}
    tenant_id = _ok(admin.post("/api/admin/tenants", json=body), 201)["id"]
    for source in demo_sources(UUID(tenant_id)):
        _ok(admin.post("/api/admin/sources", json=source.model_dump(mode="json")), 201)
    return tenant_id


def wait_indexed(admin: httpx.Client) -> None:
    """Until every tenant's sources are indexed (the runner's demo tenant too), so the worker is idle again."""
    deadline = time.monotonic() + INDEX_SECONDS
    while time.monotonic() < deadline:
        tenants = _ok(admin.get("/api/admin/tenants"), 200)["items"]
        listed = [
            source
            for tenant in tenants
            for source in _ok(admin.get("/api/admin/sources", params={"tenant_id": tenant["id"]}), 200)["items"]
        ]
        if all(source["status"] != "pending" for source in listed):
            assert all(source["status"] == "indexed" for source in listed), listed
            return
        time.sleep(0.5)
    raise RuntimeError(f"the knowledge was not indexed within {INDEX_SECONDS} s")


def accept_terms(http: httpx.Client, tenant_id: str, sessions: Sequence[str]) -> None:
    for session in sessions:
        body = {"tenant_id": tenant_id, "session_id": session, "accepted": True, "terms_version": "1"}
        _ok(http.post("/api/consent", json=body), 201)


def session_ids(tag: str, concurrency: int) -> list[str]:
    return [f"bench-{tag}-{number}" for number in range(concurrency)]


# --- load: closed-loop sessions through Caddy -------------------------------------------------------------


@dataclass
class Level:
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    server_ms: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds


def unique_question(turn: int) -> str:
    """A demo question made unique per request, so that no cache answers for the model: the worst case."""
    return f"{QUESTIONS[turn % len(QUESTIONS)]} (request {turn})"


async def _session(
    http: httpx.AsyncClient, tenant_id: str, session: str, turns: itertools.count, total: int, level: Level
) -> None:
    """One visitor asking question after question, each in a fresh conversation, until the level's total is sent."""
    while (turn := next(turns)) < total:
        body = {"tenant_id": tenant_id, "session_id": session, "message": unique_question(turn)}
        started = time.perf_counter()
        try:
            response = await http.post("/api/chat", json=body)
        except httpx.HTTPError as exc:
            level.errors.append(f"{type(exc).__name__}: {exc}")
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code == 200:
            level.latencies_ms.append(elapsed_ms)
        else:
            level.errors.append(f"{response.status_code}: {response.text[:200]}")


async def _load(base: str, tenant_id: str, sessions: Sequence[str], total: int) -> Level:
    level = Level(len(sessions))
    turns = itertools.count()
    limits = httpx.Limits(max_connections=len(sessions), max_keepalive_connections=len(sessions))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        started = time.perf_counter()
        await asyncio.gather(*(_session(http, tenant_id, s, turns, total, level) for s in sessions))
        level.seconds = time.perf_counter() - started
    if len(level.latencies_ms) < 2:
        raise RuntimeError(f"{len(sessions)} sessions: too few answers; errors: {level.errors[:3]}")
    return level


def run_level(base: str, tenant_id: str, sessions: Sequence[str], total: int) -> Level:
    return asyncio.run(_load(base, tenant_id, sessions, total))


def server_latencies(db: Any, tenant_id: str, tag: str) -> list[float]:
    """The service's own latency_ms of the level's answers (input checks to answer, before the log write)."""
    with db.tenant(tenant_id) as conn:
        rows = conn.execute(
            "SELECT m.latency_ms FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.role = 'assistant' AND c.session_id LIKE %s",
            [f"bench-{tag}-%"],
        ).fetchall()
    return [float(row["latency_ms"]) for row in rows]


# --- the floor: one query encode + one top-k pgvector query, in this process ------------------------------


@dataclass
class Floor:
    total_ms: list[float] = field(default_factory=list)
    encode_ms: list[float] = field(default_factory=list)
    search_ms: list[float] = field(default_factory=list)
    # Not part of the floor: the extractive provider's sentence scoring on the same hits, to show where time goes.
    answer_ms: list[float] = field(default_factory=list)


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, (time.perf_counter() - started) * 1000


def measure_floor(db: Any, engine: Any, tenant_id: str, runs: int, floor: Floor) -> None:
    from tinyeclipse.chat import retrieval
    from tinyeclipse.chat.llm import ContextChunk, LLMRequest
    from tinyeclipse.chat.terms import keyword_query

    def search(question: str, vector: Any) -> list[retrieval.Retrieved]:
        query = retrieval.Query(tenant_id, engine.embedder.name, vector, keyword_query(question), "english")
        with db.tenant(tenant_id) as conn:
            return retrieval.search(conn, query, k=5, candidates=20)

    for turn in range(runs):
        question = unique_question(turn)
        vector, encode_ms = _timed(lambda q=question: engine.embedder.encode_query(q))
        found, search_ms = _timed(lambda q=question, v=vector: search(q, v))
        floor.encode_ms.append(encode_ms)
        floor.search_ms.append(search_ms)
        floor.total_ms.append(encode_ms + search_ms)
        assert found, f"nothing retrieved for {question!r}"
        context = [
            ContextChunk(number=i, source_id=hit.source_id, title=hit.title, url=hit.url, text=hit.content)
            for i, hit in enumerate(found, start=1)
        ]
        request = LLMRequest(question=question, history=[], context=context, system_prompt="", language=None)
        floor.answer_ms.append(_timed(lambda r=request: engine.provider.answer(r))[1])


def load_engine(database_url: str) -> tuple[Any, Any]:
    """This process's Database on the stack's Postgres (as the app role) and the extractive engine."""
    from tinyeclipse.chat.engine import Engine
    from tinyeclipse.chat.extractive import ExtractiveProvider
    from tinyeclipse.chat.reading import Reader
    from tinyeclipse.db import Database
    from tinyeclipse.embeddings.registry import get_chat_embedder

    db = Database(database_url, max_size=2)
    db.open()
    embedder = get_chat_embedder("all-MiniLM-L6-v2")  # the chat's own runtime (ONNX), as the stack runs it
    embedder.encode(["warm up"])
    reader = Reader(embedder)
    return db, Engine(embedder, ExtractiveProvider(reader), reader)


# --- report -----------------------------------------------------------------------------------------------


def p50(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(levels: list[Level], floor: Floor, seconds: float) -> str:
    floor_p50 = p50(floor.total_ms)
    one, top = levels[0], levels[-1]
    ratio = p50(one.latencies_ms) / floor_p50
    lines = [
        f"## Chat latency — {machine()}",
        "",
        "`POST /api/chat` through Caddy on the real local stack (`python -m infra.local`, LLM_PROVIDER=extractive), "
        "a pro_plus tenant with the demo knowledge (5 sources) and no effective rate limits. Each session is a closed "
        "loop (no think time) asking the next of 12 demo questions, made unique per request so no cache helps, in a "
        "fresh conversation; client-side latency, "
        "every response checked for 200. Server p50 is the service's own `latency_ms` (checks to answer, before the "
        "log write) of the same requests.",
        "",
        "| sessions | requests | p50 | p95 | max | req/s | errors | server p50 | p50 / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {level.concurrency} | {len(level.latencies_ms) + len(level.errors)} | {p50(level.latencies_ms):.1f} ms "
        f"| {p95(level.latencies_ms):.1f} ms | {max(level.latencies_ms):.1f} ms | {level.throughput:.1f} "
        f"| {len(level.errors)} | {p50(level.server_ms):.0f} ms | {p50(level.latencies_ms) / floor_p50:.1f}x |"
        for level in levels
    ]
    lines += [
        "",
        f"Floor, in the benchmark process on the same database and data ({len(floor.total_ms)} runs, half before and "
        f"half after the load): one query encode + one top-k hybrid pgvector query (k=5, 20 candidates) in a tenant "
        f"transaction, p50 **{floor_p50:.1f} ms** (encode {p50(floor.encode_ms):.1f} ms, search "
        f"{p50(floor.search_ms):.1f} ms; p95 {p95(floor.total_ms):.1f} ms).",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| p50 at 1 session ≤ {GOAL_P50_RATIO}x floor | {ratio:.2f}x ({p50(one.latencies_ms):.1f} / "
        f"{floor_p50:.1f} ms) | {_verdict(ratio <= GOAL_P50_RATIO)} |",
        f"| p95 at {top.concurrency} sessions ≤ {GOAL_P95_MS:.0f} ms | {p95(top.latencies_ms):.1f} ms "
        f"| {_verdict(p95(top.latencies_ms) <= GOAL_P95_MS)} |",
        "",
        "Beyond the floor a chat request does: the tenant/consent check, the rate-limit upsert, a conversation and "
        "the user message insert, then (after retrieval) the extractive answer, which encodes the question again and "
        "scores it against the sentences of the top 3 chunks (their vectors cached per process) "
        f"(p50 {p50(floor.answer_ms):.1f} ms in process), and one transaction with the "
        "assistant message, the conversation touch and the usage row; plus HTTP through Caddy and uvicorn. "
        f"Closed-loop sessions: at c sessions latency ≈ c / throughput (Little's law). Whole run {seconds:.0f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at its end (the machine is shared: the "
        "ratios hold better than the absolute times).",
        "",
    ]
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------------


def benchmark(stack: LocalRunner) -> tuple[list[Level], Floor, str]:
    sessions = {tag: session_ids(tag, concurrency) for tag, concurrency in (("warm", 4), *LEVEL_TAGS)}
    with httpx.Client(base_url=stack.base, headers={"Authorization": f"Bearer {stack.admin_key}"}, timeout=30) as http:
        tenant_id = create_tenant(http)
        wait_indexed(http)
        accept_terms(http, tenant_id, [session for tagged in sessions.values() for session in tagged])
    db, engine = load_engine(stack.database_url)
    try:
        floor = Floor()
        measure_floor(db, engine, tenant_id, FLOOR_RUNS // 2, floor)
        run_level(stack.base, tenant_id, sessions["warm"], WARM_UP)
        levels = []
        for (tag, concurrency), (_, total) in zip(LEVEL_TAGS, LEVELS, strict=True):
            level = run_level(stack.base, tenant_id, sessions[tag], total)
            level.server_ms = server_latencies(db, tenant_id, tag)
            print(f"{concurrency:>2} sessions: p50 {p50(level.latencies_ms):.1f} ms, {len(level.errors)} errors")
            if level.errors:
                print(f"   first error: {level.errors[0]}")
            levels.append(level)
        measure_floor(db, engine, tenant_id, FLOOR_RUNS - FLOOR_RUNS // 2, floor)
    finally:
        db.close()
    return levels, floor, tenant_id


# --- where a request's time goes: the service in this process under cProfile ------------------------------

PROFILE_REQUESTS = 200
# Where a function's own time is counted (first match of its file or name).
PROFILE_GROUPS = (
    ("query encode (onnxruntime)", ("onnxruntime",)),
    ("tokenizer", ("tokenizers",)),
    ("Postgres round trips (psycopg waits)", ("psycopg", "select.poll", "selectors")),
    ("extractive answer and confidence (numpy)", ("numpy",)),
    ("regular expressions", ("re/", "_sre", "method 'sub'", "method 'findall'", "method 'finditer'",
                             "method 'search'", "method 'match'", "method 'split' of 're")),
    ("pydantic (models, validation)", ("pydantic",)),
    ("JSON", ("json",)),
    ("logging and metrics (powertools)", ("logging", "aws_lambda_powertools")),
    ("language detection (py3langid)", ("py3langid",)),
)  # fmt: skip


def _group(location: str) -> str:
    for name, needles in PROFILE_GROUPS:
        if any(needle in location for needle in needles):
            return name
    return "other Python (TinyEclipse's own code, stdlib)"


def profile_service(stack: LocalRunner, tenant_id: str, requests: int = PROFILE_REQUESTS) -> str:
    """`answer_message` for `requests` unique questions, one after another in this process (the extractive
    engine, the stack's database), under cProfile: own time grouped by what it is spent on, and the top
    functions by cumulative time."""
    import cProfile
    import pstats

    from tinyeclipse.chat import service
    from tinyeclipse.chat.engine import Engines
    from tinyeclipse.chat.models import ChatRequest
    from tinyeclipse.config import get_settings
    from tinyeclipse.db import Database

    settings = get_settings()
    db = Database(stack.database_url, max_size=2)
    db.open()
    engines = Engines(settings)
    sessions = session_ids("profile", 1)
    with httpx.Client(base_url=stack.base, timeout=30) as http:
        accept_terms(http, tenant_id, sessions)
    try:
        for turn in range(WARM_UP):  # models loaded, sentence vectors cached, as in a warm process
            body = ChatRequest(tenant_id=tenant_id, session_id=sessions[0], message=unique_question(10_000 + turn))
            service.answer_message(db, settings, engines, body, None)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for turn in range(requests):
            body = ChatRequest(tenant_id=tenant_id, session_id=sessions[0], message=unique_question(20_000 + turn))
            service.answer_message(db, settings, engines, body, None)
        profiler.disable()
        wall_ms = (time.perf_counter() - started) * 1000 / requests
    finally:
        db.close()
    stats = pstats.Stats(profiler)
    own: dict[str, float] = {}
    total = 0.0
    for (file, _, function), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        group = _group(f"{file}:{function}")
        own[group] = own.get(group, 0.0) + tottime
        total += tottime
    top = sorted(
        (
            (cumtime, f"{Path(file).name}:{line} {function}")
            for (file, line, function), (_, _, _, cumtime, _) in stats.stats.items()  # type: ignore[attr-defined]
            if "site-packages" not in file and file.startswith(str(REPO))
        ),
        reverse=True,
    )[:12]
    lines = [
        f"Where a request's time goes: `answer_message` for {requests} unique questions one after another in the "
        f"benchmark process (extractive engine, the stack's database, no HTTP), under cProfile: {wall_ms:.1f} ms "
        "a request with the profiler's overhead.",
        "",
        "| spent on (own time) | ms a request | share |",
        "|---|---|---|",
        *(
            f"| {name} | {seconds * 1000 / requests:.2f} | {seconds / total:.0%} |"
            for name, seconds in sorted(own.items(), key=lambda item: -item[1])
        ),
        "",
        "| TinyEclipse function (cumulative) | ms a request |",
        "|---|---|",
        *(f"| `{name}` | {cumtime * 1000 / requests:.2f} |" for cumtime, name in top),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    profile = "--profile" in sys.argv[1:]
    os.chdir(REPO)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-bench-chat-") as workdir:
        stack = LocalRunner(Path(workdir), LLM_PROVIDER="extractive")
        # This process reads the same settings as the stack (the embedder and DB pool need nothing else).
        os.environ["TINYECLIPSE_ENV_FILE"] = str(stack.env_file)
        try:
            stack.start()
            levels, floor, tenant_id = benchmark(stack)
            profiled = profile_service(stack, tenant_id) if profile else ""
        finally:
            stack.stop()
    append_results(report(levels, floor, time.monotonic() - started) + ("\n" + profiled if profiled else ""))


if __name__ == "__main__":
    main()
