"""The JWKS endpoint misbehaves: a loopback fault-injecting server (``tests.client.servers``) stands in
for Cognito's ``/.well-known/jwks.json``; every fault is bounded in count and time.

- down with a warm key cache: zero failed verifications of tokens whose key is cached;
- down at cold start (refused, reset, 5xx): 503 with ``Retry-After``, never a 401 blaming the client;
- slow (hang, slow drip): the request is answered within the fetch's timeouts;
- oversized or invalid documents: 503, and no key of them is ever cached (a later good document works).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.client.servers import Reply, ScriptedServer
from tests.reliability.support import (
    KID,
    KID2,
    NOW,
    READ,
    RESOURCE_ENV,
    KeyRing,
    alb_event,
    assert_valid_alb_response,
    bearer_error,
    ec_jwk,
    jwks_bytes,
    retry_after_seconds,
    rsa_jwk,
    token,
)
from tests.resource.resource_testkit import FakeClock


@pytest.fixture
def jwks_server(ring: KeyRing) -> Iterator[ScriptedServer]:
    server = ScriptedServer(Reply(200, jwks_bytes(rsa_jwk(ring.main, KID), rsa_jwk(ring.second, KID2))))
    yield server
    server.stop()


@pytest.fixture
def app_on(clock: FakeClock, mono: FakeClock) -> Callable[..., Any]:
    from cognito_m2m_verifier.handler import build_app
    from cognito_m2m_verifier.jwks import JwksCache

    def make(url: str, **kw: Any) -> Any:
        kw.setdefault("clock", mono)
        kw.setdefault("connect_timeout", 0.5)
        kw.setdefault("read_timeout", 0.5)
        jwks = JwksCache(url, **kw)
        app = build_app(RESOURCE_ENV, jwks=jwks, clock=clock)
        app.jwks = jwks
        return app

    return make


def get(app: Any, value: str, multi: bool = False) -> dict[str, Any]:
    answer = app.handle(alb_event("GET", "/api", authorization=f"Bearer {value}", multi=multi))
    assert_valid_alb_response(answer, multi=multi)
    return answer


def fresh_tokens(ring: KeyRing, n: int, key: Any = None, kid: str = KID) -> list[str]:
    return [token(key or ring.main, kid=kid, jti=f"jti-{kid[:4]}-{i:06d}") for i in range(n)]


def assert_503(answer: dict[str, Any]) -> None:
    assert answer["statusCode"] == 503, answer
    assert json.loads(answer["body"])["error"] == "temporarily_unavailable"
    retry_after_seconds(answer)


# ---- down -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["refused", "reset", "500", "503", "hang"])
def test_down_with_warm_cache_zero_failed_verifications(
    fault: str, ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any], mono: FakeClock
) -> None:
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    assert get(app, token(ring.main))["statusCode"] == 200  # warm: the set is fetched once
    fetches = jwks_server.count
    if fault == "refused":
        jwks_server.stop()
    elif fault == "reset":
        jwks_server.default = Reply(reset=True)
    elif fault == "hang":
        jwks_server.default = Reply(200, b"{}", delay=5.0)
    else:
        jwks_server.default = Reply(int(fault), b"upstream down")
    statuses: dict[int, int] = {}
    for i, value in enumerate(fresh_tokens(ring, 60) + fresh_tokens(ring, 60, ring.second, KID2)):
        mono.advance(1.0)  # two minutes of traffic: many penalty windows pass
        answer = get(app, value, multi=i % 2 == 0)
        statuses[answer["statusCode"]] = statuses.get(answer["statusCode"], 0) + 1
    assert statuses == {200: 120}
    assert jwks_server.count == fetches  # cached keys need no fetch at all


def test_down_unknown_kid_is_503_then_penalised_known_kids_still_pass(
    ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any], mono: FakeClock
) -> None:
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    assert get(app, token(ring.main))["statusCode"] == 200
    mono.advance(11)
    jwks_server.default = Reply(500, b"down")
    before = jwks_server.count
    rotated = token(ring.rotated, kid="rotated-kid")
    assert_503(get(app, rotated))  # the server cannot tell: its fault, not the client's
    assert_503(get(app, rotated))  # within the window: answered at once, no second fetch
    assert jwks_server.count == before + 1
    assert get(app, token(ring.main, jti="still-fine"))["statusCode"] == 200


@pytest.mark.parametrize("fault", ["refused", "reset", "500", "429", "404", "redirect"])
def test_down_at_cold_start_is_503_with_retry_after(
    fault: str, ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any], mono: FakeClock
) -> None:
    good = jwks_server.url("/.well-known/jwks.json")
    if fault == "refused":
        jwks_server.stop()
    elif fault == "reset":
        jwks_server.default = Reply(reset=True)
    elif fault == "redirect":  # never followed: a redirect could point the key fetch anywhere
        jwks_server.default = Reply(302, b"", headers={"Location": good})
    else:
        jwks_server.default = Reply(int(fault), b"{}")
    app = app_on(good, penalty_seconds=10.0)
    for multi in (False, True):
        answer = get(app, token(ring.main), multi=multi)
        assert_503(answer)
        assert 1 <= retry_after_seconds(answer) <= 10
    assert app.jwks.kids == frozenset()
    assert app.jwks.fetch_count == 1  # the second request fell in the penalty window


def test_recovers_after_the_window_once_the_endpoint_is_back(
    ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any], mono: FakeClock
) -> None:
    jwks_server.script = [Reply(503, b"down")]
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    assert_503(get(app, token(ring.main)))
    mono.advance(10.0)
    assert get(app, token(ring.main))["statusCode"] == 200
    assert jwks_server.count == 2


# ---- slow -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(200, b"{}", delay=10.0), id="hang_before_headers"),
        pytest.param(
            Reply(200, b'{"keys":[' + b" " * 20 + b"]}", drip=0.2),
            id="slow_drip_body",
        ),
    ],
)
def test_slow_endpoint_is_bounded_by_the_timeout(
    reply: Reply, ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any]
) -> None:
    """Connect 0.5 s and read 0.5 s: the answer (503) must come within a few seconds, not after the
    10 s hang or the ~6 s the slow drip takes to deliver its 31 bytes (a real attacker or a sick proxy
    can drip for much longer: the bound must not depend on the body's length)."""
    jwks_server.default = reply
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    started = time.monotonic()
    answer = get(app, token(ring.main))
    elapsed = time.monotonic() - started
    assert_503(answer)
    assert elapsed < 3.0, f"the JWKS fetch took {elapsed:.1f}s"


# ---- oversized and invalid documents ------------------------------------------------------------


def _padded_jwks(ring: KeyRing, size: int) -> bytes:
    good = json.loads(jwks_bytes(rsa_jwk(ring.main, KID)))
    good["padding"] = "x" * size
    return json.dumps(good).encode()


def _bad_documents(ring: KeyRing) -> dict[str, Reply]:
    main = rsa_jwk(ring.main, KID)
    return {
        "oversized_with_length": Reply(200, _padded_jwks(ring, 70_000)),
        "oversized_many_keys": Reply(
            200, jwks_bytes(*[rsa_jwk(ring.main, f"k{i}") for i in range(200)], main)
        ),
        "not_json": Reply(200, b"<html>hello</html>"),
        "json_array": Reply(200, json.dumps([main]).encode()),
        "keys_not_array": Reply(200, json.dumps({"keys": main}).encode()),
        "duplicate_keys_member": Reply(200, b'{"keys":[],"keys":[' + json.dumps(main).encode() + b"]}"),
        "nan": Reply(200, b'{"keys":[],"x":NaN}'),
        "bom": Reply(200, b"\xef\xbb\xbf" + jwks_bytes(main)),
        "gzip_encoded": Reply(200, jwks_bytes(main), headers={"Content-Encoding": "gzip"}),
        "only_weak_key": Reply(200, jwks_bytes(rsa_jwk(ring.weak, KID))),
        "only_ec_key": Reply(200, jwks_bytes(ec_jwk(ring.ec, KID))),
        "only_enc_use": Reply(200, jwks_bytes(rsa_jwk(ring.main, KID, use="enc"))),
        "only_hs256_alg": Reply(200, jwks_bytes(rsa_jwk(ring.main, KID, alg="HS256"))),
        "only_oct_key": Reply(200, jwks_bytes({"kty": "oct", "k": "c2VjcmV0", "kid": KID})),
        "even_exponent": Reply(200, jwks_bytes(rsa_jwk(ring.main, KID, e="Ag"))),
        "padded_modulus": Reply(200, jwks_bytes({**main, "n": main["n"] + "=="})),
        "key_ops_sign_only": Reply(200, jwks_bytes(rsa_jwk(ring.main, KID, key_ops=["sign"]))),
        "duplicated_kid": Reply(200, jwks_bytes(main, rsa_jwk(ring.stranger, KID))),
        "empty_keys": Reply(200, b'{"keys":[]}'),
        "empty_body": Reply(200, b""),
    }


BAD_DOCUMENTS = [
    "oversized_with_length",
    "oversized_many_keys",
    "not_json",
    "json_array",
    "keys_not_array",
    "duplicate_keys_member",
    "nan",
    "bom",
    "gzip_encoded",
    "only_weak_key",
    "only_ec_key",
    "only_enc_use",
    "only_hs256_alg",
    "only_oct_key",
    "even_exponent",
    "padded_modulus",
    "key_ops_sign_only",
    "duplicated_kid",
    "empty_keys",
    "empty_body",
]


@pytest.mark.parametrize("name", BAD_DOCUMENTS)
def test_bad_document_is_503_and_never_cached(
    name: str, ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any], mono: FakeClock
) -> None:
    jwks_server.default = _bad_documents(ring)[name]
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    assert_503(get(app, token(ring.main)))
    assert app.jwks.kids == frozenset()
    # a token signed by the key the bad document carried is not let in either, then or later
    mono.advance(10.0)
    assert_503(get(app, token(ring.main, jti="second")))
    assert app.jwks.kids == frozenset()
    # the endpoint is fixed: the next window installs the good set
    jwks_server.default = Reply(200, jwks_bytes(rsa_jwk(ring.main, KID)))
    mono.advance(10.0)
    assert get(app, token(ring.main, jti="third"))["statusCode"] == 200
    assert app.jwks.kids == frozenset({KID})


