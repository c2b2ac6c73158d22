"""Session-wide capture of every log record the two functions emit, for the secrets-hygiene test.

A handler on the root logger, and an observer of the verifier's access log (JSON lines written to stdout
without :mod:`logging`), keep the fully rendered text of each record from the functions' own
loggers (``cognito_m2m_verifier``, ``cognito_m2m_client`` with their ``_shared`` code, the ``app``
modules): the message with its arguments, every ``extra=`` field and any traceback. While the
reliability suite runs, those loggers are held at DEBUG so that nothing a misconfigured deployment
could print escapes the check.
Tests register the secret values they handle (client secrets, tokens, Authorization values) in
:data:`SECRETS`; ``test_secrets_hygiene`` then searches the whole capture for them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

FUNCTION_LOGGERS = ("cognito_m2m_verifier", "cognito_m2m_client", "app")
_STANDARD = frozenset(logging.LogRecord("x", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class CapturedLogs(logging.Handler):
    """Keeps rendered records of the functions' loggers (thread-safe, bounded)."""

    def __init__(self, limit: int = 400_000) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[str] = []
        self.count_by_logger: dict[str, int] = {}
        self.limit = limit
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        name = record.name
        if not name.startswith(FUNCTION_LOGGERS):
            return
        try:
            text = render(record)
        except Exception as exc:  # a record that cannot be rendered is itself a finding
            text = f"<unrenderable record {name}: {type(exc).__name__}>"
        with self._guard:
            self.count_by_logger[name] = self.count_by_logger.get(name, 0) + 1
            if len(self.records) < self.limit:
                self.records.append(text)

    def add_line(self, text: str, name: str = "cognito_m2m_verifier.access") -> None:
        """A line written outside :mod:`logging` (the verifier's access log), kept like a record."""
        with self._guard:
            self.count_by_logger[name] = self.count_by_logger.get(name, 0) + 1
            if len(self.records) < self.limit:
                self.records.append(text.rstrip("\n"))

    def text(self) -> str:
        with self._guard:
            return "\n".join(self.records)


def render(record: logging.LogRecord) -> str:
    parts = [f"{record.levelname} {record.name} {record.getMessage()}"]
    for key, value in record.__dict__.items():
        if key not in _STANDARD:
            parts.append(f"{key}={value!r}")
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    return " ".join(parts)


CAPTURE = CapturedLogs()
SECRETS: set[str] = set()
_LOCK = threading.Lock()


def register_secrets(values: Iterable[str]) -> None:
    """Values that must never appear in any log (at least 12 characters, to avoid false matches)."""
    with _LOCK:
        SECRETS.update(v for v in values if isinstance(v, str) and len(v) >= 12)
