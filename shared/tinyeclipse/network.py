"""An httpx transport over a network backend of our own: where the sockets under a client are opened and used.

The chat's LLM call clamps every socket operation to its deadline; the URL fetcher connects only to the address
it resolved and checked. httpx has no public setting for httpcore's network backend, hence this one place.
"""

import httpcore
import httpx


def transport_over(backend: httpcore.NetworkBackend, **options: object) -> httpx.HTTPTransport:
    """An httpx.HTTPTransport (`options` as its own) whose connections are opened by `backend`."""
    transport = httpx.HTTPTransport(**options)  # type: ignore[arg-type]
    pool = getattr(transport, "_pool", None)
    # Fail loudly if an httpx upgrade moves the pool: the backend is a security and a deadline guarantee.
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx.HTTPTransport no longer has an httpcore.ConnectionPool to give a network backend")
    pool._network_backend = backend
    return transport
