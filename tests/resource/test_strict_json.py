"""cognito_m2m_verifier.strict_json: duplicates, NaN/Infinity, overflow, UTF-8, nesting."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cognito_m2m_verifier.strict_json import StrictJsonError, loads, loads_utf8


def test_accepts_ordinary_json() -> None:
    assert loads('{"a": [1, 2.5, "x", true, null], "b": {"c": {}}}') == {
        "a": [1, 2.5, "x", True, None],
        "b": {"c": {}},
    }


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"b": {"a": 1, "a": 1}}',
        '[{"x": 1, "x": 1}]',
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": -Infinity}',
        '{"a": 1e999}',
        '{"a": 1',
        "",
        '{"a": 1} x',
        "[" * 100_000 + "]" * 100_000,
        "1" * 5000,  # beyond the int digit limit
    ],
)
def test_rejects(text: str) -> None:
    with pytest.raises(StrictJsonError):
        loads(text)


@pytest.mark.parametrize("data", [b"\xff{}", b'{"a": "\xc3"}', b"\xef\xbb\xbf{}", '{"a":1}'.encode("utf-16")])
def test_rejects_non_utf8_and_bom(data: bytes) -> None:
    with pytest.raises(StrictJsonError):
        loads_utf8(data)


def test_loads_utf8_rejects_what_loads_rejects() -> None:
    for data in (b'{"a":1,"a":1}', b"[" * 50_000, b"nope"):
        with pytest.raises(StrictJsonError):
            loads_utf8(data)
    assert loads_utf8('{"é": "ü"}'.encode()) == {"é": "ü"}


def test_decode_unchecked_matches_the_full_decoder() -> None:
    from cognito_m2m_verifier.strict_json import decode_unchecked

    assert decode_unchecked(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    assert decode_unchecked(b' \n{"a": 1}\t ') == {"a": 1}  # surrounding whitespace: full decoder
    for bad in (
        "",
        " ",
        '{"a": 1} x',
        '{"a": 1}{}',
        '{"a": 1, "a": 1}',
        ' {"a": NaN}',
        '{"b": {"a": 1, "a": 2}}',
        '{"a": "\\ud800"}',
        '{"a": 1e400}',
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - StrictJsonError and JSONDecodeError both
            decode_unchecked(bad.encode())


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)  # beyond 64 bits orjson reads a float (see decode_unchecked)
    | st.text(alphabet=',:{}[]"\\ ab\u00e9', max_size=6)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(
    members=st.lists(st.tuples(st.sampled_from(["a", "b", "c", ",", "a,b", ""]), _values), max_size=5),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,", " :")]),
    pad=st.sampled_from(["", " ", "\n"]),
)
def test_decode_unchecked_agrees_with_the_strict_decoder_even_with_duplicates(
    members: list[tuple[str, object]], separators: tuple[str, str], pad: str
) -> None:
    from cognito_m2m_verifier.strict_json import decode_unchecked

    item, colon = separators
    text = pad + "{" + item.join(json.dumps(k) + colon + json.dumps(v) for k, v in members) + "}" + pad
    try:
        expected: object = loads(text)
    except StrictJsonError:
        expected = StrictJsonError
    try:
        got: object = decode_unchecked(text.encode())
    except ValueError:
        got = StrictJsonError
    assert got == expected
    if len({k for k, _ in members}) != len(members):
        assert got is StrictJsonError
