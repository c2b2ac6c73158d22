"""The calling service's flow: credentials -> cached token (fetched on a miss) -> API call.

It knows nothing about Lambda or ALB events: it is handed a :class:`~cognito_m2m_client.http.Deadline`
and answers an :class:`~cognito_m2m_client.api.ApiResult` or raises an
:class:`~cognito_m2m_client.errors.UpstreamError`.

Two bounded second chances, never loops:

- the API answers 401 to a token taken from the cache (it may have been rotated or revoked): the token is
  dropped, one fresh token is fetched and the call is made once more. A token fetched during this very
  invocation is not refetched (the API rejecting a brand-new token is a configuration problem), and such
  401-driven refreshes happen at most once per ``REFRESH_ON_401_INTERVAL`` seconds, so an API that
  rejects everything cannot turn every invocation into a paid token request;
- the token endpoint answers ``invalid_client`` to cached credentials that are older than a few seconds:
  the secret is read again, and only if it changed (rotation) is the token requested once more (in
  :class:`~cognito_m2m_client.token_source.TokenSource`, which the library shares).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from cognito_m2m_client._shared.log import get_logger
from cognito_m2m_client.api import UPSTREAM as API
from cognito_m2m_client.api import ApiResult, call_api
from cognito_m2m_client.client_token_api import request_client_token
from cognito_m2m_client.config import ClientConfig
from cognito_m2m_client.http import Deadline, HttpClient
from cognito_m2m_client.secret_cache import SecretCache
from cognito_m2m_client.shared_cache import SharedTokenTable
from cognito_m2m_client.token_cache import TokenCache
from cognito_m2m_client.token_source import Token, TokenSource, TokenStats

log = get_logger(__name__)

REFRESH_ON_401_INTERVAL = 30.0


@dataclass(slots=True)
class ClientStats:
    """What the client has spent so far in this container (read by tests and the benchmark)."""

    tokens: TokenStats
    calls: int = 0
    refreshes_on_401: int = 0

    @property
    def token_cache_hits(self) -> int:
        return self.tokens.token_cache_hits

    @property
    def tokens_fetched(self) -> int:
        return self.tokens.tokens_fetched

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "token_cache_hits": self.token_cache_hits,
            "tokens_fetched": self.tokens_fetched,
            "shared_cache_hits": self.tokens.shared_cache_hits,
            "shared_cache_fallbacks": self.tokens.shared_cache_fallbacks,
            "refreshes_on_401": self.refreshes_on_401,
        }


class TokenClient:
    """Obtains and caches access tokens (through a :class:`TokenSource`), and calls the API with them."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        secrets: SecretCache,
        tokens: TokenCache,
        http: HttpClient,
        clock: Callable[[], float],
        shared: SharedTokenTable | None = None,
    ) -> None:
        self.config = config
        self.secrets = secrets
        self.tokens = tokens
        self.http = http
        self._clock = clock
        request = None
        if config.get_client_token:
            request = partial(request_client_token, http, config.token_url)
        self.source = TokenSource(
            token_url=config.token_url,
            credentials=secrets,
            tokens=tokens,
            http=http,
            clock=clock,
            shared=shared,
            request=request,
            client_metadata=config.client_metadata,
        )
        self._last_401_refresh: float | None = None
        self.stats = ClientStats(self.source.stats)

    @property
    def token_requests(self) -> int:
        """HTTP requests sent to the token endpoint (retries included)."""
        return self.source.token_requests

    @property
    def api_requests(self) -> int:
        return self.http.sent[API]

    @property
    def secret_reads(self) -> int:
        return self.secrets.reads

    def token(self, deadline: Deadline) -> Token:
        """A valid access token for the configured scopes: from the cache, else fetched (and cached)."""
        return self.source.get(self.config.scopes, deadline)

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
        self.source.drop(token)
        self.stats.refreshes_on_401 += 1
        log.warning("api answered 401 to the cached token: dropping it and retrying once with a fresh token")
        fresh = self.token(deadline)
        return call_api(self.http, self.config.api_url, fresh.value, deadline)
