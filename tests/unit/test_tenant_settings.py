"""Tenant settings: merge patches, plan defaults and validation, without any I/O."""

import pytest

from tinyeclipse.errors import InvalidInput
from tinyeclipse.tenants.settings import (
    OperatorDefaults,
    Plan,
    effective_settings,
    merge_patch,
    normalize_domain,
    validate_overrides,
)

BUILT_IN = OperatorDefaults()


def test_merge_patch_replaces_removes_and_merges_nested_objects() -> None:
    target = {"a": 1, "b": {"x": 1, "y": 2}, "c": [1, 2], "d": "keep"}
    patch = {"a": 2, "b": {"y": None, "z": 3}, "c": [3], "e": None}
    assert merge_patch(target, patch) == {"a": 2, "b": {"x": 1, "z": 3}, "c": [3], "d": "keep"}
    assert target["b"] == {"x": 1, "y": 2}, "the target is not modified"


@pytest.mark.parametrize(("plan", "per_minute"), [(Plan.tiny, 10), (Plan.pro, 30), (Plan.pro_plus, 120)])
def test_plan_defaults_apply_unless_overridden(plan: Plan, per_minute: int) -> None:
    assert effective_settings(plan, {}, BUILT_IN).rate_limit_per_minute == per_minute
    assert effective_settings(plan, {"rate_limit_per_minute": 7}, BUILT_IN).rate_limit_per_minute == 7


def test_validate_overrides_normalizes_and_keeps_only_the_overridden_keys() -> None:
    overrides = {"allowed_domains": ["WWW.Example.COM.", "shop.example.com:8443"]}
    assert validate_overrides(Plan.tiny, overrides, BUILT_IN) == {
        "allowed_domains": ["www.example.com", "shop.example.com:8443"]
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"refuse_threshold": 0.9}, "refuse_threshold must not be above escalate_threshold"),
        ({"escalate_threshold": -0.1}, "settings.escalate_threshold"),
        ({"language": "English"}, "settings.language"),
        ({"terms_url": "javascript:alert(1)"}, "settings.terms_url"),
        ({"unknown": 1}, "settings.unknown"),
    ],
)
def test_invalid_overrides_name_the_setting(overrides: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validate_overrides(Plan.pro, overrides, BUILT_IN)


@pytest.mark.parametrize(
    "bad", ["", "http://example.com", "example.com/path", "-bad.example", "a b.example", "ex_ample.com"]
)
def test_normalize_domain_rejects_what_is_not_a_host(bad: str) -> None:
    with pytest.raises(ValueError, match="not a host name"):
        normalize_domain(bad)


def test_normalize_domain_accepts_hosts_and_ports() -> None:
    assert normalize_domain(" Shop.Example.com ") == "shop.example.com"
    assert normalize_domain("localhost:8090") == "localhost:8090"
    assert normalize_domain("127.0.0.1:8090") == "127.0.0.1:8090"
