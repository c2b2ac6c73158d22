"""Per-invocation metrics of the client function, as one CloudWatch embedded-metric-format record.

Every invocation writes exactly one record to standard output (the function's log line stays a
``logging`` record), in the namespace ``METRICS_NAMESPACE``. Counts are what this invocation spent:

========================  =====================  ==============================================
metric                    dimensions             value per invocation
========================  =====================  ==============================================
``Invocations``           Function, Outcome;     1
                          Function
``TokenRequests``         Function               requests sent to the token endpoint (retries
                                                 included): what draws on the ClientAuthentication
                                                 quota
``TokensIssued``          Function               tokens the endpoint issued: what Cognito bills
``TokenCacheHits``        Function               tokens this container's cache answered
``SharedCacheHits``       Function               tokens the fleet's table answered
``SharedCacheFallbacks``  Function               table failures that became a direct request
``SecretReads``           Function               Secrets Manager reads
``ApiRequests``           Function               requests sent to the API (retries included)
``ApiResponses``          Function, ApiStatus    1 when the API answered (status class 2xx-5xx)
========================  =====================  ==============================================

``Outcome`` is ``ok`` or the error code the function answered with (``token_endpoint_unavailable``,
``secret_unavailable``, ...: the upstream errors by kind; see :mod:`cognito_m2m_client.errors`).
No value comes from a secret, a token or an upstream's text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, TextIO

from cognito_m2m_client._shared.emf import MetricsConfig, directive, emf_record, record_level, write_record
from cognito_m2m_client.client import TokenClient

_COUNTS = (
    ("TokenRequests", "token_requests"),
    ("TokensIssued", "tokens_fetched"),
    ("TokenCacheHits", "token_cache_hits"),
    ("SharedCacheHits", "shared_cache_hits"),
    ("SharedCacheFallbacks", "shared_cache_fallbacks"),
    ("SecretReads", "secret_reads"),
    ("ApiRequests", "api_requests"),
)

Snapshot = tuple[int, ...]


def status_class(status: int) -> str:
    """``2xx`` .. ``5xx`` for an HTTP status, ``other`` for anything else (never the raw number)."""
    return f"{status // 100}xx" if 200 <= status <= 599 else "other"


class InvocationMetrics:
    """Writes one record per invocation (see the module docstring); ``stream`` defaults to stdout."""

    def __init__(self, config: MetricsConfig, *, level: str = "INFO", stream: TextIO | None = None) -> None:
        self.config = config
        self.level = level
        self.stream = stream
        ns = config.namespace
        self._base = [
            directive(ns, [["Function", "Outcome"], ["Function"]], [("Invocations", "Count")]),
            directive(ns, [["Function"]], [(name, "Count") for name, _ in _COUNTS]),
        ]
        self._with_api = [
            *self._base,
            directive(ns, [["Function", "ApiStatus"]], [("ApiResponses", "Count")]),
        ]

    @staticmethod
    def snapshot(client: TokenClient) -> Snapshot:
        """The client's counters now (the record holds the difference of two snapshots)."""
        stats = client.stats.as_dict()
        values = {
            **stats,
            "token_requests": client.token_requests,
            "secret_reads": client.secret_reads,
            "api_requests": client.api_requests,
        }
        return tuple(int(values[attribute]) for _, attribute in _COUNTS)

    def record(
        self, outcome: str, before: Snapshot, after: Snapshot, api_status: int | None, context: Any = None
    ) -> dict[str, Any]:
        members: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "level": self.level,
            "message": "metrics",
        }
        request_id = getattr(context, "aws_request_id", None)
        if isinstance(request_id, str) and request_id:
            members["requestId"] = request_id[:64]
        members["Function"] = self.config.function
        members["Outcome"] = outcome
        members["Invocations"] = 1
        for (name, _), old, new in zip(_COUNTS, before, after, strict=True):
            members[name] = new - old
        directives = self._base
        if api_status is not None:
            directives = self._with_api
            members["ApiStatus"] = status_class(api_status)
            members["ApiResponses"] = 1
        return emf_record(directives, int(time.time() * 1000), **members)

    def write(
        self, outcome: str, before: Snapshot, after: Snapshot, api_status: int | None, context: Any = None
    ) -> str:
        """Write the invocation's record; never raises. Returns the line written."""
        return write_record(self.record(outcome, before, after, api_status, context), self.stream)


def metrics_from_env(env: Mapping[str, str]) -> InvocationMetrics | None:
    """The client function's metrics (``METRICS_NAMESPACE``), or None; a bad namespace is a ConfigError."""
    config = MetricsConfig.from_env(env, default_function="cognito-m2m-client")
    return InvocationMetrics(config, level=record_level(env)) if config is not None else None
