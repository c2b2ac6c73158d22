"""Access tokens cached in the container, keyed by ``(client_id, sorted scopes)`` (and the client
metadata's digest when there is metadata: see :func:`cache_key`).

A token is reused until ``expires_in`` minus a skew, measured from the moment the request was sent
(so network time only makes the entry expire earlier, never later). The skew is capped at half the
token's life, so a short-lived token is still reused for part of it instead of never being cached.
The clock is injected (``time.monotonic`` in production): wall-clock jumps do not matter.

The cache holds at most ``max_entries`` scope sets per client (16 by default): a service asks for a few
fixed scope sets, and the bound keeps a caller that builds scope sets from its input, or a client id that
rotates, from growing the container's memory. Past the bound the least recently used token is forgotten
(expired ones first); each forgotten token that is needed again is one more billed token request, so
evictions are counted (:attr:`TokenCache.evictions`) and the first one is logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from cognito_m2m_client._shared.log import get_logger
from cognito_m2m_client.client_metadata import ClientMetadata, metadata_digest

CacheKey = tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], str]
"""``(client_id, sorted scopes)``, or ``(client_id, sorted scopes, metadata digest)`` with metadata."""
MAX_ENTRIES = 16  # scope sets per container: one per (client_id, scopes); see the module's docstring
MAX_ENTRIES_LIMIT = 1024

log = get_logger(__name__)


def cache_key(
    client_id: str, scopes: tuple[str, ...] | list[str], client_metadata: ClientMetadata = ()
) -> CacheKey:
    """The key of a token: without metadata ``(client_id, sorted scopes)``, as before metadata existed;
    with metadata its :func:`~cognito_m2m_client.client_metadata.metadata_digest` is a third part (a
    digest, never the values), so two metadata sets never share a token."""
    scope_set = tuple(sorted(set(scopes)))
    if not client_metadata:
        return (client_id, scope_set)
    return (client_id, scope_set, metadata_digest(client_metadata))


@dataclass(frozen=True, slots=True)
class CachedToken:
    access_token: str
    refresh_at: float  # clock value after which the token is no longer handed out

    def __repr__(self) -> str:  # never show the token itself
        return f"CachedToken(refresh_at={self.refresh_at:.3f})"


class TokenCache:
    """A small, thread-safe map from :data:`CacheKey` to a token and the time to stop using it, holding
    at most ``max_entries`` keys (least recently used forgotten first)."""

    def __init__(
        self, clock: Callable[[], float], skew_seconds: float, max_entries: int = MAX_ENTRIES
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int):
            raise TypeError("max_scope_sets must be an int")
        if not 1 <= max_entries <= MAX_ENTRIES_LIMIT:
            raise ValueError(f"max_scope_sets is 1-{MAX_ENTRIES_LIMIT}")
        self._clock = clock
        self._skew = skew_seconds
        self._max = max_entries
        self._entries: dict[CacheKey, CachedToken] = {}  # least recently used first
        self._lock = threading.Lock()
        self.evictions = 0  # valid tokens forgotten because the bound was reached

    @property
    def max_entries(self) -> int:
        """How many scope sets (``(client_id, scopes)`` keys) the cache holds at most."""
        return self._max

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
            if len(self._entries) > 1:  # most recently used last
                del self._entries[key]
                self._entries[key] = entry
            return entry.access_token

    def put(self, key: CacheKey, access_token: str, expires_in: int, *, requested_at: float) -> CachedToken:
        """Cache a token obtained by a request sent at clock value ``requested_at``."""
        entry = CachedToken(access_token, requested_at + self.lifetime(expires_in))
        with self._lock:
            now = self._clock()
            for stale in [k for k, v in self._entries.items() if v.refresh_at <= now]:
                del self._entries[stale]
            self._entries.pop(key, None)
            evicted = 0
            while len(self._entries) >= self._max:
                del self._entries[next(iter(self._entries))]
                evicted += 1
            self._entries[key] = entry
            first = evicted > 0 and self.evictions == 0
            self.evictions += evicted
        if first:
            log.warning(
                "token cache full: it holds %d scope sets per container and forgot the least recently "
                "used token; each token needed again is one more token request (give fewer scope sets, "
                "or raise max_scope_sets)",
                self._max,
            )
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
