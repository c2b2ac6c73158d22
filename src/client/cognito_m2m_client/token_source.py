"""Access tokens for one app client: cached per scope set, fetched once however many threads ask.

:class:`TokenSource` is the one place that turns credentials into a token. The Lambda function's
:class:`~cognito_m2m_client.client.TokenClient` and the library's
:class:`~cognito_m2m_client.tokens.CognitoTokens` both use it, so the cache rules, the single fetch
per key and the rotation check below exist once:

- a token is taken from the :class:`~cognito_m2m_client.token_cache.TokenCache` under
  ``(client_id, sorted scopes)`` (and the client metadata's digest when the source sends metadata: it
  is fixed per source, sent with every request and part of every key); on a miss, one thread per key
  requests it while the others wait for that answer (a lock per key: a slow request for one scope set
  never holds up another);
- the token endpoint answering ``invalid_client`` to credentials that were read from Secrets Manager
  more than a few seconds ago makes the secret be read again, and only if it changed (a rotation) is
  the token requested once more. Credentials given directly are never re-read;
- with a :class:`~cognito_m2m_client.shared_cache.SharedTokenTable`, a miss looks in the fleet's table
  before asking Cognito, and one container per key fetches for all (see that module); any failure of
  the table falls back to a direct request, logged and counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from cognito_m2m_client._shared.log import get_logger
from cognito_m2m_client.client_metadata import ClientMetadata
from cognito_m2m_client.errors import TokenEndpointError
from cognito_m2m_client.http import Deadline, HttpClient
from cognito_m2m_client.oauth import UPSTREAM as TOKEN_ENDPOINT
from cognito_m2m_client.oauth import AccessToken, request_token
from cognito_m2m_client.secret_cache import ClientCredentials
from cognito_m2m_client.shared_cache import SharedCacheError, SharedTokenTable
from cognito_m2m_client.token_cache import CacheKey, TokenCache, cache_key

log = get_logger(__name__)

SECRET_RECHECK_MIN_AGE = 10.0  # re-read the secret on invalid_client only if the cached one is older
SHARED_WAIT_MARGIN = 2.0  # seconds of the deadline kept for a direct request after waiting in vain


class RequestToken(Protocol):
    """One token request: the token endpoint's (:func:`~cognito_m2m_client.oauth.request_token`) or
    GetClientToken's (:func:`~cognito_m2m_client.client_token_api.request_client_token`), with the
    source's client metadata."""

    def __call__(
        self,
        credentials: ClientCredentials,
        scopes: tuple[str, ...],
        deadline: Deadline,
        /,
        *,
        client_metadata: ClientMetadata,
    ) -> AccessToken: ...


class CredentialsSource(Protocol):
    """Where the app client's id and secret come from (:class:`~cognito_m2m_client.secret_cache.SecretCache`
    or :class:`StaticCredentials`)."""

    @property
    def reads(self) -> int: ...

    def get(self) -> tuple[ClientCredentials, bool]: ...

    def age(self) -> float: ...

    def invalidate(self) -> None: ...


class StaticCredentials:
    """Credentials given directly: never re-read, so a rotation is never suspected."""

    reads = 0

    def __init__(self, credentials: ClientCredentials) -> None:
        self._credentials = credentials

    def get(self) -> tuple[ClientCredentials, bool]:
        return self._credentials, False

    def age(self) -> float:
        return 0.0

    def invalidate(self) -> None:
        """Nothing to re-read."""

    def __repr__(self) -> str:
        return f"StaticCredentials(client_id={self._credentials.client_id!r})"


@dataclass(slots=True)
class TokenStats:
    """What the source has spent so far (read by tests, the benchmark and the function's answer)."""

    token_cache_hits: int = 0
    tokens_fetched: int = 0
    shared_cache_hits: int = 0
    shared_cache_fallbacks: int = 0


@dataclass(frozen=True, slots=True)
class Token:
    """A token as handed out: its cache key, its value, and whether this very call fetched it."""

    key: CacheKey
    value: str
    fetched_now: bool

    def __repr__(self) -> str:  # never show the token itself
        return f"Token(key={self.key!r}, fetched_now={self.fetched_now})"


