"""JSON documents from upstreams (token endpoint, API, Secrets Manager), read within bounds.

:func:`json.loads` raises :class:`RecursionError`, not :class:`ValueError`, for a document nested
deeper than the interpreter's recursion limit (``[[[[...]]]]``), and a document a little shallower
parses but cannot be encoded again inside the client's answer. :func:`loads` turns both into
:class:`UpstreamJsonError`: a value nested more than ``max_depth`` levels is refused, whatever the
limit of the parser; ``NaN``/``Infinity`` are refused too. The depth walk is iterative.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from cognito_m2m_client._shared.json_nesting import nesting_exceeds

DEFAULT_MAX_DEPTH = 64


class UpstreamJsonError(ValueError):
    """Not a JSON document, or one nested deeper than allowed; ``too_deep`` says which."""

    def __init__(self, message: str, *, too_deep: bool = False) -> None:
        super().__init__(message)
        self.too_deep = too_deep


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def loads(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """One JSON document nested at most ``max_depth`` levels; raise :class:`UpstreamJsonError`."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise UpstreamJsonError("JSON nested too deeply", too_deep=True) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, the int digit limit
        raise UpstreamJsonError(f"not JSON ({type(exc).__name__})") from None
    if nesting_exceeds(value, max_depth):
        raise UpstreamJsonError(f"JSON nested more than {max_depth} levels", too_deep=True)
    return value
