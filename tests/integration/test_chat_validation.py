"""A message with nothing to answer (empty, spaces, punctuation) is a 422; a digit or an emoji is a message."""

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_problem
from tests.integration.conftest import ask


@pytest.mark.parametrize("message", ["", "   ", "...", "¿?", "?!", " — ", "\u200b"])
def test_a_message_without_a_letter_digit_or_emoji_is_refused(chat: TestClient, hosting: UUID, message: str) -> None:
    detail = assert_problem(ask(chat, hosting, message), 422, "invalid_request")
    assert detail.startswith("message:")


@pytest.mark.parametrize("message", ["5", "ok", "👋"])
def test_a_digit_a_word_or_an_emoji_is_a_message(chat: TestClient, hosting: UUID, message: str) -> None:
    response = ask(chat, hosting, message)
    assert response.status_code == 200, response.text
    assert response.json()["answer"]
