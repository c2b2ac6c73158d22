"""verifier: every acceptance rule with its own failing case, and the verified-token cache."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import pickle
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from resource_testkit import (
    CLIENT_ID,
    ISSUER,
    KID,
    KID2,
    NOW,
    OTHER_CLIENT_ID,
    FakeClock,
    JwksServer,
    Keys,
    TokenFactory,
    b64url,
    default_claims,
    jwk_for,
    jwks_document,
)

from cognito_m2m_verifier import errors
from cognito_m2m_verifier.claims import AccessTokenClaims
from cognito_m2m_verifier.verifier import TokenVerifier, check_scopes

MakeVerifier = Callable[..., TokenVerifier]
READ, WRITE = "rest-api/read", "rest-api/write"


@pytest.fixture
def verifier(make_verifier: MakeVerifier) -> TokenVerifier:
    return make_verifier()


def test_accepts_a_genuine_access_token(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    claims = verifier.verify(tokens.make())
    assert isinstance(claims, AccessTokenClaims)
    assert claims.client_id == CLIENT_ID
    assert claims.scopes == (READ, WRITE)
    assert (claims.exp, claims.iat, claims.nbf, claims.kid) == (NOW + 3600, NOW, None, KID)
    assert claims.claims["version"] == 2
    with pytest.raises(TypeError):
        claims.claims["client_id"] = "x"  # type: ignore[index]
    assert claims.has_scopes((READ,))
    assert not claims.has_scopes((READ, "other"))
    assert CLIENT_ID in repr(claims)


def test_accepts_a_token_encoded_by_pyjwt(verifier: TokenVerifier, keys: Keys) -> None:
    # an independent encoder (it adds "typ": "JWT" to the header)
    token = jwt.encode(default_claims(), keys.main, algorithm="RS256", headers={"kid": KID})
    assert verifier.verify(token).client_id == CLIENT_ID


def test_accepts_a_token_of_the_second_key(verifier: TokenVerifier, tokens: TokenFactory, keys: Keys) -> None:
    assert verifier.verify(tokens.make(key=keys.second, kid=KID2)).kid == KID2


# ---- header / algorithm confusion ---------------------------------------------------------------


def test_rejects_alg_none(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    signing_input = tokens.segments({"alg": "none", "kid": KID}, default_claims())
    for token in (signing_input + ".", signing_input + "." + b64url(b"x")):
        with pytest.raises(errors.UnsupportedHeader):
            verifier.verify(token)


def test_rejects_hs256_signed_with_the_public_key(
    verifier: TokenVerifier, tokens: TokenFactory, keys: Keys
) -> None:
    pem = keys.main.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for header in ({"alg": "HS256", "kid": KID}, {"alg": "HS256", "kid": KID, "typ": "JWT"}):
        signing_input = tokens.segments(header, default_claims())
        mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
        with pytest.raises(errors.UnsupportedHeader):
            verifier.verify(signing_input + "." + b64url(mac))
    # the same MAC under an RS256 header is just a wrong signature
    signing_input = tokens.segments({"alg": "RS256", "kid": KID}, default_claims())
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(errors.InvalidSignature):
        verifier.verify(signing_input + "." + b64url(mac))


@pytest.mark.parametrize("member", ["jku", "x5u", "jwk", "x5c", "crit", "cty", "enc", "zip"])
def test_rejects_forbidden_header_members_even_when_signed(
    verifier: TokenVerifier, tokens: TokenFactory, member: str
) -> None:
    value: Any = {"jwk": {"kty": "RSA"}, "x5c": ["MIIB"], "crit": ["exp"]}.get(
        member, "https://evil.example/x"
    )
    token = tokens.make(header={"kid": KID, "alg": "RS256", member: value})
    with pytest.raises(errors.UnsupportedHeader) as caught:
        verifier.verify(token)
    assert caught.value.kid is None  # the header was never accepted


# ---- signature ----------------------------------------------------------------------------------


def test_rejects_a_token_signed_by_another_key(
    verifier: TokenVerifier, tokens: TokenFactory, keys: Keys
) -> None:
    with pytest.raises(errors.InvalidSignature) as caught:
        verifier.verify(tokens.make(key=keys.stranger))
    assert caught.value.kid == KID
    with pytest.raises(errors.InvalidSignature):
        verifier.verify(tokens.make(key=keys.second, kid=KID))  # a real pool key, but not the one named


def test_rejects_a_modified_payload(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    header, _, signature = tokens.make().split(".")
    forged_payload = tokens.segments({}, default_claims(scope="rest-api/read rest-api/admin")).split(".")[1]
    with pytest.raises(errors.InvalidSignature):
        verifier.verify(f"{header}.{forged_payload}.{signature}")


def test_rejects_a_truncated_or_empty_signature(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    token = tokens.make()
    signing_input, signature = token.rsplit(".", 1)
    raw = base64.urlsafe_b64decode(signature + "==")
    for short in (raw[:-3], raw[:1], raw + b"\x00"):
        with pytest.raises(errors.InvalidSignature):
            verifier.verify(signing_input + "." + b64url(short))
    with pytest.raises(errors.InvalidToken):  # usually non-canonical trailing bits, else a bad signature
        verifier.verify(signing_input + "." + signature[:-4])
    with pytest.raises(errors.MalformedToken):
        verifier.verify(signing_input + ".")


def test_unknown_kid_is_rejected(verifier: TokenVerifier, tokens: TokenFactory, keys: Keys) -> None:
    with pytest.raises(errors.UnknownKey) as caught:
        verifier.verify(tokens.make(key=keys.stranger, kid="not-in-the-pool"))
    assert caught.value.kid == "not-in-the-pool"


def test_unknown_kid_flood_costs_one_fetch_per_window(
    make_verifier: MakeVerifier, tokens: TokenFactory, keys: Keys, jwks_server: JwksServer, mono: FakeClock
) -> None:
    verifier = make_verifier()
    verifier.verify(tokens.make())
    for i in range(200):
        with pytest.raises(errors.UnknownKey):
            verifier.verify(tokens.make(key=keys.stranger, kid=f"flood-{i}"))
    assert jwks_server.hits == 1
    mono.advance(10)
    for i in range(200):
        with pytest.raises(errors.UnknownKey):
            verifier.verify(tokens.make(key=keys.stranger, kid=f"flood2-{i}"))
    assert jwks_server.hits == 2


def test_implausible_tokens_with_unknown_kid_trigger_no_fetch(
    make_verifier: MakeVerifier, tokens: TokenFactory, keys: Keys, jwks_server: JwksServer, mono: FakeClock
) -> None:
    verifier = make_verifier()
    verifier.verify(tokens.make())
    mono.advance(60)
    for bad in ({"iss": "https://evil.example"}, {"exp": NOW - 10}, {"client_id": "intruder"}):
        with pytest.raises(errors.InvalidToken):
            verifier.verify(tokens.make(key=keys.stranger, kid="new", **bad))
    assert jwks_server.hits == 1


def test_keys_unavailable_when_the_jwks_cannot_be_fetched(
    make_verifier: MakeVerifier, make_jwks: Callable[..., Any], jwks_server: JwksServer, tokens: TokenFactory
) -> None:
    verifier = make_verifier(jwks=make_jwks(url=jwks_server.closed_url))
    with pytest.raises(errors.KeysUnavailable) as caught:
        verifier.verify(tokens.make())
    assert caught.value.retry_after == 10


# ---- time claims ----------------------------------------------------------------------------------


def test_expiry_is_exclusive(make_verifier: MakeVerifier, tokens: TokenFactory, clock: FakeClock) -> None:
    verifier = make_verifier()
    token = tokens.make(exp=NOW + 100)
    clock.now = NOW + 99
    verifier.verify(token)
    fresh = tokens.make(exp=NOW + 100)
    clock.now = NOW + 100  # exp == now: expired (RFC 7519 §4.1.4)
    with pytest.raises(errors.TokenExpired):
        verifier.verify(fresh)
    with pytest.raises(errors.TokenExpired):
        verifier.verify(tokens.make(exp=NOW - 3600, iat=NOW - 7200))


def test_leeway_applies_to_exp_iat_and_nbf(
    make_verifier: MakeVerifier, tokens: TokenFactory, clock: FakeClock
) -> None:
    clock.now = NOW
    verifier = make_verifier(leeway=5)
    verifier.verify(tokens.make(exp=NOW - 4, iat=NOW - 3604))
    with pytest.raises(errors.TokenExpired):
        verifier.verify(tokens.make(exp=NOW - 5, iat=NOW - 3605))
    verifier.verify(tokens.make(iat=NOW + 5))
    with pytest.raises(errors.TokenIssuedInFuture):
        verifier.verify(tokens.make(iat=NOW + 6))
    verifier.verify(tokens.make(nbf=NOW + 5))
    with pytest.raises(errors.TokenNotYetValid):
        verifier.verify(tokens.make(nbf=NOW + 6))


def test_future_iat_and_nbf_without_leeway(
    make_verifier: MakeVerifier, tokens: TokenFactory, clock: FakeClock
) -> None:
    clock.now = NOW
    verifier = make_verifier()
    with pytest.raises(errors.TokenIssuedInFuture):
        verifier.verify(tokens.make(iat=NOW + 1))
    with pytest.raises(errors.TokenNotYetValid):
        verifier.verify(tokens.make(nbf=NOW + 1))
    assert verifier.verify(tokens.make(nbf=NOW)).nbf == NOW


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "value", ["1900000000", str(NOW), True, False, float(NOW + 3600), [NOW + 3600], {"v": 1}]
)
def test_time_claims_must_be_integers(
    verifier: TokenVerifier, tokens: TokenFactory, claim: str, value: Any
) -> None:
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.make(**{claim: value}))


@pytest.mark.parametrize("claim", ["exp", "iat"])
def test_exp_and_iat_are_required(verifier: TokenVerifier, tokens: TokenFactory, claim: str) -> None:
    payload = default_claims()
    del payload[claim]
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.sign(tokens.segments({"kid": KID, "alg": "RS256"}, payload)))


def test_null_nbf_is_rejected(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    payload = {**default_claims(), "nbf": None}
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.sign(tokens.segments({"kid": KID, "alg": "RS256"}, payload)))


# ---- identity claims ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iss",
    [
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool",
        ISSUER + "/",
        ISSUER.replace("https", "http"),
        ISSUER.upper(),
        " " + ISSUER,
        [ISSUER],
        None,
    ],
)
def test_rejects_wrong_issuer(verifier: TokenVerifier, tokens: TokenFactory, iss: Any) -> None:
    with pytest.raises(errors.WrongIssuer):
        verifier.verify(tokens.make(iss=iss))


@pytest.mark.parametrize("token_use", ["id", "ID", "Access", "refresh", ["access"], None, 1])
def test_rejects_tokens_other_than_access_tokens(
    verifier: TokenVerifier, tokens: TokenFactory, token_use: Any
) -> None:
    with pytest.raises(errors.WrongTokenUse):
        verifier.verify(tokens.make(token_use=token_use))


def test_rejects_an_id_token(verifier: TokenVerifier, tokens: TokenFactory, keys: Keys) -> None:
    id_token = tokens.make(
        key=keys.second, kid=KID2, token_use="id", client_id=None, aud=CLIENT_ID, scope=None
    )
    with pytest.raises(errors.WrongTokenUse):
        verifier.verify(id_token)


@pytest.mark.parametrize(
    "client_id", [OTHER_CLIENT_ID, CLIENT_ID.upper(), CLIENT_ID + " ", "", [CLIENT_ID], {}, 5, None]
)
def test_rejects_other_clients(verifier: TokenVerifier, tokens: TokenFactory, client_id: Any) -> None:
    with pytest.raises(errors.ClientNotAllowed):
        verifier.verify(tokens.make(client_id=client_id))


def test_allows_every_listed_client(make_verifier: MakeVerifier, tokens: TokenFactory) -> None:
    verifier = make_verifier(allowed_client_ids=[CLIENT_ID, OTHER_CLIENT_ID])
    assert verifier.verify(tokens.make(client_id=OTHER_CLIENT_ID)).client_id == OTHER_CLIENT_ID


# ---- scopes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "required"),
    [
        ("rest-api/read", (READ, WRITE)),  # partial
        ("rest-api/write", (READ,)),
        ("rest-api/readonly", (READ,)),
        ("rest-api/rea", (READ,)),
        ("REST-API/READ", (READ,)),
        ("rest-api/read,rest-api/write", (READ,)),
        ("rest-api", (READ,)),
        (None, (READ,)),  # no scope claim at all
        ("", (READ,)),
    ],
)
def test_scopes_are_exact_tokens_and_all_required(
    verifier: TokenVerifier, tokens: TokenFactory, scope: str | None, required: tuple[str, ...]
) -> None:
    token = tokens.make(scope=scope)
    with pytest.raises(errors.InsufficientScope) as caught:
        verifier.authorize(token, required)
    assert caught.value.required == required
    assert set(caught.value.missing) <= set(required)
    assert caught.value.missing


def test_insufficient_scope_names_what_is_missing(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    with pytest.raises(errors.InsufficientScope) as caught:
        verifier.authorize(tokens.make(scope=READ), (READ, WRITE, "rest-api/admin"))
    assert caught.value.missing == (WRITE, "rest-api/admin")


def test_all_required_scopes_present(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    claims = verifier.authorize(tokens.make(scope=f"other/x {WRITE} {READ}"), (READ, WRITE))
    assert claims.scopes == ("other/x", WRITE, READ)
    check_scopes(claims, ())
    check_scopes(claims, (WRITE,))


@pytest.mark.parametrize("scope", [[READ], {"s": READ}, 1, True, f"{READ}  {WRITE}", f" {READ}", f"{READ} "])
def test_scope_must_be_a_string_of_single_space_separated_tokens(
    verifier: TokenVerifier, tokens: TokenFactory, scope: Any
) -> None:
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.make(scope=scope))


def test_null_scope_is_rejected(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    payload = {**default_claims(), "scope": None}
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.sign(tokens.segments({"kid": KID, "alg": "RS256"}, payload)))


# ---- parsing through the verifier -----------------------------------------------------------------


def test_rejects_duplicate_claims_even_when_signed(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    payload = json.dumps(default_claims())[:-1] + ', "client_id": "intruder"}'
    with pytest.raises(errors.MalformedToken):
        verifier.verify(tokens.sign(tokens.segments({"kid": KID, "alg": "RS256"}, payload)))


def test_rejects_non_utf8_payload_even_when_signed(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    payload = json.dumps(default_claims()).encode().replace(b'"jti": "', b'"jti": "\xff')
    with pytest.raises(errors.MalformedToken):
        verifier.verify(tokens.sign(tokens.segments({"kid": KID, "alg": "RS256"}, payload)))


def test_rejects_padded_and_oversized_tokens(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    token = tokens.make()
    with pytest.raises(errors.MalformedToken):
        verifier.verify(token + "==")
    with pytest.raises(errors.TokenTooLarge):
        verifier.verify(tokens.make(padding="x" * 8000))
    with pytest.raises(errors.TokenTooLarge):
        verifier.verify("x" * 100_000)
    with pytest.raises(errors.MalformedToken):
        verifier.verify(None)  # type: ignore[arg-type]


def test_accepts_unknown_extra_claims(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    claims = verifier.verify(tokens.make(custom={"nested": [1, 2, {"a": None}]}, aud=CLIENT_ID))
    assert claims.claims["custom"] == {"nested": [1, 2, {"a": None}]}
    assert json.loads(json.dumps(dict(claims.claims)))["custom"] == {"nested": [1, 2, {"a": None}]}


def test_claims_cannot_be_changed_by_one_request_for_the_next(
    verifier: TokenVerifier, tokens: TokenFactory
) -> None:
    token = tokens.make(scope=READ, custom={"roles": ["a"], "org": {"id": 1}})
    first = verifier.verify(token)
    assert first.claims["custom"]["roles"] == ["a"]
    for change in (
        lambda c: setattr(c, "scopes", (READ, "rest-api/admin")),
        lambda c: setattr(c, "client_id", "someone-else"),
        lambda c: setattr(c, "exp", 2**40),
        lambda c: setattr(c, "_token", "x.y.z"),
        lambda c: delattr(c, "scopes"),
    ):
        with pytest.raises(AttributeError, match="read-only"):
            change(first)
    with pytest.raises(TypeError):
        first.claims["scope"] = "rest-api/admin"  # type: ignore[index]
    # each access is a fresh decoding of the token: what one request changes inside reaches no other
    first.claims["custom"]["org"]["id"] = 2
    first.claims["custom"]["roles"].append("admin")
    again = verifier.verify(token)
    assert again is first  # the cached instance, unchanged
    assert again.scopes == (READ,)
    assert not again.has_scopes(("rest-api/admin",))
    assert again.claims["custom"] == {"roles": ["a"], "org": {"id": 1}}
    # still copyable and picklable, as before it was read-only
    assert copy.copy(first) is first
    assert copy.deepcopy(first) is first
    restored = pickle.loads(pickle.dumps(first))  # noqa: S301 - our own object
    assert (restored.client_id, restored.scopes, restored.exp) == (first.client_id, first.scopes, first.exp)
    assert restored.claims == first.claims
    with pytest.raises(AttributeError, match="read-only"):
        restored.scopes = ()  # type: ignore[misc]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_character_change_is_rejected(
    verifier: TokenVerifier, tokens: TokenFactory, data: st.DataObject
) -> None:
    token = tokens.make()
    verifier.verify(token)
    index = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(st.sampled_from("ABCabc019-_.=+/ \n\x00é"))
    mutated = token[:index] + char + token[index + 1 :]
    if mutated != token:
        with pytest.raises(errors.InvalidToken):
            verifier.verify(mutated)


# ---- verified-token cache ---------------------------------------------------------------------------


def _no_parsing(token: str) -> Any:
    raise AssertionError("the cache hit must not parse or verify again")


def test_cache_hit_skips_parse_and_signature(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    token = tokens.make()
    first = verifier.verify(token)
    assert verifier.cached_tokens == 1
    verifier._split = _no_parsing
    for _ in range(10):
        assert verifier.verify(token) is first
    assert verifier.authorize(token, (READ,)) is first


def test_cache_hit_still_checks_scopes_per_request(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    token = tokens.make(scope=READ)
    verifier.authorize(token, (READ,))
    with pytest.raises(errors.InsufficientScope):
        verifier.authorize(token, (WRITE,))


def test_cached_token_expires_at_its_exp(
    verifier: TokenVerifier, tokens: TokenFactory, clock: FakeClock
) -> None:
    token = tokens.make(exp=NOW + 60)
    verifier.verify(token)
    clock.now = NOW + 59
    verifier.verify(token)
    clock.now = NOW + 60
    with pytest.raises(errors.TokenExpired) as caught:
        verifier.verify(token)
    assert caught.value.kid == KID
    assert verifier.cached_tokens == 0
    with pytest.raises(errors.TokenExpired):
        verifier.verify(token)


def test_cached_token_time_checks_run_on_every_use(
    verifier: TokenVerifier, tokens: TokenFactory, clock: FakeClock
) -> None:
    token = tokens.make(nbf=NOW)
    verifier.verify(token)
    clock.now = NOW - 30  # the clock stepped back: iat and nbf are in the future again
    with pytest.raises(errors.TokenIssuedInFuture):
        verifier.verify(token)
    clock.now = NOW + 1
    assert verifier.verify(token).nbf == NOW


def test_cached_token_nbf_checked_on_every_use(
    verifier: TokenVerifier, tokens: TokenFactory, clock: FakeClock
) -> None:
    token = tokens.make(iat=NOW - 100, nbf=NOW)
    verifier.verify(token)
    clock.now = NOW - 30
    with pytest.raises(errors.TokenNotYetValid):
        verifier.verify(token)


def test_cache_is_emptied_when_the_key_set_changes(
    make_verifier: MakeVerifier, tokens: TokenFactory, keys: Keys, jwks_server: JwksServer, mono: FakeClock
) -> None:
    verifier = make_verifier()
    old = tokens.make(key=keys.second, kid=KID2)
    verifier.verify(old)
    verifier.verify(tokens.make())
    assert verifier.cached_tokens == 2
    # the pool drops KID2 and adds a new key; a token of the new key triggers the refetch
    jwks_server.body = jwks_document(jwk_for(keys.main, KID), jwk_for(keys.stranger, "new"))
    mono.advance(10)
    verifier.verify(tokens.make(key=keys.stranger, kid="new"))
    assert verifier.cached_tokens == 1  # emptied, then the new token
    with pytest.raises(errors.UnknownKey):
        verifier.verify(old)  # no longer accepted from the cache


def test_cache_notices_a_key_change_made_elsewhere(
    make_verifier: MakeVerifier, make_jwks: Callable[..., Any], tokens: TokenFactory, keys: Keys
) -> None:
    jwks = make_jwks()
    verifier = make_verifier(jwks=jwks)
    token = tokens.make()
    verifier.verify(token)
    jwks.load(jwks_document(jwk_for(keys.stranger, KID)))  # KID now names another key
    with pytest.raises(errors.InvalidSignature):
        verifier.verify(token)
    assert verifier.cached_tokens == 0


def test_cache_is_bounded_and_starts_over_when_full(
    make_verifier: MakeVerifier, tokens: TokenFactory
) -> None:
    verifier = make_verifier(cache_size=4)
    issued = [tokens.make() for _ in range(10)]
    sizes = []
    for token in issued:
        verifier.verify(token)
        sizes.append(verifier.cached_tokens)
    assert sizes == [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]
    assert list(verifier._cache) == issued[-2:]
    # a token dropped with the rest is verified in full again (and cached again), still accepted
    assert verifier.verify(issued[0]).client_id == verifier.verify(issued[0]).client_id
    assert verifier.cached_tokens == 3


def test_cache_can_be_disabled_and_rejections_are_never_cached(
    make_verifier: MakeVerifier, tokens: TokenFactory, keys: Keys
) -> None:
    verifier = make_verifier(cache_size=0)
    verifier.verify(tokens.make())
    assert verifier.cached_tokens == 0
    verifier = make_verifier()
    forged = tokens.make(key=keys.stranger)
    for _ in range(3):
        with pytest.raises(errors.InvalidSignature):
            verifier.verify(forged)
    assert verifier.cached_tokens == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"leeway": -1},
        {"leeway": 301},
        {"leeway": True},
        {"leeway": 1.5},
        {"allowed_client_ids": []},
        {"allowed_client_ids": [""]},
        {"issuer": "http://cognito-idp.us-east-1.amazonaws.com/x"},
        {"cache_size": -1},
    ],
)
def test_constructor_rejects_bad_parameters(make_verifier: MakeVerifier, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make_verifier(**kwargs)


def test_one_client_id_string_is_not_a_list_of_them(make_verifier: MakeVerifier) -> None:
    # iterated, the string would allow one-character client ids
    with pytest.raises(TypeError, match="not one string"):
        make_verifier(allowed_client_ids=CLIENT_ID)


def test_b64url_helper_matches_stdlib() -> None:
    assert b64url(b"\xff\xfe") == base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("=")


def test_scope_tuples_are_shared_and_their_cache_stays_bounded(
    verifier: TokenVerifier, tokens: TokenFactory
) -> None:
    first = verifier.verify(tokens.make(scope=READ))
    assert verifier.verify(tokens.make(scope=READ)).scopes is first.scopes
    for i in range(100):
        assert verifier.verify(tokens.make(scope=f"{READ} s{i}")).scopes == (READ, f"s{i}")
    assert len(verifier._scope_tuples) <= 64
    long_scope = " ".join(f"scope-{i}" for i in range(200))
    assert len(verifier.verify(tokens.make(scope=long_scope)).scopes) == 200
    assert long_scope not in verifier._scope_tuples


# ---- claims that Cognito never signs ------------------------------------------------------------------

MAX_SAFE = 2**53


@pytest.mark.parametrize(
    ("iat", "exp"),
    [
        (NOW, NOW + 86_401),  # one second over Cognito's longest access-token life (1 day)
        (NOW - 86_400 * 365, NOW + 3600),  # issued a year ago, still "valid": never from Cognito
        (NOW - 10**9, NOW + 3600),
        (NOW, NOW),  # no lifetime at all
        (NOW + 1, NOW),  # expires before it is issued
    ],
    ids=[
        "lifetime-over-a-day",
        "iat-a-year-ago",
        "iat-far-in-the-past",
        "zero-lifetime",
        "negative-lifetime",
    ],
)
def test_rejects_lifetimes_cognito_never_issues(
    verifier: TokenVerifier, tokens: TokenFactory, iat: int, exp: int
) -> None:
    with pytest.raises(errors.InvalidClaim, match="lifetime"):
        verifier.verify(tokens.make(iat=iat, exp=exp))


def test_accepts_the_longest_lifetime_cognito_issues(verifier: TokenVerifier, tokens: TokenFactory) -> None:
    assert verifier.verify(tokens.make(iat=NOW, exp=NOW + 86_400)).exp == NOW + 86_400


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "value", [MAX_SAFE + 1, 2**63, 2**64, 2**64 + 1, -1, -(2**63) - 1], ids=lambda v: f"{v:#x}"
)
def test_rejects_integers_beyond_the_safe_range(
    verifier: TokenVerifier, tokens: TokenFactory, claim: str, value: int
) -> None:
    """I-JSON (RFC 7493 §2.2): integers beyond 2**53 are not interoperable (orjson reads 2**64 as a
    float, json as an int); no time claim of Cognito's is negative."""
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.make(**{claim: value}))


