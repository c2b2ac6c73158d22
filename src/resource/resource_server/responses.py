"""ALB responses of the resource server: RFC 6750 errors, plain HTTP errors and successes.

Every body is a JSON object (never null, never the token). ``WWW-Authenticate`` values are built
from fixed texts and configured scopes only (printable ASCII without ``"`` or ``\\``).

| situation | status | ``WWW-Authenticate`` |
|---|---|---|
| no credentials, or a scheme other than Bearer | 401 | ``Bearer realm="api"`` (no error code) |
| malformed header, several Authorization headers, token in the query | 400 | ``error="invalid_request"`` |
| token rejected by the verifier | 401 | ``error="invalid_token"`` |
| token lacks a required scope | 403 | ``error="insufficient_scope", scope="<all required>"`` |
| keys unobtainable | 503 | none; ``Retry-After: <seconds>`` |
"""

from __future__ import annotations

from typing import Any

from lambda_common.alb import response

REALM = "api"


def _bearer(**params: str) -> dict[str, str]:
    attrs = [f'realm="{REALM}"'] + [f'{name}="{value}"' for name, value in params.items()]
    return {"WWW-Authenticate": "Bearer " + ", ".join(attrs)}


def unauthorized(multi_value: bool) -> dict[str, Any]:
    """401 without an error code: the request carried no Bearer credentials."""
    body = {"error": "unauthorized", "error_description": "A Bearer access token is required"}
    return response(401, body, headers=_bearer(), multi_value=multi_value)


def invalid_request(description: str, multi_value: bool) -> dict[str, Any]:
    """400 ``invalid_request``: the Authorization header (or token placement) is malformed."""
    body = {"error": "invalid_request", "error_description": description}
    headers = _bearer(error="invalid_request", error_description=description)
    return response(400, body, headers=headers, multi_value=multi_value)


def invalid_token(description: str, multi_value: bool) -> dict[str, Any]:
    """401 ``invalid_token``: the client may obtain a new token and retry."""
    body = {"error": "invalid_token", "error_description": description}
    headers = _bearer(error="invalid_token", error_description=description)
    return response(401, body, headers=headers, multi_value=multi_value)


def insufficient_scope(required: tuple[str, ...], multi_value: bool) -> dict[str, Any]:
    """403 ``insufficient_scope`` naming every scope the route requires."""
    scope = " ".join(required)
    description = "The access token lacks a required scope"
    body = {"error": "insufficient_scope", "error_description": description, "scope": scope}
    headers = _bearer(error="insufficient_scope", error_description=description, scope=scope)
    return response(403, body, headers=headers, multi_value=multi_value)


def keys_unavailable(retry_after: int, multi_value: bool) -> dict[str, Any]:
    """503: the signing keys cannot be obtained now (the server's fault, not the client's)."""
    body = {"error": "temporarily_unavailable", "error_description": "Signing keys are unavailable"}
    return response(503, body, headers={"Retry-After": str(retry_after)}, multi_value=multi_value)


def error(status: int, code: str, description: str, multi_value: bool, **headers: str) -> dict[str, Any]:
    """A plain JSON error (404, 405, 400 bad body, 413, 500)."""
    body = {"error": code, "error_description": description}
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return response(status, body, headers=named, multi_value=multi_value)


def ok(body: dict[str, Any], multi_value: bool) -> dict[str, Any]:
    return response(200, body, multi_value=multi_value)
