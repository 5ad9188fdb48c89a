"""Logs, metrics and traces through Powertools: the same JSON logs everywhere, EMF metrics and X-Ray on AWS.

Every module logs with `logging.getLogger(__name__)`; the package's root logger ("tinyeclipse") carries
the Powertools JSON handler, so their records come out as one JSON object a line, with the function's
name as `service` and whatever ids the call passes in `extra` (tenant_id, conversation_id, ...).
Visitor message text is never passed to a log.
"""

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger

PACKAGE_LOGGER = "tinyeclipse"
METRICS_NAMESPACE = "TinyEclipse"

LambdaHandler = Callable[[dict[str, Any], Any], Any]


# Postgres, AWS (SQS, SSM, Secrets Manager) and the LLM providers (httpx): what a trace should show.
TRACED_MODULES = ("psycopg", "botocore", "httpx")


@lru_cache
def _package_logger() -> Logger:
    return Logger(service=PACKAGE_LOGGER, level=os.environ.get("LOG_LEVEL", "INFO"), utc=True)


def configure_logging(service: str) -> Logger:
    """JSON logs for the whole package in this process, tagged with the function's name."""
    logger = _package_logger()
    logger.append_keys(service=_service_name(service))
    return logger


def _service_name(service: str) -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME", service)


def lambda_entry(service: str, handler: LambdaHandler) -> LambdaHandler:
    """`handler` as a Lambda entry point: the invocation's context in the logs, and an X-Ray trace on Lambda."""
    logger = configure_logging(service)

    @logger.inject_lambda_context(clear_state=False)
    def entry(event: dict[str, Any], context: Any) -> Any:
        # One function per Lambda process; tagging each invocation also keeps tests that load several honest.
        logger.append_keys(service=_service_name(service))
        return handler(event, context)

    # The trace's subsegment is named after it ("## consume", "## chat_http").
    entry.__name__ = getattr(handler, "__name__", f"{service}_http").lstrip("_")
    if not _tracing_wanted():
        return entry
    from aws_lambda_powertools import Tracer

    # Only the libraries we call out through: patching every module the X-Ray SDK knows cost the chat's cold
    # start 0.13-0.2 s (issue 16, docs/benchmarks.md).
    tracer = Tracer(service=_service_name(service), patch_modules=TRACED_MODULES)
    return tracer.capture_lambda_handler(entry, capture_response=False)


def _on_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def _tracing_wanted() -> bool:
    # Importing the X-Ray SDK costs ~0.2 s of cold start: only where there is a trace to write.
    return _on_lambda() and os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true")


def http_entry(service: str, app: Any, warm_up: Callable[[], object] | None = None) -> LambdaHandler:
    """The FastAPI app behind API Gateway (HTTP API, payload 2.0) through Mangum.

    Mangum runs without the app's lifespan, so `warm_up` (loading a model) runs here instead, in
    Lambda's init phase: once per container, before its first request.
    """
    from mangum import Mangum

    if warm_up is not None and _on_lambda():
        warm_up()

    # Problem responses are JSON too: send them as text, not base64.
    mangum = Mangum(app, lifespan="off", text_mime_types=["application/json", "application/problem+json"])
    return lambda_entry(service, mangum)


def record_chat_answer(*, plan: str, escalated: bool, refused: bool, latency_ms: float) -> None:
    """One answer's EMF metrics: counts of answers, escalations and refusals, and its latency."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    # Per-answer metrics, flushed at once: uvicorn's threads share no buffer, Lambda needs no decorator.
    metrics = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE))
    metrics.add_dimension(name="plan", value=plan)
    metrics.add_metric(name="Answers", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Escalations", unit=MetricUnit.Count, value=int(escalated))
    metrics.add_metric(name="Refusals", unit=MetricUnit.Count, value=int(refused))
    metrics.add_metric(name="ChatLatency", unit=MetricUnit.Milliseconds, value=latency_ms)
    metrics.flush_metrics()
