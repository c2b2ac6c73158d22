"""Whether a URL's host is this machine: plain http is tolerated only there (the local stack)."""

from __future__ import annotations

import ipaddress
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


def checked_url(what: str, url: object, *, allow_http: bool = False) -> str:
    """``url`` as an endpoint to send a credential or fetch keys from, else :class:`ValueError` naming
    ``what``: an absolute http(s) URL with a host, no credentials, no fragment, no blank or control
    character; https, or plain http only to a loopback host (or with ``allow_http``, the caller's explicit
    choice). The scheme is case-insensitive (RFC 3986 §3.1): it is returned lower-cased."""
    if not isinstance(url, str) or not url or not url.isprintable() or any(c.isspace() for c in url):
        raise ValueError(f"{what} must be an https:// URL without blanks or control characters")
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
    return scheme + url[len(parts.scheme) :]
