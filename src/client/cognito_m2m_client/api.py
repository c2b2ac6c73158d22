"""The call to the protected API with ``Authorization: Bearer <token>``.

The API's status is passed through (the handler reports it as ``api_status``); its body comes back as
JSON when it says it is JSON and parses, else as text. A JSON body nested more than
``MAX_BODY_DEPTH`` levels is an :class:`ApiInvalidResponse` (502): it could not be encoded again in
the answer. GET is idempotent, so connection errors, timeouts, 429 and 502/503/504 are retried within
the deadline; after the last retry such a status is passed through.

Should the API ever echo the token, it is redacted **after decoding**, so no encoding hides it: in the
raw text, in every string and member name of a decoded JSON body (where ``\\u0065yJ...`` escapes
have become the token's characters), and in the text as JSON-escape, percent or HTML-entity decoding
would read it. A view that reveals the token is the one passed on, with the token redacted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from cognito_m2m_client import upstream_json
from cognito_m2m_client.errors import ApiInvalidResponse, ApiTimeout, ApiUnavailable
from cognito_m2m_client.http import Deadline, HttpClient, HttpTimeout, HttpUnreachable

UPSTREAM = "api"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BODY_BYTES = 512 * 1024  # an ALB Lambda response is capped at 1 MB
MAX_BODY_DEPTH = 64
REDACTED = "[redacted]"
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True, slots=True)
class ApiResult:
    status: int
    body: Any  # a JSON value, or text


def _unescape_json(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def redact_text(text: str, token: str) -> str:
    """``text`` with the token redacted, also where an encoding of the text would reveal it."""
    if not token:
        return text
    if token in text:
        text = text.replace(token, REDACTED)
    for decode in (_unescape_json, unquote, html.unescape):
        view = decode(text)
        if token in view:
            return view.replace(token, REDACTED)
    return text


def redact_value(value: Any, token: str) -> Any:
    """A decoded JSON value with the token redacted in every string and member name (iterative)."""
    if isinstance(value, str):
        return redact_text(value, token)
    if not isinstance(value, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]  # (parent, key in parent, value)
    while stack:
        parent, key, item = stack.pop()
        if isinstance(item, dict):
            copy: dict[str, Any] = {}
            parent[key] = copy
            for name, child in item.items():
                safe_name = redact_text(name, token)
                copy[safe_name] = None
                stack.append((copy, safe_name, child))
        elif isinstance(item, list):
            copy_list: list[Any] = [None] * len(item)
            parent[key] = copy_list
            stack.extend((copy_list, index, child) for index, child in enumerate(item))
        elif isinstance(item, str):
            parent[key] = redact_text(item, token)
        else:
            parent[key] = item
    return root[0]


def decode_body(headers: Mapping[str, str], body: bytes, token: str) -> Any:
    """The body as a JSON value when its content type is JSON and it parses, else as text; the token
    redacted either way. Raises :class:`ApiInvalidResponse` for JSON nested too deeply."""
    text = body.decode("utf-8", errors="replace")
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            return redact_value(upstream_json.loads(text, max_depth=MAX_BODY_DEPTH), token)
        except upstream_json.UpstreamJsonError as exc:
            if exc.too_deep:
                raise ApiInvalidResponse(
                    f"the API answered JSON nested more than {MAX_BODY_DEPTH} levels"
                ) from None
    return redact_text(text, token)


def call_api(http: HttpClient, api_url: str, token: str, deadline: Deadline) -> ApiResult:
    """GET ``api_url`` with the bearer token; :class:`ApiTimeout`/:class:`ApiUnavailable` without answer."""
    try:
        response = http.request(
            UPSTREAM,
            "GET",
            api_url,
            deadline=deadline,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            retry_statuses=RETRY_STATUSES,
            max_body_bytes=MAX_BODY_BYTES,
        )
    except HttpTimeout as exc:
        raise ApiTimeout(f"the API did not answer in time ({exc})", attempts=exc.attempts) from None
    except HttpUnreachable as exc:
        raise ApiUnavailable(f"the API could not be used ({exc})", attempts=exc.attempts) from None
    return ApiResult(response.status, decode_body(response.headers, response.body, token))
