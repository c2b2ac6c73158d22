"""cognito_m2m_verifier._shared.alb: ALB events in both header modes, and responses in the request's mode."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from cognito_m2m_verifier._shared.alb import BadEvent, json_text, parse_event, response


def single_event(**over: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/x"}},
        "httpMethod": "GET",
        "path": "/api",
        "queryStringParameters": {"a": "1"},
        "headers": {"Authorization": "Bearer abc", "x-forwarded-for": "10.0.0.1"},
        "body": "",
        "isBase64Encoded": False,
    }
    event.update(over)
    return event


def multi_event(**over: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "httpMethod": "POST",
        "path": "/api",
        "multiValueQueryStringParameters": {"a": ["1", "2"]},
        "multiValueHeaders": {
            "authorization": ["Bearer a", "Bearer b"],
            "Content-Type": ["application/json"],
        },
        "body": "eyJrIjoxfQ==",
        "isBase64Encoded": True,
    }
    event.update(over)
    return event


def test_single_value_event_lowercases_headers_and_keeps_the_method_as_sent() -> None:
    req = parse_event(single_event())
    assert req.method == "GET"
    assert parse_event(single_event(httpMethod="get")).method == "get"  # case-sensitive, RFC 9110 §9.1
    assert (
        parse_event(single_event(httpMethod="po\u017ft")).method == "po\u017ft"
    )  # never upper-cased to POST
    assert req.path == "/api"
    assert req.header("AUTHORIZATION") == "Bearer abc"
    assert req.header_values("authorization") == ("Bearer abc",)
    assert req.query == {"a": ("1",)}
    assert req.body == b""
    assert req.multi_value is False


def test_multi_value_event_keeps_every_value_and_decodes_base64_body() -> None:
    req = parse_event(multi_event())
    assert req.multi_value is True
    assert req.header_values("authorization") == ("Bearer a", "Bearer b")
    assert req.header("content-type") == "application/json"
    assert req.query == {"a": ("1", "2")}
    assert json.loads(req.body) == {"k": 1}


def test_headers_differing_only_in_case_are_merged() -> None:
    req = parse_event(multi_event(multiValueHeaders={"Authorization": ["x"], "authorization": ["y"]}))
    assert sorted(req.header_values("authorization")) == ["x", "y"]


def test_missing_headers_query_and_body_are_empty() -> None:
    req = parse_event({"httpMethod": "GET", "path": "/", "headers": None, "body": None})
    assert req.headers == {}
    assert req.query == {}
    assert req.body == b""
    assert req.header("authorization") is None


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        "GET /",
        {"path": "/"},
        {"httpMethod": "GET"},
        {"httpMethod": 1, "path": "/"},
        single_event(headers=["a"]),
        single_event(headers={"a": 1}),
        single_event(headers={1: "a"}),
        multi_event(multiValueHeaders={"a": ["x", 2]}),
        single_event(body=5),
        single_event(body="!!!", isBase64Encoded=True),
    ],
)
def test_non_alb_events_raise_bad_event(event: Any) -> None:
    with pytest.raises(BadEvent):
        parse_event(event)


def test_text_body_is_utf8_encoded() -> None:
    assert parse_event(single_event(body="é")).body == "é".encode()


def test_response_single_value_mode() -> None:
    out = response(401, {"error": "x"}, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    assert out["statusCode"] == 401
    assert out["statusDescription"] == "401 Unauthorized"
    assert out["isBase64Encoded"] is False
    assert out["headers"]["www-authenticate"] == 'Bearer realm="api"'
    assert out["headers"]["content-type"] == "application/json"
    assert "multiValueHeaders" not in out
    assert json.loads(out["body"]) == {"error": "x"}


def test_response_multi_value_mode_uses_lists() -> None:
    out = response(200, {"ok": True}, multi_value=True)
    assert "headers" not in out
    assert out["multiValueHeaders"]["content-type"] == ["application/json"]
    assert out["multiValueHeaders"]["cache-control"] == ["no-store"]


def test_response_body_is_never_null_and_unknown_status_has_a_line() -> None:
    out = response(599, {})
    assert out["body"] == "{}"
    assert out["statusDescription"] == "599"


def test_base64_roundtrip_of_binary_body() -> None:
    raw = bytes(range(256))
    req = parse_event(single_event(body=base64.b64encode(raw).decode(), isBase64Encoded=True))
    assert req.body == raw


@pytest.mark.parametrize(
    "refused_by_orjson",
    [{"big": 2**70}, {"lone": "\ud800"}, {1: "int key"}],
    ids=["integer beyond 64 bits", "lone surrogate", "non-string key"],
)
def test_json_text_keeps_a_decimals_digits_when_json_writes_the_answer(
    refused_by_orjson: dict[Any, Any],
) -> None:
    """Where orjson refuses the answer and json writes it, a Decimal still keeps its own digits (a float
    would round 0.8681576255051659...1 and 12.50) and a date is still ISO 8601."""
    body = {
        **refused_by_orjson,
        "price": Decimal("12.50"),
        "precise": Decimal("0.86815762550516591234"),
        "tiny": Decimal("-1E-30"),
        "nested": [Decimal("3"), {"d": Decimal("1E+3")}],
        "marker-like": "\x00not-the-marker:0",
        "day": datetime.date(2026, 12, 6),
    }
    text = json_text(body)
    assert text.isascii()
    back = json.loads(text, parse_float=Decimal)
    assert back["price"] == Decimal("12.50")
    assert "12.50" in text
    assert back["precise"] == Decimal("0.86815762550516591234")
    assert back["tiny"] == Decimal("-1E-30")
    assert back["nested"] == [3, {"d": Decimal("1E+3")}]
    assert back["marker-like"] == "\x00not-the-marker:0"
    assert back["day"] == "2026-12-06"
    with pytest.raises(TypeError):
        json_text({**refused_by_orjson, "nan": Decimal("NaN")})


@pytest.mark.parametrize(
    "body",
    [{"a": float("nan")}, [float("inf")], {"a": [{"b": float("-inf")}]}, {"a": float("nan"), "big": 2**70}],
    ids=["nan", "infinity", "deep", "beside a 70-bit integer"],
)
def test_json_text_refuses_a_float_nan_or_infinity(body: Any) -> None:
    """JSON has no such number; orjson would write null, json a bare NaN: neither is the value."""
    with pytest.raises(TypeError):
        json_text(body)


def test_json_text_writes_the_same_whichever_encoder_writes_it() -> None:
    """What orjson writes natively (a UUID, an enum member, a dataclass) json's path writes alike, so an
    answer does not turn into a 500 because an integer beside it is beyond 64 bits."""

    class Colour(enum.Enum):
        RED = "red"

    @dataclasses.dataclass
    class Point:
        x: int
        label: str

    values = [uuid.UUID(int=1), Colour.RED, Point(1, "p"), {"null": None, "s": "null"}]
    alone = json.loads(json_text(values))
    beside = json.loads(json_text([*values, 2**70]))
    assert beside[:-1] == alone == ["00000000-0000-0000-0000-000000000001", "red", {"x": 1, "label": "p"},
                                    {"null": None, "s": "null"}]  # fmt: skip
