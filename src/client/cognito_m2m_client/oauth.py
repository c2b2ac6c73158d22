"""The OAuth 2.0 client-credentials token request (RFC 6749 §4.4) and strict validation of the answer.

Client authentication is HTTP Basic (``client_secret_basic``): client id and secret are each
form-urlencoded before they are joined with ``:`` and base64-encoded, as RFC 6749 §2.3.1 requires.
The body is ``grant_type=client_credentials`` plus ``scope`` (space-joined) when scopes are configured,
and ``aws_client_metadata`` (the canonical JSON of :mod:`cognito_m2m_client.client_metadata`) when
there is client metadata.

Retried: connection errors, timeouts, 429 and 5xx (see :mod:`cognito_m2m_client.http`). Never retried: the
token endpoint's 4xx answers (``invalid_client``, ``invalid_scope``, ``unauthorized_client``,
``invalid_request``, ``unsupported_grant_type``, ...), which are configuration errors that another
attempt cannot fix and that would only burn the account's token quota.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlencode

from cognito_m2m_client import upstream_json
from cognito_m2m_client.client_metadata import ClientMetadata, canonical_json
from cognito_m2m_client.errors import (
    InvalidTokenResponse,
    TokenEndpointError,
    TokenEndpointTimeout,
    TokenEndpointUnavailable,
)
from cognito_m2m_client.http import Deadline, HttpClient, HttpResponse, HttpTimeout, HttpUnreachable
from cognito_m2m_client.secret_cache import ClientCredentials

UPSTREAM = "token endpoint"
RETRY_STATUSES = frozenset({429, *range(500, 600)})
MAX_RESPONSE_BYTES = 65536
MAX_ACCESS_TOKEN_CHARS = 16384
MAX_EXPIRES_IN = 86400  # Cognito's longest access-token validity (1 day)
_JWS_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# RFC 6749 §5.2: error codes are %x20-21 / %x23-5B / %x5D-7E; we also bound the length before echoing.
_OAUTH_ERROR_CODE = re.compile(r"[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}")

_HINTS = {
    "invalid_client": "the token endpoint does not accept the client id/secret (check the secret's values)",
    "invalid_scope": (
        "a requested scope is unknown or not enabled on the app client "
        "(check the scopes asked for: scopes=, or the function's SCOPES)"
    ),
    "unauthorized_client": "the app client may not use the client_credentials grant",
    "invalid_grant": "the token endpoint rejected the grant",
    "invalid_request": "the token endpoint found the request malformed",
    "unsupported_grant_type": "the token endpoint does not support client_credentials",
}


@dataclass(frozen=True, slots=True)
class AccessToken:
    access_token: str = field(repr=False)
    expires_in: int


def basic_authorization(credentials: ClientCredentials) -> str:
    """``Basic base64(urlencode(client_id) ":" urlencode(client_secret))`` (RFC 6749 §2.3.1)."""
    user = quote_plus(credentials.client_id, safe="")
    password = quote_plus(credentials.client_secret, safe="")
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def token_request_body(scopes: tuple[str, ...], client_metadata: ClientMetadata = ()) -> bytes:
    fields = [("grant_type", "client_credentials")]
    if scopes:
        fields.append(("scope", " ".join(scopes)))
    if client_metadata:
        fields.append(("aws_client_metadata", canonical_json(client_metadata)))
    return urlencode(fields).encode("ascii")


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None (not UTF-8, not JSON, nested too deeply, not an object)."""
    try:
        value = upstream_json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, upstream_json.UpstreamJsonError):
        return None
    return value if isinstance(value, dict) else None


def is_access_token_text(token: object) -> bool:
    """The syntax of an access token we hand out, wherever it came from (the token endpoint, the fleet's
    table): a three-part JWS of base64url characters, at most :data:`MAX_ACCESS_TOKEN_CHARS`; so it can
    only ever be a bearer credential in an ``Authorization`` header, never break the header."""
    return (
        isinstance(token, str) and len(token) <= MAX_ACCESS_TOKEN_CHARS and bool(_JWS_SHAPE.fullmatch(token))
    )


