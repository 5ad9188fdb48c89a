"""A local stand-in for an OpenAI-compatible chat-completions server (Groq's path included), for tests.

Use the `fake_llm` fixture (`from tests.fake_llm import fake_llm_fixture  # noqa: F401` in the test module), or
`with FakeLLM() as fake:`. Point Groq at `fake.base_url` and the openai provider at `fake.openai_base_url`.
"""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.local_http import LocalHTTPServer, QuietHandler

PATHS = ("/openai/v1/chat/completions", "/v1/chat/completions", "/chat/completions")
DEFAULT_CONTENT = json.dumps({"answer": "This is the fake model's answer [1].", "confidence": 0.9, "sources": [1]})
_ERROR_KINDS = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "not_found"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class _Outcome:
    """What the next requests get: a completion with `content`, an error `status`, or a raw `body`."""

    content: str = DEFAULT_CONTENT
    prompt_tokens: int = 100
    completion_tokens: int = 20
    status: int = 200
    message: str = ""
    body: str | None = None


class FakeLLM(LocalHTTPServer):
    def __init__(self) -> None:
        self.requests: list[dict] = []  # JSON bodies received, in order
        self.paths: list[str] = []  # one per request
        self.headers: list[dict[str, str]] = []  # one per request
        self._outcome = _Outcome()
        self._delay = 0.0
        self._trickle: float | None = None
        self._stop = threading.Event()  # set to end the replies still trickling
        self._lock = threading.Lock()
        super().__init__(_handler_for(self))
        self.openai_base_url = f"{self.base_url}/v1"

    def reply(self, content: str, *, prompt_tokens: int = 100, completion_tokens: int = 20) -> None:
        """The message content of the next replies (until changed)."""
        self._outcome = _Outcome(content, prompt_tokens, completion_tokens)

    def reply_json(self, answer: str, confidence: float, sources: list[int]) -> None:
        self.reply(json.dumps({"answer": answer, "confidence": confidence, "sources": sources}))

    def reply_body(self, body: str) -> None:
        """A raw 200 body instead of a completion: for malformed or partial envelopes."""
        self._outcome = _Outcome(body=body)

    def fail(self, status: int, message: str = "error") -> None:
        """Answer with this HTTP status and an OpenAI-style error body."""
        self._outcome = _Outcome(status=status, message=message)

    def reply_huge(self, chars: int) -> None:
        """A JSON answer `chars` characters long, of sentences citing [1]."""
        sentence = "A transfer of a .com domain takes up to five days [1]. "
        answer = (sentence * (chars // len(sentence) + 1))[:chars]
        self.reply(json.dumps({"answer": answer, "confidence": 0.9, "sources": [1]}))

    def slow(self, seconds: float) -> None:
        """Wait this long before answering."""
        self._delay = seconds

    def trickle(self, every: float) -> None:
        """Send the status and headers at once, then the body one byte every `every` seconds: each read is quick,
        the whole reply takes minutes."""
        self._trickle = every

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.paths.clear()
            self.headers.clear()
        self._outcome = _Outcome()
        self._delay = 0.0
        self._trickle = None
        self._stop.set()
        self._stop = threading.Event()

    def close(self) -> None:
        self._stop.set()
        super().close()

    def _record(self, path: str, headers: dict[str, str], body: dict) -> None:
        with self._lock:
            self.requests.append(body)
            self.paths.append(path)
            self.headers.append(headers)

    def _respond(self, body: dict) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one request, by the current outcome."""
        outcome = self._outcome
        if outcome.body is not None:
            return 200, {}, outcome.body.encode()
        if outcome.status >= 400:
            return _error(outcome.status, outcome.message)
        return 200, {}, json.dumps(_completion(body.get("model", "fake-model"), outcome)).encode()


def _completion(model: str, outcome: _Outcome) -> dict:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": outcome.content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": outcome.prompt_tokens,
            "completion_tokens": outcome.completion_tokens,
            "total_tokens": outcome.prompt_tokens + outcome.completion_tokens,
        },
    }


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    kind, code = _ERROR_KINDS.get(status, ("server_error", "internal_error"))
    headers = {"Retry-After": "1"} if status == 429 else {}
    return status, headers, json.dumps({"error": {"message": message, "type": kind, "code": code}}).encode()


def _handler_for(fake: FakeLLM) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path not in PATHS:
                self._send(*_error(404, f"unknown path {self.path}"))
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._send(*_error(400, "the body is not JSON"))
                return
            fake._record(self.path, dict(self.headers.items()), body)
            time.sleep(fake._delay)
            if fake._trickle is None:
                self._send(*fake._respond(body))
            else:
                self._send_slowly(*fake._respond(body), every=fake._trickle, stop=fake._stop)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send(status, {"Content-Type": "application/json", **headers}, body)

        def _send_slowly(
            self, status: int, headers: dict[str, str], body: bytes, *, every: float, stop: threading.Event
        ) -> None:
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for offset in range(len(body)):
                    if stop.wait(every):
                        return
                    self.wfile.write(body[offset : offset + 1])
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: the deadline held

    return Handler


# Named apart from the fixture, so that importing it does not shadow the test functions' `fake_llm` argument.
@pytest.fixture(name="fake_llm")
def fake_llm_fixture() -> Iterator[FakeLLM]:
    with FakeLLM() as fake:
        yield fake
