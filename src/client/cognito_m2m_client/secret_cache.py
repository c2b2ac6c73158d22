"""The app client's credentials, read from Secrets Manager and cached for a while.

The secret is a JSON object ``{"client_id": "...", "client_secret": "..."}``. It is read on first use
and again once it is older than ``max_age`` seconds. If a refresh fails while an earlier value is at
hand, that value keeps being used (and the failure logged) and the refresh is tried again after a short
pause: a Secrets Manager hiccup then costs nothing while the token endpoint still accepts the old
credentials. :meth:`SecretCache.invalidate` forces the next read (the handler calls it when the token
endpoint answers ``invalid_client``, which is what a rotated secret looks like).

With credentials in the environment (Lambda's) the read is one SigV4-signed call without boto3
(:mod:`cognito_m2m_client.secrets_api`: boto3's import and client cost about 170 ms of a cold start);
elsewhere boto3 is imported on the first read only. The Secrets Manager client is created once per
container. Error messages name the failure, never the secret's value, and botocore's DEBUG logging
(which would print the whole GetSecretValue response) is held at INFO.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cognito_m2m_client import upstream_json
from cognito_m2m_client._shared.aws_sdk import error_code as _error_code
from cognito_m2m_client._shared.aws_sdk import quiet_sdk_debug_logs
from cognito_m2m_client._shared.log import get_logger
from cognito_m2m_client.errors import SecretError

log = get_logger(__name__)

# Pause before trying a failed refresh again while a stale value is served.
REFRESH_RETRY_SECONDS = 10.0
MAX_SECRET_CHARS = 65536  # Secrets Manager's own limit on a secret string


class SecretsClient(Protocol):
    """The one Secrets Manager call the cache makes (boto3's client satisfies it)."""

    def get_secret_value(self, *, SecretId: str, VersionStage: str = "AWSCURRENT") -> Mapping[str, Any]: ...

    # VersionStage is AWS's default, named anyway: moto 5.2 leaves GetSecretValue without it on the
    # version that was current before a rotation moved AWSCURRENT (UpdateSecretVersionStage)


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)


def default_client_factory(region: str, timeout_seconds: float) -> Callable[[], SecretsClient]:
    """A factory for the Secrets Manager client: with credentials in the environment (Lambda's), one
    signed call without boto3 (:mod:`cognito_m2m_client.secrets_api`); else boto3's client, imported only
    when first called.

    Timeouts and two attempts bound a read (the invocation's deadline cannot be handed to boto3); a
    failure is answered 502 and, with a cached value at hand, costs nothing.
    """
    from cognito_m2m_client.secrets_api import signed_client_factory  # noqa: PLC0415 - no cycle at import

    signed = signed_client_factory(region, timeout_seconds)
    if signed is not None:
        return signed

    def create() -> SecretsClient:
        import boto3  # noqa: PLC0415 (lazy on purpose: see the module docstring)
        from botocore.config import Config  # noqa: PLC0415

        config = Config(
            connect_timeout=min(2.0, timeout_seconds),
            read_timeout=timeout_seconds,
            retries={"mode": "standard", "total_max_attempts": 2},
        )
        client: SecretsClient = boto3.client("secretsmanager", region_name=region, config=config)
        return client

    return create


def fixed_client_factory(client: SecretsClient) -> Callable[[], SecretsClient]:
    """A factory that always hands out ``client`` (an injected one: tests, the benchmark, your own)."""
    return lambda: client


_CODE_MESSAGES = {
    "AccessDeniedException": "access to the client secret was denied (check the function's IAM policy)",
    "ResourceNotFoundException": (
        "the client secret does not exist (check its ARN: secret_id=, or the function's CLIENT_SECRET_ARN)"
    ),
    "ThrottlingException": "Secrets Manager throttled the read of the client secret",
    "DecryptionFailure": "the client secret could not be decrypted (check the KMS key policy)",
    "InvalidRequestException": "the client secret cannot be read (deleted or scheduled for deletion?)",
    "InvalidParameterException": "Secrets Manager rejected the request for the client secret",
    "InternalServiceError": "Secrets Manager failed while reading the client secret",
}


