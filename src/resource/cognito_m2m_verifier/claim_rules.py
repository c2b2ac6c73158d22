"""Rules a route sets on custom claims: "this token's ``tenant`` is the tenant in the path".

A route lists its rules next to its scopes; every rule must hold, after the token is verified and its
scopes checked, or the answer is 403 ``insufficient_scope`` (RFC 6750 §3.1: the token is genuine but
does not grant this resource) and the route's function is not called::

    from cognito_m2m_verifier import ProtectedApi, claim_equals, claim_matches_path

    @api.route("GET /tenants/*", scopes=["orders/read"], claims=[claim_matches_path("tenant", 2)])
    def orders_of_tenant(request, claims):   # /tenants/acme/orders: only a token with tenant "acme"
        ...

Rules read :attr:`AccessTokenClaims.custom <cognito_m2m_verifier.claims.AccessTokenClaims.custom>` and
compare exactly, with types: a claim that is absent, or is a number where a string is expected, never
matches (``"42"`` is not ``42``). A rule on a claim Cognito protects (``client_id``, ``scope``...) is
refused when the route is declared: those are checked by the verifier itself (the client allow-list,
the route's scopes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cognito_m2m_verifier.claims import AccessTokenClaims
from cognito_m2m_verifier.custom_claims import ClaimValue, is_protected
from cognito_m2m_verifier.events import HttpRequest

MAX_CLAIM_NAME_LENGTH = 256


@dataclass(frozen=True, slots=True)
class ClaimRule:
    """One condition on a verified token's custom claims; build it with the functions below."""

    claim: str
    description: str
    test: Callable[[AccessTokenClaims, HttpRequest], bool]

    def allows(self, claims: AccessTokenClaims, request: HttpRequest) -> bool:
        """True when the rule holds for this token and request."""
        return self.test(claims, request)


def _checked_name(name: object) -> str:
    if type(name) is not str or not 0 < len(name) <= MAX_CLAIM_NAME_LENGTH:
        raise ValueError(f"a claim rule needs a claim name of 1-{MAX_CLAIM_NAME_LENGTH} characters")
    if is_protected(name):
        raise ValueError(
            f"{name[:40]!r} is a claim Cognito protects, checked by the verifier itself: a claim rule "
            "reads the custom claims a token-generation trigger adds"
        )
    return name


def _same(actual: object, expected: object) -> bool:
    """JSON equality with types (True is not 1, 1 is not 1.0 is not "1")."""
    return type(actual) is type(expected) and actual == expected


def claim_equals(name: str, value: ClaimValue) -> ClaimRule:
    """The custom claim ``name`` equals ``value`` (same JSON type): ``claim_equals("env", "prod")``."""
    claim = _checked_name(name)
    if isinstance(value, list | dict | set):
        raise ValueError("claim_equals compares one value: use claim_contains for an array claim")
    return ClaimRule(claim, f"{claim} equals a fixed value", lambda c, _r: _same(c.custom.get(claim), value))


def claim_contains(name: str, value: str | int | bool) -> ClaimRule:
    """The custom claim ``name`` is an array holding ``value``:
    ``claim_contains("entitlements", "export")``."""
    claim = _checked_name(name)

    def test(claims: AccessTokenClaims, _request: HttpRequest) -> bool:
        values = claims.custom.get(claim)
        return type(values) is tuple and any(_same(item, value) for item in values)

    return ClaimRule(claim, f"{claim} contains a fixed value", test)


def claim_matches_path(name: str, segment: int) -> ClaimRule:
    """The custom claim ``name`` is a string equal to the request path's ``segment``-th segment
    (1-based: in ``/tenants/acme/orders`` segment 2 is ``acme``), compared exactly; an empty or missing
    segment never matches."""
    claim = _checked_name(name)
    if type(segment) is not int or segment < 1:
        raise ValueError("segment is the 1-based position of a path segment: 1 or more")

    def test(claims: AccessTokenClaims, request: HttpRequest) -> bool:
        value = claims.custom.get(claim)
        if type(value) is not str or not value:
            return False
        parts = request.path.split("/", segment + 1)  # "/a/b/c" -> ["", "a", "b", "c"]
        return len(parts) > segment and parts[segment] == value

    return ClaimRule(claim, f"{claim} matches path segment {segment}", test)
