"""Consent and admin never import torch: their cold start must stay small."""

import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "trafilatura")


@pytest.mark.parametrize("function", ["consent", "admin"])
def test_the_function_imports_no_model_code(function: str) -> None:
    script = f"import sys, functions.{function}.app; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
