"""An httpx transport over a network backend of our own: where the sockets under a client are opened and used.

The chat's LLM call clamps every socket operation to its deadline; the URL fetcher connects only to the address
it resolved and checked. httpx has no public setting for httpcore's network backend, hence this one place.
"""

from collections.abc import Callable, Iterable

import httpcore
import httpx

ConnectFailure = (httpcore.ConnectError, httpcore.ConnectTimeout)


def transport_over(backend: httpcore.NetworkBackend, **options: object) -> httpx.HTTPTransport:
    """An httpx.HTTPTransport (`options` as its own) whose connections are opened by `backend`."""
    transport = httpx.HTTPTransport(**options)  # type: ignore[arg-type]
    pool = getattr(transport, "_pool", None)
    # Fail loudly if an httpx upgrade moves the pool: the backend is a security and a deadline guarantee.
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx.HTTPTransport no longer has an httpcore.ConnectionPool to give a network backend")
    pool._network_backend = backend
    return transport


def connect_in_turn(
    connect: Callable[[str, float | None], httpcore.NetworkStream],
    addresses: Iterable[str],
    timeout: Callable[[], float | None],
) -> httpcore.NetworkStream:
    """The stream of the first address that accepts `connect(address, timeout())`; the last failure if none does."""
    failures: list[httpcore.ConnectError | httpcore.ConnectTimeout] = []
    for address in addresses:
        try:
            return connect(address, timeout())
        except ConnectFailure as exc:
            failures.append(exc)
    raise failures[-1] if failures else httpcore.ConnectError("no address to connect to")
