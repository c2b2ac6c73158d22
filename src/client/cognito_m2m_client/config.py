"""The client function's environment contract, read and validated once at cold start.

| variable | required | meaning |
| --- | --- | --- |
| ``TOKEN_SOURCE`` | no | ``token_endpoint`` (default) or ``get_client_token`` (Cognito's API) |
| ``TOKEN_URL`` | for the token endpoint | the token endpoint (``https://host[:port]/path``) |
| ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`` | no | GetClientToken's endpoint (the SDKs' variable); |
| | | default ``https://cognito-idp.<AWS_REGION>.amazonaws.com/`` |
| ``CLIENT_SECRET_ARN`` | yes | Secrets Manager secret holding ``{"client_id", "client_secret"}`` |
| ``SCOPES`` | yes (may be blank) | space-separated scopes; blank: every scope enabled on the app client |
| ``API_URL`` | yes | the protected API, called with ``Authorization: Bearer <token>`` |
| ``TOKEN_EXPIRY_SKEW_SECONDS`` | no (60) | reuse a token until this long before it expires |
| ``HTTP_TIMEOUT_SECONDS`` | no (5) | read timeout of each HTTP attempt; the connect timeout is at most 2 s |
| ``SECRET_MAX_AGE_SECONDS`` | no (300) | how long the credentials are cached (0: read on every invocation) |
| ``CLIENT_METADATA`` | no | a JSON object of string to string sent with each token request for the |
| | | pre token generation trigger (``aws_client_metadata``, GetClientToken's ``ClientMetadata``); |
| | | unset or blank: none. At most 16 entries, keys 1-128 and values 0-256 characters without |
| | | control characters, 2048 bytes as compact JSON (this library's bounds, see |
| | | :mod:`cognito_m2m_client.client_metadata`); errors never show a key or value |

Any problem raises one :class:`~cognito_m2m_client._shared.config.ConfigError` naming the variable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cognito_m2m_client._shared.config import ConfigError, optional_int, optional_number, require_str
from cognito_m2m_client._shared.hosts import checked_url
from cognito_m2m_client.client_metadata import ClientMetadata, checked_client_metadata
from cognito_m2m_client.client_token_api import cognito_api_url

# Cognito's custom scope shape: <resource server id>/<scope name>, printable ASCII without space, '"' or '\'.
SCOPE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,512}")
_SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[\w/+=.@-]+")

DEFAULT_SKEW_SECONDS = 60
DEFAULT_HTTP_TIMEOUT_SECONDS = 5.0
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
DEFAULT_SECRET_MAX_AGE_SECONDS = 300
MAX_CONNECT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Validated configuration of the client function."""

    token_url: str
    """The token endpoint, or with ``token_source == "get_client_token"`` Cognito's API endpoint."""
    secret_arn: str
    scopes: tuple[str, ...]
    api_url: str
    token_expiry_skew_seconds: int = DEFAULT_SKEW_SECONDS
    http_timeout_seconds: float = DEFAULT_HTTP_TIMEOUT_SECONDS
    secret_max_age_seconds: int = DEFAULT_SECRET_MAX_AGE_SECONDS
    token_cache_table: str | None = None
    get_client_token: bool = False
    """Tokens from Cognito's GetClientToken API at ``token_url`` (``TOKEN_SOURCE=get_client_token``)."""
    client_metadata: ClientMetadata = field(default=(), repr=False)
    """``CLIENT_METADATA``, validated: sent with every token request and part of every cache key."""

    @property
    def secret_region(self) -> str:
        """The AWS Region named in the secret's ARN (where Secrets Manager is asked)."""
        match = _SECRET_ARN.fullmatch(self.secret_arn)
        assert match is not None  # validated by load_config
        return match.group(1)

    @property
    def connect_timeout_seconds(self) -> float:
        return min(MAX_CONNECT_TIMEOUT_SECONDS, self.http_timeout_seconds)


