"""The generative providers against a local fake of the chat-completions protocol, and the plans' system prompts."""

import json
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import free_port
from tests.fake_llm import FakeLLM, fake_llm_fixture  # noqa: F401
from tinyeclipse.chat.llm import ContextChunk, LLMError, LLMRequest, Turn, provider_name
from tinyeclipse.chat.openai_compatible import GroqProvider, OpenAICompatibleProvider
from tinyeclipse.chat.prompts import system_prompt
from tinyeclipse.config import Settings
from tinyeclipse.tenants.settings import Plan, TenantSettings

PROVIDERS = [GroqProvider, OpenAICompatibleProvider]
MODELS = {"groq": "llama-3.3-70b-versatile", "openai": "llama3.1"}

CONTEXT = (
    ContextChunk(1, uuid.uuid4(), "Returns", "https://shop.example/returns", "Returns are accepted within 30 days."),
    ContextChunk(2, uuid.uuid4(), None, None, "Shipping takes two working days."),
)
REQUEST = LLMRequest(
    question="How long do I have to return a jacket?",
    history=(
        Turn("user", "Hello"),
        Turn("assistant", "Hi! How can I help?"),
        Turn("operator", "I'm Sam from support."),
    ),
    context=CONTEXT,
    system_prompt="You are the support assistant of Shop.",
    language="nl",
)


def make_settings(fake: FakeLLM, **overrides) -> Settings:
    values = {
        "database_url": "postgresql://u:p@h/d",
        "migrations_database_url": "postgresql://u:p@h/d",
        "admin_api_key": "k" * 32,
        "groq_api_key": "test-key",
        "groq_base_url": fake.base_url,
        "openai_base_url": fake.openai_base_url,
        "llm_timeout_seconds": 2,
    }
    return Settings(_env_file=None, **{**values, **overrides})


@pytest.fixture(params=PROVIDERS, ids=["groq", "openai"])
def provider(request: pytest.FixtureRequest, fake_llm: FakeLLM):
    built = request.param(make_settings(fake_llm))
    yield built
    built.close()


def test_a_json_reply_becomes_the_answer(provider, fake_llm: FakeLLM) -> None:
    fake_llm.reply(
        json.dumps({"answer": "Binnen 30 dagen [1].", "confidence": 0.85, "sources": [1]}),
        prompt_tokens=321,
        completion_tokens=45,
    )

    answer = provider.answer(REQUEST)

    assert answer.text == "Binnen 30 dagen [1]."
    assert answer.coherence == 0.85
    assert answer.cited == (1,)
    assert (answer.tokens_in, answer.tokens_out) == (321, 45)
    assert answer.model == MODELS[provider.name]


def test_the_request_carries_prompt_history_context_and_question(provider, fake_llm: FakeLLM) -> None:
    provider.answer(REQUEST)

    body = fake_llm.requests[-1]
    assert body["model"] == MODELS[provider.name]
    assert body["response_format"] == {"type": "json_object"}
    assert (body["temperature"], body["max_tokens"]) == (0.2, 600)
    system, *history, user = body["messages"]
    assert system["role"] == "system"
    assert system["content"].startswith("You are the support assistant of Shop.")
    assert '"nl"' in system["content"] and "JSON" in system["content"]
    assert history == [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi! How can I help?"},
        {"role": "assistant", "content": "(human support agent) I'm Sam from support."},
    ]
    assert user["role"] == "user"
    assert "[1] Returns (https://shop.example/returns)\nReturns are accepted within 30 days." in user["content"]
    assert "[2]\nShipping takes two working days." in user["content"]
    assert user["content"].endswith("Question: How long do I have to return a jacket?")


def test_without_a_language_the_model_answers_in_the_questions_language(provider, fake_llm: FakeLLM) -> None:
    provider.answer(LLMRequest("Wie lange?", (), CONTEXT, "You are the support assistant.", None))

    assert "the language of the question" in fake_llm.requests[-1]["messages"][0]["content"]


def test_groq_posts_to_its_path_with_the_key(fake_llm: FakeLLM) -> None:
    GroqProvider(make_settings(fake_llm)).answer(REQUEST)

    assert fake_llm.paths == ["/openai/v1/chat/completions"]
    assert fake_llm.headers[0]["Authorization"] == "Bearer test-key"


@pytest.mark.parametrize(("key", "authorization"), [(None, None), ("local-key", "Bearer local-key")])
def test_openai_posts_to_the_base_url_with_its_key_if_any(fake_llm: FakeLLM, key, authorization) -> None:
    OpenAICompatibleProvider(make_settings(fake_llm, openai_api_key=key)).answer(REQUEST)

    assert fake_llm.paths == ["/v1/chat/completions"]
    assert fake_llm.headers[0].get("Authorization") == authorization


def test_a_plain_text_reply_is_the_answer_with_middling_coherence(provider, fake_llm: FakeLLM) -> None:
    fake_llm.reply("You have 30 days [1], see also [2] and [7].")

    answer = provider.answer(REQUEST)

    assert answer.text == "You have 30 days [1], see also [2] and [7]."
    assert answer.coherence == 0.5
    assert answer.cited == (1, 2)


