"""What a route of yours returns, as the wrapper writes it: in every front door's format, and never past
the wrapper's protection.

A route returns a JSON object. A :class:`~decimal.Decimal` (what boto3's DynamoDB reads give) is a JSON
number with its own digits; a date or time is an ISO 8601 string; anything JSON cannot hold (a set,
bytes, a NaN Decimal, an object) makes the request a 500 ``internal_error``, logged, whose access line
and metrics record say ``internal_error``, never ``ok``. ``ProtectedApi.handler`` never raises.
Real RSA keys, tokens signed with them and the loopback JWKS server.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from resource_testkit import CLIENT_ID, POOL_ID, FakeClock, JwksServer, TokenFactory

from cognito_m2m_verifier._shared.emf import MetricsConfig
from cognito_m2m_verifier.access_log import AccessLog
from cognito_m2m_verifier.cognito import cognito_verifier
from cognito_m2m_verifier.events import HttpRequest
from cognito_m2m_verifier.protected_api import ProtectedApi
from cognito_m2m_verifier.request_metrics import RequestMetrics
from tests.resource.test_event_formats import FORMATS, check_format, make_event

ANSWERS: dict[str, Any] = {}


@pytest.fixture
def api(jwks_server: JwksServer, clock: FakeClock) -> tuple[ProtectedApi, io.StringIO]:
    """An API whose ``GET /answer`` returns ``ANSWERS["value"]``, with its lines and metrics in a stream."""
    verifier = cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url=jwks_server.url)
    verifier._clock = clock
    api = ProtectedApi(verifier, metrics=RequestMetrics(MetricsConfig("CognitoM2MTest", "orders")))

    @api.route("GET /answer", scopes=["rest-api/read"])
    def answer(request: HttpRequest, claims: Any) -> Any:
        return ANSWERS["value"]

    stream = io.StringIO()
    api.app.access_log = AccessLog("x", enabled=True, stream=stream)
    return api, stream


def call(api: ProtectedApi, tokens: TokenFactory, value: Any, front_door: str = "alb") -> dict[str, Any]:
    ANSWERS["value"] = value
    event = make_event(front_door, path="/answer", headers={"Authorization": [f"Bearer {tokens.make()}"]})
    answer: dict[str, Any] = api.handler(event)
    return answer


def last_line(stream: io.StringIO) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(stream.getvalue().splitlines()[-1])
    return line


UNWRITABLE = {
    "a set": {"ids": {1, 2}},
    "bytes": {"raw": b"\x00"},
    "an object": {"when": object()},
    "a NaN Decimal": {"price": Decimal("NaN")},
    "an infinite Decimal": {"price": Decimal("-Infinity")},
    "a set deep inside": {"a": [{"b": ({"c"},)}]},
    "a float NaN": {"ratio": float("nan")},  # orjson alone would write null
    "an infinite float beside a 65-bit integer": {"ratio": float("-inf"), "big": 2**65},  # json's path
}


@pytest.mark.parametrize("front_door", FORMATS)
@pytest.mark.parametrize("what", sorted(UNWRITABLE))
def test_an_answer_json_cannot_hold_is_a_500_and_its_line_says_so(
    api: tuple[ProtectedApi, io.StringIO],
    tokens: TokenFactory,
    caplog: pytest.LogCaptureFixture,
    front_door: str,
    what: str,
) -> None:
    app, stream = api
    caplog.set_level(logging.ERROR)
    answer = call(app, tokens, UNWRITABLE[what], front_door)
    check_format(front_door, answer)
    assert answer["statusCode"] == 500
    assert json.loads(answer["body"]) == {"error": "internal_error", "error_description": "Internal error"}
    line = last_line(stream)
    assert (line["status"], line["outcome"], line["Outcome"]) == (500, "internal_error", "internal_error")
    assert "is not JSON" in caplog.text or "no JSON number" in caplog.text  # logged for you


@pytest.mark.parametrize("front_door", FORMATS)
def test_a_decimal_is_a_json_number_with_its_own_digits(
    api: tuple[ProtectedApi, io.StringIO], tokens: TokenFactory, front_door: str
) -> None:
    app, stream = api
    value = {
        "price": Decimal("12.50"),
        "count": Decimal("3"),
        "big": Decimal("1E+3"),
        "neg": Decimal("-0.001"),
    }
    answer = call(app, tokens, value, front_door)
    assert answer["statusCode"] == 200
    assert answer["body"] == '{"price":12.50,"count":3,"big":1E+3,"neg":-0.001}'
    assert json.loads(answer["body"], parse_float=Decimal) == {
        "price": Decimal("12.50"),
        "count": 3,
        "big": Decimal("1E+3"),
        "neg": Decimal("-0.001"),
    }
    assert last_line(stream)["Outcome"] == "ok"


def test_non_ascii_text_beside_a_decimal_keeps_both(
    api: tuple[ProtectedApi, io.StringIO], tokens: TokenFactory
) -> None:
    app, _ = api
    answer = call(app, tokens, {"name": "crème brûlée 🍮", "price": Decimal("7.10")})
    assert answer["body"].isascii()
    assert answer["body"] == '{"name":"cr\\u00e8me br\\u00fbl\\u00e9e \\ud83c\\udf6e","price":7.10}'


def test_dates_and_times_are_iso_8601(api: tuple[ProtectedApi, io.StringIO], tokens: TokenFactory) -> None:
    app, _ = api
    when = datetime.datetime(2026, 12, 6, 14, 0, 5, tzinfo=datetime.UTC)
    answer = call(app, tokens, {"at": when, "day": when.date()})
    assert json.loads(answer["body"]) == {"at": "2026-12-06T14:00:05+00:00", "day": "2026-12-06"}


# ---- property: whatever a route returns, the handler answers, and its line tells the truth ---------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=8),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=4),
    st.frozensets(st.integers(0, 3), max_size=2),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def writable(value: Any) -> bool:
    """The oracle, written apart from the encoder: a finite Decimal or float, str, int, bool, None, lists
    and string-keyed dicts of them."""
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, list):
        return all(writable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and writable(v) for k, v in value.items())
    return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(st.text(max_size=4), VALUES, max_size=3))
def test_whatever_a_route_returns_the_handler_answers_and_its_line_tells_the_truth(
    api: tuple[ProtectedApi, io.StringIO], tokens: TokenFactory, payload: dict[str, Any]
) -> None:
    app, stream = api
    answer = call(app, tokens, payload)
    line = last_line(stream)
    assert line["status"] == answer["statusCode"]
    if writable(payload):
        assert answer["statusCode"] == 200, answer["body"]
        assert line["Outcome"] == "ok"
        assert _numbers_equal(json.loads(answer["body"], parse_float=Decimal), payload)
    else:
        assert answer["statusCode"] == 500
        assert line["Outcome"] == "internal_error"


def _numbers_equal(written: Any, given_value: Any) -> bool:
    if isinstance(given_value, Decimal):
        return Decimal(written) == given_value
    if isinstance(given_value, float):
        return float(written) == given_value
    if isinstance(given_value, list):
        return len(written) == len(given_value) and all(map(_numbers_equal, written, given_value))
    if isinstance(given_value, dict):
        return written.keys() == given_value.keys() and all(
            _numbers_equal(written[k], v) for k, v in given_value.items()
        )
    return bool(written == given_value)