def parse_token_response(body: bytes) -> AccessToken:
    """Validate a 200 answer; :class:`InvalidTokenResponse` says which rule failed (never the token)."""
    data = json_object(body)
    if data is None:
        raise InvalidTokenResponse("the token endpoint's answer is not a JSON object")
    return checked_access_token(data.get("access_token"), data.get("token_type"), data.get("expires_in"))


def checked_access_token(token: object, token_type: object, expires_in: object) -> AccessToken:
    """An answer's three members, by the rules of :func:`parse_token_response` (any token source's)."""
    if not isinstance(token, str):
        raise InvalidTokenResponse("the token endpoint's answer has no string access_token")
    if not is_access_token_text(token):
        raise InvalidTokenResponse("the access_token is not a three-part JWT")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise InvalidTokenResponse("the token_type is not Bearer")
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        raise InvalidTokenResponse("expires_in is missing or not an integer")
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        raise InvalidTokenResponse(f"expires_in is out of range (1..{MAX_EXPIRES_IN})", expires_in=expires_in)
    return AccessToken(token, expires_in)


def _error_code(body: bytes) -> str | None:
    data = json_object(body)
    code = data.get("error") if data is not None else None
    if isinstance(code, str) and _OAUTH_ERROR_CODE.fullmatch(code):
        return code
    return None


def post_to_token_source(
    http: HttpClient,
    what: str,
    url: str,
    *,
    deadline: Deadline,
    headers: Mapping[str, str],
    body: bytes,
    retry_if: Callable[[HttpResponse], bool] | None = None,
) -> HttpResponse:
    """POST to a token source (``what`` names it in errors), retrying 429, 5xx and what ``retry_if``
    picks within the deadline; a timeout or a failed connection becomes
    :class:`~cognito_m2m_client.errors.TokenEndpointTimeout` or ``TokenEndpointUnavailable``."""
    try:
        return http.request(
            UPSTREAM,
            "POST",
            url,
            deadline=deadline,
            headers=headers,
            body=body,
            retry_statuses=RETRY_STATUSES,
            retry_if=retry_if,
            max_body_bytes=MAX_RESPONSE_BYTES,
        )
    except HttpTimeout as exc:
        raise TokenEndpointTimeout(f"{what} did not answer in time ({exc})", attempts=exc.attempts) from None
    except HttpUnreachable as exc:
        raise TokenEndpointUnavailable(f"{what} could not be used ({exc})", attempts=exc.attempts) from None


def request_token(
    http: HttpClient,
    token_url: str,
    credentials: ClientCredentials,
    scopes: tuple[str, ...],
    deadline: Deadline,
    *,
    client_metadata: ClientMetadata = (),
) -> AccessToken:
    """One access token from the token endpoint, or an :class:`~cognito_m2m_client.errors.UpstreamError`."""
    headers: Mapping[str, str] = {
        "Authorization": basic_authorization(credentials),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    response = post_to_token_source(
        http,
        "the token endpoint",
        token_url,
        deadline=deadline,
        headers=headers,
        body=token_request_body(scopes, client_metadata),
    )
    status = response.status
    if status == 200:
        return parse_token_response(response.body)
    if status in RETRY_STATUSES:
        raise TokenEndpointUnavailable(
            f"the token endpoint answered {status} after {response.attempts} attempt(s)",
            upstream_status=status,
            attempts=response.attempts,
        )
    code = _error_code(response.body) if 400 <= status < 500 else None
    if code is None:
        message = f"the token endpoint answered {status} without an OAuth error"
        raise TokenEndpointError(message, upstream_status=status)
    hint = _HINTS.get(code, "the token endpoint refused the request")
    raise TokenEndpointError(f"{hint} ({code})", oauth_error=code, upstream_status=status)
