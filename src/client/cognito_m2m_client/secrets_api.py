"""Secrets Manager's GetSecretValue without boto3: one SigV4-signed JSON call over urllib3.

boto3's import and client creation cost about 170 ms of a cold start (``make bench``), and Lambda bills
INIT and the first invocation alike. The client reads one secret now and then, so it signs that one call
itself (:mod:`cognito_m2m_client.sigv4`) with the credentials Lambda puts in the environment
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``) and sends it with the urllib3
it already has::

    POST https://secretsmanager.<region>.amazonaws.com/
    Content-Type: application/x-amz-json-1.1
    X-Amz-Target: secretsmanager.GetSecretValue

    {"SecretId": "...", "VersionStage": "AWSCURRENT"}

Anywhere else (credentials from a profile, a container or instance role, SSO), :func:`client_factory`
falls back to boto3, which knows them all. The endpoint is ``AWS_ENDPOINT_URL_SECRETS_MANAGER`` or
``AWS_ENDPOINT_URL`` when set, as the AWS SDKs read them (https, or http to a loopback host: the local
stack), else the Region's. Errors are ``{"__type": code, "message"}`` (the JSON protocol): they surface
as :class:`AwsError` with botocore's ``response`` shape, so the cache's messages name the code as
before. A throttle or a 5xx is tried once more (boto3's standard mode with two attempts, as configured
before); the body read is capped at 96 KiB (a secret string is at most 64 KiB). Nothing is logged:
the request holds a session token and the answer the secret.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cognito_m2m_client import upstream_json
from cognito_m2m_client._shared.hosts import checked_url
from cognito_m2m_client.sigv4 import signed_headers

TARGET = "secretsmanager.GetSecretValue"
SERVICE = "secretsmanager"
MAX_ANSWER_BYTES = 96 * 1024
RETRIED = frozenset({"ThrottlingException", "InternalServiceError", "ServiceUnavailable"})


class AwsError(Exception):
    """An AWS error answer, shaped like botocore's ClientError (``response["Error"]["Code"]``)."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(f"{code} (HTTP {status})")
        self.code = code
        self.status = status
        self.response: dict[str, dict[str, Any]] = {
            "Error": {"Code": code},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }


def endpoint_for(region: str, env: Mapping[str, str]) -> str:
    """The Secrets Manager endpoint the AWS SDKs would use for ``region`` with ``env``."""
    given = env.get("AWS_ENDPOINT_URL_SECRETS_MANAGER") or env.get("AWS_ENDPOINT_URL")
    if given:
        return checked_url("the Secrets Manager endpoint", given, allow_http=False)
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://secretsmanager.{region}.{suffix}/"


class SignedSecretsClient:
    """``get_secret_value`` as boto3's client answers it, signed here with environment credentials."""

    def __init__(
        self,
        region: str,
        credentials: tuple[str, str, str | None],
        *,
        endpoint: str,
        timeout_seconds: float,
        pool: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        import urllib3  # noqa: PLC0415 - already imported by the token client; here for the library alone

        self._urllib3 = urllib3
        self._region = region
        self._credentials = credentials
        self._endpoint = endpoint
        parts = urlsplit(endpoint)
        self._host = parts.netloc
        self._path = parts.path or "/"
        self._pool = pool or urllib3.PoolManager(num_pools=1, maxsize=2)
        self._timeout = urllib3.Timeout(connect=min(2.0, timeout_seconds), read=timeout_seconds)
        self._clock = clock

    def __repr__(self) -> str:  # never the credentials
        return f"SignedSecretsClient(endpoint={self._endpoint!r})"

    def get_secret_value(self, *, SecretId: str, VersionStage: str = "AWSCURRENT") -> Mapping[str, Any]:
        body = json.dumps(
            {"SecretId": SecretId, "VersionStage": VersionStage}, separators=(",", ":")
        ).encode()
        for attempt in (1, 2):
            try:
                return self._call(body)
            except AwsError as exc:
                if attempt == 2 or not (exc.code in RETRIED or exc.status >= 500 or exc.status == 429):
                    raise
            except (self._urllib3.exceptions.HTTPError, OSError):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, body: bytes) -> Mapping[str, Any]:
        access_key, secret_key, session_token = self._credentials
        amz_date = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        headers = signed_headers(
            method="POST",
            host=self._host,
            path=self._path,
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET},
            payload=body,
            access_key=access_key,
            secret_key=secret_key,
            session_token=session_token,
            region=self._region,
            service=SERVICE,
            amz_date=amz_date,
        )
        response = self._pool.request(
            "POST",
            self._endpoint,
            body=body,
            headers=headers,
            timeout=self._timeout,
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            data = response.read(MAX_ANSWER_BYTES + 1, decode_content=True)
        finally:
            response.release_conn()
        if len(data) > MAX_ANSWER_BYTES:
            raise AwsError("AnswerTooLarge", response.status)
        try:
            answer = upstream_json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, upstream_json.UpstreamJsonError):
            answer = None
        if response.status != 200:
            code = answer.get("__type") if isinstance(answer, dict) else None
            code = (
                str(code).rsplit("#", 1)[-1][:64]
                if isinstance(code, str) and code
                else f"HTTP{response.status}"
            )
            raise AwsError(code, response.status)
        if not isinstance(answer, dict):
            raise AwsError("MalformedAnswer", response.status)
        return answer


def environment_credentials(env: Mapping[str, str]) -> tuple[str, str, str | None] | None:
    """Lambda's credentials from ``env``, or None when they are not all there (boto3 then)."""
    access_key, secret_key = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not access_key or not secret_key:
        return None
    return access_key, secret_key, env.get("AWS_SESSION_TOKEN") or None


def signed_client_factory(
    region: str, timeout_seconds: float, env: Mapping[str, str] | None = None
) -> Callable[[], SignedSecretsClient] | None:
    """A factory of :class:`SignedSecretsClient` when ``env`` (``os.environ``) holds credentials."""
    source = os.environ if env is None else env
    credentials = environment_credentials(source)
    if credentials is None:
        return None
    endpoint = endpoint_for(region, source)
    return lambda: SignedSecretsClient(
        region, credentials, endpoint=endpoint, timeout_seconds=timeout_seconds
    )