def _reason(verifier: TokenVerifier, token: str) -> str:
    try:
        verifier.verify(token)
    except errors.InvalidToken as exc:
        return exc.reason
    return "accepted"


_CLAIM_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([NOW, NOW + 60, NOW - 60, NOW + 86_400, MAX_SAFE, MAX_SAFE + 1, 2**64, -(2**63) - 1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    exp=_CLAIM_VALUES, iat=_CLAIM_VALUES, nbf=st.none() | _CLAIM_VALUES, extra=st.none() | st.text(max_size=4)
)
def test_same_answer_whether_or_not_the_payload_also_holds_an_array(  # noqa: PLR0917 - hypothesis
    verifier: TokenVerifier, tokens: TokenFactory, exp: Any, iat: Any, nbf: Any, extra: Any
) -> None:
    """A flat payload is read by orjson, one with an array by the strict stdlib decoder: both must agree."""
    claims = {"exp": exp, "iat": iat, "nbf": nbf, "note": extra}
    flat = tokens.make(**claims)
    with_array = tokens.make(**claims, amr=["client_credentials"])
    assert _reason(verifier, flat) == _reason(verifier, with_array)


@pytest.mark.parametrize(
    "scope",
    [
        'rest-api/read rest-api/"write"',
        "rest-api/read rest-api\\write",
        "rest-api/read\trest-api/write",
        "rest-api/réad",
        "rest-api/read\x7f",
        "rest-api/read\u00a0rest-api/write",
        "rest-api/read\x00",
    ],
    ids=["double-quote", "backslash", "tab", "non-ascii", "del", "nbsp", "nul"],
)
def test_scope_items_must_be_rfc6749_scope_tokens(
    verifier: TokenVerifier, tokens: TokenFactory, scope: str
) -> None:
    """RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces."""
    with pytest.raises(errors.InvalidClaim):
        verifier.verify(tokens.make(scope=scope))


@pytest.mark.parametrize("sub", ["5e3f0000-0000-4000-8000-000000000000", OTHER_CLIENT_ID, None, 5])
def test_client_credentials_tokens_have_sub_equal_to_client_id(
    verifier: TokenVerifier, tokens: TokenFactory, sub: Any
) -> None:
    """A client-credentials token has ``sub == client_id``; a user's access token (same client) does not."""
    with pytest.raises(errors.NotClientCredentials):
        verifier.verify(tokens.make(sub=sub))


def test_user_access_tokens_pass_when_the_switch_allows_them(
    make_verifier: MakeVerifier, tokens: TokenFactory
) -> None:
    verifier = make_verifier(client_credentials_only=False)
    user_token = tokens.make(sub="5e3f0000-0000-4000-8000-000000000000", username="alice")
    assert verifier.verify(user_token).client_id == CLIENT_ID


def test_a_signature_without_its_leading_zero_byte_is_a_forgery(
    verifier: TokenVerifier, tokens: TokenFactory
) -> None:
    """RFC 8017 §8.2.2 step 1, through the whole verifier: one token, one spelling."""
    for index in range(5000):
        token = tokens.make(jti=f"leading-zero-{index}")
        signature = base64.urlsafe_b64decode(token.rsplit(".", 1)[1] + "==")
        if signature[0] == 0:
            break
    else:
        pytest.fail("no signature with a leading zero byte among 5,000 tokens")
    assert verifier.verify(token).client_id == CLIENT_ID
    short = token.rsplit(".", 1)[0] + "." + b64url(signature[1:])
    with pytest.raises(errors.InvalidSignature):
        verifier.verify(short)
    assert verifier.cached_tokens == 1
