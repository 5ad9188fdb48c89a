"""The AWS SAM template (template.yaml) against the code it deploys.

The handlers and routes it names must exist in the apps; secrets and IAM follow least privilege; the
queue is wired for partial batch failures and a dead-letter queue; cfn-lint passes; and the real SAM
transform (aws-sam-translator, in cfn-lint's own venv `.venv-cfn`, which `make test` installs) turns it
into a CloudFormation template that cfn-lint also passes and whose roles carry no wildcard.
"""

import importlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from starlette.routing import BaseRoute

from tinyeclipse.config import Settings
from tinyeclipse.secrets import SECRET_SETTINGS

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
    "functions.admin.app.handler": {"DatabaseUrlParameter", "AdminApiKeyParameter"},
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


# ------------------------------------------------------------------ images and handlers


def test_the_template_deploys_the_six_handlers() -> None:
    assert sorted(command(p) for p in functions().values()) == sorted(HANDLERS)


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_each_handler_exists_in_its_module(handler: str) -> None:
    module_name, attribute = handler.rsplit(".", 1)
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute, None)), f"{module_name} has no callable {attribute!r}"


@pytest.mark.parametrize("logical_id", sorted(functions()))
def test_each_function_is_an_image_built_from_a_dockerfile_of_the_repository(logical_id: str) -> None:
    resource = load_template()["Resources"][logical_id]
    assert resource["Properties"].get("PackageType") == "Image"
    metadata = resource["Metadata"]
    assert metadata["DockerContext"] == "."
    assert metadata["DockerTag"]
    assert metadata["Dockerfile"] in DOCKERFILES
    assert (REPO / metadata["Dockerfile"]).is_file(), f"{metadata['Dockerfile']} is missing"
    # The function's image is the one of its app.
    assert metadata["Dockerfile"] == f"infra/docker/{command(resource['Properties']).split('.')[1]}.Dockerfile"


# ------------------------------------------------------------------ routes


def http_api_routes() -> list[tuple[str, str, str]]:
    """(method, path, handler) of every HttpApi event."""
    routes = []
    for properties in functions().values():
        for event in properties.get("Events", {}).values():
            if event["Type"] == "HttpApi":
                assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}, "every route belongs to the one HTTP API"
                routes.append((event["Properties"]["Method"], event["Properties"]["Path"], command(properties)))
    return routes


def route_pattern(path: str) -> re.Pattern[str]:
    """API Gateway's matching: `{name}` is one segment, `{proxy+}` (last only) one or more."""
    parts = []
    for segment in path.strip("/").split("/"):
        if segment.endswith("+}"):
            parts.append(r".+")
        elif segment.startswith("{"):
            parts.append(r"[^/]+")
        else:
            parts.append(re.escape(segment))
    return re.compile("/" + "/".join(parts))


def route_specificity(path: str) -> tuple[int, int]:
    # API Gateway prefers the most specific route: no greedy variable, then fewer variables.
    return (int("+}" in path), path.count("{"))


def resolve_route(method: str, path: str) -> str | None:
    """The handler API Gateway invokes for `method path`, or None when no route matches."""
    candidates = [
        (route_specificity(route_path), handler)
        for route_method, route_path, handler in http_api_routes()
        if route_method in ("ANY", method) and route_pattern(route_path).fullmatch(path)
    ]
    if not candidates:
        return None
    best = min(specificity for specificity, _ in candidates)
    handlers = {handler for specificity, handler in candidates if specificity == best}
    assert len(handlers) == 1, f"{method} {path} is ambiguous: {handlers}"
    return handlers.pop()


def app_routes(name: str) -> set[tuple[str, str]]:
    """(method, concrete path) of every route the FastAPI app serves, path parameters filled in.

    Routes of included routers are read from the OpenAPI schema (FastAPI keeps them behind private
    objects in `app.routes`); the app's own routes (docs, openapi.json) from `app.routes`.
    """
    app: FastAPI = importlib.import_module(f"functions.{name}.app").app
    routes: set[tuple[str, str]] = set()
    for path, operations in app.openapi()["paths"].items():
        routes |= {(method.upper(), path) for method in operations}
    for route in app.routes:
        if isinstance(route, BaseRoute) and hasattr(route, "path"):
            routes |= {(method, route.path) for method in getattr(route, "methods", None) or {"GET"}}
    return {(method, re.sub(r"\{[^}]+\}", "x", path)) for method, path in routes}


