"""Signing-key rotation and unknown-``kid`` floods, against a real loopback JWKS endpoint.

The JWKS cache has no TTL (as aws-jwt-verify): a new key is learnt when a token names it, a removed
key is forgotten at the next refetch; refetches happen at most once per 10-second penalty window
(injected monotonic clock), whatever the number of tokens with unknown ``kid`` s.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable
from typing import Any

from tests.reliability import log_capture
from tests.reliability.support import (
    KID,
    KID2,
    KeyRing,
    alb_event,
    b64url,
    bearer_error,
    claims,
    compact_json,
    jwks_bytes,
    rsa_jwk,
    token,
)
from tests.resource.resource_testkit import FakeClock, JwksServer

NEW_KID = "rotated-2026-kid"


def status(app: Any, value: str) -> int:
    answer = app.handle(alb_event("GET", "/api", authorization=f"Bearer {value}"))
    code: int = answer["statusCode"]
    if code == 401:
        assert bearer_error(answer) == "invalid_token"
    return code


def test_new_key_accepted_after_one_refetch_old_key_rejected_after_the_next(
    ring: KeyRing, pool_keys: JwksServer, make_resource_app: Callable[..., Any], mono: FakeClock
) -> None:
    pool_keys.reset(jwks_bytes(rsa_jwk(ring.main, KID), rsa_jwk(ring.second, KID2)))
    app = make_resource_app()
    old = token(ring.main)
    assert status(app, old) == 200
    assert pool_keys.hits == 1

    # Cognito publishes the new key and starts signing with it
    pool_keys.body = jwks_bytes(
        rsa_jwk(ring.main, KID), rsa_jwk(ring.second, KID2), rsa_jwk(ring.rotated, NEW_KID)
    )
    mono.advance(10.0)
    new_tokens = [token(ring.rotated, kid=NEW_KID, jti=f"new-{i}") for i in range(50)]
    assert [status(app, t) for t in new_tokens] == [200] * 50
    assert pool_keys.hits == 2  # exactly one refetch for fifty tokens of the new key
    assert status(app, old) == 200  # both keys are valid during the overlap

    # the old key is withdrawn; the next refetch (triggered by any unknown kid) forgets it
    pool_keys.body = jwks_bytes(rsa_jwk(ring.rotated, NEW_KID))
    assert status(app, token(ring.main, jti="old-still-cached-key")) == 200  # no refetch yet: no TTL
    mono.advance(10.0)
    assert status(app, token(ring.stranger, kid="someone-else")) == 401
    assert pool_keys.hits == 3
    assert status(app, old) == 401  # even though it was in the verified-token cache
    assert status(app, token(ring.main, jti="old-key-new-token")) == 401
    assert status(app, token(ring.rotated, kid=NEW_KID, jti="new-after")) == 200
    assert pool_keys.hits == 3  # the rejected old-key tokens fell in the penalty window


def test_new_key_within_the_penalty_window_waits_for_it(
    ring: KeyRing, pool_keys: JwksServer, make_resource_app: Callable[..., Any], mono: FakeClock
) -> None:
    """A token of a just-published key, arriving less than 10 s after the last fetch, is refused (401,
    the client retries with the same token later) and accepted once the window has passed."""
    app = make_resource_app()
    assert status(app, token(ring.main)) == 200
    pool_keys.body = jwks_bytes(rsa_jwk(ring.main, KID), rsa_jwk(ring.rotated, NEW_KID))
    fresh = token(ring.rotated, kid=NEW_KID)
    mono.advance(3.0)
    assert status(app, fresh) == 401
    mono.advance(7.0)
    assert status(app, fresh) == 200
    assert pool_keys.hits == 2


def _flood_tokens(ring: KeyRing, count: int) -> list[str]:
    """Plausible tokens (valid claims) with random unknown kids; their signatures are random bytes: the
    kid lookup comes before any RSA work, so they cost the verifier the same as signed ones."""
    payload = b64url(compact_json(claims()))
    out = []
    for _ in range(count):
        kid = base64.b64encode(os.urandom(24)).decode()
        header = b64url(json.dumps({"kid": kid, "alg": "RS256"}, separators=(",", ":")).encode())
        out.append(f"{header}.{payload}.{b64url(os.urandom(256))}")
    return out


def test_flood_of_10000_unknown_kids_one_fetch_per_window(
    ring: KeyRing, pool_keys: JwksServer, make_resource_app: Callable[..., Any], mono: FakeClock
) -> None:
    app = make_resource_app()
    genuine = token(ring.main)
    assert status(app, genuine) == 200
    flood = _flood_tokens(ring, 10_000)
    statuses: dict[int, int] = {}
    span = 0.0
    for i, value in enumerate(flood):
        mono.advance(0.01)  # 10,000 tokens over 100 s of the cache's clock
        span += 0.01
        code = status(app, value)
        statuses[code] = statuses.get(code, 0) + 1
        if i % 1000 == 0:
            assert status(app, token(ring.main, jti=f"during-{i}")) == 200  # never locked out
    assert statuses == {401: 10_000}
    windows = int(span // 10.0) + 1
    fetches = pool_keys.hits - 1
    assert fetches <= windows, (fetches, windows)
    assert fetches >= windows - 1  # and it does refetch in each window (new keys are learnt)


def test_flood_from_concurrent_threads_shares_one_fetch(
    ring: KeyRing, pool_keys: JwksServer, make_resource_app: Callable[..., Any], mono: FakeClock
) -> None:
    """Eight threads send 2,000 unknown-kid tokens at once with the clock stopped: one fetch in all."""
    app = make_resource_app()
    assert status(app, token(ring.main)) == 200
    mono.advance(10.0)
    flood = _flood_tokens(ring, 2000)
    codes: list[int] = []
    guard = threading.Lock()

    def worker(part: list[str]) -> None:
        mine = [status(app, t) for t in part]
        with guard:
            codes.extend(mine)

    threads = [threading.Thread(target=worker, args=(flood[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(codes) == 2000
    assert set(codes) == {401}
    assert pool_keys.hits == 2


def test_flood_tokens_do_not_grow_the_verified_cache(
    ring: KeyRing, pool_keys: JwksServer, make_resource_app: Callable[..., Any], mono: FakeClock
) -> None:
    app = make_resource_app()
    for value in _flood_tokens(ring, 500):
        status(app, value)
    assert app.verifier.cached_tokens == 0
    log_capture.register_secrets([token(ring.main)])
