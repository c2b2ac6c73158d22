"""Customized tokens: claims a pre-token-generation trigger adds, as the verifier exposes them, and the
routes' claim rules (``claims=[claim_matches_path("tenant", 2)]``).

Real RSA keys and tokens signed with them, the loopback JWKS server, events of every front door. The
hostile cases are customized tokens the pool's key signed: what a trigger with a bug (or Cognito's
rules changing) could produce, and what a route must never be confused by.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import pytest
from resource_testkit import CLIENT_ID, KID, POOL_ID, FakeClock, JwksServer, TokenFactory, default_claims

from cognito_m2m_verifier import (
    ProtectedApi,
    claim_contains,
    claim_equals,
    claim_matches_path,
    cognito_verifier,
)
from cognito_m2m_verifier.custom_claims import (
    MAX_CLAIM_DEPTH,
    NO_CUSTOM_CLAIMS,
    PROTECTED_CLAIMS,
    custom_claims,
)
from cognito_m2m_verifier.errors import InvalidClaim, MalformedToken, TokenTooLarge
from cognito_m2m_verifier.events import HttpRequest
from tests.resource.test_event_formats import FORMATS, body, header, make_event

READ = "rest-api/read"


def nested(depth: int) -> Any:
    """``depth`` arrays and objects inside each other, alternating, around one string."""
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"n": value}
    return value


# ---- the claims, as a route reads them -------------------------------------------------------------


def test_a_token_without_trigger_claims_shares_one_empty_mapping(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    claims = make_verifier().verify(tokens.make())
    assert claims.custom is NO_CUSTOM_CLAIMS
    assert claims.custom_str("tenant") is None


def test_trigger_claims_are_typed_frozen_and_read_once(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    verifier = make_verifier()
    token = tokens.make(
        tenant="acme",
        tier=3,
        ratio=0.5,
        beta=True,
        entitlements=["export", "audit"],
        limits={"rps": 10, "regions": ["eu-west-1"]},
    )
    claims = verifier.verify(token)
    assert dict(claims.custom) == {
        "tenant": "acme",
        "tier": 3,
        "ratio": 0.5,
        "beta": True,
        "entitlements": ("export", "audit"),
        "limits": {"rps": 10, "regions": ("eu-west-1",)},
    }
    assert claims.custom_str("tenant") == "acme"
    assert claims.custom_str("tier") is None  # a number is not a string
    assert claims.custom_str("absent") is None
    with pytest.raises(TypeError):
        claims.custom["tenant"] = "globex"  # type: ignore[index]
    limits = claims.custom["limits"]
    assert isinstance(limits, MappingProxyType)
    with pytest.raises(TypeError):
        limits["rps"] = 1_000_000  # type: ignore[index]
    with pytest.raises(AttributeError):
        claims.custom = {}  # type: ignore[misc]
    # decoded once: the cached token hands the very same mapping to the next request
    assert verifier.verify(token).custom is claims.custom
    assert verifier.cache_hits == 1


def test_claims_cognito_protects_are_never_custom(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    protected = {
        "username": "x",
        "origin_jti": "y",
        "event_id": "z",
        "cognito:groups": ["admins"],
        "aud": CLIENT_ID,
    }
    claims = make_verifier().verify(tokens.make(tenant="acme", **protected))
    assert dict(claims.custom) == {"tenant": "acme"}
    assert not PROTECTED_CLAIMS & set(claims.custom)


def test_aud_added_as_the_client_id_is_accepted(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    assert make_verifier().verify(tokens.make(aud=CLIENT_ID)).custom is NO_CUSTOM_CLAIMS


def test_pickled_claims_keep_their_custom_claims(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    claims = make_verifier().verify(tokens.make(tenant="acme", tags=["a"]))
    again = pickle.loads(pickle.dumps(claims))  # noqa: S301 - our own bytes
    assert dict(again.custom) == {"tenant": "acme", "tags": ("a",)}


def test_nesting_is_bounded() -> None:
    assert custom_claims({"deep": nested(MAX_CLAIM_DEPTH)})["deep"] is not None
    with pytest.raises(InvalidClaim, match="deeper"):
        custom_claims({"deep": nested(MAX_CLAIM_DEPTH + 1)})


# ---- hostile customized tokens (signed by the pool's key) ------------------------------------------


def signed(tokens: TokenFactory, payload_text: str) -> str:
    return tokens.sign(tokens.segments({"kid": KID, "alg": "RS256"}, payload_text))


def test_an_added_claim_shadowing_client_id_is_refused(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    """A second ``client_id`` member: two readers could see two callers (RFC 8725 §2.6). 401."""
    text = json.dumps(default_claims())[:-1] + ', "client_id": "someone-else"}'
    with pytest.raises(MalformedToken):
        make_verifier().verify(signed(tokens, text))


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"scope": ["rest-api/read", "admin/all"]}, InvalidClaim),  # scope as a list: never a grant
        ({"client_id": 42}, Exception),  # a client id that is not a string
        ({"token_use": ["access"]}, Exception),
        ({"exp": "9999999999"}, InvalidClaim),
        ({"aud": "someone-else"}, InvalidClaim),  # a trigger may add aud only as the client's own id
        ({"aud": [CLIENT_ID]}, InvalidClaim),
    ],
)
def test_protected_claims_of_the_wrong_type_are_refused(
    make_verifier: Callable[..., Any], tokens: TokenFactory, claims: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        make_verifier().verify(tokens.make(**claims))


def test_a_huge_claim_is_bounded_by_the_token_size_cap(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    verifier = make_verifier()
    fits = verifier.verify(tokens.make(note="x" * 5000))
    assert len(fits.custom_str("note") or "") == 5000
    with pytest.raises(TokenTooLarge):
        verifier.verify(tokens.make(note="x" * 9000))


def test_a_deeply_nested_claim_is_a_401_never_a_crash(
    make_verifier: Callable[..., Any], tokens: TokenFactory
) -> None:
    verifier = make_verifier(max_token_length=65536)
    assert verifier.verify(tokens.make(deep=nested(MAX_CLAIM_DEPTH))).custom["deep"]
    with pytest.raises(InvalidClaim):
        verifier.verify(tokens.make(deep=nested(MAX_CLAIM_DEPTH + 1)))
    with pytest.raises((InvalidClaim, MalformedToken)):
        verifier.verify(
            signed(tokens, json.dumps(default_claims())[:-1] + ', "deep": ' + "[" * 5000 + "]" * 5000 + "}")
        )


# ---- claim rules on routes --------------------------------------------------------------------------


@pytest.fixture
def api(jwks_server: JwksServer, clock: FakeClock) -> ProtectedApi:
    verifier = cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url=jwks_server.url)
    verifier._clock = clock
    api = ProtectedApi(verifier, metrics=False)

    @api.route("GET /tenants/*", scopes=[READ], claims=[claim_matches_path("tenant", 2)])
    def tenant_orders(request: HttpRequest, claims: Any) -> dict[str, Any]:
        return {"tenant": claims.custom_str("tenant")}

    @api.route(
        "GET /exports",
        scopes=[READ],
        claims=[claim_equals("env", "prod"), claim_contains("entitlements", "export")],
    )
    def exports(request: HttpRequest, claims: Any) -> dict[str, Any]:
        return {"ok": True}

    return api


def call(api: ProtectedApi, front_door: str, path: str, token: str) -> dict[str, Any]:
    return api.handler(make_event(front_door, path=path, headers={"Authorization": [f"Bearer {token}"]}))


@pytest.mark.parametrize("front_door", FORMATS)
def test_a_tenant_reaches_its_own_path_and_no_other(
    api: ProtectedApi, tokens: TokenFactory, front_door: str
) -> None:
    token = tokens.make(tenant="acme")
    ok = call(api, front_door, "/tenants/acme/orders", token)
    assert ok["statusCode"] == 200
    assert body(ok) == {"tenant": "acme"}
    refused = call(api, front_door, "/tenants/globex/orders", token)
    assert refused["statusCode"] == 403
    assert body(refused)["error"] == "insufficient_scope"
    assert header(refused, "www-authenticate") == (
        'Bearer realm="api", error="insufficient_scope", '
        'error_description="The access token does not grant access to this resource"'
    )


@pytest.mark.parametrize(
    ("claims", "path"),
    [
        ({}, "/tenants/acme/orders"),  # no tenant: never anyone's
        ({"tenant": 42}, "/tenants/42/orders"),  # a number is not the string in the path
        ({"tenant": ["acme"]}, "/tenants/acme/orders"),
        ({"tenant": {"id": "acme"}}, "/tenants/acme/orders"),
        ({"tenant": ""}, "/tenants//orders"),  # empty never matches an empty segment
        ({"tenant": "acme"}, "/tenants/ACME/orders"),  # exact, case-sensitive
        ({"tenant": "acme"}, "/tenants/acme%2Fglobex/orders"),  # the path as sent, undecoded
        ({"tenant": "acme/x"}, "/tenants/acme/x"),  # a claim with a slash spans no two segments
        ({"tenant": "acme"}, "/tenants"),  # no such segment (the route needs /tenants/...)
    ],
)
def test_a_tenant_claim_that_is_not_the_paths_segment_is_a_403(
    api: ProtectedApi, tokens: TokenFactory, claims: dict[str, Any], path: str
) -> None:
    answer = call(api, "alb", path, tokens.make(**claims))
    assert answer["statusCode"] in {403, 404}
    if path.startswith("/tenants/"):
        assert answer["statusCode"] == 403


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        ({"env": "prod", "entitlements": ["audit", "export"]}, 200),
        ({"env": "prod", "entitlements": ["audit"]}, 403),
        ({"env": "prod", "entitlements": "export"}, 403),  # a string is not an array holding it
        ({"env": "staging", "entitlements": ["export"]}, 403),
        ({"env": True, "entitlements": ["export"]}, 403),
    ],
)
def test_every_rule_of_a_route_must_hold(
    api: ProtectedApi, tokens: TokenFactory, claims: dict[str, Any], status: int
) -> None:
    assert call(api, "http_api", "/exports", tokens.make(**claims))["statusCode"] == status


def test_scopes_are_checked_before_claim_rules(api: ProtectedApi, tokens: TokenFactory) -> None:
    answer = call(api, "alb", "/tenants/acme/orders", tokens.make(tenant="acme", scope="rest-api/write"))
    assert answer["statusCode"] == 403
    assert body(answer)["scope"] == READ


def test_a_refused_tenant_is_logged_without_its_value(
    api: ProtectedApi, tokens: TokenFactory, access_lines: list[dict[str, Any]]
) -> None:
    call(api, "alb", "/tenants/globex/orders", tokens.make(tenant="acme-secret-tenant"))
    (line,) = access_lines
    assert line["outcome"] == "claim_mismatch"
    assert line["rule"] == "tenant matches path segment 2"
    assert "acme-secret-tenant" not in json.dumps(line)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: claim_equals("client_id", "x"), "Cognito protects"),
        (lambda: claim_equals("cognito:groups", "x"), "Cognito protects"),
        (lambda: claim_matches_path("scope", 1), "Cognito protects"),
        (lambda: claim_equals("", "x"), "claim name"),
        (lambda: claim_equals("x" * 257, "x"), "claim name"),
        (lambda: claim_equals("tags", ["a"]), "claim_contains"),
        (lambda: claim_matches_path("tenant", 0), "1-based"),
        (lambda: claim_contains("tenant", "x") and claim_matches_path("tenant", True), "1-based"),
    ],
)
def test_rules_that_cannot_work_fail_when_declared(build: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_claims_takes_rules_only(jwks_server: JwksServer) -> None:
    api = ProtectedApi(
        cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url=jwks_server.url)
    )
    with pytest.raises(ValueError, match="claims takes rules"):
        api.route("GET /x", scopes=[READ], claims=["tenant"])  # type: ignore[list-item]


def test_the_verifier_and_the_local_cognito_protect_the_same_claims() -> None:
    """Two readings of the guide's table, kept apart on purpose (the emulator plays Cognito, the verifier
    trusts it): they must agree, so that what the local stack lets a trigger add is what the verifier
    exposes as custom."""
    from local_edge.token_trigger import PROTECTED_CLAIMS as EMULATED

    assert PROTECTED_CLAIMS == EMULATED
