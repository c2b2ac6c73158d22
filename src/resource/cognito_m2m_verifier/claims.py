"""The claims of a verified access token, as the rest of the function sees them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cognito_m2m_verifier import strict_json
from cognito_m2m_verifier.token_parser import b64url_decode


class AccessTokenClaims:
    """A verified Cognito access token (treat as read-only).

    ``scopes`` keeps the token's order. ``claims`` is the whole payload (unknown claims included, as
    Cognito may add claims), decoded again from the token on first access: instances live in the
    verified-token cache, and keeping only a few small, mostly shared objects per entry (the
    configured client id string, one tuple per distinct scope string) keeps the cache cheap.
    """

    __slots__ = ("_claims", "_token", "client_id", "exp", "iat", "kid", "nbf", "scopes")

    def __init__(  # noqa: PLR0917 - positional on purpose: built once per verified token
        self,
        client_id: str,
        scopes: tuple[str, ...],
        exp: int,
        iat: int,
        nbf: int | None,
        kid: str,
        token: str,
    ) -> None:
        self.client_id = client_id
        self.scopes = scopes
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.kid = kid
        self._token = token
        self._claims: Mapping[str, Any] | None = None

    @property
    def claims(self) -> Mapping[str, Any]:
        """The whole verified payload, read-only."""
        if self._claims is None:
            payload = self._token.split(".")[1]
            self._claims = MappingProxyType(strict_json.loads_utf8(b64url_decode(payload)))
        return self._claims

    def has_scopes(self, required: tuple[str, ...]) -> bool:
        """True when every one of ``required`` is one of the token's scopes (exact match)."""
        scopes = self.scopes
        return all(scope in scopes for scope in required)

    def __repr__(self) -> str:
        return f"AccessTokenClaims(client_id={self.client_id!r}, scopes={self.scopes!r}, exp={self.exp})"
