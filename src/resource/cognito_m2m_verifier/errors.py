"""Precise error classes of the verifier.

Every rejection of a token is an :class:`InvalidToken` subclass (HTTP 401 ``invalid_token``), a valid
token without a required scope is :class:`InsufficientScope` (403), and keys that cannot be obtained
are :class:`KeysUnavailable` (503: the server's fault, not the client's). Messages and descriptions
never contain the token or any part of it.
"""

from __future__ import annotations


class InvalidToken(Exception):
    """The token must not be accepted.

    ``reason`` is a short stable identifier for logs; ``description`` is a fixed text that may be sent
    to the client (printable ASCII without quotes or backslashes, as RFC 6750 requires); ``kid`` is the
    header's key id once the header has been parsed (already validated as printable ASCII).
    """

    reason = "invalid_token"
    description = "The access token is invalid"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail or self.reason
        self.kid: str | None = None


class MalformedToken(InvalidToken):
    """Not a well-formed compact JWS: size, segments, base64url, UTF-8 or JSON."""

    reason = "malformed_token"
    description = "The access token is malformed"


class TokenTooLarge(MalformedToken):
    """Longer than the verifier's size cap (checked before anything else)."""

    reason = "token_too_large"


class UnsupportedHeader(InvalidToken):
    """The JOSE header is not what Cognito sends: wrong ``alg``, bad ``kid``, or a forbidden member."""

    reason = "unsupported_header"


class InvalidClaim(InvalidToken):
    """A claim is missing or has the wrong JSON type (``exp`` as a string, ``scope`` as a list, ...)."""

    reason = "invalid_claim"


class TokenExpired(InvalidToken):
    """``now >= exp + leeway``."""

    reason = "token_expired"
    description = "The access token expired"


class TokenNotYetValid(InvalidToken):
    """``nbf`` lies in the future beyond the leeway."""

    reason = "token_not_yet_valid"
    description = "The access token is not valid yet"


class TokenIssuedInFuture(InvalidToken):
    """``iat`` lies in the future beyond the leeway."""

    reason = "token_issued_in_future"
    description = "The access token is not valid yet"


class WrongIssuer(InvalidToken):
    """``iss`` is not exactly this user pool's issuer."""

    reason = "wrong_issuer"


class NotClientCredentials(InvalidToken):
    """``sub`` differs from ``client_id``: a user's access token, not a client-credentials token (rejected
    unless the verifier was built with ``client_credentials_only=False``)."""

    reason = "not_client_credentials"


class WrongTokenUse(InvalidToken):
    """``token_use`` is not ``"access"`` (for example an ID token)."""

    reason = "wrong_token_use"


class ClientNotAllowed(InvalidToken):
    """``client_id`` is missing, not a string, or not in the allow-list."""

    reason = "client_not_allowed"


class UnknownKey(InvalidToken):
    """The ``kid`` is not in the user pool's key set, even after the refetch the penalty window allows."""

    reason = "unknown_key"


class InvalidSignature(InvalidToken):
    """The RS256 signature does not verify with the key named by ``kid``."""

    reason = "invalid_signature"


class InsufficientScope(Exception):
    """A genuine token that lacks at least one of the scopes the route requires (all are required)."""

    reason = "insufficient_scope"
    description = "The access token lacks a required scope"

    def __init__(self, required: tuple[str, ...], missing: tuple[str, ...]) -> None:
        super().__init__("missing scopes: " + " ".join(missing))
        self.required = required
        self.missing = missing


class KeysUnavailable(Exception):
    """The JWKS could not be fetched or was unusable and no cached key answers the token's ``kid``."""

    reason = "keys_unavailable"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = max(1, retry_after)
