"""Soak: 32 visitors chatting for 60 s through Caddy on the real local stack, then every message counted in the DB.

The stack (`python -m infra.local`, as `make up` runs it) comes up on free ports in a temp dir with
LLM_PROVIDER=extractive. A tenant gets the demo knowledge through the admin API. Each visitor then does what the
widget does: loads the config, accepts the terms, and asks question after question in its one conversation
(demo questions, a greeting, a follow-up, a thank-you; a short think time between them), polling for new
messages now and then. After the time is up every visitor finishes its request in flight; then the database
must hold, for every answer a visitor received, that answer and the visitor's message: anything missing is a
lost message (goal 0). `make soak` appends the results to docs/benchmarks.md.
"""

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.chat import QUESTIONS, accept_terms, create_tenant, wait_indexed
from bench.stack import REPO, append_results, machine
from infra.local.harness import LocalRunner

VISITORS = 32
SECONDS = 60.0
SEED = 13
THINK_SECONDS = (0.1, 0.6)  # a visitor's pause between two messages, uniform
POLL_EVERY = 3  # a visitor polls for new messages after every third answer
SMALL_TALK = ("Hi!", "Thanks, that helps.")
FOLLOW_UPS = ("How long does that take?", "And what does it cost?", "Can you explain that step by step?")
CLIENT_TIMEOUT = 60.0
MAX_FAILURES_SHOWN = 5
# What in the stack's logs explains a failure: the functions' and Caddy's error lines, Postgres's fatal ones,
# and the runner's word of a child that died.
LOG_ALARMS = ('"level":"ERROR"', '"level":"error"', "Traceback", "FATAL:", "PANIC:", "restarting in")


@dataclass
class Call:
    route: str
    status: str  # the HTTP status, or the client error's name
    ms: float


@dataclass
class Visitor:
    session: str
    conversation_id: str | None = None
    last_message_id: str | None = None
    sent: int = 0  # chat requests sent
    answered: list[str] = field(default_factory=list)  # the message ids of the answers received (200)
    unanswered: int = 0  # chat requests without a 200
    held: int = 0  # messages stored for the team while it waits for or has a person: the bot is silent (200)


@dataclass
class Soak:
    calls: list[Call] = field(default_factory=list)
    visitors: list[Visitor] = field(default_factory=list)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # the first few unexpected answers, for the report


def next_message(rng: random.Random, turn: int) -> str:
    """A visitor's next message: mostly the demo questions, sometimes small talk or a follow-up."""
    if turn == 0:
        return rng.choice((SMALL_TALK[0], rng.choice(QUESTIONS)))
    roll = rng.random()
    if roll < 0.1:
        return SMALL_TALK[1]
    if roll < 0.25:
        return rng.choice(FOLLOW_UPS)
    return rng.choice(QUESTIONS)


async def _timed(soak: Soak, route: str, request: Any) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as exc:
        soak.calls.append(Call(route, type(exc).__name__, (time.perf_counter() - started) * 1000))
        if len(soak.failures) < MAX_FAILURES_SHOWN:
            soak.failures.append(f"{route} {type(exc).__name__}: {exc}")
        return None
    soak.calls.append(Call(route, str(response.status_code), (time.perf_counter() - started) * 1000))
    if response.status_code >= 400 and len(soak.failures) < MAX_FAILURES_SHOWN:
        soak.failures.append(f"{route} {response.status_code}: {response.text[:200]}")
    return response


