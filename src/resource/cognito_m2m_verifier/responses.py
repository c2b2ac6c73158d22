"""Answers of the resource server, in no event format: RFC 6750 errors, plain HTTP errors and successes.

Each is a neutral :class:`~cognito_m2m_verifier.events.HttpResponse`; the adapter of the event's front door
renders it (:mod:`cognito_m2m_verifier.events`). Every body is a JSON object (never null, never the token).
``WWW-Authenticate`` values are built from fixed texts and configured scopes only (printable ASCII
without ``"`` or ``\\``).

| situation | status | ``WWW-Authenticate`` |
|---|---|---|
| no credentials, or a scheme other than Bearer | 401 | ``Bearer realm="api"`` (no error code) |
| malformed header, several Authorization headers, token in the query | 400 | ``error="invalid_request"`` |
| token rejected by the verifier | 401 | ``error="invalid_token"`` |
| token lacks a required scope | 403 | ``error="insufficient_scope", scope="<all required>"`` |
| a route's claim rule does not hold (another tenant) | 403 | ``error="insufficient_scope"`` |
| keys unobtainable | 503 | none; ``Retry-After: <seconds>`` |
"""

from __future__ import annotations

from typing import Any

from cognito_m2m_verifier.events.neutral import HttpResponse

REALM = "api"


def _bearer(**params: str) -> dict[str, str]:
    attrs = [f'realm="{REALM}"'] + [f'{name}="{value}"' for name, value in params.items()]
    return {"WWW-Authenticate": "Bearer " + ", ".join(attrs)}


def unauthorized() -> HttpResponse:
    """401 without an error code: the request carried no Bearer credentials."""
    body = {"error": "unauthorized", "error_description": "A Bearer access token is required"}
    return HttpResponse(401, body, _bearer())


def invalid_request(description: str) -> HttpResponse:
    """400 ``invalid_request``: the Authorization header (or token placement) is malformed."""
    body = {"error": "invalid_request", "error_description": description}
    headers = _bearer(error="invalid_request", error_description=description)
    return HttpResponse(400, body, headers)


def invalid_token(description: str) -> HttpResponse:
    """401 ``invalid_token``: the client may obtain a new token and retry."""
    body = {"error": "invalid_token", "error_description": description}
    headers = _bearer(error="invalid_token", error_description=description)
    return HttpResponse(401, body, headers)


def insufficient_scope(required: tuple[str, ...]) -> HttpResponse:
    """403 ``insufficient_scope`` naming every scope the route requires."""
    scope = " ".join(required)
    description = "The access token lacks a required scope"
    body = {"error": "insufficient_scope", "error_description": description, "scope": scope}
    headers = _bearer(error="insufficient_scope", error_description=description, scope=scope)
    return HttpResponse(403, body, headers)


def claim_mismatch() -> HttpResponse:
    """403 ``insufficient_scope`` without a scope: the token is genuine and has the route's scopes, but
    its custom claims do not grant this resource (a route's claim rule, e.g. another tenant's path)."""
    description = "The access token does not grant access to this resource"
    body = {"error": "insufficient_scope", "error_description": description}
    return HttpResponse(403, body, _bearer(error="insufficient_scope", error_description=description))


def keys_unavailable(retry_after: int) -> HttpResponse:
    """503: the signing keys cannot be obtained now (the server's fault, not the client's)."""
    body = {"error": "temporarily_unavailable", "error_description": "Signing keys are unavailable"}
    return HttpResponse(503, body, {"Retry-After": str(retry_after)})


def error(status: int, code: str, description: str, **headers: str) -> HttpResponse:
    """A plain JSON error (404, 405, 400 bad body, 413, 500)."""
    body = {"error": code, "error_description": description}
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return HttpResponse(status, body, named)


def ok(body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(200, body)
