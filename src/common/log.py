"""Logging: the libraries only name their loggers; the functions configure logging at cold start.

A library never configures logging (the Python logging HOWTO, "Configuring Logging for a Library"): a
package's loggers have no level of their own and no handler but a ``NullHandler`` on the package's top
logger, so an application's own ``logging.basicConfig`` and levels decide. The project's Lambda functions
(their ``app.py``) call :func:`configure_function_logging`: the packages' loggers at the level Lambda was
configured with, and, outside Lambda (the local stack's workers), one plain stderr handler on the root.

Lambda's own JSON log format (``logging_config.log_format = "JSON"`` in Terraform) turns every
standard ``logging`` record into one JSON line with level, timestamp and request id, so the
functions use the standard library only. Pass structured fields with ``extra=``; never a secret,
a token or an ``Authorization`` header value.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


def get_logger(name: str) -> logging.Logger:
    """The logger ``name``; its package's top logger gets a ``NullHandler`` (and nothing else)."""
    top = logging.getLogger(name.split(".", 1)[0])
    if not any(isinstance(handler, logging.NullHandler) for handler in top.handlers):
        top.addHandler(logging.NullHandler())
    return logging.getLogger(name)


def function_log_level(env: Mapping[str, str]) -> str:
    """Lambda's configured level (``AWS_LAMBDA_LOG_LEVEL``, else ``LOG_LEVEL``; TRACE is DEBUG), else INFO."""
    level = (env.get("AWS_LAMBDA_LOG_LEVEL") or env.get("LOG_LEVEL") or "INFO").upper()
    if level == "TRACE":
        level = "DEBUG"
    return level if level in _LEVELS else "INFO"


def configure_function_logging(packages: Iterable[str], env: Mapping[str, str] | None = None) -> None:
    """What a function of this project sets up at cold start: ``packages``' loggers at Lambda's level, and
    outside Lambda (no handler on the root yet) one plain stderr handler."""
    level = function_log_level(os.environ if env is None else env)
    for package in packages:
        logging.getLogger(package).setLevel(level)
    if not logging.getLogger().handlers:  # Lambda's runtime has one; a local worker or a test may not
        logging.basicConfig(format="%(levelname)s %(name)s %(message)s")