def _http_url(env: Mapping[str, str], name: str) -> str:
    value = require_str(env, name)
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise ConfigError(name, f"must be an http(s) URL, got {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(name, f"must be an http(s) URL with a host, got {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(name, "must not carry credentials in the URL")
    if parts.fragment or any(c.isspace() for c in value):
        raise ConfigError(name, f"must be a plain URL without fragment or blanks, got {value!r}")
    return value


def _endpoint_url(env: Mapping[str, str], name: str) -> str:
    """The token endpoint: https (the client secret travels to it), or plain http to a loopback host."""
    try:
        return checked_url("it", require_str(env, name))
    except ValueError as exc:
        raise ConfigError(name, str(exc).removeprefix("it ")) from None


def _scopes(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    if name not in env:
        raise ConfigError(name, "is required (set it to an empty string to ask for every enabled scope)")
    items = env[name].split()
    for item in items:
        if not SCOPE.fullmatch(item):
            raise ConfigError(name, f"has an invalid scope {item!r} (printable ASCII, no quote or backslash)")
    return tuple(sorted(set(items)))


def _secret_arn(env: Mapping[str, str], name: str) -> str:
    value = require_str(env, name)
    if not _SECRET_ARN.fullmatch(value):
        raise ConfigError(
            name,
            "must be a Secrets Manager secret ARN "
            f"(arn:aws:secretsmanager:<region>:<account>:secret:<name>), got {value!r}",
        )
    return value


TOKEN_SOURCES = ("token_endpoint", "get_client_token")


def _token_source(env: Mapping[str, str]) -> tuple[str, str]:
    """``TOKEN_SOURCE`` and the URL tokens are asked at."""
    source = env.get("TOKEN_SOURCE", "").strip() or "token_endpoint"
    if source not in TOKEN_SOURCES:
        raise ConfigError("TOKEN_SOURCE", f"must be one of {', '.join(TOKEN_SOURCES)}")
    if source == "token_endpoint":
        return source, _endpoint_url(env, "TOKEN_URL")
    name = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
    if env.get(name, "").strip():
        return source, _endpoint_url(env, name)
    region = env.get("AWS_REGION", "").strip()
    try:
        return source, cognito_api_url(region)
    except ValueError:
        raise ConfigError("AWS_REGION", "must name the user pool's Region for GetClientToken") from None


def load_config(env: Mapping[str, str]) -> ClientConfig:
    """Read and validate the configuration from ``env`` (``os.environ`` in Lambda)."""
    source, token_url = _token_source(env)
    return ClientConfig(
        token_url=token_url,
        get_client_token=source == "get_client_token",
        secret_arn=_secret_arn(env, "CLIENT_SECRET_ARN"),
        scopes=_scopes(env, "SCOPES"),
        api_url=_http_url(env, "API_URL"),
        token_expiry_skew_seconds=optional_int(
            env, "TOKEN_EXPIRY_SKEW_SECONDS", DEFAULT_SKEW_SECONDS, minimum=0, maximum=3600
        ),
        http_timeout_seconds=optional_number(
            env, "HTTP_TIMEOUT_SECONDS", DEFAULT_HTTP_TIMEOUT_SECONDS, minimum=0.1, maximum=60
        ),
        secret_max_age_seconds=optional_int(
            env, "SECRET_MAX_AGE_SECONDS", DEFAULT_SECRET_MAX_AGE_SECONDS, minimum=0, maximum=86400
        ),
        token_cache_table=_table_name(env, "TOKEN_CACHE_TABLE"),
        client_metadata=_client_metadata(env, "CLIENT_METADATA"),
    )


def _table_name(env: Mapping[str, str], name: str) -> str | None:
    """An optional DynamoDB table name (3-255 of ``[A-Za-z0-9_.-]``); unset or empty: no shared cache."""
    value = env.get(name, "").strip()
    if not value:
        return None
    if not _TABLE_NAME.fullmatch(value):
        raise ConfigError(
            name, f"must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {value[:80]!r}"
        )
    return value


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _DuplicateKey
    return found


def _client_metadata(env: Mapping[str, str], name: str) -> ClientMetadata:
    """An optional JSON object of string to string, by the library's rules; unset or blank: none. The
    messages name the rule, never the variable's text (its values may be sensitive)."""
    raw = env.get(name, "").strip()
    if not raw:
        return ()
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys)
    except _DuplicateKey:
        raise ConfigError(name, "must not repeat a key") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(name, f"must be a JSON object ({exc.msg} at position {exc.pos})") from None
    except (ValueError, RecursionError):  # an integer past Python's digit limit; nesting past the stack
        raise ConfigError(name, "must be a JSON object (not JSON, or nested too deeply)") from None
    if not isinstance(value, dict):
        raise ConfigError(name, "must be a JSON object of string keys to string values")
    try:
        return checked_client_metadata(value, name)
    except ValueError as exc:
        raise ConfigError(name, str(exc).removeprefix(f"{name} ")) from None
