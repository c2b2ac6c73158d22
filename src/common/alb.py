"""Application Load Balancer Lambda-target events in, ALB responses out.

Handles both header modes of a target group: single-value (``headers``/``queryStringParameters``) and
multi-value (``multiValueHeaders``/``multiValueQueryStringParameters``). A response always uses the
mode of the request, as the ALB requires.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import enum
import json
import math
import re
import secrets
import uuid
from collections.abc import Mapping
from decimal import Decimal
from http import HTTPStatus
from typing import Any

try:  # the verifier's dependency (fast answers); the token client's package goes without it
    from orjson import Fragment as _OrjsonFragment
    from orjson import JSONEncodeError as _OrjsonError
    from orjson import dumps as _orjson_dumps
except ImportError:  # pragma: no cover - the client's zip and wheel have no orjson
    _orjson_dumps = None  # type: ignore[assignment]
    _OrjsonError = TypeError  # type: ignore[misc, assignment]
    _OrjsonFragment = None  # type: ignore[assignment, misc]

JSON_CONTENT_TYPE = "application/json"
MAX_RESPONSE_BODY_BYTES = 1_000_000
"""An ALB refuses (502) a Lambda response over 1 MB; keep the JSON body under this, headers aside."""


class BadEvent(ValueError):
    """The invocation event is not an ALB request (a wiring error, not a client error)."""


class Request:
    """An HTTP request as the ALB delivered it. Header names are lower-cased; the method is exactly as
    sent; query names and values are as sent (the ALB does not percent-decode them). Read-only by
    convention (a plain slotted class: built once per request, it costs a third of a frozen dataclass)."""

    __slots__ = ("body", "headers", "method", "multi_value", "path", "query")

    def __init__(  # noqa: PLR0917 - the order of the former dataclass
        self,
        method: str,
        path: str,
        headers: Mapping[str, tuple[str, ...]] | None = None,
        query: Mapping[str, tuple[str, ...]] | None = None,
        body: bytes = b"",
        multi_value: bool = False,
    ) -> None:
        self.method = method
        self.path = path
        self.headers: Mapping[str, tuple[str, ...]] = {} if headers is None else headers
        self.query: Mapping[str, tuple[str, ...]] = {} if query is None else query
        self.body = body
        self.multi_value = multi_value

    def __repr__(self) -> str:  # no header values: they may hold credentials
        return f"Request(method={self.method[:16]!r}, path={self.path[:128]!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in Request.__slots__)

    __hash__ = None  # type: ignore[assignment]

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
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise BadEvent(f"{what} is not an object")
    out: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if type(key) is not str:
            raise BadEvent(f"{what} has a non-string name")
        if type(value) is str:  # single-value mode: the usual case, no list to walk
            out[key] = (value,)
            continue
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
        if name in out:
            out[name] += vals
        else:
            out[name] = vals
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
    if type(event) is not dict and not isinstance(event, Mapping):
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
    # the method is case-sensitive (RFC 9110 §9.1): "get" is not GET; "po\\u017ft".upper() is "POST"
    return Request(method, path, lower_keys(headers), query, body, multi_value)


_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def _status_line(status: int) -> str:
    return _STATUS_LINES.get(status) or str(status)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise TypeError("a Decimal NaN or Infinity has no JSON number")
    return str(value)  # "12.50", "-0", "1E+3": each a JSON number, with the Decimal's own digits


def _orjson_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _OrjsonFragment(_decimal_text(value))
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json_fallback(body: Any) -> str:
    """What orjson refuses (a lone surrogate, integers beyond 64 bits, non-string keys), by :mod:`json`,
    written the way orjson writes the rest: a Decimal as its own digits (a marker string, unguessable
    for this call, stands in for it and is replaced by the number after), a date or time as ISO 8601,
    a UUID as its text, an enum member as its value, a dataclass or any other mapping as an object; a
    float NaN or infinity raises."""
    marker = f"\x00{secrets.token_hex(16)}:"
    numbers: list[str] = []

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            numbers.append(_decimal_text(value))
            return f"{marker}{len(numbers) - 1}"
        if isinstance(value, datetime.datetime | datetime.date | datetime.time):
            return value.isoformat()
        if isinstance(value, Mapping):
            return dict(value)
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, enum.Enum):
            return value.value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        raise TypeError(f"{type(value).__name__} is not JSON")

    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=True, allow_nan=False, default=default)
    except ValueError:  # a float NaN or infinity: JSON has no such number
        raise TypeError("a float NaN or infinity has no JSON number") from None
    if not numbers:
        return text
    written = json.dumps(marker, ensure_ascii=True)[:-1]  # the opening quote and the escaped marker
    return re.sub(re.escape(written) + r'([0-9]+)"', lambda m: numbers[int(m.group(1))], text)


def json_text(body: Any) -> str:
    """Compact ASCII JSON: orjson's, its non-ASCII characters escaped ``\\uXXXX`` as :mod:`json` would;
    :mod:`json` itself for what orjson refuses (a lone surrogate, integers beyond 64 bits, non-string
    keys).

    A :class:`~decimal.Decimal` (what boto3's DynamoDB reads give) is a JSON number with its own digits
    (``Decimal("12.50")`` -> ``12.50``; NaN and Infinity are refused), a date or time an ISO 8601
    string. Anything else JSON cannot hold (a set, bytes, an object, a float NaN or infinity) raises
    :class:`TypeError`: the caller answers 500 rather than guess."""
    if _orjson_dumps is not None:
        try:
            data = _orjson_dumps(body, default=_orjson_default)
        except (_OrjsonError, TypeError):
            pass
        else:
            # orjson writes a float NaN or infinity as null: refused instead, as JSON has no such number
            if b"null" in data and _has_non_finite_float(body):
                raise TypeError("a float NaN or infinity has no JSON number")
            text = data.decode()
            # Non-ASCII can only stand inside strings: escaped there, as json's ensure_ascii would.
            return text if data.isascii() else _NON_ASCII.sub(_escape_non_ascii, text)
    return _json_fallback(body)


def _has_non_finite_float(body: Any) -> bool:
    """Whether a float NaN or infinity stands anywhere in ``body`` (its objects, arrays, dataclasses)."""
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, Mapping):
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            pending.extend(getattr(value, f.name) for f in dataclasses.fields(value))
    return False


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _escape_non_ascii(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


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
    text = json_text(body)
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
