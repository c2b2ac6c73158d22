"""The ALB-facing handler of the client function: ``GET /client`` -> token -> API -> JSON answer.

``build_handler(env, ...)`` validates the configuration (raising one
:class:`~cognito_m2m_client._shared.config.ConfigError` that names the variable) and wires the
collaborators; every one of them can be injected, so tests and the benchmark build handlers from an
explicit environment mapping without reloading any module:

- ``secrets_client``: anything with boto3's ``get_secret_value(SecretId=...)`` (default: boto3's
  Secrets Manager client, created on the first read, boto3 imported then);
- ``pool``: the :class:`urllib3.PoolManager` shared by every invocation;
- ``clock`` (monotonic seconds), ``sleep`` and ``random`` (backoff jitter, ``[0, 1)``);
- ``retry_policy`` and ``safety_margin`` (seconds kept free before Lambda's own timeout).

Answers: 200 ``{"api_status", "api_body"}``; 404/405 for other routes; 502 (upstream failed or
answered wrongly) or 504 (upstream too slow) with ``{"error", "message", ...}``; 400 for an event that
is not an ALB request; 500 ``{"error": "internal_error"}`` for a bug. Never a secret or token.
"""

from __future__ import annotations

import random as random_module
import time
from collections.abc import Callable, Mapping
from typing import Any

import urllib3

from cognito_m2m_client._shared.alb import MAX_RESPONSE_BODY_BYTES, BadEvent, parse_event, response
from cognito_m2m_client._shared.hosts import is_loopback_url
from cognito_m2m_client._shared.log import get_logger
from cognito_m2m_client.client import TokenClient
from cognito_m2m_client.config import ClientConfig, load_config
from cognito_m2m_client.errors import UpstreamError
from cognito_m2m_client.http import Deadline, HttpClient, RetryPolicy
from cognito_m2m_client.invocation_metrics import InvocationMetrics, metrics_from_env
from cognito_m2m_client.secret_cache import (
    SecretCache,
    SecretsClient,
    default_client_factory,
    fixed_client_factory,
)
from cognito_m2m_client.shared_cache import DynamoClient, SharedTokenTable, default_dynamodb_factory
from cognito_m2m_client.token_cache import TokenCache

log = get_logger(__name__)

ROUTE_PATH = "/client"
ROUTE_METHOD = "GET"
DEFAULT_SAFETY_MARGIN_SECONDS = 0.5
NO_CONTEXT_DEADLINE_SECONDS = 30.0  # when invoked without a Lambda context (local tools)


