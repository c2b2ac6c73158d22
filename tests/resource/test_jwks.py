"""jwks: fetch, validation, penalty window, failures, concurrency (real loopback server)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from resource_testkit import KID, KID2, FakeClock, JwksServer, Keys, b64url, jwk_for, jwks_document

from cognito_m2m_verifier.errors import KeysUnavailable, UnknownKey
from cognito_m2m_verifier.jwks import InvalidKey, InvalidKeySet, JwksCache, parse_jwks, rsa_key_from_jwk

MakeJwks = Callable[..., JwksCache]


def test_fetches_lazily_once_and_keeps_keys(make_jwks: MakeJwks, jwks_server: JwksServer, keys: Keys) -> None:
    cache = make_jwks()
    assert jwks_server.hits == 0
    key = cache.get_key(KID)
    assert key.public_numbers() == keys.main.public_key().public_numbers()
    assert cache.get_key(KID2).public_numbers() == keys.second.public_key().public_numbers()
    for _ in range(50):
        assert cache.get_key(KID) is key  # built once, never per token
    assert jwks_server.hits == 1
    assert jwks_server.paths == ["/.well-known/jwks.json"]
    assert cache.kids == {KID, KID2}
    assert cache.generation == 1


def test_unknown_kid_flood_refetches_at_most_once_per_window(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock
) -> None:
    cache = make_jwks()
    cache.get_key(KID)  # cold fetch at t=1000: the window runs until 1010
    assert jwks_server.hits == 1
    for i in range(500):
        with pytest.raises(UnknownKey):
            cache.get_key(f"unknown-{i}")
    assert jwks_server.hits == 1
    mono.advance(10)  # window over: exactly one refetch for the whole next flood
    for i in range(500):
        with pytest.raises(UnknownKey):
            cache.get_key(f"again-{i}")
        mono.advance(0.019)  # 500 tokens spread over 9.5 s
    assert jwks_server.hits == 2
    mono.advance(0.6)
    with pytest.raises(UnknownKey):
        cache.get_key("later")
    assert jwks_server.hits == 3
    assert cache.get_key(KID) is not None  # known kids never wait for the window
    assert cache.fetch_count == 3


def test_new_kid_is_picked_up_after_the_window(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock, keys: Keys
) -> None:
    cache = make_jwks()
    cache.get_key(KID)
    jwks_server.body = jwks_document(jwk_for(keys.main, KID), jwk_for(keys.stranger, "rotated"))
    with pytest.raises(UnknownKey):
        cache.get_key("rotated")  # inside the first window: no refetch yet
    mono.advance(10)
    assert cache.get_key("rotated").public_numbers() == keys.stranger.public_key().public_numbers()
    assert cache.generation == 2
    assert cache.kids == {KID, "rotated"}  # KID2 left the set and is no longer usable
    with pytest.raises(UnknownKey):
        cache.get_key(KID2)


def test_refetch_of_the_same_set_keeps_the_generation(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock
) -> None:
    cache = make_jwks()
    cache.get_key(KID)
    mono.advance(11)
    with pytest.raises(UnknownKey):
        cache.get_key("nope")
    assert jwks_server.hits == 2
    assert cache.generation == 1


def test_endpoint_down_at_cold_start_is_keys_unavailable_with_retry_after(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock
) -> None:
    cache = make_jwks(url=jwks_server.closed_url)
    with pytest.raises(KeysUnavailable) as first:
        cache.get_key(KID)
    assert first.value.retry_after == 10
    mono.advance(4)
    with pytest.raises(KeysUnavailable) as second:
        cache.get_key(KID)  # no new attempt inside the window
    assert second.value.retry_after == 6
    assert cache.fetch_count == 1


def test_endpoint_error_status_cold_then_recovers(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock
) -> None:
    good = jwks_server.body
    jwks_server.status, jwks_server.body = 503, b'{"message": "down"}'
    cache = make_jwks()
    with pytest.raises(KeysUnavailable):
        cache.get_key(KID)
    jwks_server.status, jwks_server.body = 200, good
    mono.advance(10)
    assert cache.get_key(KID) is not None
    assert jwks_server.hits == 2


def test_endpoint_down_with_warm_cache_keeps_known_kids_working(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock
) -> None:
    cache = make_jwks()
    key = cache.get_key(KID)
    jwks_server.status = 500
    mono.advance(30)
    assert cache.get_key(KID) is key
    with pytest.raises(KeysUnavailable):
        cache.get_key("rotated-while-down")  # the fetch fails: the server's fault, 503
    with pytest.raises(KeysUnavailable):
        cache.get_key("rotated-while-down")  # still inside the window after a failure
    assert cache.get_key(KID) is key
    assert cache.get_key(KID2) is not None
    assert jwks_server.hits == 2


def test_connect_timeout_and_read_timeout_are_bounded(make_jwks: MakeJwks, jwks_server: JwksServer) -> None:
    jwks_server.delay = 2.0
    cache = make_jwks(read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(KeysUnavailable):
        cache.get_key(KID)
    assert time.monotonic() - started < 1.9


def test_a_dripping_body_is_cut_off_at_connect_plus_read_timeout(
    make_jwks: MakeJwks, jwks_server: JwksServer
) -> None:
    jwks_server.drip = 0.05  # the whole document would take many seconds
    cache = make_jwks(connect_timeout=0.3, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(KeysUnavailable, match=r"longer than 0\.6 s|ReadTimeout"):
        cache.get_key(KID)
    assert time.monotonic() - started < 1.5


def test_a_slow_but_timely_body_is_read(make_jwks: MakeJwks, jwks_server: JwksServer) -> None:
    jwks_server.body = b'{"keys": []}'
    jwks_server.drip = 0.01
    with pytest.raises(KeysUnavailable, match="no usable"):  # the whole (empty) set arrived in time
        make_jwks(read_timeout=2.0).get_key(KID)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"keys": {}}',
        b'{"nokeys": []}',
        b'{"keys": [], "keys": []}',
        b'{"keys": []}',
        b'{"keys": [{"kty": "EC", "kid": "x"}]}',
    ],
)
def test_bad_document_never_replaces_a_good_set(
    make_jwks: MakeJwks, jwks_server: JwksServer, mono: FakeClock, body: bytes
) -> None:
    cache = make_jwks()
    key = cache.get_key(KID)
    jwks_server.body = body
    mono.advance(10)
    with pytest.raises(KeysUnavailable):
        cache.get_key("new")
    assert cache.get_key(KID) is key
    assert cache.generation == 1


def test_oversized_jwks_rejected_by_content_length(
    make_jwks: MakeJwks, jwks_server: JwksServer, keys: Keys
) -> None:
    padding = [jwk_for(keys.stranger, f"pad{i}") for i in range(200)]
    jwks_server.body = jwks_document(jwk_for(keys.main, KID), *padding)
    assert len(jwks_server.body) > 64 * 1024
    with pytest.raises(KeysUnavailable, match="larger"):
        make_jwks().get_key(KID)


def test_oversized_jwks_rejected_without_content_length(make_jwks: MakeJwks, jwks_server: JwksServer) -> None:
    jwks_server.omit_length = True
    with pytest.raises(KeysUnavailable, match="larger"):
        make_jwks(max_bytes=200).get_key(KID)
    jwks_server.omit_length = True
    assert make_jwks(max_bytes=64 * 1024).get_key(KID) is not None  # read to EOF, within the cap


@pytest.mark.parametrize(
    ("status", "headers"),
    [(302, {"Location": "http://127.0.0.1:9/jwks.json"}), (200, {"Content-Encoding": "gzip"}), (404, {})],
)
def test_redirects_encodings_and_errors_are_refused(
    make_jwks: MakeJwks, jwks_server: JwksServer, status: int, headers: dict[str, str]
) -> None:
    jwks_server.status, jwks_server.headers = status, headers
    with pytest.raises(KeysUnavailable):
        make_jwks().get_key(KID)
    assert jwks_server.hits == 1


def test_concurrent_callers_share_one_fetch(make_jwks: MakeJwks, jwks_server: JwksServer) -> None:
    jwks_server.delay = 0.3
    cache = make_jwks(clock=time.monotonic)
    results: list[Any] = []

    def worker() -> None:
        try:
            results.append(cache.get_key(KID))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 8
    assert all(r is results[0] for r in results)
    assert jwks_server.hits == 1


def test_bad_keys_are_dropped_and_never_used(
    make_jwks: MakeJwks, jwks_server: JwksServer, keys: Keys
) -> None:
    ec_numbers = keys.ec.public_key().public_numbers()
    ec_jwk = {"kty": "EC", "crv": "P-256", "kid": "ec", "x": b64url(ec_numbers.x.to_bytes(32, "big")),
              "y": b64url(ec_numbers.y.to_bytes(32, "big")), "use": "sig"}  # fmt: skip
    jwks_server.body = jwks_document(
        jwk_for(keys.main, KID),
        jwk_for(keys.weak, "weak-1024"),
        ec_jwk,
        jwk_for(keys.second, "enc-key", use="enc"),
        jwk_for(keys.second, "rs512", alg="RS512"),
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
        jwk_for(keys.stranger, "dup"),
        jwk_for(keys.second, "dup"),
        jwk_for(keys.second, "dup"),
    )
    cache = make_jwks()
    assert cache.get_key(KID) is not None
    assert cache.kids == {KID}
    for kid in ("weak-1024", "ec", "enc-key", "rs512", "hmac", "dup"):
        with pytest.raises(UnknownKey):
            cache.get_key(kid)


def test_load_preloads_without_http(keys: Keys) -> None:
    cache = JwksCache("https://cognito-idp.us-east-1.amazonaws.com/x/.well-known/jwks.json")
    doc = jwks_document(jwk_for(keys.main, KID))
    cache.load(doc)
    assert cache.get_key(KID) is not None
    assert cache.generation == 1
    cache.load(doc)
    assert cache.generation == 1
    with pytest.raises(InvalidKeySet):
        cache.load(b"{}")
    assert cache.kids == {KID}
    with pytest.raises(ValueError, match="http"):
        JwksCache("file:///etc/passwd")


def good_jwk(keys: Keys, **over: Any) -> dict[str, Any]:
    jwk = jwk_for(keys.main, "k")
    jwk.update(over)
    return jwk


@pytest.mark.parametrize(
    ("over", "problem"),
    [
        ({"kty": "EC"}, "kty"),
        ({"kty": None}, "kty"),
        ({"use": "enc"}, "use"),
        ({"use": None}, None),
        ({"alg": "RS384"}, "alg"),
        ({"alg": "HS256"}, "alg"),
        ({"alg": None}, None),
        ({"key_ops": ["encrypt"]}, "key_ops"),
        ({"key_ops": "verify"}, "key_ops"),
        ({"key_ops": ["verify"]}, None),
        ({"kid": None}, "kid"),
        ({"kid": ""}, "kid"),
        ({"kid": 5}, "kid"),
        ({"kid": "a b"}, "kid"),
        ({"e": "AQAB="}, "e"),
        ({"e": "AQ+B"}, "e"),
        ({"e": ""}, "e"),
        ({"e": 65537}, "e"),
        ({"e": "Ag"}, "exponent"),  # 2: even
        ({"e": "AQ"}, "exponent"),  # 1
        ({"e": b64url((2**40 + 1).to_bytes(6, "big"))}, "exponent"),
        ({"n": None}, "n"),
        ({"n": "AQAB"}, "modulus"),
    ],
)
def test_rsa_key_from_jwk_rules(keys: Keys, over: dict[str, Any], problem: str | None) -> None:
    jwk = good_jwk(keys, **over)
    for name, value in over.items():
        if value is None:
            jwk.pop(name, None)
    if problem is None:
        kid, n, e, key = rsa_key_from_jwk(jwk)
        assert (kid, e) == ("k", 65537)
        assert key.public_numbers().n == n
    else:
        with pytest.raises(InvalidKey, match=problem):
            rsa_key_from_jwk(jwk)


def test_rsa_key_from_jwk_rejects_weak_huge_and_non_objects(keys: Keys) -> None:
    with pytest.raises(InvalidKey, match="1024 bits"):
        rsa_key_from_jwk(jwk_for(keys.weak, "w"))
    huge_n = b64url((2**8200 + 1).to_bytes(1026, "big"))
    with pytest.raises(InvalidKey, match="modulus"):
        rsa_key_from_jwk(good_jwk(keys, n=huge_n))
    with pytest.raises(InvalidKey, match="object"):
        rsa_key_from_jwk(["kty", "RSA"])
    # the largest allowed exponent (32 bits) is accepted
    n_small = 2**2047 + 1
    e_big = (1 << 31) + 1
    jwk = good_jwk(keys, n=b64url(n_small.to_bytes(256, "big")), e=b64url(e_big.to_bytes(4, "big")))
    rsa_key_from_jwk(jwk)  # valid per rules; cryptography accepts it


def test_parse_jwks_ignores_unknown_members_and_needs_one_usable_key(keys: Keys) -> None:
    doc = {"keys": [jwk_for(keys.main, KID, x5c=["MIIB"], extra="yes")], "other": 1}
    assert set(parse_jwks(json.dumps(doc).encode())) == {KID}
    with pytest.raises(InvalidKeySet, match="no usable"):
        parse_jwks(jwks_document(jwk_for(keys.weak, "w")))


# ---- numeric headers from the JWKS endpoint are ASCII decimals of bounded length, else ignored -----


@pytest.mark.parametrize(
    "length",
    ["²", "¹²³", "9" * 5000, "0x10", "1e3"],
    ids=["superscript-two", "superscript-123", "5000-digits", "hex", "exponent"],
)
def test_malformed_content_length_is_ignored_and_the_keys_still_load(
    make_jwks: MakeJwks, jwks_server: JwksServer, keys: Keys, length: str
) -> None:
    """``str.isdigit`` accepts ``²``, which ``int`` then rejects; ``int`` refuses 4,300+ digits. Either
    used to escape from the fetch and answer 401 to genuine tokens."""
    jwks_server.headers = {"Content-Length": length, "Connection": "close"}  # the body runs to the close
    key = make_jwks().get_key(KID)
    assert key.public_numbers() == keys.main.public_key().public_numbers()


def test_twelve_digit_content_length_over_the_cap_is_still_refused(
    make_jwks: MakeJwks, jwks_server: JwksServer
) -> None:
    jwks_server.headers = {"Content-Length": "999999999999", "Connection": "close"}
    with pytest.raises(KeysUnavailable, match="larger"):
        make_jwks().get_key(KID)


def _broken_download(*args: Any, **kwargs: Any) -> Any:
    """Stands in for the download when it fails in a way the fetch does not foresee (a library bug): the
    one thing here that is not real, because no real upstream can make http.client raise this."""
    raise RuntimeError("unforeseen failure inside the HTTP library")


def test_any_unforeseen_fetch_failure_is_keys_unavailable_never_invalid_token(make_jwks: MakeJwks) -> None:
    cache = make_jwks(download=_broken_download)
    with pytest.raises(KeysUnavailable) as caught:
        cache.get_key(KID)
    assert caught.value.retry_after >= 1
    with pytest.raises(KeysUnavailable):  # within the penalty window: still 503, not UnknownKey (401)
        cache.get_key(KID)


@pytest.mark.parametrize("member", ["n", "e"])
def test_leading_zero_octet_in_n_or_e_is_rejected(keys: Keys, member: str) -> None:
    """RFC 7518 §6.3.1.1: n (and e, §6.3.1.2) use the minimum number of octets; a leading zero octet is a
    second spelling of the same key."""
    jwk = jwk_for(keys.main, KID)
    numbers = keys.main.public_key().public_numbers()
    value = numbers.n if member == "n" else numbers.e
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    jwk[member] = b64url(b"\x00" + raw)
    with pytest.raises(InvalidKey, match="leading zero"):
        rsa_key_from_jwk(jwk)
    with pytest.raises(InvalidKeySet):
        parse_jwks(jwks_document(jwk))
