"""The local stack's metrics: what CloudWatch would extract from the functions' logs, read here.

The functions write CloudWatch embedded-metric-format records to standard output, which the local
stack keeps in ``<state>/logs/<function>.log`` (text lines and JSON lines mixed). :func:`read_records`
finds the records the way CloudWatch Logs does (a line that is one JSON object with an ``_aws``
member whose directives name its metrics and dimensions) and skips anything else; :func:`summarize`
aggregates them per metric and dimension values as CloudWatch's statistics would (datapoints, sum,
and p50/p99/max for timings); :func:`write_chart` draws requests by outcome over time as a PNG.

``python -m local_edge metrics`` (``make local-metrics``) prints the table and writes the chart.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_LINE_BYTES = 256 * 1024  # CloudWatch Logs' event size: a longer line is no record
_TIMINGS = {"Seconds", "Milliseconds", "Microseconds"}


@dataclass(frozen=True, slots=True)
class Datapoint:
    """One value of one metric, as CloudWatch would store it."""

    namespace: str
    name: str
    unit: str
    dimensions: tuple[tuple[str, str], ...]  # sorted (name, value) pairs
    timestamp_ms: int
    value: float


def _datapoints(record: dict[str, Any]) -> Iterator[Datapoint]:
    meta = record.get("_aws")
    if not isinstance(meta, dict):
        return
    timestamp = meta.get("Timestamp")
    directives = meta.get("CloudWatchMetrics")
    if type(timestamp) is not int or not isinstance(directives, list):
        return
    for item in directives:
        if not isinstance(item, dict) or not isinstance(item.get("Namespace"), str):
            continue
        sets: list[Any] = item["Dimensions"] if isinstance(item.get("Dimensions"), list) else []
        metrics: list[Any] = item["Metrics"] if isinstance(item.get("Metrics"), list) else []
        for dimension_set in sets or [[]]:
            if not isinstance(dimension_set, list):
                continue
            pairs = [(name, record.get(name)) for name in dimension_set]
            dims = tuple(sorted((str(k), v) for k, v in pairs if isinstance(k, str) and isinstance(v, str)))
            if len(dims) != len(pairs):
                continue  # CloudWatch drops a dimension set whose values are not strings
            for metric in metrics:
                name = metric.get("Name") if isinstance(metric, dict) else None
                if not isinstance(name, str):
                    continue
                value = record.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                    unit = str(metric.get("Unit", "None"))
                    yield Datapoint(item["Namespace"], name, unit, dims, timestamp, float(value))


def read_records(lines: Iterable[str]) -> Iterator[Datapoint]:
    """Every datapoint of the EMF records among ``lines``; any other line is skipped."""
    for line in lines:
        text = line.strip()
        if not text.startswith("{") or len(text) > MAX_LINE_BYTES:
            continue
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if isinstance(record, dict) and "_aws" in record:
            yield from _datapoints(record)


def read_log_dir(logs: Path) -> list[Datapoint]:
    """The datapoints in every ``*.log`` file of ``logs`` (undecodable bytes are replaced, not fatal)."""
    points: list[Datapoint] = []
    for path in sorted(logs.glob("*.log")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            points.extend(read_records(lines))
    return points


@dataclass(frozen=True, slots=True)
class Row:
    """The statistics of one metric for one set of dimension values."""

    namespace: str
    name: str
    unit: str
    dimensions: tuple[tuple[str, str], ...]
    datapoints: int
    total: float
    p50: float | None
    p99: float | None
    maximum: float | None


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def summarize(points: Iterable[Datapoint]) -> list[Row]:
    """One row per (namespace, metric, dimension values), sorted; timings get p50, p99 and maximum."""
    groups: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], list[float]] = defaultdict(list)
    for point in points:
        groups[(point.namespace, point.name, point.unit, point.dimensions)].append(point.value)
    rows = []
    for (namespace, name, unit, dims), values in sorted(groups.items()):
        ordered = sorted(values)
        timing = unit in _TIMINGS
        rows.append(
            Row(
                namespace,
                name,
                unit,
                dims,
                len(values),
                sum(values),
                _percentile(ordered, 0.5) if timing else None,
                _percentile(ordered, 0.99) if timing else None,
                ordered[-1] if timing else None,
            )
        )
    return rows


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if value == int(value) else f"{value:.3f}"


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned text table (one line per metric and dimension values)."""
    header = ("namespace", "metric", "dimensions", "unit", "datapoints", "sum", "p50", "p99", "max")
    body = [
        (
            r.namespace,
            r.name,
            " ".join(f"{k}={v}" for k, v in r.dimensions),
            r.unit,
            str(r.datapoints),
            _number(r.total),
            _number(r.p50),
            _number(r.p99),
            _number(r.maximum),
        )
        for r in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *body]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out.extend("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() for cells in body)
    return "\n".join(out)


def requests_by_outcome(
    points: Iterable[Datapoint], bucket_seconds: int
) -> dict[str, dict[str, dict[int, float]]]:
    """``{function: {outcome: {bucket start (epoch s): requests}}}`` from the Requests metric, plus
    Lambda's ``Errors`` of each function as the outcome ``function_error``: a function that raised, failed
    its INIT or timed out wrote no record of its own (the local edge writes Lambda's, as Lambda does)."""
    series: dict[str, dict[str, dict[int, float]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(float))
    )
    for point in points:
        dims = dict(point.dimensions)
        bucket = point.timestamp_ms // 1000 // bucket_seconds * bucket_seconds
        if point.name == "Requests" and set(dims) == {"Function", "Outcome"}:
            series[dims["Function"]][dims["Outcome"]][bucket] += point.value
        elif point.namespace == "AWS/Lambda" and point.name == "Errors" and point.value > 0:
            series[dims.get("FunctionName", "?")][FUNCTION_ERROR][bucket] += point.value
    return series


FUNCTION_ERROR = "function_error"
# Colours that read as what they are: success green, the caller's mistakes (4xx) in blues, purples and
# browns, trouble on the server's side (5xx) in reds; an outcome not listed here gets a grey.
OUTCOME_COLORS = {
    "ok": "#2ca02c",
    "no_token": "#9ecae1",
    "invalid_request": "#6baed6",
    "invalid_token": "#3182bd",
    "insufficient_scope": "#756bb1",
    "not_found": "#bcbddc",
    "method_not_allowed": "#9e9ac8",
    "bad_event": "#54278f",
    "rejected": "#8c564b",
    "keys_unavailable": "#fb6a4a",
    "error": "#de2d26",
    "internal_error": "#a50f15",
    FUNCTION_ERROR: "#000000",
}


def write_chart(points: list[Datapoint], out: Path, max_bars: int = 60) -> Path | None:
    """A PNG of requests by outcome over time (one panel per function, stacked bars, the legend beside
    each panel, time labels under each); None when no record has a Requests metric or a function
    error. The bucket is the smallest of 1, 10, 60, 300 or 3600 seconds that keeps each panel under
    ``max_bars`` bars."""
    drawn = _draw(points, out, max_bars)
    return drawn if drawn is None or isinstance(drawn, Path) else None


def draw_chart(points: list[Datapoint], max_bars: int = 60) -> Any:
    """The chart's matplotlib figure, not saved (tests look at where its parts are)."""
    return _draw(points, None, max_bars)


def _draw(points: list[Datapoint], out: Path | None, max_bars: int) -> Any:
    times = [
        p.timestamp_ms // 1000
        for p in points
        if p.name == "Requests" or (p.namespace == "AWS/Lambda" and p.name == "Errors" and p.value > 0)
    ]
    if not times:
        return None
    span = max(times) - min(times) + 1
    bucket = next((b for b in (1, 10, 60, 300, 3600) if span / b <= max_bars), 3600)
    series = requests_by_outcome(points, bucket)

    import matplotlib  # noqa: PLC0415 - only this command draws; the stack never imports it

    matplotlib.use("Agg")
    from matplotlib import pyplot  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    functions = sorted(series)
    figure, axes = pyplot.subplots(
        len(functions), 1, figsize=(12, 3.2 * len(functions)), squeeze=False, sharex=True
    )
    start = min(times) // bucket * bucket
    for axis, function in zip(axes[:, 0], functions, strict=True):
        bottom: dict[int, float] = defaultdict(float)
        for outcome in sorted(series[function]):
            counts = series[function][outcome]
            xs = sorted(counts)
            axis.bar(
                [x - start for x in xs],
                [counts[x] for x in xs],
                bottom=[bottom[x] for x in xs],
                width=0.9 * bucket,
                align="edge",
                color=OUTCOME_COLORS.get(outcome, "#969696"),
                label=outcome,
            )
            for x in xs:
                bottom[x] += counts[x]
        axis.set_title(f"{function}: requests by outcome")
        axis.set_xlabel(f"seconds since the first request ({bucket} s per bar)")
        axis.set_ylabel("requests")
        axis.tick_params(labelbottom=True)  # every panel has its time labels, not only the last one
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # requests are whole
        # beside the panel, never over its bars
        axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", borderaxespad=0.0)
    figure.tight_layout()
    if out is None:  # the figure itself, for a test to look at
        return figure
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="png", dpi=100)
    pyplot.close(figure)
    return out
