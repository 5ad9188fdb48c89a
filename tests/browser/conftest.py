"""Shared by the browser tests: Debian's Chromium driven by Playwright, and the real stack per test module."""

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from infra.local.harness import LocalRunner

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    """The runner (`make up`'s program) with extractive answers, on free ports, for one test module."""
    stack = LocalRunner(tmp_path_factory.mktemp("browser"), LLM_PROVIDER="extractive")
    stack.start()
    yield stack
    assert stack.stop(signal.SIGINT) == 0


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
