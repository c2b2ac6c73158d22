"""Claims a pre-token-generation trigger added to an access token: read once, typed, read-only.

Cognito's V3_0 trigger can add claims to client-credentials access tokens (``claimsToAddOrOverride``):
strings, numbers, booleans, arrays of those, and JSON objects. It can never add, override or suppress
the claims Cognito protects (:data:`PROTECTED_CLAIMS`, the developer guide's list for access tokens),
so those stay what the verifier checked strictly, and they never appear among the custom claims: a
route reads ``claims.custom["tenant"]`` and can never be handed a shadow of ``client_id``.

The custom claims are decoded with the token, once, when it is first verified, and kept with it in the
verified-token cache: a cached token's claims cost a dictionary lookup, never a decode. Values are
frozen (arrays become tuples, objects read-only mappings), since one token's claims are shared by
every request that presents it. Objects nest at most :data:`MAX_CLAIM_DEPTH` deep: a deeper claim
makes the token invalid (401) instead of exhausting the stack (the token's size cap bounds the rest).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cognito_m2m_verifier.errors import InvalidClaim

type ClaimValue = str | int | float | bool | tuple[ClaimValue, ...] | Mapping[str, ClaimValue] | None
"""A custom claim's value as routes see it: JSON, frozen (arrays as tuples, objects read-only)."""

PROTECTED_CLAIMS = frozenset(
    {
        "acr",
        "amr",
        "at_hash",
        "aud",
        "auth_time",
        "azp",
        "client_id",
        "cognito:username",
        "device_key",
        "event_id",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
        "version",
    }
)
"""Claims a trigger may not add, override or suppress in an access token: Cognito developer guide, "Pre
token generation Lambda trigger", "Claims and scopes reference" ("Can add? No, Can modify? No, Can
suppress? No"), plus ``scope`` (changed only through ``scopesToAdd`` and ``scopesToSuppress``) and "any
other claim with a ``cognito:`` prefix". ``aud`` may be added to an access token only as the client id
("its value must match the app client ID of the current session"). None of them is ever a custom claim."""

MAX_CLAIM_DEPTH = 16
"""How many arrays and objects may nest in one custom claim (``{"a": [1]}`` is 2 deep)."""

NO_CUSTOM_CLAIMS: Mapping[str, ClaimValue] = MappingProxyType({})
"""The custom claims of a token that has none (most tokens): one shared empty mapping."""


def is_protected(name: str) -> bool:
    """True for a claim Cognito protects from triggers (:data:`PROTECTED_CLAIMS` or ``cognito:*``)."""
    return name in PROTECTED_CLAIMS or name.startswith("cognito:")


def custom_claims(payload: Mapping[str, Any]) -> Mapping[str, ClaimValue]:
    """The payload's custom claims, frozen; :data:`NO_CUSTOM_CLAIMS` when it has none.

    Raises :class:`~cognito_m2m_verifier.errors.InvalidClaim` for a claim nested deeper than
    :data:`MAX_CLAIM_DEPTH`.
    """
    names = payload.keys() - PROTECTED_CLAIMS  # the usual token: Cognito's claims only, none left
    if not names:
        return NO_CUSTOM_CLAIMS
    found = {name: _frozen(payload[name], 1) for name in names if not name.startswith("cognito:")}
    return MappingProxyType(found) if found else NO_CUSTOM_CLAIMS


_CONTAINERS = frozenset({dict, list})


def _frozen(value: Any, depth: int) -> ClaimValue:
    kind = type(value)
    if kind not in _CONTAINERS:
        scalar: ClaimValue = value  # str, int, float, bool or None: immutable already (strict JSON)
        return scalar
    if depth > MAX_CLAIM_DEPTH:
        raise InvalidClaim(f"a custom claim nests deeper than {MAX_CLAIM_DEPTH}")
    deeper = depth + 1
    if kind is list:
        return tuple([_frozen(item, deeper) if type(item) in _CONTAINERS else item for item in value])
    return MappingProxyType(
        {key: _frozen(item, deeper) if type(item) in _CONTAINERS else item for key, item in value.items()}
    )
