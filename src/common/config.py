"""Reading a function's configuration from its environment.

Every reader raises :class:`ConfigError` with one message that names the variable and says what is
wrong. Functions read their configuration once, at cold start, so a bad deployment fails loudly
instead of degrading into accepting or sending anything.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


class ConfigError(RuntimeError):
    """A missing or malformed configuration variable."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"configuration error: {name} {problem}")
        self.name = name


def require_str(env: Mapping[str, str], name: str) -> str:
    """A non-empty string (surrounding blanks removed)."""
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(name, "is required and must not be empty")
    return value


def optional_str(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def optional_number(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float,
    maximum: float,
) -> float:
    """A finite number within [minimum, maximum]; ``default`` when unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number, got {raw!r}") from None
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise ConfigError(name, f"must be between {minimum:g} and {maximum:g}, got {raw!r}")
    return value


def optional_int(
    env: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int,
    maximum: int,
) -> int:
    """A whole number within [minimum, maximum]; ``default`` when unset or empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(name, f"must be between {minimum} and {maximum}, got {value}")
    return value


def optional_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """``true`` or ``false`` (any case); ``default`` when unset or empty."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise ConfigError(name, f"must be true or false, got {raw[:20]!r}")
    return raw == "true"


def csv_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A required comma-separated list of non-empty items (blanks around items are removed)."""
    items = tuple(item.strip() for item in require_str(env, name).split(","))
    if any(not item for item in items):
        raise ConfigError(name, "must be a comma-separated list without empty items")
    return items


def json_value(env: Mapping[str, str], name: str) -> Any:
    """A required JSON document."""
    raw = require_str(env, name)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(name, f"must be valid JSON ({exc.msg} at position {exc.pos})") from None
