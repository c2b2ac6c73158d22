"""The claims of a verified access token, as the rest of the function sees them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cognito_m2m_verifier import strict_json
from cognito_m2m_verifier.custom_claims import NO_CUSTOM_CLAIMS, ClaimValue, custom_claims
from cognito_m2m_verifier.token_parser import b64url_decode


class AccessTokenClaims:
    """A verified Cognito access token, read-only.

    Instances are shared by every request that presents the same token (the verified-token cache), so
    nothing in one can be changed: assigning or deleting an attribute raises :class:`AttributeError`.
    A route that changed a token's ``scopes`` would otherwise grant them to the token's next request.

    ``custom`` holds the claims a pre-token-generation trigger added (``tenant``...), decoded once when
    the token was verified and frozen (see :mod:`~cognito_m2m_verifier.custom_claims`); Cognito's own
    claims are never among them. :meth:`custom_str` reads one that must be a string.

    ``scopes`` keeps the token's order. ``claims`` is the whole payload (unknown claims included, as
    Cognito may add claims), decoded from the token afresh on each access (a few microseconds: read
    it once into a variable), so what one request does to it reaches no other; instances live in the
    verified-token cache, and keeping only a few small, mostly shared objects per entry (the
    configured client id string, one tuple per distinct scope string) keeps the cache cheap.
    """

    __slots__ = ("_token", "client_id", "custom", "exp", "iat", "kid", "nbf", "scopes")

    def __init__(  # noqa: PLR0917 - positional on purpose: built once per verified token
        self,
        client_id: str,
        scopes: tuple[str, ...],
        exp: int,
        iat: int,
        nbf: int | None,
        kid: str,
        token: str,
        custom: Mapping[str, ClaimValue] = NO_CUSTOM_CLAIMS,
    ) -> None:
        init = object.__setattr__
        init(self, "client_id", client_id)
        init(self, "scopes", scopes)
        init(self, "exp", exp)
        init(self, "iat", iat)
        init(self, "nbf", nbf)
        init(self, "kid", kid)
        init(self, "_token", token)
        init(self, "custom", custom)

    client_id: str
    scopes: tuple[str, ...]
    exp: int
    iat: int
    nbf: int | None
    kid: str
    custom: Mapping[str, ClaimValue]
    _token: str

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"AccessTokenClaims is read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"AccessTokenClaims is read-only: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:  # pickle: built again, custom claims read from the token
        return (
            _unpickled,
            (self.client_id, self.scopes, self.exp, self.iat, self.nbf, self.kid, self._token),
        )

    def __copy__(self) -> AccessTokenClaims:  # read-only: a copy would be the same
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> AccessTokenClaims:
        return self

    @property
    def claims(self) -> Mapping[str, Any]:
        """The whole verified payload: a read-only mapping, decoded afresh on each access."""
        payload = self._token.split(".")[1]
        return MappingProxyType(strict_json.loads_utf8(b64url_decode(payload)))

    def custom_str(self, name: str) -> str | None:
        """The custom claim ``name`` if it is a string; None when it is absent or of another type."""
        value = self.custom.get(name)
        return value if type(value) is str else None

    def has_scopes(self, required: tuple[str, ...]) -> bool:
        """True when every one of ``required`` is one of the token's scopes (exact match)."""
        scopes = self.scopes
        return all(scope in scopes for scope in required)

    def __repr__(self) -> str:
        return f"AccessTokenClaims(client_id={self.client_id!r}, scopes={self.scopes!r}, exp={self.exp})"


def _unpickled(  # noqa: PLR0917 - AccessTokenClaims' own order
    client_id: str, scopes: tuple[str, ...], exp: int, iat: int, nbf: int | None, kid: str, token: str
) -> AccessTokenClaims:
    payload = strict_json.loads_utf8(b64url_decode(token.split(".")[1]))
    return AccessTokenClaims(client_id, scopes, exp, iat, nbf, kid, token, custom_claims(payload))
