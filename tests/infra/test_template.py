"""The AWS SAM template (template.yaml) against the code it deploys.

The handlers and routes it names must exist in the apps; secrets and IAM follow least privilege; the
queue is wired for partial batch failures and a dead-letter queue. (cfn-lint and the SAM transform:
test_template_lint.py.)
"""

import importlib
import re
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute

from tests.infra.template import (
    APPS,
    DOCKERFILES,
    HANDLERS,
    HTTP_API_TIMEOUT_SECONDS,
    QUEUE_SENDERS,
    REPO,
    SECRETS_BY_HANDLER,
    as_list,
    assert_no_wildcards,
    branches,
    command,
    environment,
    function_for,
    functions,
    load_template,
    referenced_names,
    ssm_parameters_granted,
    statements,
)
from tinyeclipse.config import Settings
from tinyeclipse.secrets import SECRET_SETTINGS

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


def test_the_deployment_guide_covers_every_parameter_and_output() -> None:
    guide = (REPO / "docs" / "deployment.md").read_text()
    template = load_template()
    missing = [name for name in [*template["Parameters"], *template["Outputs"]] if f"`{name}`" not in guide]
    assert not missing, f"docs/deployment.md does not mention {missing}"
