"""CloudWatch embedded metric format (EMF): metrics carried by a JSON log line, no API call, no library.

CloudWatch Logs extracts metrics from a log event that is one JSON object with an ``_aws`` member::

    {"_aws": {"Timestamp": 1764590702113,
              "CloudWatchMetrics": [{"Namespace": "CognitoM2M",
                                     "Dimensions": [["Function", "Outcome"], ["Function"]],
                                     "Metrics": [{"Name": "Requests", "Unit": "Count"}]}]},
     "Function": "demo-resource", "Outcome": "ok", "Requests": 1}

Each directive names dimension sets (keys of top-level string members) and metrics (keys of top-level
numbers); the specification allows at most 30 dimensions per set and 100 metrics per directive, and the
units below. Lambda ships whatever a function writes to standard output to CloudWatch Logs, so a record
costs one ``write``: nothing is imported, buffered or flushed at the end of the invocation, and a
crashed invocation loses only its own record.

:class:`MetricsConfig` reads the two settings every function shares: ``METRICS_NAMESPACE`` (unset or
empty: no metrics) and the function's name (``AWS_LAMBDA_FUNCTION_NAME``), the ``Function`` dimension.
Dimensions only ever take values the code chose from a fixed set (outcome names, step names, status
classes) and the function's name: never a token, a secret, a client id or anything a caller sent.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from .config import ConfigError

# The units the specification accepts (MetricDatum.Unit of PutMetricData).
UNITS = frozenset(
    {
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    }
)
MAX_METRICS_PER_DIRECTIVE = 100
MAX_DIMENSIONS_PER_SET = 30
MAX_NAME_LENGTH = 255  # CloudWatch's own limit on namespaces, metric and dimension names
_LEVELS_ABOVE_INFO = {
    "WARN": "WARN",
    "WARNING": "WARN",
    "ERROR": "ERROR",
    "FATAL": "FATAL",
    "CRITICAL": "FATAL",
}


def _check_name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_LENGTH or not name.isascii():
        raise ValueError(f"{kind} {name!r} must be 1-{MAX_NAME_LENGTH} ASCII characters")
    if kind == "namespace" and name.startswith("AWS/"):
        raise ValueError(f"namespace {name!r} must not start with 'AWS/' (reserved for AWS services)")


def directive(
    namespace: str, dimension_sets: Sequence[Sequence[str]], metrics: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """One MetricDirective: ``metrics`` as ``(name, unit)`` pairs, aggregated by each dimension set.

    Raises ``ValueError`` for what CloudWatch would reject (or silently drop): an empty or too long
    name, an unknown unit, more than 100 metrics or 30 dimensions in a set, a name used twice.
    """
    _check_name("namespace", namespace)
    if not metrics or len(metrics) > MAX_METRICS_PER_DIRECTIVE:
        raise ValueError(f"a directive holds 1-{MAX_METRICS_PER_DIRECTIVE} metrics, not {len(metrics)}")
    names = [name for name, _ in metrics]
    if len(set(names)) != len(names):
        raise ValueError(f"metric names repeat: {names}")
    for name, unit in metrics:
        _check_name("metric", name)
        if unit not in UNITS:
            raise ValueError(f"metric {name!r} has unit {unit!r}, not one of CloudWatch's units")
    for dimensions in dimension_sets:
        if len(dimensions) > MAX_DIMENSIONS_PER_SET:
            raise ValueError(f"a dimension set holds at most {MAX_DIMENSIONS_PER_SET} dimensions")
        for dimension in dimensions:
            _check_name("dimension", dimension)
            if dimension in names:
                raise ValueError(f"{dimension!r} is both a dimension and a metric")
    return {
        "Namespace": namespace,
        "Dimensions": [list(dimensions) for dimensions in dimension_sets],
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics],
    }


def record_level(env: Mapping[str, str]) -> str:
    """The ``level`` a metrics record carries: INFO, or the configured level when that hides INFO.

    Lambda's log-level filter (JSON log format) drops any JSON line whose ``level`` is below the
    function's application log level, and reads a line without one as INFO. A record written at the
    configured level survives the filter, so metrics keep flowing when INFO logs are turned off.
    """
    level = (env.get("AWS_LAMBDA_LOG_LEVEL") or env.get("LOG_LEVEL") or "INFO").upper()
    return _LEVELS_ABOVE_INFO.get(level, "INFO")


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """Where a function's metrics go: the namespace and the value of the ``Function`` dimension."""

    namespace: str
    function: str

    def __post_init__(self) -> None:
        _check_name("namespace", self.namespace)
        _check_name("dimension value", self.function)

    @classmethod
    def from_env(cls, env: Mapping[str, str], default_function: str) -> MetricsConfig | None:
        """The configuration in ``env``, or None when ``METRICS_NAMESPACE`` is unset or empty.

        A malformed namespace raises :class:`~.config.ConfigError` naming the variable (the module
        validates it at plan; this catches a hand-set one at the cold start).
        """
        namespace = env.get("METRICS_NAMESPACE", "").strip()
        if not namespace:
            return None
        function = env.get("AWS_LAMBDA_FUNCTION_NAME", "").strip() or default_function
        try:
            return cls(namespace, function[:MAX_NAME_LENGTH])
        except ValueError as exc:
            raise ConfigError("METRICS_NAMESPACE", str(exc)) from None


def emf_record(
    directives: Sequence[Mapping[str, Any]], timestamp_ms: int, **members: object
) -> dict[str, Any]:
    """A record: the metadata (``_aws``) and the members its directives name (plus any others)."""
    return {"_aws": {"Timestamp": timestamp_ms, "CloudWatchMetrics": list(directives)}, **members}


def write_record(record: Mapping[str, Any], stream: TextIO | None = None) -> str:
    """Write ``record`` as one ASCII JSON line to ``stream`` (standard output by default); never raises.

    Returns the line (also when the stream failed), for callers that audit what was written.
    """
    text = json.dumps(record, separators=(",", ":"), ensure_ascii=True, default=str) + "\n"
    out = stream or sys.stdout
    try:
        out.write(text)
        out.flush()
    except (OSError, ValueError):  # a closed or broken stream loses the record, never the answer
        pass
    return text
