"""Fetching a URL safely: bounded in time, size and redirects, and never into a private network."""

import io
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any, BinaryIO

import httpcore
import httpx

from tinyeclipse.config import Settings
from tinyeclipse.ingestion.documents import ExtractionError, TransientFetchError
from tinyeclipse.network import connect_in_turn, transport_over


@dataclass(frozen=True)
class FetchLimits:
    timeout: float  # seconds to connect, and between two reads
    max_bytes: int
    max_redirects: int
    user_agent: str
    allow_private: bool

    @classmethod
    def from_settings(cls, settings: Settings, *, max_bytes: int | None = None) -> "FetchLimits":
        return cls(
            timeout=settings.ingest_fetch_timeout_seconds,
            max_bytes=settings.ingest_max_html_bytes if max_bytes is None else max_bytes,
            max_redirects=settings.ingest_max_redirects,
            user_agent=settings.ingest_user_agent,
            allow_private=settings.ingest_allow_private_urls,
        )


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects
    content_type: str  # media type only, lower-case, e.g. "text/html"
    body: bytes


def fetch(url: str, limits: FetchLimits, *, accept: tuple[str, ...]) -> Fetched:
    """GET `url` into memory; raises ExtractionError (permanent) or TransientFetchError (retry later)."""
    body = io.BytesIO()
    final_url, content_type = _get(url, limits, accept, body)
    return Fetched(url=final_url, content_type=content_type, body=body.getvalue())


def download(url: str, limits: FetchLimits, *, accept: tuple[str, ...], into: BinaryIO) -> str:
    """GET `url`, streaming the body into `into` (bounded memory for large files); returns the final URL."""
    final_url, _ = _get(url, limits, accept, into)
    return final_url


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to a host only at the addresses it was resolved to and checked at, never by a second lookup:
    a DNS-rebinding name cannot answer a public address to the check and a private one to the connection.
    TLS is still verified against the host's name (the URL keeps it, and so the SNI and the Host header)."""

    def __init__(self) -> None:
        self._pins: dict[str, list[Address]] = {}

    def pin(self, url: httpx.URL, addresses: list[Address]) -> None:
        self._pins[_host(url)] = addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not checked before connecting")
        return connect_in_turn(
            lambda address, left: super(_PinnedBackend, self).connect_tcp(
                address, port, left, local_address, socket_options
            ),
            (str(address) for address in addresses),
            lambda: timeout,
        )


def _get(url: str, limits: FetchLimits, accept: tuple[str, ...], into: BinaryIO) -> tuple[str, str]:
    backend = _PinnedBackend()
    # No environment proxy (an explicit transport takes none): it would make the private-address check meaningless.
    with httpx.Client(
        transport=transport_over(backend),
        timeout=httpx.Timeout(limits.timeout),
        headers={"User-Agent": limits.user_agent},
        follow_redirects=False,
    ) as client:
        try:
            return _follow(client, backend, url, limits, accept, into)
        except httpx.InvalidURL as exc:
            raise ExtractionError(f"Invalid URL {url}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise TransientFetchError(f"Timed out after {limits.timeout:g} s fetching {url}") from exc
        except httpx.TransportError as exc:
            raise TransientFetchError(f"Could not fetch {url}: {exc or type(exc).__name__}") from exc
        except httpx.DecodingError as exc:
            raise ExtractionError(f"Undecodable response from {url}: {exc}") from exc


def _follow(
    client: httpx.Client,
    backend: _PinnedBackend,
    url: str,
    limits: FetchLimits,
    accept: tuple[str, ...],
    into: BinaryIO,
) -> tuple[str, str]:
    current = httpx.URL(url)
    # Redirects are followed here, not by httpx, so that every hop's address is checked (and pinned).
    for _ in range(limits.max_redirects + 1):
        backend.pin(current, _check_target(current, limits.allow_private))
        with client.stream("GET", current) as response:
            if response.is_redirect:
                current = current.join(response.headers["location"])
                continue
            _check_status(response, current)
            content_type = _check_content_type(response, current, accept)
            _copy_body(response, current, limits.max_bytes, into)
            return str(current), content_type
    raise ExtractionError(f"Too many redirects (more than {limits.max_redirects}) from {url}")


def _check_target(url: httpx.URL, allow_private: bool) -> list[Address]:
    """The addresses `url`'s host resolves to, once; ExtractionError if any of them is not public."""
    if url.scheme not in ("http", "https"):
        raise ExtractionError(f"Only http and https URLs can be fetched, not {url}")
    if not url.host:
        raise ExtractionError(f"No host in URL {url}")
    addresses = _resolve(url)
    if allow_private:
        return addresses
    for address in addresses:
        if not _is_public(address):
            raise ExtractionError(f"Refusing to fetch {url}: {url.host} resolves to the non-public address {address}")
    return addresses


def _host(url: httpx.URL) -> str:
    # As httpcore names the host it connects to: the URL's raw (IDNA-encoded, unbracketed) host.
    return url.raw_host.decode("ascii")


def _resolve(url: httpx.URL) -> list[Address]:
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(_host(url), port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
            raise ExtractionError(f"Unknown host {url.host} in {url}") from exc
        raise TransientFetchError(f"Could not resolve {url.host}: {exc}") from exc
    # An IPv6 address may carry a zone ("fe80::1%eth0"), which ipaddress does not parse.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(addresses))


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    # is_global alone lets multicast through; is_reserved covers e.g. 240.0.0.0/4.
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _check_status(response: httpx.Response, url: httpx.URL) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = httpx.codes.get_reason_phrase(status)
    message = f"HTTP {status} {reason} at {url}" if reason else f"HTTP {status} at {url}"
    if status == 429 or status >= 500:
        raise TransientFetchError(message)
    raise ExtractionError(message)


def _check_content_type(response: httpx.Response, url: httpx.URL, accept: tuple[str, ...]) -> str:
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in accept:
        received = content_type or "no content type"
        raise ExtractionError(f"Expected {' or '.join(accept)} at {url}, but the server sent {received}")
    return content_type


def _copy_body(response: httpx.Response, url: httpx.URL, max_bytes: int, into: BinaryIO) -> None:
    too_large = f"The response from {url} is larger than the limit of {max_bytes:,} bytes"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ExtractionError(too_large)
    received = 0
    # Counted after decompression, so a small gzip bomb is stopped too.
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise ExtractionError(too_large)
        into.write(chunk)
