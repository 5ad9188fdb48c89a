"""template.yaml read as CloudFormation sees it (short tags and all), and the facts the template tests share."""

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
CFN_VENV = REPO / ".venv-cfn"
CFN_LINT = CFN_VENV / "bin" / "cfn-lint"
CFN_PYTHON = CFN_VENV / "bin" / "python"

APPS = ("chat", "consent", "ingest", "admin")
DOCKERFILES = {f"infra/docker/{name}.Dockerfile" for name in APPS}
HANDLERS = {
    "functions.chat.app.handler",
    "functions.consent.app.handler",
    "functions.admin.app.handler",
    "functions.ingest.app.handler",
    "functions.ingest.app.sqs_handler",
    "functions.ingest.app.schedule_handler",
}
# The SSM parameters (template parameter names) each handler may read, and nothing more.
SECRETS_BY_HANDLER = {
    "functions.chat.app.handler": {"DatabaseUrlParameter", "GroqApiKeyParameter"},
    "functions.consent.app.handler": {"DatabaseUrlParameter"},
    "functions.admin.app.handler": {"DatabaseUrlParameter", "AdminApiKeyParameter", "AdminApiKeysParameter"},
    "functions.ingest.app.handler": {"DatabaseUrlParameter"},
    "functions.ingest.app.sqs_handler": {"DatabaseUrlParameter"},
    "functions.ingest.app.schedule_handler": {"DatabaseUrlParameter"},
}
QUEUE_SENDERS = {"functions.admin.app.handler", "functions.ingest.app.schedule_handler"}
HTTP_API_TIMEOUT_SECONDS = 30
# AWS-managed policies SAM attaches (logs, X-Ray, VPC network interfaces): their `*` cannot be narrowed.
ALLOWED_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
}
# Services whose write APIs accept no resource ARN.
WILDCARD_RESOURCE_SERVICES = {"xray", "cloudwatch"}


class CloudFormationLoader(yaml.SafeLoader):
    """A SafeLoader that reads CloudFormation's short tags (!Ref, !Sub, !GetAtt, !If ...) as their long form."""


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


@cache
def load_template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=CloudFormationLoader)


def _merge(base: Any, override: Any) -> Any:
    """SAM's Globals merge: maps merge key by key, anything else is replaced by the function's own value."""
    if isinstance(base, dict) and isinstance(override, dict) and not _is_intrinsic(override):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


@cache
def functions() -> dict[str, dict[str, Any]]:
    """Each AWS::Serverless::Function's properties (Globals merged in), by logical id."""
    template = load_template()
    defaults = template.get("Globals", {}).get("Function", {})
    return {
        logical_id: _merge(defaults, resource.get("Properties", {}))
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def command(properties: dict[str, Any]) -> str:
    value = properties.get("ImageConfig", {}).get("Command")
    assert isinstance(value, list) and len(value) == 1, f"ImageConfig.Command must name one handler, got {value!r}"
    return value[0]


def function_for(handler: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, properties)] = [(i, p) for i, p in functions().items() if command(p) == handler]
    return logical_id, properties


def branches(value: Any) -> Iterator[Any]:
    """Every value `value` may take: both sides of each Fn::If, never AWS::NoValue."""
    if isinstance(value, dict) and "Fn::If" in value:
        for side in value["Fn::If"][1:]:
            yield from branches(side)
    elif value != {"Ref": "AWS::NoValue"}:
        yield value


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(policies: list[Any]) -> Iterator[dict[str, Any]]:
    """The inline IAM statements of a SAM `Policies` list (policy templates and managed names excluded)."""
    for policy in policies:
        for document in branches(policy):
            if isinstance(document, dict) and "Statement" in document:
                for statement in as_list(document["Statement"]):
                    yield from branches(statement)


def referenced_names(value: Any) -> set[str]:
    """The names a value refers to: `Ref`s, `GetAtt` resources and `${Name}` in `Fn::Sub` strings."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref":
                if not inner.startswith("AWS::"):
                    found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {name for name in re.findall(r"\$\{([^}!]+)\}", text) if not name.startswith("AWS::")}
                found |= referenced_names(inner if isinstance(inner, list) else [])
            else:
                found |= referenced_names(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= referenced_names(inner)
    return found


def ssm_parameters_granted(properties: dict[str, Any]) -> set[str]:
    granted: set[str] = set()
    for statement in statements(properties.get("Policies", [])):
        if any(str(action).startswith("ssm:") for action in as_list(statement["Action"])):
            granted |= referenced_names(statement["Resource"])
    return granted


def environment(properties: dict[str, Any]) -> dict[str, Any]:
    return properties.get("Environment", {}).get("Variables", {})


def assert_no_wildcards(statement: dict[str, Any], where: str) -> None:
    actions = [str(a) for a in as_list(statement.get("Action", []))]
    assert "NotAction" not in statement and "NotResource" not in statement, where
    assert all(a != "*" and not a.endswith(":*") for a in actions), f"{where}: wildcard action {actions}"
    if statement.get("Resource") == "*" or "*" in as_list(statement.get("Resource")):
        services = {a.split(":")[0] for a in actions}
        assert services <= WILDCARD_RESOURCE_SERVICES, f"{where}: Resource '*' for {actions}"
