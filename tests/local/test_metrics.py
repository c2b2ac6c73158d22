"""`make local-metrics`: records found in mixed log text as CloudWatch would, summed, and charted.

The records come from the functions' own writers (the verifier's access line, the client's invocation
record), so the reader is checked against what really runs; the hostile lines are what a log holds
besides (text records, tracebacks, broken JSON, JSON that only looks like a record).
"""

from __future__ import annotations

import colorsys
import io
import struct
from pathlib import Path

import matplotlib.colors
import pytest

from cognito_m2m_verifier._shared.emf import MetricsConfig
from cognito_m2m_verifier.access_log import AccessLog
from cognito_m2m_verifier.request_metrics import OUTCOMES as REQUEST_OUTCOMES
from cognito_m2m_verifier.request_metrics import RequestMetrics
from local_edge.__main__ import main
from local_edge.metrics import (
    FUNCTION_ERROR,
    OUTCOME_COLORS,
    draw_chart,
    format_table,
    read_log_dir,
    read_records,
    requests_by_outcome,
    summarize,
    write_chart,
)
from local_edge.service_metrics import ServiceMetrics

T0 = 1_764_590_400_000  # 2025-12-01T12:00:00Z in epoch milliseconds


def access_lines(function: str, outcomes: list[tuple[str, int]]) -> list[str]:
    """Lines as the verifier writes them: (outcome, milliseconds after T0) each."""
    metrics = RequestMetrics(MetricsConfig("CognitoM2M", function))
    stream = io.StringIO()
    log = AccessLog("cognito_m2m_verifier", enabled=True, stream=stream)
    for outcome, at in outcomes:
        fields = {"status": 200 if outcome == "ok" else 401, "outcome": outcome}
        if outcome in {"ok", "invalid_token"}:
            fields |= {"VerificationTime": 500 if outcome == "ok" else 2000, "TokenCacheHits": 0}
        log.write(fields, None, metrics.members(fields, outcome, (T0 + at) / 1000))
    return stream.getvalue().splitlines()


HOSTILE = [
    "START RequestId: 8f1c Version: $LATEST",
    "INFO cognito_m2m_verifier request ok",
    "Traceback (most recent call last):",
    '{"_aws": "not an object", "Requests": 1}',
    '{"_aws": {"Timestamp": "soon", "CloudWatchMetrics": []}}',
    '{"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "N", "Dimensions": [["F"]],'
    ' "Metrics": [{"Name": "M"}]}]}, "F": 7, "M": 1}',  # a dimension that is no string: dropped
    '{"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "N", "Dimensions": [[]],'
    ' "Metrics": [{"Name": "M"}]}]}, "M": "1"}',  # a value that is no number: dropped
    '{"broken": ',
    "{" + "[" * 10_000,
    '{"level":"INFO","message":"no record"}',
    "\ufffd\x00\u2028",
]


