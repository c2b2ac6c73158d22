"""Application Load Balancer Lambda-target events in, ALB responses out.

Handles both header modes of a target group: single-value (``headers``/``queryStringParameters``) and
multi-value (``multiValueHeaders``/``multiValueQueryStringParameters``). A response always uses the
mode of the request, as the ALB requires.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

JSON_CONTENT_TYPE = "application/json"
MAX_RESPONSE_BODY_BYTES = 1_000_000
"""An ALB refuses (502) a Lambda response over 1 MB; keep the JSON body under this, headers aside."""


class BadEvent(ValueError):
    """The invocation event is not an ALB request (a wiring error, not a client error)."""


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request as the ALB delivered it. Header names are lower-cased; the method is exactly as
    sent; query names and values are as sent (the ALB does not percent-decode them)."""

    method: str
    path: str
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    body: bytes = b""
    multi_value: bool = False

    def header(self, name: str) -> str | None:
        """The first value of a header, or None."""
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of a header (more than one only in multi-value mode)."""
        return self.headers.get(name.lower(), ())


def string_map(raw: Any, what: str) -> dict[str, tuple[str, ...]]:
    """An event's header or query map (single string or list values) as tuples; :class:`BadEvent` else."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise BadEvent(f"{what} is not an object")
    out: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise BadEvent(f"{what} has a non-string name")
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise BadEvent(f"{what} has a non-string value")
        out[key] = tuple(values)
    return out


def lower_keys(values: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Header names lower-cased; values of names that differ only in case are merged."""
    out: dict[str, tuple[str, ...]] = {}
    for key, vals in values.items():
        name = key.lower()
        out[name] = out.get(name, ()) + vals
    return out


def event_body(raw: Any, base64_encoded: Any) -> bytes:
    """A Lambda HTTP event's body as bytes, from its ``body`` and ``isBase64Encoded`` (every front door
    uses these two members); :class:`BadEvent` for a body that is not a string or not valid base64."""
    if raw is None:
        return b""
    if not isinstance(raw, str):
        raise BadEvent("body is not a string")
    if base64_encoded is True:
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadEvent("body is not valid base64") from exc
    return raw.encode("utf-8", "surrogatepass")


def parse_event(event: Any) -> Request:
    """Turn an ALB Lambda event into a :class:`Request`; raise :class:`BadEvent` if it is not one."""
    if not isinstance(event, Mapping):
        raise BadEvent("event is not an object")
    method = event.get("httpMethod")
    path = event.get("path")
    if not isinstance(method, str) or not isinstance(path, str):
        raise BadEvent("event has no httpMethod/path")
    multi_value = "multiValueHeaders" in event
    if multi_value:
        headers = string_map(event.get("multiValueHeaders"), "multiValueHeaders")
        query = string_map(event.get("multiValueQueryStringParameters"), "multiValueQueryStringParameters")
    else:
        headers = string_map(event.get("headers"), "headers")
        query = string_map(event.get("queryStringParameters"), "queryStringParameters")
    body = event_body(event.get("body"), event.get("isBase64Encoded"))
    return Request(
        method=method,  # case-sensitive (RFC 9110 §9.1): "get" is not GET; "po\\u017ft".upper() is "POST"
        path=path,
        headers=lower_keys(headers),
        query=query,
        body=body,
        multi_value=multi_value,
    )


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def response(
    status: int,
    body: Any,
    *,
    headers: Mapping[str, str] | None = None,
    multi_value: bool = False,
) -> dict[str, Any]:
    """An ALB response whose body is ``body`` as compact JSON (never null, never empty)."""
    all_headers = {"content-type": JSON_CONTENT_TYPE, "cache-control": "no-store"}
    if headers:
        all_headers.update({k.lower(): v for k, v in headers.items()})
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=True, sort_keys=False)
    out: dict[str, Any] = {
        "statusCode": status,
        "statusDescription": _status_line(status),
        "isBase64Encoded": False,
        "body": text,
    }
    if multi_value:
        out["multiValueHeaders"] = {k: [v] for k, v in all_headers.items()}
    else:
        out["headers"] = all_headers
    return out
