"""cognito_m2m_verifier._shared.config: every reader names the variable in its error."""

from __future__ import annotations

import pytest

from cognito_m2m_verifier._shared.config import (
    ConfigError,
    csv_list,
    json_value,
    optional_int,
    optional_number,
    optional_str,
    require_str,
)


def test_require_str_strips_and_rejects_empty() -> None:
    assert require_str({"A": "  x "}, "A") == "x"
    for env in ({}, {"A": ""}, {"A": "   "}):
        with pytest.raises(ConfigError, match="A is required") as info:
            require_str(env, "A")
        assert info.value.name == "A"


def test_optional_str_default() -> None:
    assert optional_str({}, "A", "d") == "d"
    assert optional_str({"A": " v "}, "A", "d") == "v"


def test_optional_int_bounds_and_garbage() -> None:
    assert optional_int({}, "N", 7, minimum=0, maximum=10) == 7
    assert optional_int({"N": "3"}, "N", 7, minimum=0, maximum=10) == 3
    with pytest.raises(ConfigError, match="N must be a whole number"):
        optional_int({"N": "3.5"}, "N", 7, minimum=0, maximum=10)
    with pytest.raises(ConfigError, match="N must be between 0 and 10"):
        optional_int({"N": "11"}, "N", 7, minimum=0, maximum=10)


def test_optional_number_bounds_and_garbage() -> None:
    assert optional_number({"T": "2.5"}, "T", 1.0, minimum=0.1, maximum=30) == 2.5
    assert optional_number({}, "T", 1.0, minimum=0.1, maximum=30) == 1.0
    for raw in ("nan", "inf", "0", "31", "x"):
        with pytest.raises(ConfigError, match="T must be"):
            optional_number({"T": raw}, "T", 1.0, minimum=0.1, maximum=30)


def test_csv_list() -> None:
    assert csv_list({"L": "a, b ,c"}, "L") == ("a", "b", "c")
    with pytest.raises(ConfigError, match="L must be a comma-separated list"):
        csv_list({"L": "a,,b"}, "L")
    with pytest.raises(ConfigError, match="L is required"):
        csv_list({}, "L")


def test_json_value() -> None:
    assert json_value({"J": '{"a": [1]}'}, "J") == {"a": [1]}
    with pytest.raises(ConfigError, match="J must be valid JSON"):
        json_value({"J": "{"}, "J")
