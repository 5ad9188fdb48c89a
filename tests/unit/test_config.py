"""The settings a function starts with: what it refuses, and that local runs never reach for AWS."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from tinyeclipse.config import Settings
from tinyeclipse.secrets import secrets_from_stores

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
