"""The calling service's flow: credentials -> cached token (fetched on a miss) -> API call.

It knows nothing about Lambda or ALB events: it is handed a :class:`~token_client.http.Deadline` and
answers an :class:`~token_client.api.ApiResult` or raises an :class:`~token_client.errors.UpstreamError`.

Two bounded second chances, never loops:

- the API answers 401 to a token taken from the cache (it may have been rotated or revoked): the token is
  dropped, one fresh token is fetched and the call is made once more. A token fetched during this very
  invocation is not refetched (the API rejecting a brand-new token is a configuration problem), and such
  401-driven refreshes happen at most once per ``REFRESH_ON_401_INTERVAL`` seconds, so an API that
  rejects everything cannot turn every invocation into a paid token request;
- the token endpoint answers ``invalid_client`` to cached credentials that are older than a few seconds:
  the secret is read again, and only if it changed (rotation) is the token requested once more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from lambda_common.log import get_logger
from token_client.api import UPSTREAM as API
from token_client.api import ApiResult, call_api
from token_client.config import ClientConfig
from token_client.errors import TokenEndpointError
from token_client.http import Deadline, HttpClient
from token_client.oauth import UPSTREAM as TOKEN_ENDPOINT
from token_client.oauth import request_token
from token_client.secret_cache import ClientCredentials, SecretCache
from token_client.token_cache import CacheKey, TokenCache, cache_key

log = get_logger(__name__)

REFRESH_ON_401_INTERVAL = 30.0
SECRET_RECHECK_MIN_AGE = 10.0  # re-read the secret on invalid_client only if the cached one is older


@dataclass(slots=True)
class ClientStats:
    """What the client has spent so far in this container (read by tests and the benchmark)."""

    calls: int = 0
    token_cache_hits: int = 0
    tokens_fetched: int = 0
    refreshes_on_401: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "token_cache_hits": self.token_cache_hits,
            "tokens_fetched": self.tokens_fetched,
            "refreshes_on_401": self.refreshes_on_401,
        }


@dataclass(frozen=True, slots=True)
class Token:
    key: CacheKey
    value: str
    fetched_now: bool

    def __repr__(self) -> str:
        return f"Token(key={self.key!r}, fetched_now={self.fetched_now})"


class TokenClient:
    """Obtains and caches access tokens, and calls the API with them."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        secrets: SecretCache,
        tokens: TokenCache,
        http: HttpClient,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.secrets = secrets
        self.tokens = tokens
        self.http = http
        self._clock = clock
        self._fetch_lock = threading.Lock()
        self._last_401_refresh: float | None = None
        self.stats = ClientStats()

    @property
    def token_requests(self) -> int:
        """HTTP requests sent to the token endpoint (retries included)."""
        return self.http.sent[TOKEN_ENDPOINT]

    @property
    def api_requests(self) -> int:
        return self.http.sent[API]

    @property
    def secret_reads(self) -> int:
        return self.secrets.reads

    def token(self, deadline: Deadline) -> Token:
        """A valid access token: from the cache, else fetched (and cached)."""
        credentials, _ = self.secrets.get()
        key = cache_key(credentials.client_id, self.config.scopes)
        value = self.tokens.get(key)
        if value is not None:
            self.stats.token_cache_hits += 1
            log.debug("token cache hit")
            return Token(key, value, fetched_now=False)
        with self._fetch_lock:  # one fetch at a time if this ever runs threaded (local workers)
            value = self.tokens.get(key)
            if value is not None:
                self.stats.token_cache_hits += 1
                return Token(key, value, fetched_now=False)
            log.info("token cache miss: requesting a token", extra={"token_cache": "miss"})
            return self._fetch(credentials, deadline)

    def _fetch(self, credentials: ClientCredentials, deadline: Deadline) -> Token:
        requested_at = self._clock()
        try:
            access = request_token(
                self.http, self.config.token_url, credentials, self.config.scopes, deadline
            )
        except TokenEndpointError as exc:
            if exc.details.get("oauth_error") != "invalid_client" or not self._secret_may_have_rotated():
                raise
            renewed, _ = self.secrets.get()
            if renewed == credentials:
                raise
            log.info("the client secret changed since it was cached: requesting a token once more")
            credentials = renewed
            requested_at = self._clock()
            access = request_token(
                self.http, self.config.token_url, credentials, self.config.scopes, deadline
            )
        key = cache_key(credentials.client_id, self.config.scopes)
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
        if self.secrets.age() < SECRET_RECHECK_MIN_AGE:
            return False
        self.secrets.invalidate()
        return True

    def call(self, deadline: Deadline) -> ApiResult:
        """The API's answer, called with a valid token (one refresh on a 401 to a cached token)."""
        self.stats.calls += 1
        token = self.token(deadline)
        result = call_api(self.http, self.config.api_url, token.value, deadline)
        if result.status != 401 or token.fetched_now:
            return result
        now = self._clock()
        if self._last_401_refresh is not None and now - self._last_401_refresh < REFRESH_ON_401_INTERVAL:
            log.warning("api answered 401 again: not refreshing the token again so soon")
            return result
        self._last_401_refresh = now
        self.tokens.drop(token.key, token.value)
        self.stats.refreshes_on_401 += 1
        log.warning("api answered 401 to the cached token: dropping it and retrying once with a fresh token")
        fresh = self.token(deadline)
        return call_api(self.http, self.config.api_url, fresh.value, deadline)
