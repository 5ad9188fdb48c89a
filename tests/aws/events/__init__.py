"""Real-shaped AWS events (API Gateway HTTP API v2, SQS, EventBridge schedule) and a Lambda context."""

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

EVENTS = Path(__file__).parent


def _load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def http_api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.7",
) -> dict[str, Any]:
    """What API Gateway (HTTP API, payload 2.0) sends for `method path` through a `{proxy+}` route."""
    event = _load("http_api_v2.json")
    prefix = "/".join(path.split("/")[:3])  # /api/<function>
    route = f"ANY {prefix}/{{proxy+}}" if path != prefix else f"ANY {prefix}"
    text = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    event["routeKey"] = event["requestContext"]["routeKey"] = route
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["sourceIp"] = source_ip
    event["requestContext"]["requestId"] = uuid.uuid4().hex[:16]
    event["rawQueryString"] = urlencode(query or {})
    if query:
        event["queryStringParameters"] = dict(query)
    event["pathParameters"] = {"proxy": path[len(prefix) + 1 :]} if path != prefix else {}
    event["headers"]["x-forwarded-for"] = source_ip
    event["headers"]["content-length"] = str(len(text.encode()) if text else 0)
    if text is not None:
        event["headers"]["content-type"] = "application/json"
        event["body"] = text
    event["headers"].update({name.lower(): value for name, value in (headers or {}).items()})
    return event


def sqs_event(bodies: list[str], *, receive_count: int = 1) -> dict[str, Any]:
    """An SQS batch as Lambda's event source mapping delivers it, one record per body."""
    template = _load("sqs.json")["Records"][0]
    records = []
    for body in bodies:
        record = copy.deepcopy(template)
        record["messageId"] = str(uuid.uuid4())
        record["body"] = body
        record["md5OfBody"] = hashlib.md5(body.encode()).hexdigest()
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def scheduled_event() -> dict[str, Any]:
    """EventBridge's event for a schedule rule."""
    return _load("scheduled.json")


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools and Mangum read."""

    function_name: str = "tinyeclipse-test"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:tinyeclipse-test"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/tinyeclipse-test"
    log_stream_name: str = "2026/11/30/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