def test_records_are_read_and_summed_as_cloudwatch_would(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = access_lines("demo-resource", [("ok", 0), ("ok", 1000), ("invalid_token", 2000)])
    (logs / "demo-resource.log").write_text("\n".join(HOSTILE[:3] + lines + HOSTILE[3:]) + "\n")
    (logs / "edge.log").write_bytes(b"\xff\xfe not utf-8\n")
    rows = {(r.name, r.dimensions): r for r in summarize(read_log_dir(logs))}
    ok = rows[("Requests", (("Function", "demo-resource"), ("Outcome", "ok")))]
    assert (ok.datapoints, ok.total) == (2, 2.0)
    total = rows[("Requests", (("Function", "demo-resource"),))]
    assert total.total == 3.0
    invalid = rows[("InvalidTokens", (("Function", "demo-resource"), ("Reason", "invalid_token")))]
    assert invalid.total == 1.0
    timing = rows[("VerificationTime", (("Function", "demo-resource"),))]
    assert (timing.unit, timing.p50, timing.maximum) == ("Microseconds", 500.0, 2000.0)
    assert not any(r.namespace == "N" for r in rows.values())  # the malformed records gave nothing
    table = format_table(list(rows.values()))
    assert "VerificationTime" in table
    assert "Function=demo-resource Outcome=ok" in table


def test_the_chart_is_a_png_of_requests_by_outcome(tmp_path: Path) -> None:
    lines = access_lines("demo-resource", [("ok", i * 1000) for i in range(30)] + [("no_token", 5000)])
    lines += access_lines("orders", [("insufficient_scope", 0), ("ok", 3000)])
    out = write_chart(list(read_records(lines)), tmp_path / "chart" / "metrics.png")
    assert out is not None
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1200
    assert height == 640  # one panel per function, 3.2 inches each at 100 dpi


def crash_lines(function_arn: str, at_ms: list[int]) -> list[str]:
    """What the local edge writes when the function crashed (Lambda's and the ALB's own counts)."""
    out = io.StringIO()
    clock = iter([(T0 + at) / 1000 for at in at_ms for _ in range(2)])
    metrics = ServiceMetrics(Path("/dev/null"), clock=lambda: next(clock))
    metrics._file = out  # the records as text, not a file
    alb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/m2m-local/50dc6c495c0c9188"
    group = (
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/m2m-local-orders/73e2d6bc24d8a067"
    )
    for _ in at_ms:
        metrics.invocation(function_arn, error=True)
        metrics.answer(alb, group, 502, from_target=False)
    return out.getvalue().splitlines()


def test_a_crashing_function_is_counted_in_the_table_and_the_chart(tmp_path: Path) -> None:
    """A crash writes no record of the function's own: Lambda's Errors and the ALB's 5xx count it."""
    lines = access_lines("orders", [("ok", 0)])
    lines += crash_lines("arn:aws:lambda:us-east-1:123456789012:function:orders", [1000, 2000])
    points = list(read_records(lines))
    table = format_table(summarize(points))
    assert "AWS/Lambda" in table
    assert "Errors" in table
    assert "HTTPCode_ELB_5XX_Count" in table
    (row,) = [r for r in summarize(points) if r.name == "Errors"]
    assert (row.dimensions, row.total) == ((("FunctionName", "orders"),), 2.0)
    series = requests_by_outcome(points, 1)
    assert sum(series["orders"][FUNCTION_ERROR].values()) == 2
    only_crashes = list(read_records(crash_lines("arn:aws:lambda:us-east-1:1:function:f", [0])))
    assert write_chart(only_crashes, tmp_path / "c.png") == tmp_path / "c.png"  # charted all the same


def test_the_chart_can_be_read(tmp_path: Path) -> None:
    """The legend sits beside each panel (never over the last bar), every panel has time labels, and
    no refusal or error is drawn in a colour close to ok's green."""
    lines = access_lines("demo-resource", [("ok", i * 1000) for i in range(30)] + [("no_token", 29_000)])
    lines += access_lines("orders", [("insufficient_scope", 0), ("ok", 3000)])
    figure = draw_chart(list(read_records(lines)))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    for axis in figure.axes:
        legend = axis.get_legend().get_window_extent(renderer)
        assert legend.x0 >= axis.get_window_extent(renderer).x1
        assert [t.get_text() for t in axis.get_xticklabels() if t.get_visible() and t.get_text()]
    green = colorsys.rgb_to_hsv(*matplotlib.colors.to_rgb(OUTCOME_COLORS["ok"]))[0]
    for outcome, color in OUTCOME_COLORS.items():
        if outcome != "ok":
            hue, saturation, _ = colorsys.rgb_to_hsv(*matplotlib.colors.to_rgb(color))
            assert saturation < 0.2 or abs(hue - green) > 0.15, outcome
    for outcome in REQUEST_OUTCOMES:
        assert outcome in OUTCOME_COLORS


def test_no_request_metric_no_chart(tmp_path: Path) -> None:
    assert write_chart([], tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_the_command_prints_the_table_and_writes_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "f.log").write_text("\n".join(access_lines("f", [("ok", 0), ("not_found", 10)])) + "\n")
    assert main(["metrics", "--logs", str(logs), "--png", str(tmp_path / "m.png")]) == 0
    out = capsys.readouterr().out
    assert "Function=f Outcome=not_found" in out
    assert str(tmp_path / "m.png") in out
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_the_command_says_what_to_do_without_logs_or_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics", "--logs", str(tmp_path / "missing")]) == 1
    assert "make local" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "f.log").write_text("\n".join(HOSTILE))
    assert main(["metrics", "--logs", str(tmp_path / "empty")]) == 1
    assert "no metrics records" in capsys.readouterr().out
