"""Numeric HTTP header values from upstreams (``Content-Length``, ``Retry-After``), parsed defensively.

RFC 9110 §8.6 and §10.2.3 define both as ``1*DIGIT``, and ``DIGIT`` is ASCII ``0-9`` only (RFC 5234).
:meth:`str.isdigit` also accepts ``²`` or Arabic-Indic digits, which :func:`int` then rejects, and
:func:`int` refuses more than 4,300 digits: a hostile upstream could turn either into an exception on a
path that must not raise. Here a value is a number only when it is 1 to ``max_digits`` ASCII digits
(blanks around it allowed); anything else is ``None``, and the caller ignores the header.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def ascii_decimal(value: str | None, max_digits: int) -> int | None:
    """The value as a non-negative integer if it is 1-``max_digits`` ASCII digits, else ``None``."""
    if value is None:
        return None
    text = value.strip(" \t")
    if not 0 < len(text) <= max_digits or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)