@pytest.mark.parametrize("name", APPS)
def test_every_route_of_an_app_reaches_its_function(name: str) -> None:
    routes = app_routes(name)
    assert (("GET", f"/api/{name}/health")) in routes
    assert (("GET", f"/api/{name}/docs")) in routes
    unrouted = {f"{method} {path}": resolve_route(method, path) for method, path in routes}
    wrong = {route: handler for route, handler in unrouted.items() if handler != f"functions.{name}.app.handler"}
    assert not wrong, f"routes of the {name} app that the HTTP API sends elsewhere (or nowhere): {wrong}"


def test_the_http_api_routes_nothing_outside_the_four_prefixes() -> None:
    for _, path, handler in http_api_routes():
        name = handler.split(".")[1]
        assert path in (f"/api/{name}", f"/api/{name}/{{proxy+}}"), path
    assert resolve_route("GET", "/") is None
    assert resolve_route("GET", "/widget/v1/widget.js") is None
    assert resolve_route("GET", "/api/chatter") is None


def test_the_api_leaves_cors_to_the_apps() -> None:
    [api] = [r for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::HttpApi"]
    assert "CorsConfiguration" not in api.get("Properties", {})
    assert "CorsConfiguration" not in load_template().get("Globals", {}).get("HttpApi", {})


def test_http_functions_answer_before_the_api_gives_up() -> None:
    http_handlers = {handler for _, _, handler in http_api_routes()}
    assert http_handlers == HANDLERS - {"functions.ingest.app.sqs_handler", "functions.ingest.app.schedule_handler"}
    for handler in http_handlers:
        _, properties = function_for(handler)
        assert properties["Timeout"] < HTTP_API_TIMEOUT_SECONDS, handler
    _, chat = function_for("functions.chat.app.handler")
    assert chat["MemorySize"] >= 2048, "torch needs the memory (and the CPU that comes with it)"


# ------------------------------------------------------------------ queue and schedule


def queue_consumer_mapping() -> dict[str, Any]:
    worker_id, _ = function_for("functions.ingest.app.sqs_handler")
    mappings = [
        r["Properties"]
        for r in load_template()["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and r["Properties"]["FunctionName"] == {"Ref": worker_id}
    ]
    # Either form: an explicit mapping, or SAM's SQS event (whose queue is `Queue`).
    events = [
        {**e["Properties"], "EventSourceArn": e["Properties"]["Queue"]}
        for e in functions()[worker_id].get("Events", {}).values()
        if e["Type"] == "SQS"
    ]
    [mapping] = mappings + events
    return mapping


def test_the_queue_consumer_reports_partial_failures_in_small_batches() -> None:
    mapping = queue_consumer_mapping()
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= mapping["BatchSize"] <= 2
    assert mapping["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "IngestMaxConcurrency"}
    assert load_template()["Parameters"]["IngestMaxConcurrency"]["MinValue"] >= 2  # the least SQS accepts


def test_the_queue_redrives_to_a_dead_letter_queue_and_outlasts_the_consumer() -> None:
    resources = load_template()["Resources"]
    [queue_id, attribute] = queue_consumer_mapping()["EventSourceArn"]["Fn::GetAtt"]
    assert attribute == "Arn"
    queue = resources[queue_id]["Properties"]
    dlq_id, _ = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"]
    assert resources[dlq_id]["Type"] == "AWS::SQS::Queue"
    assert 3 <= queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    assert resources[dlq_id]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    _, worker = function_for("functions.ingest.app.sqs_handler")
    assert worker["Timeout"] <= 900
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(
        a["Namespace"] == "AWS/SQS" and {"Fn::GetAtt": [dlq_id, "QueueName"]} in [d["Value"] for d in a["Dimensions"]]
        for a in alarms
    ), "an alarm watches the dead-letter queue"


def test_the_schedule_function_runs_on_the_configurable_schedule() -> None:
    _, scheduler = function_for("functions.ingest.app.schedule_handler")
    [event] = scheduler["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == {"Ref": "ReingestSchedule"}
    assert load_template()["Parameters"]["ReingestSchedule"]["Default"].startswith("rate(")


def test_only_the_senders_know_the_queue_and_may_send() -> None:
    queue_id = queue_consumer_mapping()["EventSourceArn"]["Fn::GetAtt"][0]
    for logical_id, properties in functions().items():
        handler = command(properties)
        sends = [
            s
            for s in statements(properties.get("Policies", []))
            if any(str(a).startswith("sqs:Send") for a in as_list(s["Action"]))
        ]
        env = environment(properties)
        if handler in QUEUE_SENDERS:
            assert env["JOB_QUEUE"] == "sqs", logical_id
            assert env["JOB_QUEUE_URL"] == {"Ref": queue_id}, logical_id
            assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": [queue_id, "Arn"]}], logical_id
        else:
            assert "JOB_QUEUE_URL" not in env, logical_id
            assert not sends, logical_id


# ------------------------------------------------------------------ secrets, settings and IAM


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_each_function_reads_only_the_secrets_it_needs(handler: str) -> None:
    _, properties = function_for(handler)
    env = environment(properties)
    assert ssm_parameters_granted(properties) == SECRETS_BY_HANDLER[handler]
    named = {ref for key, value in env.items() if key.endswith("_PARAMETER") for ref in referenced_names(value)}
    assert named == SECRETS_BY_HANDLER[handler]
    # A secret's value never sits in the environment; only the name of the parameter holding it.
    assert not {setting.upper() for setting in SECRET_SETTINGS} & set(env)


@pytest.mark.parametrize("name", ["AdminApiKeyParameter", "GroqApiKeyParameter"])
def test_consent_and_admin_do_not_get_the_keys_they_do_not_use(name: str) -> None:
    _, consent = function_for("functions.consent.app.handler")
    assert name not in ssm_parameters_granted(consent)
    if name == "GroqApiKeyParameter":
        _, admin = function_for("functions.admin.app.handler")
        assert name not in ssm_parameters_granted(admin)


def test_secret_parameters_are_named_with_a_leading_slash() -> None:
    parameters = load_template()["Parameters"]
    assert parameters["DatabaseUrlParameter"]["Default"] == "/tinyeclipse/database-url"
    assert parameters["AdminApiKeyParameter"]["Default"] == "/tinyeclipse/admin-api-key"
    # The parameter ARN is `...:parameter` + the name, so the name must start with `/`.
    for name in ("DatabaseUrlParameter", "AdminApiKeyParameter", "GroqApiKeyParameter"):
        pattern = re.compile(parameters[name]["AllowedPattern"])
        assert pattern.fullmatch("/tinyeclipse/x")
        assert not pattern.fullmatch("tinyeclipse/x")


def _resolved(value: Any) -> Any:
    parameters = load_template()["Parameters"]
    if isinstance(value, dict) and "Ref" in value:
        default = parameters.get(value["Ref"], {}).get("Default", "https://sqs.eu-west-1.amazonaws.com/1/queue")
        return str(default)
    if isinstance(value, dict) and "Fn::If" in value:
        return _resolved(value["Fn::If"][1])
    return value


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_each_function_environment_is_valid_settings(handler: str) -> None:
    _, properties = function_for(handler)
    env = environment(properties)
    assert env["ENVIRONMENT"] == "aws"
    assert env["POWERTOOLS_SERVICE_NAME"] == handler.split(".")[1]
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "TinyEclipse"
    values: dict[str, Any] = {}
    for key, value in env.items():
        if key.startswith("POWERTOOLS_"):
            continue
        if key.endswith(("_PARAMETER", "_SECRET")):
            assert key.rsplit("_", 1)[0].lower() in SECRET_SETTINGS, f"{key} names no secret setting"
            continue
        assert key.lower() in Settings.model_fields, f"{key} is not a setting"
        values[key.lower()] = _resolved(value)
    settings = Settings(_env_file=None, database_url="postgresql://app@db/tinyeclipse", **values)  # type: ignore[call-arg]
    assert (settings.db_pool_min_size, settings.db_pool_max_size) == (1, 2)


def test_functions_can_join_the_database_vpc_optionally() -> None:
    vpc = load_template()["Globals"]["Function"]["VpcConfig"]
    condition, inside, outside = vpc["Fn::If"]
    assert outside == {"Ref": "AWS::NoValue"}
    assert inside == {"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": {"Ref": "SecurityGroupIds"}}
    assert condition in load_template()["Conditions"]
    for name in ("SubnetIds", "SecurityGroupIds"):
        assert load_template()["Parameters"][name]["Default"] == ""
    assert all(p.get("Tracing") == "Active" for p in functions().values())


def assert_no_wildcards(statement: dict[str, Any], where: str) -> None:
    actions = [str(a) for a in as_list(statement.get("Action", []))]
    assert "NotAction" not in statement and "NotResource" not in statement, where
    assert all(a != "*" and not a.endswith(":*") for a in actions), f"{where}: wildcard action {actions}"
    if statement.get("Resource") == "*" or "*" in as_list(statement.get("Resource")):
        services = {a.split(":")[0] for a in actions}
        assert services <= WILDCARD_RESOURCE_SERVICES, f"{where}: Resource '*' for {actions}"


def test_no_inline_statement_uses_a_wildcard() -> None:
    for logical_id, properties in functions().items():
        policies = properties.get("Policies", [])
        assert isinstance(policies, list), logical_id
        for policy in policies:
            for document in branches(policy):
                # Inline statements only: no AWS-managed policy names (their scope is theirs, not ours).
                assert isinstance(document, dict) and "Statement" in document, f"{logical_id}: {document}"
        for statement in statements(policies):
            assert_no_wildcards(statement, logical_id)


# ------------------------------------------------------------------ cfn-lint and the real SAM transform


def cfn_tool(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO)} is missing: run `make test` (it installs infra/requirements-cfn.txt)")
    return path


def run_cfn_lint(template: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cfn_tool(CFN_LINT)), "--format", "parseable", str(template)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )


def test_cfn_lint_passes_on_the_template() -> None:
    result = run_cfn_lint(TEMPLATE)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("      Timeout: 29\n", "      Timeout: 29\n      Timeuot: 29\n"))
    result = run_cfn_lint(broken)
    assert result.returncode != 0 and "Timeuot" in result.stdout


# Runs in .venv-cfn: SAM's own transform, with an image URI where `sam build` would put the pushed image.
TRANSFORM = """
import json, sys
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

template = yaml_parse(open(sys.argv[1]).read())
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["ImageUri"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tinyeclipse:test"
parameters = {"AWS::Region": "eu-west-1", "AWS::Partition": "aws", "AWS::AccountId": "123456789012"}
parameters.update(json.loads(sys.argv[2]))
managed = {"AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
translator = Translator(None, Parser())
output = translator.translate(template, parameter_values=parameters, get_managed_policy_map=lambda: managed)
json.dump(output, sys.stdout, indent=1)
"""

PARAMETER_SETS = {
    "defaults": {},
    "vpc-groq-reserved": {
        "SubnetIds": "subnet-0a,subnet-0b",
        "SecurityGroupIds": "sg-0a",
        "GroqApiKeyParameter": "/tinyeclipse/groq-api-key",
        "ChatReservedConcurrency": 5,
    },
}


@cache
def transformed(parameter_set: str, directory: Path) -> Path:
    result = subprocess.run(
        [str(cfn_tool(CFN_PYTHON)), "-c", TRANSFORM, str(TEMPLATE), json.dumps(PARAMETER_SETS[parameter_set])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"},
    )
    assert result.returncode == 0, f"the SAM transform failed:\n{result.stderr}"
    output = directory / f"{parameter_set}.json"
    output.write_text(result.stdout)
    return output


@pytest.fixture(scope="module")
def transform_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sam")


@pytest.mark.parametrize("parameter_set", sorted(PARAMETER_SETS))
def test_the_sam_transform_yields_a_template_cfn_lint_passes(parameter_set: str, transform_dir: Path) -> None:
    output = transformed(parameter_set, transform_dir)
    result = run_cfn_lint(output)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("parameter_set", sorted(PARAMETER_SETS))
def test_the_generated_roles_carry_no_wildcard(parameter_set: str, transform_dir: Path) -> None:
    resources = json.loads(transformed(parameter_set, transform_dir).read_text())["Resources"]
    roles = {i: r["Properties"] for i, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    assert len(roles) == len(functions())
    for role_id, role in roles.items():
        assert set(role.get("ManagedPolicyArns", [])) <= ALLOWED_MANAGED_POLICIES, role_id
        for policy in role.get("Policies", []):
            for document in branches(policy):
                for statement in as_list(document["PolicyDocument"]["Statement"]):
                    assert_no_wildcards(statement, role_id)
    assert not [i for i, r in resources.items() if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")]
    mappings = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert [m["FunctionResponseTypes"] for m in mappings] == [["ReportBatchItemFailures"]]


def test_the_deployment_guide_covers_every_parameter_and_output() -> None:
    guide = (REPO / "docs" / "deployment.md").read_text()
    template = load_template()
    missing = [name for name in [*template["Parameters"], *template["Outputs"]] if f"`{name}`" not in guide]
    assert not missing, f"docs/deployment.md does not mention {missing}"