async def _visit(
    http: httpx.AsyncClient, soak: Soak, tenant_id: str, visitor: Visitor, until: float, rng: random.Random
) -> None:
    await _timed(soak, "GET /api/chat/config", http.get("/api/chat/config", params={"tenant_id": tenant_id}))
    turn = 0
    while time.monotonic() < until:
        body = {"tenant_id": tenant_id, "session_id": visitor.session, "message": next_message(rng, turn)}
        if visitor.conversation_id:
            body["conversation_id"] = visitor.conversation_id
        visitor.sent += 1
        response = await _timed(soak, "POST /api/chat", http.post("/api/chat", json=body))
        if response is None or response.status_code != 200:
            visitor.unanswered += 1
        else:
            answer = response.json()
            visitor.conversation_id = answer["conversation_id"]
            visitor.last_message_id = answer["message_id"]
            if answer.get("handled_by", "bot") != "bot" and not answer["answer"]:
                visitor.held += 1
            else:
                visitor.answered.append(answer["message_id"])
        turn += 1
        if visitor.conversation_id and turn % POLL_EVERY == 0:
            params = {"tenant_id": tenant_id, "session_id": visitor.session, "after": visitor.last_message_id}
            path = f"/api/chat/conversations/{visitor.conversation_id}/messages"
            await _timed(soak, "GET …/messages (poll)", http.get(path, params=params))
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def _load(base: str, origin: str, tenant_id: str, sessions: Sequence[str], seconds: float) -> Soak:
    soak = Soak(visitors=[Visitor(session) for session in sessions])
    limits = httpx.Limits(max_connections=len(sessions), max_keepalive_connections=len(sessions))
    headers = {"Origin": origin}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=CLIENT_TIMEOUT, headers=headers) as http:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(
            *(
                _visit(http, soak, tenant_id, visitor, until, random.Random(f"{SEED}-{number}"))
                for number, visitor in enumerate(soak.visitors)
            )
        )
        soak.seconds = time.monotonic() - started
    return soak


# --- the count in the database ----------------------------------------------------------------------------


@dataclass
class Stored:
    user: dict[str, int]  # conversation id -> the visitor's messages stored
    answers: dict[str, set[str]]  # conversation id -> the ids of the answers stored
    server_ms: list[float]


def stored_messages(database_url: str, tenant_id: str) -> Stored:
    """Every message of the tenant's conversations, as the app role sees them (row-level security on)."""
    from tinyeclipse.db import Database

    db = Database(database_url, max_size=1)
    db.open()
    try:
        with db.tenant(tenant_id) as conn:
            rows = conn.execute(
                "SELECT conversation_id::text AS conversation, role, id::text AS id, latency_ms FROM messages"
            ).fetchall()
    finally:
        db.close()
    user: dict[str, int] = Counter()
    answers: dict[str, set[str]] = defaultdict(set)
    server_ms = []
    for row in rows:
        if row["role"] == "user":
            user[row["conversation"]] += 1
        elif row["role"] == "assistant":
            answers[row["conversation"]].add(row["id"])
            server_ms.append(float(row["latency_ms"]))
    return Stored(user, answers, server_ms)


@dataclass
class Losses:
    answers_missing: int  # answers a visitor received that the database does not hold
    messages_missing: int  # visitor messages that were answered but are not stored
    stored_unanswered: int  # visitor messages stored whose request got no 200 (an error after the write)


def count_losses(visitors: Sequence[Visitor], stored: Stored) -> Losses:
    answers_missing = messages_missing = 0
    for visitor in visitors:
        conversation = visitor.conversation_id
        held = stored.answers.get(conversation, set()) if conversation else set()
        answers_missing += sum(1 for message_id in visitor.answered if message_id not in held)
        user_stored = stored.user.get(conversation, 0) if conversation else 0
        messages_missing += max(0, len(visitor.answered) + visitor.held - user_stored)
    # Over all conversations: a first message that failed after the write left one no visitor learnt the id of.
    answered = sum(len(visitor.answered) + visitor.held for visitor in visitors)
    return Losses(answers_missing, messages_missing, max(0, sum(stored.user.values()) - answered))


# --- report -----------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def log_alarms(logs: Sequence[Path], limit: int = MAX_FAILURES_SHOWN) -> list[str]:
    """The first lines of the stack's logs that say something went wrong, each with its log's name."""
    found = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            if any(alarm in line for alarm in LOG_ALARMS):
                found.append(f"{log.name}: {line[:300]}")
    return found[:limit]


