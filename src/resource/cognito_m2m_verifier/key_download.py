"""One bounded HTTPS GET with the standard library: how the verifier downloads a JWKS.

The verifier needs one request per key set and container, so a connection pool buys nothing, and
urllib3's import (about 40 ms of a cold start, billed since Lambda bills INIT) is not paid for it.
:mod:`http.client` and :mod:`ssl` are imported on the first download, not at import.

What a download guarantees (the rules the JWKS fetch always had):

- TLS with :func:`ssl.create_default_context`: the system's CAs, certificate and host name verified
  (plain ``http`` only where the URL check allowed it: a loopback host);
- the connection (TLS handshake included) within ``connect_timeout``; each later socket read within
  ``read_timeout``, and the whole exchange (status, headers, body) within ``connect_timeout +
  read_timeout``: a read waits only for the time left, so a body dripping byte by byte is cut off at
  the deadline;
- no redirect (a 3xx is a status like any other), ``Accept-Encoding: identity`` and any other
  ``Content-Encoding`` refused by the caller, at most ``max_bytes`` of body (a larger announced
  ``Content-Length`` refused before reading), HTTP/1.1 with :mod:`http.client`'s own header limits
  (100 headers, 64 KiB lines);
- no retry: the caller's penalty window paces attempts.

Every failure is a :class:`DownloadFailed` naming the failure's kind, never the URL's query or a body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from cognito_m2m_verifier._shared.headers import ascii_decimal

USER_AGENT = "cognito-m2m-verifier"


class DownloadFailed(Exception):
    """The download did not complete: no connection, TLS refused, a timeout, a malformed answer, too big."""


class BodyTooLarge(DownloadFailed):
    """The body (announced or read) is larger than the cap."""


class ReadFailed(DownloadFailed):
    """The answer started but its body did not arrive whole: ``timed_out`` when the deadline passed."""

    def __init__(self, detail: str, *, timed_out: bool) -> None:
        super().__init__(detail)
        self.timed_out = timed_out


class Response:
    """An answer: status, headers (lower-cased names; a repeated header keeps its last value), body.
    (A plain class: ``dataclasses`` would add its import to the cold start's JWKS prefetch.)"""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


Download = Callable[..., Response]
"""``download(url, *, connect_timeout, read_timeout, max_bytes, headers) -> Response``: :func:`get` or a
stand-in with its signature."""

_modules: dict[str, ModuleType] = {}
_tls: list[Any] = []


def _http_client() -> ModuleType:
    if "http.client" not in _modules:
        import http.client  # noqa: PLC0415 - on the first download, not at cold-start import

        _modules["http.client"] = http.client
    return _modules["http.client"]


def _tls_context() -> Any:
    """One verifying client context per process (certificates loaded once)."""
    if not _tls:
        import ssl  # noqa: PLC0415 - on the first download

        context = ssl.create_default_context()
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        _tls.append(context)
    return _tls[0]


def get(
    url: str,
    *,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """GET ``url`` (already checked: https, or http to loopback) under the module's rules."""
    client = _http_client()
    parts = urlsplit(url)
    host = parts.hostname or ""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + connect_timeout + read_timeout
    connection: Any
    if parts.scheme.lower() == "https":
        connection = client.HTTPSConnection(host, parts.port, timeout=connect_timeout, context=_tls_context())
    else:
        connection = client.HTTPConnection(host, parts.port, timeout=connect_timeout)
    try:
        try:
            connection.connect()
            sock = connection.sock  # kept: the response may take it over (Connection: close)
            _wait_at_most(sock, deadline, read_timeout)
            sent = {"Accept-Encoding": "identity", "User-Agent": USER_AGENT, **(headers or {})}
            connection.request("GET", target, headers=sent)
            response = connection.getresponse()
        except (OSError, client.HTTPException, ValueError) as exc:  # ssl.SSLError is an OSError
            raise DownloadFailed(type(exc).__name__) from None
        received = {name.lower(): value for name, value in response.getheaders()}
        announced = ascii_decimal(received.get("content-length"), 12)  # else ignored: the read is capped
        if announced is not None and announced > max_bytes:
            raise BodyTooLarge(f"announced {announced} bytes")
        # http.client closes its connection's socket object once a response will close it (HTTP/1.0,
        # Connection: close); the response reads on through its own reference to the same socket.
        reading = getattr(getattr(response.fp, "raw", None), "_sock", None) or sock
        body = _read(response, reading, deadline, read_timeout, max_bytes)
        if announced is not None and len(body) != announced:
            raise ReadFailed(f"IncompleteRead ({len(body)} of {announced} bytes)", timed_out=False)
        return Response(response.status, received, body)
    finally:
        connection.close()


def _wait_at_most(sock: Any, deadline: float, each: float) -> None:
    """Each socket operation waits at most ``each`` seconds, and never past ``deadline``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    sock.settimeout(min(each, remaining))


def _read(response: Any, sock: Any, deadline: float, each: float, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    client = _http_client()
    while not response.isclosed():  # closed once the whole body is read (and its socket with it)
        try:
            _wait_at_most(sock, deadline, each)
            chunk = response.read1(16384)
        except (OSError, client.HTTPException, ValueError) as exc:
            raise ReadFailed(type(exc).__name__, timed_out=isinstance(exc, TimeoutError)) from None
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(f"more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
