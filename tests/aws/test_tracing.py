"""On Lambda, each invocation is traced in X-Ray; elsewhere the X-Ray SDK is not even imported."""

import json
import os
import socket
import subprocess
import sys

SCRIPT = """
import json, sys
from tests.aws.events import LambdaContext
from tinyeclipse.observability import lambda_entry


def echo(event, context):
    return {"echo": event["n"]}


handler = lambda_entry("ingest", echo)
print(json.dumps({"result": handler({"n": 7}, LambdaContext()), "xray": "aws_xray_sdk" in sys.modules}))
"""


def _run(env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_invocation_on_lambda_sends_its_subsegment_to_the_xray_daemon() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(10)
        lambda_env = {
            "AWS_LAMBDA_FUNCTION_NAME": "tinyeclipse-ingest",
            "LAMBDA_TASK_ROOT": os.getcwd(),
            "_X_AMZN_TRACE_ID": "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
        }
        assert _run(lambda_env) == {"result": {"echo": 7}, "xray": True}
        header, _, document = daemon.recv(65536).decode().partition("\n")
    segment = json.loads(document)
    assert json.loads(header) == {"format": "json", "version": 1}
    assert segment["trace_id"] == "1-67891233-abcdef012345678912345678"
    assert segment["name"] == "## echo"
    assert segment["annotations"]["Service"] == "ingest"


def test_outside_lambda_the_handler_runs_without_the_xray_sdk() -> None:
    assert _run({}) == {"result": {"echo": 7}, "xray": False}