def report(
    soak: Soak, stored: Stored, losses: Losses, load: tuple[float, float], seconds: float, alarms: Sequence[str]
) -> str:
    by_route: dict[str, list[Call]] = defaultdict(list)
    for call in soak.calls:
        by_route[call.route].append(call)
    sent = sum(visitor.sent for visitor in soak.visitors)
    answered = sum(len(visitor.answered) for visitor in soak.visitors)
    held = sum(visitor.held for visitor in soak.visitors)
    lost = losses.answers_missing + losses.messages_missing
    lines = [
        f"## Soak — {machine()}",
        "",
        f"{len(soak.visitors)} visitors for {soak.seconds:.0f} s through Caddy on the real local stack "
        "(`python -m infra.local`, LLM_PROVIDER=extractive), a pro_plus tenant with the demo knowledge and no "
        "effective rate limits. Each visitor loads the widget config, accepts the terms (before the clock starts) "
        "and asks question after question in its one conversation (the 12 demo questions, a greeting, follow-ups, "
        f"a thank-you), {THINK_SECONDS[0]} to {THINK_SECONDS[1]} s think time, polling for new messages after every "
        f"{POLL_EVERY}rd answer; seeded ({SEED}). Then every message is counted in the database. Load average "
        f"(1 min) {load[0]:.1f} before, {load[1]:.1f} after.",
        "",
        "| route | requests | statuses | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|",
    ]
    for route, calls in by_route.items():
        statuses = Counter(call.status for call in calls)
        ms = [call.ms for call in calls]
        lines.append(
            f"| `{route}` | {len(calls)} | {', '.join(f'{s}: {n}' for s, n in sorted(statuses.items()))} "
            f"| {percentile(ms, 50):.0f} ms | {percentile(ms, 95):.0f} ms | {percentile(ms, 99):.0f} ms "
            f"| {max(ms):.0f} ms |"
        )
    stored_user = sum(stored.user.values())
    stored_answers = sum(len(ids) for ids in stored.answers.values())
    lines += [
        "",
        f"Chat messages sent {sent}, answered (200) {answered} ({answered / soak.seconds:.1f}/s), held for the team "
        f"(200, the bot silent after a hand-off) {held}; in the database "
        f"{stored_user} visitor messages and {stored_answers} answers (the service's own `latency_ms`: p50 "
        f"{percentile(stored.server_ms, 50):.0f} ms, p95 {percentile(stored.server_ms, 95):.0f} ms). "
        f"**Lost messages: {lost}** (goal 0: {'met' if lost == 0 else '**not met**'}; answers received but not "
        f"stored {losses.answers_missing}, answered messages not stored {losses.messages_missing}); "
        f"messages stored whose request got no answer: {losses.stored_unanswered}. Whole run {seconds:.0f} s.",
        "",
    ]
    if soak.failures or alarms:
        lines += ["What went wrong (the first few answers, then the stack's logs):", "", "```"]
        lines += [*soak.failures, *alarms, "```", ""]
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------------


def soak(stack: LocalRunner, visitors: int, seconds: float) -> tuple[Soak, Stored, Losses]:
    sessions = [f"soak-{number}" for number in range(visitors)]
    with httpx.Client(base_url=stack.base, headers={"Authorization": f"Bearer {stack.admin_key}"}, timeout=30) as http:
        tenant_id = create_tenant(http)
        wait_indexed(http)
    with httpx.Client(base_url=stack.base, headers={"Origin": stack.demo_origin}, timeout=30) as http:
        accept_terms(http, tenant_id, sessions)
    result = asyncio.run(_load(stack.base, stack.demo_origin, tenant_id, sessions, seconds))
    stored = stored_messages(stack.database_url, tenant_id)
    return result, stored, count_losses(result.visitors, stored)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=VISITORS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--no-append", action="store_true", help="print the results only")
    args = parser.parse_args()
    os.chdir(REPO)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tinyeclipse-soak-") as workdir:
        stack = LocalRunner(Path(workdir), LLM_PROVIDER="extractive")
        try:
            stack.start()
            load_before = os.getloadavg()[0]
            result, stored, losses = soak(stack, args.visitors, args.seconds)
            load_after = os.getloadavg()[0]
        finally:
            stack.stop()
        alarms = log_alarms([stack.output, *sorted((stack.data_dir / "logs").glob("*.log"))])
    text = report(result, stored, losses, (load_before, load_after), time.monotonic() - started, alarms)
    if args.no_append:
        print(text)
    else:
        append_results(text)


if __name__ == "__main__":
    main()
