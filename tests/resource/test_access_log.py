"""The per-request access line: valid JSON on one line, level-filtered, never breaking an answer."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from cognito_m2m_verifier.access_log import AccessLog, enabled_by

RFC3339_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def written(log: AccessLog, fields: dict[str, Any], request_id: str | None = None) -> list[str]:
    stream = io.StringIO()
    log.stream = stream
    log.write(fields, request_id)
    return stream.getvalue().splitlines(keepends=True)


def test_a_line_is_one_json_object_with_level_timestamp_and_request_id() -> None:
    log = AccessLog("cognito_m2m_verifier", enabled=True)
    lines = written(log, {"status": 200, "outcome": "ok"}, "8f1c-req")
    assert len(lines) == 1
    assert lines[0].endswith("\n")
    entry = json.loads(lines[0])
    assert entry["level"] == "INFO"  # Lambda's application log-level filter reads this key
    assert RFC3339_MILLIS.fullmatch(entry["timestamp"])
    assert entry["logger"] == "cognito_m2m_verifier"
    assert entry["message"] == "request"
    assert entry["requestId"] == "8f1c-req"
    assert (entry["status"], entry["outcome"]) == (200, "ok")


@pytest.mark.parametrize(
    "hostile",
    ["GET\nINFO forged line", '/api\r\n{"level":"ERROR"}', "\ud800", "\u2028\u2029\x00\x1b[31m", "é" * 50],
)
def test_hostile_strings_stay_on_one_line_and_round_trip(hostile: str) -> None:
    log = AccessLog("x", enabled=True)
    lines = written(log, {"method": hostile, "path": hostile})
    assert len(lines) == 1
    assert lines[0].isascii()
    entry = json.loads(lines[0])
    assert entry["method"] == hostile
    assert entry["path"] == hostile


def test_fields_cannot_be_anything_but_json() -> None:
    log = AccessLog("x", enabled=True)
    entry = json.loads(written(log, {"big": 2**70, "odd": object()})[0])
    assert entry["big"] == 2**70  # beyond orjson's 64 bits: the standard encoder writes it
    assert entry["odd"].startswith("<object object")


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({}, True),
        ({"AWS_LAMBDA_LOG_LEVEL": "DEBUG"}, True),
        ({"AWS_LAMBDA_LOG_LEVEL": "info"}, True),
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, True),
        ({"AWS_LAMBDA_LOG_LEVEL": "WARN"}, False),
        ({"AWS_LAMBDA_LOG_LEVEL": "ERROR", "LOG_LEVEL": "DEBUG"}, False),
        ({"LOG_LEVEL": "FATAL"}, False),
        ({"LOG_LEVEL": "nonsense"}, True),  # an unknown level reads as INFO, as for the logging setup
    ],
)
def test_the_configured_level_decides(env: dict[str, str], shown: bool) -> None:
    assert enabled_by(env) is shown
    assert bool(written(AccessLog("x", enabled=enabled_by(env)), {"status": 200})) is shown


class Broken(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError("EPIPE")


def test_a_broken_stream_loses_the_line_not_the_request() -> None:
    log = AccessLog("x", enabled=True, stream=Broken())
    log.write({"status": 200})  # no exception


def test_timestamps_follow_the_clock_across_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    import cognito_m2m_verifier.access_log as module

    log = AccessLog("x", enabled=True)
    times = iter([1_700_000_000.0, 1_700_000_000.999, 1_700_000_001.5])
    monkeypatch.setattr(module.time, "time", lambda: next(times))
    stamps = [json.loads(written(log, {})[0])["timestamp"] for _ in range(3)]
    assert stamps == ["2023-11-14T22:13:20.000Z", "2023-11-14T22:13:20.999Z", "2023-11-14T22:13:21.500Z"]
