"""Client-credentials tokens for any Python service (ECS, EC2, a laptop, a Lambda of your own).

    from cognito_m2m_client import CognitoTokens

    tokens = CognitoTokens(
        token_url="https://auth.example.com/oauth2/token",
        secret_id="arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-caller-AbCdEf",
        scopes=["rest-api/read"],
    )
    http.request("GET", url, headers=tokens.headers())          # urllib3
    requests.get(url, auth=tokens.auth())                       # requests

    # or from Cognito's GetClientToken API (no user pool domain; the app client needs
    # ALLOW_CLIENT_TOKEN_AUTH as its only auth flow):
    tokens = CognitoTokens(cognito_region="eu-west-1", secret_id="arn:...", scopes=["rest-api/read"])

    # with metadata for the user pool's pre token generation trigger (a tenant claim, say):
    tokens = CognitoTokens(token_url="...", secret_id="arn:...", client_metadata={"tenant": "acme"})

Credentials come from a Secrets Manager secret (``{"client_id", "client_secret"}``, read with boto3 and
cached for ``secret_max_age`` seconds) or are given directly (``client_id=``, ``client_secret=``).
Tokens are cached per ``(client_id, scopes)`` (and client metadata) until ``expiry_skew`` seconds
before they expire; when many threads need a token at once, one request is sent and the others wait for
its answer. Each call is bounded by ``timeout`` seconds, retries (5xx, 429, connection errors, with
jittered backoff and ``Retry-After``) included. Failures raise
:class:`~cognito_m2m_client.errors.UpstreamError` subclasses whose messages never contain a secret or a
token.
"""

from __future__ import annotations

import os
import random as random_module
import re
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, Protocol

import urllib3

from cognito_m2m_client._shared.hosts import checked_url
from cognito_m2m_client.client_metadata import checked_client_metadata
from cognito_m2m_client.client_token_api import cognito_api_url, request_client_token
from cognito_m2m_client.config import SCOPE
from cognito_m2m_client.http import Deadline, HttpClient, RetryPolicy
from cognito_m2m_client.secret_cache import (
    ClientCredentials,
    SecretCache,
    SecretsClient,
    default_client_factory,
    fixed_client_factory,
)
from cognito_m2m_client.shared_cache import DynamoClient, SharedTokenTable, default_dynamodb_factory
from cognito_m2m_client.token_cache import MAX_ENTRIES as MAX_SCOPE_SETS
from cognito_m2m_client.token_cache import TokenCache
from cognito_m2m_client.token_source import CredentialsSource, StaticCredentials, Token, TokenSource

DEFAULT_TIMEOUT_SECONDS = 10.0
_ARN_REGION = re.compile(r"arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):")


class PreparedRequest(Protocol):
    """What ``requests`` hands an ``auth`` callable: a request with mutable headers."""

    headers: Any

    def register_hook(self, event: str, hook: Callable[..., Any]) -> None: ...


def _scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    if isinstance(scopes, str):
        raise TypeError("scopes is a list of scope strings, not one string")
    values = tuple(scopes)
    for scope in values:
        if not isinstance(scope, str) or not SCOPE.fullmatch(scope):
            raise ValueError(f"not an OAuth scope (RFC 6749 scope-token): {str(scope)[:60]!r}")
    return values


def _secret_region(secret_id: str, region: str | None) -> str:
    """The secret's region: an ARN names it; for a name, ``region`` or the environment's."""
    match = _ARN_REGION.match(secret_id)
    found = match.group(1) if match else region
    found = found or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not found:
        raise ValueError("region is needed for a secret given by name (or pass the secret's ARN)")
    return found