class TokenSource:
    """Tokens of one app client from one token source, cached per scope set; thread-safe.

    ``request`` asks for a token (default: the token endpoint at ``token_url``); its HTTP requests are
    counted as token requests whichever source it is. ``client_metadata`` goes with every request and
    into every cache key (here and in the fleet's table)."""

    def __init__(
        self,
        *,
        token_url: str,
        credentials: CredentialsSource,
        tokens: TokenCache,
        http: HttpClient,
        clock: Callable[[], float],
        shared: SharedTokenTable | None = None,
        wall_clock: Callable[[], float] = time.time,
        request: RequestToken | None = None,
        client_metadata: ClientMetadata = (),
    ) -> None:
        self.token_url = token_url
        self._request: RequestToken = request or partial(request_token, http, token_url)
        self.client_metadata = client_metadata
        self.credentials = credentials
        self.tokens = tokens
        self.http = http
        self.shared = shared
        self._clock = clock
        self._wall = wall_clock
        self._locks: dict[CacheKey, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.stats = TokenStats()

    @property
    def token_requests(self) -> int:
        """HTTP requests sent to the token endpoint (retries included)."""
        return self.http.sent[TOKEN_ENDPOINT]

    def get(self, scopes: Iterable[str], deadline: Deadline) -> Token:
        """A valid token for ``scopes`` (empty: every scope enabled on the app client), cached or fetched."""
        wanted = tuple(scopes)
        credentials, _ = self.credentials.get()
        key = cache_key(credentials.client_id, wanted, self.client_metadata)
        value = self.tokens.get(key)
        if value is not None:
            self.stats.token_cache_hits += 1
            log.debug("token cache hit")
            return Token(key, value, fetched_now=False)
        with self._lock_for(key):
            value = self.tokens.get(key)
            if value is not None:  # another thread fetched it while this one waited
                self.stats.token_cache_hits += 1
                return Token(key, value, fetched_now=False)
            if self.shared is not None:
                found = self._from_shared(self.shared, credentials, key, deadline)
                if found is not None:
                    return found
            log.info("token cache miss: requesting a token", extra={"token_cache": "miss"})
            return self._fetch(credentials, key[1], deadline)

    def _from_shared(
        self, shared: SharedTokenTable, credentials: ClientCredentials, key: CacheKey, deadline: Deadline
    ) -> Token | None:
        """The fleet's token for ``key`` (fetched here when this container wins the lease); None: fall
        back to a direct request."""
        skew = self.tokens.skew
        try:
            lookup = shared.lookup(key, skew)
            found = lookup.token
            if found is None:
                # an unusable item is replaced whatever its expiry says; else the lease is taken only
                # while no fresh token has arrived since the read
                if shared.try_lease(key, None if lookup.unusable else skew):
                    log.info(
                        "shared token cache miss: this container fetches", extra={"token_cache": "lease"}
                    )
                    try:
                        token = self._fetch(credentials, key[1], deadline)
                    except Exception:
                        self._release(shared, key)
                        raise
                    try:
                        stored = shared.store(key, token.value)
                    except SharedCacheError as exc:  # the token is still good here; the others fall back
                        self._shared_fallback(shared, exc)
                        stored = False
                    if not stored:  # the others need not wait out the lease for a token that never comes
                        self._release(shared, key)
                    return token
                found = shared.wait(key, skew, deadline.remaining() - SHARED_WAIT_MARGIN)
                if found is None:
                    raise SharedCacheError("lease_wait_timeout", "the lease holder's token did not arrive")
        except SharedCacheError as exc:
            self._shared_fallback(shared, exc)
            return None
        shared.stats.hits += 1
        self.stats.shared_cache_hits += 1
        requested_at = self._clock()
        self.tokens.put(key, found.value, int(found.expires_at - self._wall()), requested_at=requested_at)
        log.info("token from the shared cache", extra={"token_cache": "shared_hit"})
        return Token(key, found.value, fetched_now=False)

    def _shared_fallback(self, shared: SharedTokenTable, exc: SharedCacheError) -> None:
        shared.fallback(exc.kind)
        self.stats.shared_cache_fallbacks += 1
        log.warning(
            "shared token cache unusable (%s): requesting a token directly",
            exc.kind,
            extra={"shared_cache_fallback": exc.kind},
        )

    def _release(self, shared: SharedTokenTable, key: CacheKey) -> None:
        try:
            shared.release(key)
        except SharedCacheError as exc:  # the lease then expires by itself
            log.warning(
                "shared token cache lease not released (%s)", exc.kind, extra={"token_cache": "lease"}
            )

    def drop(self, token: Token) -> bool:
        """Stop handing out ``token`` (the API rejected it), here and in the fleet's table; True if it
        was still the cached one."""
        return self._drop(token.key, token.value)

    def forget(self, scopes: Iterable[str], value: str) -> bool:
        """:meth:`drop` for a token known by its value and scopes only."""
        credentials, _ = self.credentials.get()
        return self._drop(cache_key(credentials.client_id, tuple(scopes), self.client_metadata), value)

    def _drop(self, key: CacheKey, value: str) -> bool:
        dropped = self.tokens.drop(key, value)
        if self.shared is not None:  # else every container would read the refused token again
            try:
                if self.shared.discard(key, value):
                    log.info("refused token removed from the shared cache", extra={"token_cache": "discard"})
            except SharedCacheError as exc:
                log.warning(
                    "refused token not removed from the shared cache (%s)",
                    exc.kind,
                    extra={"token_cache": "discard_failed"},
                )
        return dropped

    def _lock_for(self, key: CacheKey) -> threading.Lock:
        with self._locks_lock:
            lock = self._locks.get(key)
            if lock is None:
                if len(self._locks) >= 64:  # keys churn only with rotated client ids: forget idle ones
                    for stale in [k for k, v in self._locks.items() if not v.locked()]:
                        del self._locks[stale]
                lock = self._locks[key] = threading.Lock()
            return lock

    def _fetch(self, credentials: ClientCredentials, scopes: tuple[str, ...], deadline: Deadline) -> Token:
        requested_at = self._clock()
        try:
            access = self._request(credentials, scopes, deadline, client_metadata=self.client_metadata)
        except TokenEndpointError as exc:
            if exc.details.get("oauth_error") != "invalid_client" or not self._secret_may_have_rotated():
                raise
            renewed, _ = self.credentials.get()
            if renewed == credentials:
                raise
            log.info("the client secret changed since it was cached: requesting a token once more")
            credentials = renewed
            requested_at = self._clock()
            access = self._request(credentials, scopes, deadline, client_metadata=self.client_metadata)
        key = cache_key(credentials.client_id, scopes, self.client_metadata)
        entry = self.tokens.put(key, access.access_token, access.expires_in, requested_at=requested_at)
        self.stats.tokens_fetched += 1
        log.info(
            "token obtained: expires_in=%ds, reused for %.0fs",
            access.expires_in,
            entry.refresh_at - requested_at,
            extra={"token_requests": self.token_requests, "expires_in": access.expires_in},
        )
        return Token(key, access.access_token, fetched_now=True)

    def _secret_may_have_rotated(self) -> bool:
        if self.credentials.age() < SECRET_RECHECK_MIN_AGE:
            return False
        self.credentials.invalidate()
        return True