class ClientHandler:
    """``handler(event, context)`` for the ALB; one instance lives for the container's life."""

    def __init__(
        self,
        client: TokenClient,
        *,
        clock: Callable[[], float],
        safety_margin: float = DEFAULT_SAFETY_MARGIN_SECONDS,
        metrics: InvocationMetrics | None = None,
    ) -> None:
        self.client = client
        self._clock = clock
        self._safety_margin = safety_margin
        self.metrics = metrics

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        metrics = self.metrics
        if metrics is None:
            return self._answer(event, context)[0]
        before = metrics.snapshot(self.client)
        answer, outcome, api_status = self._answer(event, context)
        metrics.write(outcome, before, metrics.snapshot(self.client), api_status, context)
        return answer

    def _answer(self, event: Any, context: Any) -> tuple[dict[str, Any], str, int | None]:
        """The answer, its outcome (an :data:`~cognito_m2m_client.invocation_metrics.OUTCOMES` value)
        and the API's status when the API answered."""
        try:
            request = parse_event(event)
        except BadEvent as exc:
            log.error("not an ALB event: %s", exc)
            return response(400, {"error": "bad_request", "message": str(exc)}), "bad_event", None
        multi = request.multi_value
        if request.path != ROUTE_PATH:
            answer = response(404, {"error": "not_found", "message": "no such route"}, multi_value=multi)
            return answer, "not_found", None
        if request.method != ROUTE_METHOD:
            answer = response(
                405,
                {"error": "method_not_allowed", "message": f"use {ROUTE_METHOD}"},
                headers={"allow": ROUTE_METHOD},
                multi_value=multi,
            )
            return answer, "method_not_allowed", None
        deadline = Deadline.for_invocation(
            context,
            self._clock,
            safety_margin=self._safety_margin,
            default_seconds=NO_CONTEXT_DEADLINE_SECONDS,
        )
        try:
            result = self.client.call(deadline)
        except UpstreamError as exc:
            log.error(
                "answering %d: %s",
                exc.status,
                exc.message,
                extra={"status": exc.status, "error": exc.code, **self._counters()},
            )
            return response(exc.status, exc.body(), multi_value=multi), exc.code, None
        except Exception:
            log.exception("unexpected failure", extra=self._counters())
            body = {"error": "internal_error", "message": "unexpected failure"}
            return response(500, body, multi_value=multi), "internal_error", None
        log.info(
            "API answered: api_status=%d",
            result.status,
            extra={"status": 200, "api_status": result.status, **self._counters()},
        )
        answer = response(200, {"api_status": result.status, "api_body": result.body}, multi_value=multi)
        if len(answer["body"]) > MAX_RESPONSE_BODY_BYTES:  # ASCII JSON: characters == bytes
            log.warning("API answer too large for the ALB: %d bytes re-encoded", len(answer["body"]))
            too_large = {
                "error": "api_body_too_large",
                "message": "the API's answer does not fit the ALB's 1 MB Lambda response",
                "api_status": result.status,
            }
            return response(502, too_large, multi_value=multi), "api_body_too_large", result.status
        return answer, "ok", result.status

    def _counters(self) -> dict[str, int]:
        return {
            "token_requests": self.client.token_requests,
            "secret_reads": self.client.secret_reads,
            "api_requests": self.client.api_requests,
            **self.client.stats.as_dict(),
        }


def new_pool(config: ClientConfig) -> urllib3.PoolManager:
    """The connection pool (TLS verified with the system's CAs, keep-alive across invocations)."""
    return urllib3.PoolManager(
        num_pools=4,
        maxsize=4,
        timeout=urllib3.Timeout(connect=config.connect_timeout_seconds, read=config.http_timeout_seconds),
        retries=False,
    )


def build_handler(
    env: Mapping[str, str],
    *,
    secrets_client: SecretsClient | None = None,
    pool: urllib3.PoolManager | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    random: Callable[[], float] = random_module.random,
    retry_policy: RetryPolicy | None = None,
    safety_margin: float = DEFAULT_SAFETY_MARGIN_SECONDS,
    dynamodb_client: DynamoClient | None = None,
) -> ClientHandler:
    """A handler for the configuration in ``env``; raises ``ConfigError`` naming a bad variable."""
    config = load_config(env)
    client_factory = (
        default_client_factory(config.secret_region, config.http_timeout_seconds)
        if secrets_client is None
        else fixed_client_factory(secrets_client)
    )
    secrets = SecretCache(
        config.secret_arn,
        max_age=config.secret_max_age_seconds,
        clock=clock,
        client_factory=client_factory,
    )
    http = HttpClient(
        pool if pool is not None else new_pool(config),
        connect_timeout=config.connect_timeout_seconds,
        read_timeout=config.http_timeout_seconds,
        policy=retry_policy or RetryPolicy(),
        clock=clock,
        sleep=sleep,
        random=random,
    )
    shared = None
    if config.token_cache_table is not None:
        shared = SharedTokenTable(
            config.token_cache_table,
            client_factory=default_dynamodb_factory(config.secret_region)
            if dynamodb_client is None
            else (lambda: dynamodb_client),
        )
    client = TokenClient(
        config,
        secrets=secrets,
        tokens=TokenCache(clock, config.token_expiry_skew_seconds),
        http=http,
        clock=clock,
        shared=shared,
    )
    if config.api_url.startswith("http://") and not is_loopback_url(config.api_url):
        log.warning(
            "API_URL uses plain http: the access token travels unencrypted (use https, RFC 6750 §5.3)"
        )
    log.debug(  # the metadata's size only: its values may be sensitive
        "client configured",
        extra={"scopes": list(config.scopes), "client_metadata_entries": len(config.client_metadata)},
    )
    return ClientHandler(client, clock=clock, safety_margin=safety_margin, metrics=metrics_from_env(env))