def test_json_inside_fences_and_prose_is_found(provider, fake_llm: FakeLLM) -> None:
    fake_llm.reply('Sure!\n```json\n{"answer": "Two days [2].", "confidence": 0.7, "sources": ["2"]}\n```\nBye.')

    answer = provider.answer(REQUEST)

    assert (answer.text, answer.coherence, answer.cited) == ("Two days [2].", 0.7, (2,))


@pytest.mark.parametrize(("confidence", "coherence"), [(1.7, 1.0), (-0.3, 0.0)])
def test_confidence_is_clamped_and_unknown_sources_dropped(provider, fake_llm: FakeLLM, confidence, coherence) -> None:
    fake_llm.reply_json("30 days.", confidence, [9, 2, 0, 2])

    answer = provider.answer(REQUEST)

    assert answer.coherence == coherence
    assert answer.cited == (2,)


def test_a_reply_without_usage_counts_no_tokens(provider, fake_llm: FakeLLM) -> None:
    message = {"role": "assistant", "content": json.dumps({"answer": "Yes.", "confidence": 0.6, "sources": []})}
    fake_llm.reply_body(json.dumps({"id": "x", "object": "chat.completion", "choices": [{"message": message}]}))

    answer = provider.answer(REQUEST)

    assert (answer.text, answer.tokens_in, answer.tokens_out, answer.cited) == ("Yes.", 0, 0, ())


@pytest.mark.parametrize("content", ["", "   ", json.dumps({"answer": "", "confidence": 0.9, "sources": [1]})])
def test_an_empty_answer_is_an_error(provider, fake_llm: FakeLLM, content: str) -> None:
    fake_llm.reply(content)

    with pytest.raises(LLMError, match="empty answer"):
        provider.answer(REQUEST)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "HTTP 500"), (429, "rate limited"), (401, "HTTP 401")],
)
def test_an_http_error_is_an_llm_error(provider, fake_llm: FakeLLM, status: int, reason: str) -> None:
    fake_llm.fail(status, "nope")

    with pytest.raises(LLMError, match=reason):
        provider.answer(REQUEST)


@pytest.mark.parametrize("body", ["not json", "[]", '{"choices": []}', '{"choices": [{"message": null}]}'])
def test_a_malformed_envelope_is_an_llm_error(provider, fake_llm: FakeLLM, body: str) -> None:
    fake_llm.reply_body(body)

    with pytest.raises(LLMError, match="malformed reply"):
        provider.answer(REQUEST)


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=["groq", "openai"])
def test_a_slow_reply_times_out(fake_llm: FakeLLM, provider_class) -> None:
    fake_llm.slow(2)
    started = time.monotonic()

    with pytest.raises(LLMError, match="timed out"):
        provider_class(make_settings(fake_llm, llm_timeout_seconds=0.5)).answer(REQUEST)

    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=["groq", "openai"])
def test_an_unreachable_server_is_an_llm_error(fake_llm: FakeLLM, provider_class) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(fake_llm, groq_base_url=nowhere, openai_base_url=nowhere)

    with pytest.raises(LLMError, match="connection failed"):
        provider_class(settings).answer(REQUEST)


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({}, "groq"),
        ({"groq_api_key": None}, "extractive"),
        ({"groq_api_key": ""}, "extractive"),
        ({"llm_provider": "openai"}, "openai"),
        ({"llm_provider": "extractive"}, "extractive"),
        ({"llm_provider": "groq"}, "groq"),
    ],
)
def test_provider_name_resolves_auto(fake_llm: FakeLLM, overrides: dict, name: str) -> None:
    assert provider_name(make_settings(fake_llm, **overrides)) == name


def test_groq_without_a_key_cannot_be_built(fake_llm: FakeLLM) -> None:
    with pytest.raises(LLMError, match="GROQ_API_KEY"):
        GroqProvider(make_settings(fake_llm, groq_api_key=None))


def test_each_plan_has_its_own_prompt() -> None:
    prompts = {plan: system_prompt(plan, TenantSettings()) for plan in Plan}

    assert len(set(prompts.values())) == len(Plan)
    assert "three sentences" in prompts[Plan.tiny]
    assert all("friendly" in prompts[plan] and "numbered list" in prompts[plan] for plan in (Plan.pro, Plan.pro_plus))
    assert "warmly" in prompts[Plan.pro_plus] and "next step" in prompts[Plan.pro_plus]
    for prompt in prompts.values():
        assert "only the context" in prompt
        assert "Never invent prices, policies" in prompt
        assert "contacting a human" in prompt and "None" not in prompt


def test_the_prompt_names_the_contact() -> None:
    settings = TenantSettings(contact="support@shop.example or +31 20 123 4567")

    assert "(support@shop.example or +31 20 123 4567)" in system_prompt(Plan.pro, settings)


def test_the_tenants_own_prompt_replaces_the_plans() -> None:
    settings = TenantSettings(system_prompt="You are Bob, the bike shop's helper.", contact="bob@bikes.example")

    assert system_prompt(Plan.tiny, settings) == "You are Bob, the bike shop's helper."


def test_the_providers_import_no_model_code() -> None:
    script = (
        "import sys, tinyeclipse.chat.openai_compatible, tinyeclipse.chat.prompts; "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
