"""cognito_m2m_client.token_cache: reuse until expires_in minus a capped skew, keyed by client and scopes."""

from __future__ import annotations

import pytest

from cognito_m2m_client import token_cache
from cognito_m2m_client.token_cache import TokenCache, cache_key
from tests.client.support import FakeClock

TOKEN = "aaa.bbb.ccc"


def test_key_sorts_and_dedupes_scopes() -> None:
    assert cache_key("c", ["b/x", "a/y", "b/x"]) == ("c", ("a/y", "b/x"))
    assert cache_key("c", ["a/y", "b/x"]) == cache_key("c", ("b/x", "a/y"))
    assert cache_key("c", ["a/y"]) != cache_key("d", ["a/y"])


@pytest.mark.parametrize(
    ("skew", "expires_in", "lifetime"),
    [
        (60, 3600, 3540),
        (60, 300, 240),
        (60, 120, 60),
        (60, 60, 30),
        (60, 1, 0.5),
        (0, 10, 10),
        (300, 400, 200),
    ],
)
def test_skew_is_capped_at_half_the_tokens_life(skew: int, expires_in: int, lifetime: float) -> None:
    assert TokenCache(FakeClock(), skew).lifetime(expires_in) == lifetime


def test_token_is_reused_until_expiry_minus_skew_counted_from_the_request() -> None:
    clock = FakeClock()
    cache = TokenCache(clock, 60)
    key = cache_key("c", ["s"])
    requested_at = clock()
    clock.advance(0.2)  # the request took 200 ms
    cache.put(key, TOKEN, 3600, requested_at=requested_at)
    clock.advance(3539.7)
    assert cache.get(key) == TOKEN
    clock.advance(0.1)  # now requested_at + 3540
    assert cache.get(key) is None
    assert len(cache) == 0


def test_other_keys_miss() -> None:
    cache = TokenCache(FakeClock(), 60)
    cache.put(cache_key("c", ["a"]), TOKEN, 3600, requested_at=0.0 + 1000)
    assert cache.get(cache_key("c", ["b"])) is None
    assert cache.get(cache_key("d", ["a"])) is None


def test_drop_only_removes_the_token_it_names() -> None:
    clock = FakeClock()
    cache = TokenCache(clock, 60)
    key = cache_key("c", ["a"])
    cache.put(key, TOKEN, 3600, requested_at=clock())
    assert cache.drop(key, "other.token.x") is False
    assert cache.get(key) == TOKEN
    assert cache.drop(key, TOKEN) is True
    assert cache.get(key) is None
    assert cache.drop(key, TOKEN) is False


def test_entries_are_bounded_and_expired_ones_purged() -> None:
    clock = FakeClock()
    cache = TokenCache(clock, 0)
    cache.put(cache_key("short", []), TOKEN, 1, requested_at=clock())
    clock.advance(2)
    cache.put(cache_key("c0", []), TOKEN, 3600, requested_at=clock())
    assert len(cache) == 1  # the expired entry went
    for i in range(1, token_cache.MAX_ENTRIES + 5):
        cache.put(cache_key(f"c{i}", []), TOKEN, 3600, requested_at=clock())
    assert len(cache) == token_cache.MAX_ENTRIES
    assert cache.get(cache_key("c0", [])) is None  # oldest evicted
    assert cache.get(cache_key(f"c{token_cache.MAX_ENTRIES + 4}", [])) == TOKEN


def test_the_least_recently_used_scope_set_goes_first_and_the_first_eviction_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    cache = TokenCache(clock, 0, max_entries=3)
    assert cache.max_entries == 3
    hot = cache_key("c", ["orders/read"])
    cache.put(hot, "hot.token.x", 3600, requested_at=clock())
    for i in range(10):  # one-off scope sets between uses of the hot one
        cache.put(cache_key("c", [f"once/{i}"]), TOKEN, 3600, requested_at=clock())
        assert cache.get(hot) == "hot.token.x"
        assert len(cache) <= 3
    assert cache.evictions == 8  # once/0..once/7: two slots for one-offs beside the hot set
    assert cache.get(cache_key("c", ["once/9"])) == TOKEN
    assert cache.get(cache_key("c", ["once/7"])) is None
    warnings = [r for r in caplog.records if "token cache full" in r.getMessage()]
    assert len(warnings) == 1
    assert "3 scope sets" in warnings[0].getMessage()
    assert "hot.token" not in caplog.text


def test_putting_a_held_key_again_evicts_nothing() -> None:
    clock = FakeClock()
    cache = TokenCache(clock, 0, max_entries=2)
    cache.put(cache_key("a", []), TOKEN, 3600, requested_at=clock())
    cache.put(cache_key("b", []), TOKEN, 3600, requested_at=clock())
    cache.put(cache_key("a", []), "new.token.x", 3600, requested_at=clock())
    assert cache.evictions == 0
    assert cache.get(cache_key("b", [])) == TOKEN
    assert cache.get(cache_key("a", [])) == "new.token.x"


@pytest.mark.parametrize(
    ("bound", "error"), [(0, ValueError), (1025, ValueError), (True, TypeError), (2.0, TypeError)]
)
def test_the_bound_is_a_small_positive_int(bound: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_scope_sets"):
        TokenCache(FakeClock(), 0, max_entries=bound)  # type: ignore[arg-type]


def test_repr_never_shows_the_token() -> None:
    clock = FakeClock()
    entry = TokenCache(clock, 60).put(cache_key("c", []), TOKEN, 3600, requested_at=clock())
    assert TOKEN not in repr(entry)
    assert "refresh_at" in repr(entry)
