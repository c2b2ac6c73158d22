"""Log setup shared by both functions.

Lambda's own JSON log format (``logging_config.log_format = "JSON"`` in Terraform) turns every
standard ``logging`` record into one JSON line with level, timestamp and request id, so the
functions use the standard library only. Pass structured fields with ``extra=``; never a secret,
a token or an ``Authorization`` header value.
"""

from __future__ import annotations

import logging
import os

_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


def get_logger(name: str) -> logging.Logger:
    """A logger at the level Lambda was configured with (``AWS_LAMBDA_LOG_LEVEL``, else ``LOG_LEVEL``)."""
    level = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO").upper()
    if level == "TRACE":
        level = "DEBUG"
    if level not in _LEVELS:
        level = "INFO"
    logger = logging.getLogger(name)
    logger.setLevel(level)
    root = logging.getLogger()
    if not root.handlers:  # outside Lambda (local workers, tests): one plain stderr handler
        logging.basicConfig(format="%(levelname)s %(name)s %(message)s")
    return logger
