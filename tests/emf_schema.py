"""An embedded-metric-format record checker written from the specification, not from our emitter.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
- the record is one JSON object; ``_aws`` holds ``Timestamp`` (epoch milliseconds, a number) and
  ``CloudWatchMetrics``, an array of MetricDirectives;
- a directive has ``Namespace`` (a string), ``Dimensions`` (an array of DimensionSets: arrays of at
  most 30 strings naming members of the root) and ``Metrics`` (at most 100 MetricDefinitions, each a
  ``Name`` and optionally a ``Unit`` from CloudWatch's units and a ``StorageResolution`` of 1 or 60);
- every referenced member exists at the root: dimension values are strings (CloudWatch takes up to 1024
  characters), metric values numbers or arrays of at most 100 numbers.
"""

from __future__ import annotations

import json
import math
from typing import Any

SPEC_UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
    "Count/Second", "None",
}  # fmt: skip


def _number(value: Any) -> bool:
    return type(value) in {int, float} and math.isfinite(value)


def check_record(record: Any) -> list[str]:
    """Every way ``record`` breaks the specification (empty: a valid record)."""
    problems: list[str] = []
    if not isinstance(record, dict):
        return ["the record is not a JSON object"]
    meta = record.get("_aws")
    if not isinstance(meta, dict):
        return ["no _aws object"]
    if not _number(meta.get("Timestamp")) or meta["Timestamp"] < 10**12:
        problems.append(f"Timestamp {meta.get('Timestamp')!r} is not epoch milliseconds")
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(directives, list) or not directives:
        return [*problems, "CloudWatchMetrics is not a non-empty array"]
    for index, item in enumerate(directives):
        where = f"directive {index}"
        if not isinstance(item, dict) or set(item) - {"Namespace", "Dimensions", "Metrics"}:
            problems.append(f"{where}: not an object of Namespace, Dimensions, Metrics")
            continue
        namespace = item.get("Namespace")
        if not isinstance(namespace, str) or not namespace or namespace.startswith("AWS/"):
            problems.append(f"{where}: Namespace {namespace!r}")
        dimension_sets = item.get("Dimensions")
        if not isinstance(dimension_sets, list):
            problems.append(f"{where}: Dimensions is not an array")
            dimension_sets = []
        for dimension_set in dimension_sets:
            if not isinstance(dimension_set, list) or len(dimension_set) > 30:
                problems.append(f"{where}: a dimension set is not an array of at most 30")
                continue
            for name in dimension_set:
                value = record.get(name)
                if not isinstance(name, str) or not isinstance(value, str) or not 0 < len(value) <= 1024:
                    problems.append(f"{where}: dimension {name!r} is not a string member ({value!r})")
        metrics = item.get("Metrics")
        if not isinstance(metrics, list) or not 0 < len(metrics) <= 100:
            problems.append(f"{where}: Metrics is not an array of 1 to 100")
            continue
        for metric in metrics:
            if not isinstance(metric, dict) or set(metric) - {"Name", "Unit", "StorageResolution"}:
                problems.append(f"{where}: metric definition {metric!r}")
                continue
            name = metric.get("Name")
            if "Unit" in metric and metric["Unit"] not in SPEC_UNITS:
                problems.append(f"{where}: {name!r} has unit {metric['Unit']!r}")
            if metric.get("StorageResolution", 60) not in {1, 60}:
                problems.append(f"{where}: {name!r} has StorageResolution {metric['StorageResolution']!r}")
            value = record.get(name) if isinstance(name, str) else None
            values = value if isinstance(value, list) else [value]
            if not values or len(values) > 100 or not all(_number(v) for v in values):
                problems.append(f"{where}: metric {name!r} has value {value!r}")
    return problems


def records_in(lines: list[str]) -> list[dict[str, Any]]:
    """The EMF records among log lines (JSON objects with an ``_aws`` member)."""
    found = []
    for raw in lines:
        line = raw.strip()
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "_aws" in entry:
            found.append(entry)
    return found


def metric_values(record: dict[str, Any]) -> dict[str, Any]:
    """``{metric name: value}`` of a record."""
    names = [m["Name"] for d in record["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]
    return {name: record[name] for name in names}


def dimension_values(record: dict[str, Any]) -> dict[str, str]:
    """``{dimension name: value}`` of a record."""
    names = {n for d in record["_aws"]["CloudWatchMetrics"] for s in d["Dimensions"] for n in s}
    return {name: record[name] for name in sorted(names)}
