"""Who is calling: the visitor's IP address and user agent, kept with a consent as evidence."""

import ipaddress

from fastapi import Request

MAX_USER_AGENT_CHARS = 500


def _valid_ip(value: str) -> str | None:
    # A link-local IPv6 peer may carry a zone ("fe80::1%eth0"), which inet does not take.
    try:
        return str(ipaddress.ip_address(value.strip().partition("%")[0]))
    except ValueError:
        return None


def client_ip(request: Request) -> str | None:
    """The caller's IP address, or None if there is no valid one.

    On Lambda, API Gateway's own record of the connection (`requestContext.http.sourceIp`) is the
    answer: headers may be forged. Behind Caddy (its reverse_proxy with no trusted_proxies replaces any
    X-Forwarded-For the client sent with the address of the peer it saw) the last entry is the one our
    proxy vouches for. Without the header (no proxy in front) the peer is the client.
    """
    event = request.scope.get("aws.event")
    if event is not None:
        return _valid_ip(str(event.get("requestContext", {}).get("http", {}).get("sourceIp", "")))
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    if forwarded and (ip := _valid_ip(forwarded.rsplit(",", 1)[-1])):
        return ip
    return _valid_ip(request.client.host) if request.client else None


def user_agent(request: Request) -> str | None:
    agent = request.headers.get("user-agent")
    return agent[:MAX_USER_AGENT_CHARS] if agent else None
