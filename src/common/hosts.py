"""Whether a URL's host is this machine: plain http is tolerated only there (the local stack)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is a loopback host (see :func:`is_loopback_host`)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return is_loopback_host(host)


_HOST = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_LOOPBACK = rf"(?:(?i:localhost)|127\.{_OCTET}\.{_OCTET}\.{_OCTET}|\[::1\])"
_PORT = r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"
_PATH = r"(?:[/?][\x21\x22\x24-\x5b\x5d-\x7e]*)?"  # printable ASCII but space, '#' and '\'
ENDPOINT_URL_PATTERN = rf"(?:(?i:https)://(?:{_HOST}|{_LOOPBACK})|(?i:http)://{_LOOPBACK}){_PORT}{_PATH}"
"""An endpoint that receives a credential or serves keys: https to a host name, an IPv4 address or a
loopback host, or plain http to a loopback host (``localhost``, ``127.x.x.x``, ``[::1]``), a port
1-65535, a path and query of printable ASCII; no credentials, fragment, blank or backslash. Written in
the syntax RE2 (Terraform) and :mod:`re` read alike: the module's ``endpoint_overrides`` rule is this
pattern, which a test holds it to."""
_ANY_HTTP_URL = re.compile(rf"(?i:https?)://(?:{_HOST}|{_LOOPBACK}){_PORT}{_PATH}")
_ENDPOINT_URL = re.compile(ENDPOINT_URL_PATTERN)


def checked_url(what: str, url: object, *, allow_http: bool = False) -> str:
    """``url`` as an endpoint to send a credential or fetch keys from, else :class:`ValueError` naming
    ``what``: an absolute http(s) URL with a host, no credentials, no fragment, no blank or control
    character; https, or plain http only to a loopback host (or with ``allow_http``, the caller's explicit
    choice). The scheme is case-insensitive (RFC 3986 §3.1): it is returned lower-cased."""
    if not isinstance(url, str) or not url or not url.isprintable() or any(c.isspace() for c in url):
        raise ValueError(f"{what} must be an https:// URL without blanks or control characters")
    if "#" in url:
        raise ValueError(f"{what} must not carry credentials or a fragment")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise ValueError(f"{what} is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        raise ValueError(f"{what} must be an https:// URL with a host")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise ValueError(f"{what} must not carry credentials or a fragment")
    if scheme == "http" and not allow_http and not is_loopback_host(host):
        raise ValueError(f"{what} must use https (plain http only to a loopback host, or when asked for)")
    if not (_ANY_HTTP_URL if allow_http else _ENDPOINT_URL).fullmatch(url):
        raise ValueError(
            f"{what} must be https://<host>[:<port>][/<path>]: an ASCII host name or IPv4 address, a port "
            "1-65535, a path of printable ASCII without backslash (plain http: localhost, 127.x.x.x or [::1])"
        )
    return scheme + url[len(parts.scheme) :]
