"""One strict JSON decoder for everything the resource server reads from outside.

Beyond :mod:`json`'s own rules it rejects duplicate object members (RFC 8725 §2.6: two readers could
see different values), the non-standard ``NaN``/``Infinity`` literals, numbers that overflow to an
infinite float, and input that is not strict UTF-8. Nesting too deep for the parser is an error too,
never a ``RecursionError`` escaping to the caller.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, NoReturn


class StrictJsonError(ValueError):
    """The document is not strict JSON."""


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise StrictJsonError("duplicate object member")
    return obj


def _no_constants(name: str) -> NoReturn:
    raise StrictJsonError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError("number out of range")
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_members, parse_constant=_no_constants, parse_float=_finite_float
)
_decode = _DECODER.decode
_scan_once: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


def decode_unchecked(text: str) -> Any:
    """The strict decoder for hot paths: raises ValueError (incl. StrictJsonError) or RecursionError.

    Calls the C scanner directly (``JSONDecoder.decode`` adds two Python frames and two regular
    expression matches for surrounding whitespace, about a quarter of the cost on a token payload);
    text with surrounding whitespace or trailing data goes through the full decoder, which decides.
    """
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return _decode(text)
    if end != len(text):
        return _decode(text)
    return value


def loads(text: str) -> Any:
    """Decode one JSON document; raise :class:`StrictJsonError` if it is not strict JSON."""
    try:
        return _decode(text)
    except StrictJsonError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, int digit limit, nesting
        raise StrictJsonError(f"not JSON ({type(exc).__name__})") from None


def loads_utf8(data: bytes) -> Any:
    """Decode strict UTF-8 bytes holding one JSON document (a BOM is not allowed)."""
    try:
        return _decode(data.decode("utf-8"))
    except StrictJsonError:
        raise
    except UnicodeDecodeError:
        raise StrictJsonError("not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise StrictJsonError(f"not JSON ({type(exc).__name__})") from None
