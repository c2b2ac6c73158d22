"""Failures of the upstream services the client depends on, each mapped to one HTTP answer.

Every error carries a short machine-readable ``code``, the status the handler answers with (502 when an
upstream answered wrongly or not at all, 504 when it did not answer in time) and a message that is safe
to log and to return: it never contains a secret, a token or an ``Authorization`` value.
"""

from __future__ import annotations

from typing import Any


class UpstreamError(Exception):
    """An upstream (Secrets Manager, the token endpoint, the API) failed; answered as ``status``."""

    code = "upstream_error"
    status = 502

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        """The JSON body of the handler's answer."""
        return {"error": self.code, "message": self.message, **self.details}


class SecretError(UpstreamError):
    """The client credentials could not be read from Secrets Manager, or are malformed."""

    code = "secret_unavailable"


class TokenEndpointError(UpstreamError):
    """The token endpoint refused the request with an OAuth error (never retried)."""

    code = "token_endpoint_error"


class TokenEndpointUnavailable(UpstreamError):
    """The token endpoint was unreachable or kept failing (5xx, 429) after the allowed retries."""

    code = "token_endpoint_unavailable"


class TokenEndpointTimeout(UpstreamError):
    """The token endpoint did not answer in time."""

    code = "token_endpoint_timeout"
    status = 504


class InvalidTokenResponse(UpstreamError):
    """The token endpoint answered 200 with a body that is not a valid client-credentials response."""

    code = "invalid_token_response"


class ApiUnavailable(UpstreamError):
    """The API was unreachable (connection refused, reset, TLS failure) or its answer was unusable."""

    code = "api_unreachable"


class ApiInvalidResponse(UpstreamError):
    """The API answered JSON nested too deeply to pass on."""

    code = "api_invalid_response"


class ApiTimeout(UpstreamError):
    """The API did not answer in time."""

    code = "api_timeout"
    status = 504
