"""Cognito's ``GetClientToken`` API: a client-credentials access token without a user pool domain.

The app client needs a client secret and ``ALLOW_CLIENT_TOKEN_AUTH`` as its only authentication flow
(Cognito API reference, GetClientToken). The call is Cognito's JSON 1.1 protocol::

    POST https://cognito-idp.<region>.amazonaws.com/
    Content-Type: application/x-amz-json-1.1
    X-Amz-Target: AWSCognitoIdentityProviderService.GetClientToken

    {"ClientId": "...", "Secret": "...", "Scopes": ["orders/read"], "ClientMetadata": {"env": "prod"}}

and it is sent unsigned: "Amazon Cognito doesn't evaluate Identity and Access Management (IAM) policies
in requests for this API operation. For this operation, you can't use IAM credentials to authorize
requests", so no AWS credentials are needed or sent, and no SDK is imported. Without ``Scopes`` Cognito
grants every scope configured on the app client; ``ClientMetadata`` (a map of string to string, for the
pre token generation trigger) is sent only when there is client metadata. Each call is billed like a
token request.

The answer ``{"ClientAuthenticationResult": {"AccessToken", "ExpiresIn", "TokenType"}}`` is checked as
strictly as the token endpoint's (:func:`~cognito_m2m_client.oauth.checked_access_token`). Errors are
``{"__type": code, "message": ...}``; they become the token endpoint's errors, so caching, the deadline,
metrics and the secret re-read after a rotation work the same whichever source is used:

- ``NotAuthorizedException``, ``ResourceNotFoundException``: ``TokenEndpointError`` ``invalid_client``
  (not retried; the secret is read again once, as after a rotation);
- ``InvalidParameterException``: ``TokenEndpointError`` ``invalid_request`` (not retried);
- ``OperationNotEnabledException``, ``ForbiddenException``: ``TokenEndpointError``
  ``unauthorized_client`` (not retried);
- ``TooManyRequestsException``, ``InternalErrorException`` (a 400 or 500), 429 and 5xx: retried with
  backoff within the deadline, then ``TokenEndpointUnavailable``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from cognito_m2m_client.client_metadata import ClientMetadata
from cognito_m2m_client.errors import (
    InvalidTokenResponse,
    TokenEndpointError,
    TokenEndpointUnavailable,
)
from cognito_m2m_client.http import Deadline, HttpClient, HttpResponse
from cognito_m2m_client.oauth import (
    RETRY_STATUSES,
    AccessToken,
    checked_access_token,
    json_object,
    post_to_token_source,
)
from cognito_m2m_client.secret_cache import ClientCredentials

TARGET = "AWSCognitoIdentityProviderService.GetClientToken"
CONTENT_TYPE = "application/x-amz-json-1.1"
REGION = re.compile(r"[a-z]{2}-(?:gov-)?[a-z]+-\d", re.ASCII)
RETRY_CODES = frozenset({"TooManyRequestsException", "InternalErrorException"})
OAUTH_ERRORS = {
    "NotAuthorizedException": "invalid_client",
    "ResourceNotFoundException": "invalid_client",
    "InvalidParameterException": "invalid_request",
    "OperationNotEnabledException": "unauthorized_client",
    "ForbiddenException": "unauthorized_client",
}
_HINTS = {
    "NotAuthorizedException": "Cognito does not accept the client id/secret (check the secret's values)",
    "ResourceNotFoundException": "Cognito knows no such app client (check the secret's client_id)",
    "InvalidParameterException": "Cognito refused the request: the app client needs a secret and "
    "ALLOW_CLIENT_TOKEN_AUTH as its only auth flow, and every scope must be enabled on it",
    "OperationNotEnabledException": "GetClientToken is not enabled here (a secondary replica's Region?)",
    "ForbiddenException": "Cognito refused the request (a web ACL of the user pool?)",
}
_ERROR_TYPE = re.compile(r"(?:[A-Za-z0-9_.]+#)?([A-Za-z]{1,64})")


def cognito_api_url(region: str) -> str:
    """Cognito's API endpoint in ``region`` (the user pool's Region)."""
    if not isinstance(region, str) or not REGION.fullmatch(region):
        raise ValueError(f"not an AWS Region name: {str(region)[:40]!r}")
    return f"https://cognito-idp.{region}.amazonaws.com/"


def error_type(body: bytes) -> str | None:
    """The ``__type`` of an AWS JSON error answer (its last part, ``...#Code``), if it has one."""
    data = json_object(body)
    raw = data.get("__type") if data is not None else None
    match = _ERROR_TYPE.fullmatch(raw) if isinstance(raw, str) else None
    return match.group(1) if match else None


def _retry(response: HttpResponse) -> bool:
    return response.status == 400 and error_type(response.body) in RETRY_CODES


def request_client_token(
    http: HttpClient,
    endpoint: str,
    credentials: ClientCredentials,
    scopes: tuple[str, ...],
    deadline: Deadline,
    *,
    client_metadata: ClientMetadata = (),
) -> AccessToken:
    """One access token from GetClientToken, or an :class:`~cognito_m2m_client.errors.UpstreamError`."""
    request: dict[str, object] = {"ClientId": credentials.client_id, "Secret": credentials.client_secret}
    if scopes:
        request["Scopes"] = list(scopes)
    if client_metadata:
        request["ClientMetadata"] = dict(client_metadata)
    headers: Mapping[str, str] = {
        "Content-Type": CONTENT_TYPE,
        "X-Amz-Target": TARGET,
        "Accept": CONTENT_TYPE,
    }
    body = json.dumps(request, separators=(",", ":")).encode()
    response = post_to_token_source(
        http, "GetClientToken", endpoint, deadline=deadline, headers=headers, body=body, retry_if=_retry
    )
    status = response.status
    if status == 200:
        data = json_object(response.body)
        result = data.get("ClientAuthenticationResult") if data is not None else None
        if not isinstance(result, dict):
            raise InvalidTokenResponse("GetClientToken's answer has no ClientAuthenticationResult object")
        return checked_access_token(
            result.get("AccessToken"), result.get("TokenType"), result.get("ExpiresIn")
        )
    code = error_type(response.body)
    if status in RETRY_STATUSES or code in RETRY_CODES:
        answered = f"{status} {code}" if code else str(status)
        raise TokenEndpointUnavailable(
            f"GetClientToken answered {answered} after {response.attempts} attempt(s)",
            upstream_status=status,
            attempts=response.attempts,
        )
    oauth_error = OAUTH_ERRORS.get(code or "")
    if oauth_error is None:
        raise TokenEndpointError(
            f"GetClientToken answered {status} {code or 'without an error type'}", upstream_status=status
        )
    hint = _HINTS[code or ""]
    raise TokenEndpointError(f"{hint} ({code})", oauth_error=oauth_error, upstream_status=status)
