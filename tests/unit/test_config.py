"""The settings a function starts with: what it refuses, and that local runs never reach for AWS."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from infra.local.envfile import ensure_env_file
from tinyeclipse.config import Settings
from tinyeclipse.secrets import secrets_from_stores
from tinyeclipse.tenants.settings import Plan, operator_defaults

REPO = Path(__file__).resolve().parents[2]

BASE = {"_env_file": None, "database_url": "postgresql://app:pw@db/tinyeclipse"}


def test_a_function_needs_neither_the_admin_key_nor_the_owners_url() -> None:
    settings = Settings(**BASE)
    assert settings.admin_api_key is None and settings.migrations_database_url is None
    assert Settings(**BASE, admin_api_key="", migrations_database_url="").admin_api_key is None


def test_a_short_admin_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 16 characters"):
        Settings(**BASE, admin_api_key="short")


def test_the_sqs_queue_needs_its_url() -> None:
    with pytest.raises(ValidationError, match="JOB_QUEUE_URL"):
        Settings(**BASE, job_queue="sqs")
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
    assert Settings(**BASE, job_queue="sqs", job_queue_url=url).job_queue_url == url


def test_without_parameter_or_secret_names_nothing_is_read_from_aws() -> None:
    assert secrets_from_stores({"DATABASE_URL": "postgresql://x", "ADMIN_API_KEY": "k" * 20}) == {}
    script = "import sys, tinyeclipse.config; print('boto3' in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "False"


def _env_settings(tmp_path: Path, text: str) -> Settings:
    """Settings read from an env file, as a process reads the operator's `.env`."""
    env = tmp_path / ".env"
    env.write_text(f"DATABASE_URL=postgresql://app:pw@db/tinyeclipse\n{text}")
    return Settings(_env_file=env)


def test_a_new_env_file_from_the_example_starts_with_the_built_in_defaults(tmp_path: Path) -> None:
    ensure_env_file(REPO / ".env.example", tmp_path / ".env")
    settings = Settings(_env_file=tmp_path / ".env")
    assert settings.rate_limit_per_minute is None and settings.pro_rate_limit_per_day is None
    assert settings.confidence_escalate_threshold is None
    assert settings.embedding_model == "all-MiniLM-L6-v2"  # the seed's sentence-transformers/all-MiniLM-L6-v2
    assert settings.groq_model == "llama-3.3-70b-versatile"
    assert settings.cors_origins == ()
    assert settings.app_secret_key is not None and len(settings.app_secret_key.get_secret_value()) >= 32


def test_every_setting_is_listed_in_the_example_env_file() -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (REPO / ".env.example").read_text(), re.MULTILINE))
    listed.add("GROQ_MODEL")  # listed under the seed's name, GROQ_CHAT_MODEL
    assert {name.upper() for name in Settings.model_fields} - listed == set()


def test_the_seeds_variables_are_read_with_its_names(tmp_path: Path) -> None:
    settings = _env_settings(
        tmp_path,
        "RATE_LIMIT_PER_MINUTE=20\nRATE_LIMIT_PER_DAY=900\nPRO_PLUS_RATE_LIMIT_PER_MINUTE=300\n"
        "CONFIDENCE_ESCALATE_THRESHOLD=0.8\nCONFIDENCE_REFUSE_THRESHOLD=0.4\nEMBEDDING_MODEL=intfloat/multilingual-e5-small\n"
        "GROQ_CHAT_MODEL=llama-3.1-8b-instant\nCORS_ORIGINS=https://admin.example.com,http://localhost:3000/\n"
        f"APP_SECRET_KEY={'k' * 40}\n",
    )
    defaults = operator_defaults(settings)
    tiny, pro_plus = defaults.for_plan(Plan.tiny), defaults.for_plan(Plan.pro_plus)
    assert [tiny[key] for key in ("rate_limit_per_minute", "rate_limit_per_day")] == [20, 900]
    assert [tiny[key] for key in ("escalate_threshold", "refuse_threshold")] == [0.8, 0.4]
    assert [pro_plus[key] for key in ("rate_limit_per_minute", "rate_limit_per_day")] == [300, 900]
    assert settings.embedding_model == "multilingual-e5-small"
    assert settings.groq_model == "llama-3.1-8b-instant"
    assert settings.cors_origins == ("https://admin.example.com", "http://localhost:3000")


def test_groq_model_is_the_older_name_of_groq_chat_model(tmp_path: Path) -> None:
    assert _env_settings(tmp_path, "GROQ_MODEL=llama-3.1-8b-instant\n").groq_model == "llama-3.1-8b-instant"
    same = "GROQ_MODEL=llama-3.1-8b-instant\nGROQ_CHAT_MODEL=llama-3.1-8b-instant\n"
    assert _env_settings(tmp_path, same).groq_model == "llama-3.1-8b-instant"
    with pytest.raises(ValidationError, match="GROQ_MODEL is the older name of GROQ_CHAT_MODEL"):
        _env_settings(tmp_path, "GROQ_MODEL=llama-3.1-8b-instant\nGROQ_CHAT_MODEL=llama-3.3-70b-versatile\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("EMBEDDING_MODEL=text-embedding-3-small", "one of the packaged models all-MiniLM-L6-v2, multilingual-e5"),
        ("CONFIDENCE_REFUSE_THRESHOLD=0.9", "tiny plan would have invalid settings: .*refuse_threshold must not be"),
        ("CONFIDENCE_ESCALATE_THRESHOLD=1.5", "confidence_escalate_threshold"),
        ("RATE_LIMIT_PER_MINUTE=0", "rate_limit_per_minute"),
        ("PRO_RATE_LIMIT_PER_DAY=lots", "pro_rate_limit_per_day"),
        ("CORS_ORIGINS=*", "is not an origin"),
        ("CORS_ORIGINS=https://admin.example.com/panel", "is not an origin"),
        ("APP_SECRET_KEY=short", "at least 32 characters"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_clear_message(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _env_settings(tmp_path, line + "\n")
