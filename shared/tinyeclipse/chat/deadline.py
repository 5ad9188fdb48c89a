"""The bounds of one LLM call: a total deadline, a cap on the reply's bytes, and a few calls at a time per process.

httpx's timeouts are per socket operation, so a server sending one byte now and then keeps a call alive for ever.
Here every connect, TLS handshake, read and write of a call gets at most what is left of the call's deadline
(the socket's own timeout), so the call ends at its deadline with a timeout error and its connection is closed;
no thread is left behind. The call's budget travels in a context variable: the SDK calls the socket in this thread.
"""

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from tinyeclipse.chat.llm import LLMError
from tinyeclipse.config import Settings
from tinyeclipse.network import connect_in_turn, transport_over

# Far above any answer we keep (the answer is cut to LLM_MAX_ANSWER_CHARS), low enough to spare the memory.
MAX_REPLY_BYTES = 8_000_000


class ReplyTooLarge(Exception):
    """The reply passed MAX_REPLY_BYTES (not an httpcore error, so httpx and the SDKs pass it on as it is)."""


@dataclass
class _Budget:
    deadline: float  # time.monotonic()
    received: int = 0

    def timeout(self, requested: float | None, expired: type[httpcore.TimeoutException]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise expired("the LLM call's deadline passed")
        return left if requested is None else min(requested, left)


_BUDGET: ContextVar[_Budget | None] = ContextVar("llm_call_budget", default=None)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = _BUDGET.get()
        if budget is None:
            return self._stream.read(max_bytes, timeout)
        data = self._stream.read(max_bytes, budget.timeout(timeout, httpcore.ReadTimeout))
        budget.received += len(data)
        if budget.received > MAX_REPLY_BYTES:
            raise ReplyTooLarge(f"the reply is larger than {MAX_REPLY_BYTES:,} bytes")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        budget = _BUDGET.get()
        self._stream.write(buffer, timeout if budget is None else budget.timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = _BUDGET.get()
        timeout = timeout if budget is None else budget.timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        budget = _BUDGET.get()
        if budget is None:
            return _DeadlineStream(super().connect_tcp(host, port, timeout, local_address, socket_options))
        # Address by address, each with what is left (socket.create_connection would give each the whole timeout).
        try:
            addresses = list(
                dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
            )
        except OSError as exc:
            raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from exc
        stream = connect_in_turn(
            lambda address, left: super(_DeadlineBackend, self).connect_tcp(
                address, port, left, local_address, socket_options
            ),
            addresses,
            lambda: budget.timeout(timeout, httpcore.ConnectTimeout),
        )
        return _DeadlineStream(stream)


class CallLimits:
    """At most `concurrency` calls at once; each ends within `seconds` of asking, the wait for a slot included.

    A caller that finds every slot taken waits at most `queue_wait` seconds, then gets an LLMError (the visitor
    gets the hand-off answer at once instead of queueing behind slow calls).
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> "CallLimits":
        return cls(
            concurrency=settings.llm_max_concurrency,
            seconds=settings.llm_timeout_seconds,
            queue_wait=settings.llm_queue_wait_seconds,
        )

    def __init__(self, *, concurrency: int, seconds: float, queue_wait: float) -> None:
        self.seconds = seconds
        self._concurrency = concurrency
        self._queue_wait = min(queue_wait, seconds)
        self._slots = threading.BoundedSemaphore(concurrency)

    @contextmanager
    def call(self, provider: str) -> Iterator[None]:
        deadline = time.monotonic() + self.seconds
        if not self._slots.acquire(timeout=self._queue_wait):
            raise LLMError(f"{provider}: busy ({self._concurrency} calls in flight)")
        token = _BUDGET.set(_Budget(deadline))
        try:
            yield
        finally:
            _BUDGET.reset(token)
            self._slots.release()

    def http_client(self, headers: Mapping[str, str] | None = None) -> httpx.Client:
        """A client whose sockets keep to the deadline of the call they serve; a connection for every slot."""
        limits = httpx.Limits(max_connections=self._concurrency, max_keepalive_connections=self._concurrency)
        return httpx.Client(
            transport=transport_over(_DeadlineBackend(), limits=limits),
            timeout=httpx.Timeout(self.seconds),
            headers=headers,
        )
