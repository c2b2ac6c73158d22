"""Access tokens cached in the container, keyed by ``(client_id, sorted scopes)``.

A token is reused until ``expires_in`` minus a skew, measured from the moment the request was sent
(so network time only makes the entry expire earlier, never later). The skew is capped at half the
token's life, so a short-lived token is still reused for part of it instead of never being cached.
The clock is injected (``time.monotonic`` in production): wall-clock jumps do not matter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

CacheKey = tuple[str, tuple[str, ...]]
MAX_ENTRIES = 16  # one per (client_id, scopes) in practice; bounded against secret rotation churn


def cache_key(client_id: str, scopes: tuple[str, ...] | list[str]) -> CacheKey:
    return (client_id, tuple(sorted(set(scopes))))


@dataclass(frozen=True, slots=True)
class CachedToken:
    access_token: str
    refresh_at: float  # clock value after which the token is no longer handed out

    def __repr__(self) -> str:  # never show the token itself
        return f"CachedToken(refresh_at={self.refresh_at:.3f})"


class TokenCache:
    """A small, thread-safe map from :data:`CacheKey` to a token and the time to stop using it."""

    def __init__(self, clock: Callable[[], float], skew_seconds: float) -> None:
        self._clock = clock
        self._skew = skew_seconds
        self._entries: dict[CacheKey, CachedToken] = {}
        self._lock = threading.Lock()

    @property
    def skew(self) -> float:
        """Seconds before expiry at which a token is no longer handed out (at most half its life)."""
        return self._skew

    def lifetime(self, expires_in: int) -> float:
        """Seconds a token valid for ``expires_in`` seconds is reused: ``expires_in - min(skew, half)``."""
        return expires_in - min(self._skew, expires_in / 2)

    def get(self, key: CacheKey) -> str | None:
        """The cached token for ``key``, or None when absent or due for refresh."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() >= entry.refresh_at:
                del self._entries[key]
                return None
            return entry.access_token

    def put(self, key: CacheKey, access_token: str, expires_in: int, *, requested_at: float) -> CachedToken:
        """Cache a token obtained by a request sent at clock value ``requested_at``."""
        entry = CachedToken(access_token, requested_at + self.lifetime(expires_in))
        with self._lock:
            now = self._clock()
            for stale in [k for k, v in self._entries.items() if v.refresh_at <= now]:
                del self._entries[stale]
            while len(self._entries) >= MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = entry
        return entry

    def drop(self, key: CacheKey, access_token: str) -> bool:
        """Forget ``access_token`` for ``key`` (only if it is still the cached one); True if dropped."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.access_token == access_token:
                del self._entries[key]
                return True
            return False

    def __len__(self) -> int:
        return len(self._entries)
