"""The real local stack for the end-to-end tests (see infra.local.harness)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.harness import LocalRunner as Stack
from infra.local.harness import alive

FUNCTIONS = ("chat", "consent", "ingest", "admin")
__all__ = ["FUNCTIONS", "Stack", "alive", "stack_fixture"]


@pytest.fixture(name="stack")
def stack_fixture(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(tmp_path)
    yield stack
    stack.kill()
