"""How deeply a decoded JSON value nests, without recursion (a hostile document cannot exhaust the stack)."""

from __future__ import annotations

from typing import Any


def nesting_exceeds(value: Any, max_depth: int) -> bool:
    """True when arrays/objects in ``value`` nest more than ``max_depth`` levels (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
