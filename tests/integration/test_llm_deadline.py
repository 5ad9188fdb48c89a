"""The LLM call's bounds under a provider that misbehaves: a total deadline, a few calls at a time, a capped answer.

The fake provider trickles its reply (one byte every 0.2 s: every read is quick, the reply takes a minute), so a
timeout per read never fires; only a deadline for the whole call ends it.
"""

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.fake_llm import FakeLLM, fake_llm_fixture  # noqa: F401
from tests.integration.conftest import HOSTING, ask, give_consent, make_tenant
from tests.integration.test_llm_providers import REQUEST, make_settings
from tinyeclipse.chat.escalation import hand_off
from tinyeclipse.chat.llm import LLMError
from tinyeclipse.chat.openai_compatible import GroqProvider, OpenAICompatibleProvider
from tinyeclipse.config import Settings
from tinyeclipse.db import Database

DEADLINE = 1.0
TRICKLE_EVERY = 0.2
# What a chat does besides the LLM call (retrieval, the model, two transactions) on a busy 2-core machine.
CHAT_MARGIN = 2.0
PROVIDERS = {"groq": GroqProvider, "openai": OpenAICompatibleProvider}
QUESTION = "How long does a .com domain transfer take?"


def llm_settings(settings: Settings, fake: FakeLLM, provider: str, **overrides: object) -> Settings:
    values = {
        "llm_provider": provider,
        "groq_api_key": SecretStr("k"),
        "groq_base_url": fake.base_url,
        "openai_base_url": fake.openai_base_url,
        "llm_timeout_seconds": DEADLINE,
        **overrides,
    }
    return settings.model_copy(update=values)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_trickling_reply_ends_at_the_deadline(fake_llm: FakeLLM, provider: str) -> None:
    fake_llm.trickle(TRICKLE_EVERY)
    built = PROVIDERS[provider](make_settings(fake_llm, llm_timeout_seconds=DEADLINE))
    started = time.monotonic()

    with pytest.raises(LLMError, match="timed out"):
        built.answer(REQUEST)

    assert DEADLINE - 0.05 <= time.monotonic() - started < DEADLINE + 0.5
    built.close()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_visitor_gets_the_hand_off_within_the_deadline(
    chat_app: tuple, settings: Settings, hosting: UUID, clean_db: Database, fake_llm: FakeLLM, provider: str
) -> None:
    _, open_client = chat_app
    client = open_client(llm_settings(settings, fake_llm, provider))
    fake_llm.trickle(TRICKLE_EVERY)
    started = time.monotonic()

    response = ask(client, hosting, QUESTION)

    assert time.monotonic() - started < DEADLINE + CHAT_MARGIN
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(fake_llm.requests) == 1, "the provider was asked"
    assert body["answer"] == hand_off(None) and body["escalated"] and not body["refused"]
    with clean_db.operator() as conn:
        stored = conn.execute("SELECT content, escalated FROM messages WHERE id = %s", [body["message_id"]])
        assert stored.fetchone() == {"content": hand_off(None), "escalated": True}


def test_when_every_slot_is_busy_a_call_gives_up_after_the_short_wait(fake_llm: FakeLLM) -> None:
    fake_llm.trickle(TRICKLE_EVERY)
    settings = make_settings(fake_llm, llm_timeout_seconds=3, llm_max_concurrency=1, llm_queue_wait_seconds=0.2)
    built = OpenAICompatibleProvider(settings)
    first = threading.Thread(target=_answer_or_fail, args=(built,), daemon=True)
    first.start()
    while not fake_llm.requests:
        time.sleep(0.01)
    started = time.monotonic()

    with pytest.raises(LLMError, match="busy"):
        built.answer(REQUEST)

    assert time.monotonic() - started < 0.6
    assert len(fake_llm.requests) == 1, "the second call never reached the provider"
    fake_llm.reset()  # ends the first call's reply
    first.join(timeout=5)
    fake_llm.reply_json("Up to five days [1].", 0.9, [1])
    assert built.answer(REQUEST).text == "Up to five days [1].", "the slot is free again"
    built.close()


def _answer_or_fail(provider: OpenAICompatibleProvider) -> None:
    with contextlib.suppress(LLMError):
        provider.answer(REQUEST)


def test_health_stays_fast_while_chats_trickle(
    chat_app: tuple, settings: Settings, hosting: UUID, clean_db: Database, fake_llm: FakeLLM
) -> None:
    # The shared thread pool smaller than the burst, as 60 chats against its 40 threads in production.
    chats, shared_threads = 12, 8
    for number in range(chats):
        give_consent(clean_db, hosting, f"burst-{number}")
    _, open_client = chat_app
    overrides = {"llm_timeout_seconds": 3.0, "llm_max_concurrency": 4, "llm_queue_wait_seconds": 0.2}
    client = open_client(llm_settings(settings, fake_llm, "openai", **overrides))
    fake_llm.trickle(TRICKLE_EVERY)
    with client, ThreadPoolExecutor(chats) as pool:
        client.portal.call(_shrink_default_thread_pool, shared_threads)
        started = time.monotonic()
        burst = [pool.submit(ask, client, hosting, QUESTION, session=f"burst-{number}") for number in range(chats)]
        while len(fake_llm.requests) < 4:
            assert time.monotonic() - started < 30, "the chats never reached the provider"
            time.sleep(0.02)
        health_started = time.monotonic()
        health = client.get("/api/chat/health")
        health_seconds = time.monotonic() - health_started
        answers = [future.result(timeout=60) for future in burst]

    assert health.status_code == 200, health.text
    assert health_seconds < 2.0
    assert [answer.status_code for answer in answers] == [200] * chats
    assert all(answer.json()["answer"] == hand_off(None) and answer.json()["escalated"] for answer in answers)
    assert len(fake_llm.requests) == 4, "at most LLM_MAX_CONCURRENCY calls; the others handed off at once"
    assert time.monotonic() - started < 3.0 + CHAT_MARGIN


async def _shrink_default_thread_pool(total: int) -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = total


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_huge_answer_is_cut_at_a_sentence(fake_llm: FakeLLM, provider: str) -> None:
    fake_llm.reply_huge(2_000_000)
    built = PROVIDERS[provider](make_settings(fake_llm, llm_max_answer_chars=1000))

    text = built.answer(REQUEST).text

    assert len(text) <= 1000
    assert text.endswith("days [1].…")
    built.close()


def test_a_huge_answer_is_neither_returned_nor_stored_in_full(
    chat_app: tuple, settings: Settings, clean_db: Database, fake_llm: FakeLLM
) -> None:
    # Thresholds at 0: the answer reaches the visitor, whatever its confidence.
    tenant = make_tenant(clean_db, settings, 8101, HOSTING, '{"refuse_threshold": 0, "escalate_threshold": 0}')
    give_consent(clean_db, tenant, "visitor-1")
    _, open_client = chat_app
    client: TestClient = open_client(llm_settings(settings, fake_llm, "openai"))
    fake_llm.reply_huge(2_000_000)

    body = ask(client, tenant, QUESTION).json()

    assert not body["refused"]
    assert body["answer"].startswith("A transfer of a .com domain takes up to five days")
    assert len(body["answer"]) <= settings.llm_max_answer_chars
    with clean_db.operator() as conn:
        stored = conn.execute("SELECT length(content) AS chars FROM messages WHERE id = %s", [body["message_id"]])
        assert stored.fetchone()["chars"] <= settings.llm_max_answer_chars