def parse_credentials(secret_string: Any) -> ClientCredentials:
    """Credentials from the secret's string, or :class:`SecretError` naming what is wrong (not the value)."""
    if not isinstance(secret_string, str):
        raise SecretError("the client secret has no SecretString (binary secrets are not supported)")
    if len(secret_string) > MAX_SECRET_CHARS:
        raise SecretError("the client secret is too large")
    try:
        data = upstream_json.loads(secret_string)
    except upstream_json.UpstreamJsonError as exc:
        problem = "nested too deeply" if exc.too_deep else "not valid JSON"
        raise SecretError(f"the client secret is {problem}") from None
    if not isinstance(data, dict):
        raise SecretError("the client secret is not a JSON object")
    values: dict[str, str] = {}
    for member in ("client_id", "client_secret"):
        value = data.get(member)
        if not isinstance(value, str) or not value.strip():
            raise SecretError(f"the client secret has no non-empty string member {member!r}")
        values[member] = value.strip()
    return ClientCredentials(values["client_id"], values["client_secret"])


class SecretCache:
    """Client credentials from one secret, cached for ``max_age`` seconds."""

    def __init__(
        self,
        secret_id: str,
        *,
        max_age: float,
        clock: Callable[[], float],
        client_factory: Callable[[], SecretsClient],
    ) -> None:
        self._secret_id = secret_id
        self._max_age = max_age
        self._clock = clock
        self._client_factory = client_factory
        self._client: SecretsClient | None = None
        self._value: ClientCredentials | None = None
        self._next_read = 0.0
        self._read_at: float | None = None
        self._lock = threading.Lock()
        self.reads = 0  # GetSecretValue calls made (observable by tests and the benchmark)

    @property
    def client(self) -> SecretsClient:
        """The Secrets Manager client, created on first use and kept for the container's life."""
        if self._client is None:
            quiet_sdk_debug_logs()
            self._client = self._client_factory()
        return self._client

    def get(self) -> tuple[ClientCredentials, bool]:
        """The credentials and whether they were read just now (False: from the cache)."""
        with self._lock:
            now = self._clock()
            if self._value is not None and now < self._next_read:
                return self._value, False
            try:
                value = self._read()
            except SecretError as exc:
                if self._value is None:
                    raise
                self._next_read = now + min(REFRESH_RETRY_SECONDS, max(self._max_age, 1.0))
                log.warning(
                    "secret refresh failed, keeping the cached credentials: %s",
                    exc.message,
                    extra={"secret_refresh": "failed_stale_kept"},
                )
                return self._value, False
            self._value = value
            self._read_at = now
            self._next_read = now + self._max_age
            return value, True

    def age(self) -> float:
        """Seconds since the cached credentials were read (infinite before the first read)."""
        if self._read_at is None:
            return float("inf")
        return self._clock() - self._read_at

    def invalidate(self) -> None:
        """Make the next :meth:`get` read the secret again."""
        with self._lock:
            self._next_read = 0.0

    def _read(self) -> ClientCredentials:
        self.reads += 1
        try:
            result = self.client.get_secret_value(SecretId=self._secret_id, VersionStage="AWSCURRENT")
        except Exception as exc:  # botocore's ClientError, connection and timeout errors alike
            code = _error_code(exc)
            message = _CODE_MESSAGES.get(code or "")
            if message is None:
                message = (
                    f"Secrets Manager answered {code} for the client secret"
                    if code
                    else f"Secrets Manager could not be reached ({type(exc).__name__})"
                )
            log.error("secret read failed: %s", message, extra={"secret_error": code or type(exc).__name__})
            details = {"aws_error": code} if code else {}
            raise SecretError(message, **details) from None
        credentials = parse_credentials(result.get("SecretString"))
        log.info("secret read", extra={"secret_reads": self.reads})
        return credentials
