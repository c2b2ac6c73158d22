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
# The same rules without the duplicate hook: only for decode_unchecked, which proves uniqueness itself.
_scan_once_flat: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder(  # type: ignore[attr-defined]
    parse_constant=_no_constants, parse_float=_finite_float
).scan_once


def decode_unchecked(text: str) -> Any:
    """The strict decoder for hot paths (token payloads): same result as :func:`loads`, but raises
    ``ValueError`` (including :class:`StrictJsonError`) or ``RecursionError`` unmapped.

    A token payload is one flat object, and the pairs list that duplicate detection makes the C
    scanner build costs about a quarter of the decode. So the C scanner is called directly (no
    ``JSONDecoder.decode`` frames and whitespace regexes) without the hook, and the result is kept
    only when the text proves that no member was lost to a duplicate: no ``[`` and no ``{`` after
    the first character means every raw comma is either a member separator of the one object or
    part of a string, so ``commas + 1 == members`` leaves no room for a duplicate (a duplicate adds a
    comma but no member). Anything else, including surrounding whitespace, nesting and commas inside
    strings, goes through the full strict decoder, which decides.
    """
    try:
        value, end = _scan_once_flat(text, 0)
    except StopIteration:
        return _decode(text)
    if (
        end == len(text)
        and type(value) is dict
        and text.find("{", 1) < 0
        and "[" not in text
        and text.count(",") + 1 == len(value)
    ):
        return value
    return _decode(text)


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