@pytest.mark.parametrize("name", ["not_json", "only_weak_key", "oversized_with_length", "duplicated_kid"])
def test_bad_refetch_keeps_the_warm_set(
    name: str, ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any], mono: FakeClock
) -> None:
    """A bad document fetched for an unknown kid never replaces the good keys already cached."""
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    assert get(app, token(ring.main))["statusCode"] == 200
    jwks_server.default = _bad_documents(ring)[name]
    mono.advance(11.0)
    assert_503(get(app, token(ring.stranger, kid="unknown-kid")))
    assert app.jwks.kids == frozenset({KID, KID2})
    assert get(app, token(ring.main, jti="after"))["statusCode"] == 200


def test_forged_token_during_outage_is_not_let_in(
    ring: KeyRing, jwks_server: ScriptedServer, app_on: Callable[..., Any]
) -> None:
    """With the keys unobtainable at cold start, no token of any kind is accepted (fail closed)."""
    jwks_server.default = Reply(500, b"")
    app = app_on(jwks_server.url("/.well-known/jwks.json"))
    for value in (
        token(ring.main),
        token(ring.stranger),
        token(ring.main, exp=NOW - 100),
        token(ring.main, scope=READ),
    ):
        answer = get(app, value)
        assert answer["statusCode"] in (401, 503)
        if answer["statusCode"] == 401:
            assert bearer_error(answer) == "invalid_token"
