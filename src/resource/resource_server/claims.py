"""The claims of a verified access token, as the rest of the function sees them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AccessTokenClaims:
    """A verified Cognito access token (treat as read-only).

    ``scopes`` keeps the token's order; ``claims`` is the whole payload (unknown claims included, as
    Cognito may add claims). Instances are shared between requests through the verified-token cache.
    """

    __slots__ = ("claims", "client_id", "exp", "iat", "kid", "nbf", "scopes")

    def __init__(  # noqa: PLR0917 - positional on purpose: built once per verified token
        self,
        client_id: str,
        scopes: tuple[str, ...],
        exp: int,
        iat: int,
        nbf: int | None,
        kid: str,
        claims: Mapping[str, Any],
    ) -> None:
        self.client_id = client_id
        self.scopes = scopes
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.kid = kid
        self.claims = claims

    def has_scopes(self, required: tuple[str, ...]) -> bool:
        """True when every one of ``required`` is one of the token's scopes (exact match)."""
        scopes = self.scopes
        return all(scope in scopes for scope in required)

    def __repr__(self) -> str:
        return f"AccessTokenClaims(client_id={self.client_id!r}, scopes={self.scopes!r}, exp={self.exp})"
