"""The per-request access log: one JSON line on standard output for every answered request.

Lambda reads a JSON object written to stdout as a structured log entry (its "level" drives the
function's application log-level filtering and its RFC 3339 "timestamp" is kept), so this line needs
neither :mod:`logging` nor Lambda's log formatter: building a :class:`logging.LogRecord` and formatting
it cost about 27 µs per request (``make bench``), more than the RSA verification itself. Everything
else the function logs (warnings, errors, tracebacks) still goes through :mod:`logging`.

A line looks like::

    {"timestamp":"2026-12-01T13:05:02.113Z","level":"INFO","logger":"cognito_m2m_verifier",
     "message":"request","requestId":"8f1c...","status":200,"outcome":"ok","method":"GET",
     "path":"/orders","client_id":"1example23456789","kid":"abc..."}

Fields come from the server's decisions only (status, outcome, method, path, client id, key id, the
verifier's fixed reason texts), never a token, a secret or a header value. JSON escaping keeps a
hostile method or path on one line, and a line is ASCII: any other character (U+2028 too, which some
readers take for a line break, or a lone surrogate, which is not UTF-8) is written as a ``\\u`` escape.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from orjson import JSONEncodeError
from orjson import dumps as _dumps

from cognito_m2m_verifier._shared.emf import record_level

_MILLIS = tuple(f".{ms:03d}Z" for ms in range(1000))  # the end of every timestamp, formatted once
_ABOVE_INFO = frozenset({"WARN", "WARNING", "ERROR", "FATAL", "CRITICAL"})
_observers: list[Callable[[str], None]] = []


def observe(callback: Callable[[str], None]) -> Callable[[], None]:
    """Also hand every line to ``callback`` (tools and tests that audit the log); returns an undo."""
    _observers.append(callback)
    return lambda: _observers.remove(callback)


def enabled_by(env: Mapping[str, str]) -> bool:
    """Whether the configured level (``AWS_LAMBDA_LOG_LEVEL``, else ``LOG_LEVEL``, else INFO) shows INFO."""
    level = (env.get("AWS_LAMBDA_LOG_LEVEL") or env.get("LOG_LEVEL") or "INFO").upper()
    return level not in _ABOVE_INFO  # TRACE, DEBUG, INFO, and an unknown level (read as INFO)


class AccessLog:
    """Writes access lines for one logger name, when the configured level shows INFO, to ``stream``;
    by default to ``sys.stdout``, looked up per line so that a replaced stdout is honoured (Lambda's
    Python runtime replaces it with a wrapper that flushes every write)."""

    __slots__ = ("_second", "_stamp", "enabled", "logger", "metrics_level", "stream")

    def __init__(self, logger: str, *, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.logger = logger
        self.enabled = enabled_by(os.environ) if enabled is None else enabled
        self.metrics_level = record_level(os.environ)
        self.stream = stream
        self._second = -1
        self._stamp = ""

    def _timestamp(self, now: float) -> str:
        second = int(now)
        if second != self._second:  # the formatted second is reused within that second
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return self._stamp + _MILLIS[int((now - second) * 1000)]

    def line(
        self,
        fields: Mapping[str, object],
        request_id: str | None = None,
        members: str = "",
        now: float | None = None,
    ) -> str:
        """The JSON line (with its newline) for one request's ``fields`` at ``now`` (default: the
        clock's), ended by ``members``: JSON text of more members (``,"name":value...``, ASCII), the
        request's metrics."""
        entry: dict[str, object] = {
            "timestamp": self._timestamp(time.time() if now is None else now),
            "level": "INFO",
            "logger": self.logger,
            "message": "request",
        }
        if request_id:
            entry["requestId"] = request_id
        entry.update(fields)
        try:
            data = _dumps(entry)
        except (JSONEncodeError, TypeError):  # a lone surrogate, or a value orjson does not serialise
            pass
        else:
            if data.isascii():  # the usual case; else U+2028 and friends would be raw in the line
                return data.decode()[:-1] + members + "}\n" if members else data.decode() + "\n"
        text = json.dumps(entry, separators=(",", ":"), default=str)  # ASCII, \u escapes
        return text[:-1] + members + "}\n"

    def write(
        self,
        fields: Mapping[str, object],
        request_id: str | None = None,
        members: str = "",
        now: float | None = None,
    ) -> None:
        """Write one line for ``fields`` (and ``members``); never raises (a broken stdout loses the
        line, not the answer)."""
        if not self.enabled:
            return
        text = self.line(fields, request_id, members, now)
        stream = self.stream or sys.stdout  # _emit, inlined: once per request
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass
        for callback in _observers:
            callback(text)

    def write_metrics(
        self, fields: Mapping[str, object], members: str, request_id: str | None = None
    ) -> None:
        """Write a line of ``members`` (the request's metrics) and ``fields`` (its metric values) only,
        at :attr:`metrics_level`: the record of a request whose access line the log level hides.
        Lambda's filter keeps it; the request's details (path, client, key) stay out."""
        entry: dict[str, object] = {"timestamp": self._timestamp(time.time()), "level": self.metrics_level}
        entry["message"] = "metrics"
        if request_id:
            entry["requestId"] = request_id
        entry.update(fields)
        self._emit(json.dumps(entry, separators=(",", ":"), default=str)[:-1] + members + "}\n")

    def _emit(self, text: str) -> None:
        stream = self.stream or sys.stdout
        try:
            stream.write(text)
            stream.flush()  # one line per request, written now: a frozen container keeps nothing back
        except (OSError, ValueError):  # closed or broken stream
            pass
        for callback in _observers:
            callback(text)
