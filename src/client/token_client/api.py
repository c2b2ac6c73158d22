"""The call to the protected API with ``Authorization: Bearer <token>``.

The API's status is passed through (the handler reports it as ``api_status``); its body comes back as
JSON when it says it is JSON and parses, else as text. Should the API ever echo the token, it is
redacted before the body goes anywhere. GET is idempotent, so connection errors, timeouts, 429 and
502/503/504 are retried within the deadline; after the last retry such a status is passed through.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from token_client.errors import ApiTimeout, ApiUnavailable
from token_client.http import Deadline, HttpClient, HttpTimeout, HttpUnreachable

UPSTREAM = "api"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BODY_BYTES = 512 * 1024  # an ALB Lambda response is capped at 1 MB
REDACTED = "[redacted]"


@dataclass(frozen=True, slots=True)
class ApiResult:
    status: int
    body: Any  # a JSON value, or text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_body(headers: Mapping[str, str], body: bytes, token: str) -> Any:
    """The body as a JSON value when its content type is JSON and it parses, else as text."""
    text = body.decode("utf-8", errors="replace")
    if token and token in text:
        text = text.replace(token, REDACTED)
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except ValueError:
            return text
    return text


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