class CognitoTokens:
    """Access tokens of one app client, for calls to APIs that require them. Thread-safe."""

    def __init__(
        self,
        *,
        token_url: str | None = None,
        cognito_region: str | None = None,
        cognito_endpoint: str | None = None,
        scopes: Iterable[str] = (),
        secret_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        region: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        expiry_skew: int = 60,
        secret_max_age: int = 300,
        secrets_client: SecretsClient | None = None,
        pool: urllib3.PoolManager | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        shared_cache_table: str | None = None,
        dynamodb_client: DynamoClient | None = None,
        wall_clock: Callable[[], float] = time.time,
        allow_insecure_http: bool = False,
        max_scope_sets: int = MAX_SCOPE_SETS,
        client_metadata: Mapping[str, str] | None = None,
    ) -> None:
        """``scopes`` are the default scopes of :meth:`token` (empty: every scope enabled on the client).

        ``shared_cache_table`` names the fleet's DynamoDB token table (the module's ``token_cache_table``
        output): every process using it shares one token per scope set (see
        :mod:`cognito_m2m_client.shared_cache`); ``dynamodb_client`` replaces boto3's client for it, and
        ``wall_clock`` (epoch seconds) is what token expiries are compared with.

        Give either ``secret_id`` (an ARN, or a name with ``region``) or ``client_id`` and
        ``client_secret``. ``secrets_client`` replaces boto3's client, ``pool`` the urllib3 pool (TLS
        verified with the system's CAs by default), ``clock``/``sleep`` the time functions (tests).
        Tokens come from the token endpoint at ``token_url``, or from Cognito's GetClientToken API in
        ``cognito_region`` (the user pool's Region; ``cognito_endpoint`` replaces its URL, e.g. a local
        emulator): give one of the two. Either way the client secret travels to it, so it must be https
        (plain http only to a loopback host, unless ``allow_insecure_http=True``).

        Tokens are cached in memory for at most ``max_scope_sets`` scope sets (16; up to 1024): past
        that, the least recently used one is forgotten and asked for again when needed
        (:attr:`cache_evictions` counts them).

        ``client_metadata`` (string keys to string values) goes with every token request, for the user
        pool's pre token generation Lambda trigger (event version ``V3_0``, which receives it as
        ``event.request.clientMetadata`` and may customise the token with it): as the form parameter
        ``aws_client_metadata`` (compact JSON, keys sorted) of the token endpoint, or as
        ``ClientMetadata`` of GetClientToken; None or empty sends nothing. It is fixed for this
        instance (copied at construction: changing the mapping afterwards changes nothing); for another
        metadata set, create another instance. Tokens are cached per metadata set, in memory and in the
        shared table (its items keyed by a digest of the metadata, never its values), so two instances
        with different metadata never share a token. Cognito documents no limit for
        ``aws_client_metadata`` that we know of; this library's own bounds are at most 16 entries, keys
        of 1-128 and values of 0-256 characters, both ``str`` without control characters
        (U+0000-U+001F, U+007F-U+009F) or lone surrogates, and at most 2048 bytes of compact JSON (UTF-8)
        in all (:mod:`cognito_m2m_client.client_metadata`). Any other metadata raises ValueError, whose
        message names the rule and never a key or a value; neither is ever logged or shown by ``repr``.
        """
        if (token_url is None) == (cognito_region is None and cognito_endpoint is None):
            raise ValueError(
                "give token_url (the token endpoint) or cognito_region (GetClientToken): one of the two"
            )
        if cognito_region is not None and cognito_endpoint is not None:
            raise ValueError("give cognito_region or cognito_endpoint (which replaces the region's URL)")
        if token_url is not None:
            token_url = checked_url("token_url", token_url, allow_http=allow_insecure_http)
            get_client_token = None
        else:
            endpoint = (
                cognito_endpoint if cognito_endpoint is not None else cognito_api_url(str(cognito_region))
            )
            get_client_token = checked_url("cognito_endpoint", endpoint, allow_http=allow_insecure_http)
        if not 0 < timeout <= 300:
            raise ValueError("timeout is 0-300 seconds")
        self._scopes = _scopes(scopes)
        metadata = checked_client_metadata(client_metadata)
        self._timeout = float(timeout)
        self._clock = clock
        credentials: CredentialsSource
        if secret_id is not None:
            if client_id is not None or client_secret is not None:
                raise ValueError("give either secret_id or client_id and client_secret, not both")
            factory = (
                default_client_factory(_secret_region(secret_id, region), self._timeout)
                if secrets_client is None
                else fixed_client_factory(secrets_client)
            )
            credentials = SecretCache(secret_id, max_age=secret_max_age, clock=clock, client_factory=factory)
        elif client_id and client_secret:
            credentials = StaticCredentials(ClientCredentials(client_id, client_secret))
        else:
            raise ValueError("give secret_id, or both client_id and client_secret")
        connect = min(2.0, self._timeout)
        http = HttpClient(
            pool
            or urllib3.PoolManager(
                num_pools=4, maxsize=8, timeout=urllib3.Timeout(connect=connect, read=self._timeout)
            ),
            connect_timeout=connect,
            read_timeout=self._timeout,
            policy=retry_policy or RetryPolicy(),
            clock=clock,
            sleep=sleep,
            random=random_module.random,
        )
        shared = None
        if shared_cache_table is not None:
            shared = SharedTokenTable(
                shared_cache_table,
                client_factory=default_dynamodb_factory(region)
                if dynamodb_client is None
                else (lambda: dynamodb_client),
                sleep=sleep,
                wall_clock=wall_clock,
            )
        self.source = TokenSource(
            token_url=token_url or get_client_token or "",
            request=None
            if get_client_token is None
            else partial(request_client_token, http, get_client_token),
            credentials=credentials,
            tokens=TokenCache(clock, expiry_skew, max_scope_sets),
            http=http,
            clock=clock,
            shared=shared,
            wall_clock=wall_clock,
            client_metadata=metadata,
        )

    @property
    def cache_evictions(self) -> int:
        """Cached tokens forgotten, still valid, because ``max_scope_sets`` were held."""
        return self.source.tokens.evictions

    @property
    def token_requests(self) -> int:
        """HTTP requests sent to the token endpoint so far (retries included)."""
        return self.source.token_requests

    def token(self, scopes: Iterable[str] | None = None) -> str:
        """An access token for ``scopes`` (default: the constructor's), from the cache or fetched."""
        return self._get(scopes).value

    def headers(self, scopes: Iterable[str] | None = None) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}``, to pass to urllib3, http.client or requests."""
        return {"Authorization": f"Bearer {self.token(scopes)}"}

    def invalidate(self, token: str, scopes: Iterable[str] | None = None) -> None:
        """Stop handing out ``token`` (an API answered 401 to it): the next call fetches a new one."""
        self.source.forget(self._scopes if scopes is None else _scopes(scopes), token)

    def auth(self, scopes: Iterable[str] | None = None) -> Callable[[PreparedRequest], PreparedRequest]:
        """An ``auth=`` callable for ``requests``: adds the header, and forgets a token answered 401."""
        wanted = self._scopes if scopes is None else _scopes(scopes)

        def add_token(request: PreparedRequest) -> PreparedRequest:
            token = self._get(wanted)
            request.headers["Authorization"] = f"Bearer {token.value}"

            def forget_on_401(response: Any, *args: Any, **kwargs: Any) -> Any:
                if getattr(response, "status_code", None) == 401:
                    self.source.drop(token)
                return response

            request.register_hook("response", forget_on_401)
            return request

        return add_token

    def _get(self, scopes: Iterable[str] | None) -> Token:
        wanted = self._scopes if scopes is None else _scopes(scopes)
        return self.source.get(wanted, Deadline(self._clock, self._timeout))

    def __repr__(self) -> str:
        return f"CognitoTokens(token_url={self.source.token_url!r}, scopes={self._scopes!r})"
