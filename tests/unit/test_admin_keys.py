"""ADMIN_API_KEYS: named admin keys, beside the single ADMIN_API_KEY (named "admin")."""

import pytest
from pydantic import ValidationError

from tinyeclipse.config import Settings

BASE = {"_env_file": None, "database_url": "postgresql://u:p@h/db"}
A, B = "a" * 20, "b" * 20


def test_named_keys_and_the_single_key_make_one_list() -> None:
    settings = Settings(**BASE, admin_api_keys=f" alice={A} , bob.smith@ops={B} ", admin_api_key="c" * 20)
    assert settings.admin_keys() == {"alice": A, "bob.smith@ops": B, "admin": "c" * 20}
    assert Settings(**BASE, admin_api_key="c" * 20).admin_keys() == {"admin": "c" * 20}
    assert Settings(**BASE).admin_keys() == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"alice{A}", "write name=key"),
        (f"al ice={A}", "write name=key"),
        ("alice=short", "at least 16 characters"),
        (f"alice={A},alice={B}", "given twice"),
        (f"alice={A},bob={A}", "another name's key"),
        (f"sys:retention={A}", "write name=key"),
        (" , ", "no name=key pair"),
    ],
)
def test_malformed_pairs_are_refused_without_showing_a_key(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        Settings(**BASE, admin_api_keys=value)
    assert A not in str(error.value) and B not in str(error.value)


def test_the_single_key_may_not_contradict_the_named_ones() -> None:
    with pytest.raises(ValidationError, match="keep one"):
        Settings(**BASE, admin_api_keys=f"admin={A}", admin_api_key=B)
    with pytest.raises(ValidationError, match="keep one"):
        Settings(**BASE, admin_api_keys=f"alice={A}", admin_api_key=A)
    assert Settings(**BASE, admin_api_keys=f"admin={A}", admin_api_key=A).admin_keys() == {"admin": A}
