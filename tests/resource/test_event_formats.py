"""The resource function behind each of its four front doors: the same answers, in each event's format.

Events follow the shapes AWS documents for ALB targets (single- and multi-value headers), API Gateway
REST API proxy integrations (payload 1.0), HTTP APIs (payload 2.0) and Lambda function URLs. Tokens are
signed with real RSA keys and verified through the loopback JWKS server.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from resource_testkit import CLIENT_ID, JwksServer, TokenFactory

from cognito_m2m_verifier.events import AlbEvents, HttpApiEvents, RestApiEvents, adapter_for
from cognito_m2m_verifier.handler import ResourceApp, build_app
from tests.resource.test_resource_handler import app_env

FORMATS = ["alb", "alb_multi_value", "rest_api", "http_api", "function_url"]


def make_event(  # noqa: PLR0917 - front door, method and path read well positionally
    front_door: str,
    method: str = "GET",
    path: str = "/api",
    headers: dict[str, list[str]] | None = None,
    query: dict[str, list[str]] | None = None,
    body: str | None = None,
    b64: bool = False,
) -> dict[str, Any]:
    headers = {"host": ["api.example.com"], **(headers or {})}
    query = query or {}
    if front_door in ("alb", "alb_multi_value"):
        event: dict[str, Any] = {
            "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/r/1"}},
            "httpMethod": method,
            "path": path,
            "body": body or "",
            "isBase64Encoded": b64,
        }
        if front_door == "alb_multi_value":
            event["multiValueHeaders"] = headers
            event["multiValueQueryStringParameters"] = query
        else:
            event["headers"] = {k: v[-1] for k, v in headers.items()}
            event["queryStringParameters"] = {k: v[-1] for k, v in query.items()}
        return event
    if front_door == "rest_api":
        return {
            "resource": "/api",
            "path": path,
            "httpMethod": method,
            "headers": {k: v[-1] for k, v in headers.items()},
            "multiValueHeaders": headers,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": "/api",
                "httpMethod": method,
                "path": f"/prod{path}",
                "stage": "prod",
                "apiId": "a1b2c3d4e5",
                "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            },
            "body": body,
            "isBase64Encoded": b64,
        }
    domain = (
        "abcdefg.lambda-url.us-east-1.on.aws"
        if front_door == "function_url"
        else "a1b2c3.execute-api.us-east-1.amazonaws.com"
    )
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, vs in query.items() for v in vs),
        "headers": {k: ",".join(v) for k, v in headers.items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3",
            "domainName": domain,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
        },
        **({"body": body} if body is not None else {}),
        "isBase64Encoded": b64,
    }


def header(answer: dict[str, Any], name: str) -> str | None:
    if "multiValueHeaders" in answer:
        values = answer["multiValueHeaders"].get(name)
        assert values is None or len(values) == 1
        return values[0] if values else None
    value = answer["headers"].get(name)
    return None if value is None else str(value)


def body(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["isBase64Encoded"] is False
    data = json.loads(answer["body"])
    assert isinstance(data, dict)
    return data


def check_format(front_door: str, answer: dict[str, Any]) -> None:
    """Each front door's response shape: ALB needs a status description, API Gateway has none."""
    assert header(answer, "content-type") == "application/json"
    if front_door == "alb":
        assert set(answer) == {"statusCode", "statusDescription", "headers", "body", "isBase64Encoded"}
    elif front_door == "alb_multi_value":
        assert set(answer) == {
            "statusCode",
            "statusDescription",
            "multiValueHeaders",
            "body",
            "isBase64Encoded",
        }
    elif front_door == "rest_api":
        assert set(answer) == {"statusCode", "multiValueHeaders", "body", "isBase64Encoded"}
    else:
        assert set(answer) == {"statusCode", "headers", "body", "isBase64Encoded"}


@pytest.fixture
def app(make_jwks: Callable[..., Any], jwks_server: JwksServer, clock: Any) -> ResourceApp:
    return build_app(app_env(jwks_server.url), jwks=make_jwks(), clock=clock)


@pytest.fixture(params=FORMATS)
def front_door(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def bearer(token: str) -> dict[str, list[str]]:
    return {"Authorization": [f"Bearer {token}"]}


def test_each_front_door_is_recognised_from_the_event() -> None:
    adapters = {door: adapter_for(make_event(door)) for door in FORMATS}
    assert isinstance(adapters["alb"], AlbEvents)
    assert isinstance(adapters["alb_multi_value"], AlbEvents)
    assert isinstance(adapters["rest_api"], RestApiEvents)
    assert isinstance(adapters["http_api"], HttpApiEvents)
    assert isinstance(adapters["function_url"], HttpApiEvents)
    assert {door: a.name for door, a in adapters.items()} == {
        "alb": "alb",
        "alb_multi_value": "alb_multi_value",
        "rest_api": "rest_api",
        "http_api": "http_api",
        "function_url": "function_url",
    }
    assert adapter_for({"httpMethod": "GET", "path": "/api"}).name == "alb"  # no requestContext: ALB
    assert adapter_for("not an event").name == "alb"


def test_genuine_token_is_200_in_the_events_format(
    app: ResourceApp, tokens: TokenFactory, front_door: str
) -> None:
    answer = app.handle(make_event(front_door, headers=bearer(tokens.make())))
    check_format(front_door, answer)
    assert answer["statusCode"] == 200
    assert body(answer)["client_id"] == CLIENT_ID
    assert header(answer, "cache-control") == "no-store"


def test_no_token_is_401_with_www_authenticate(app: ResourceApp, front_door: str) -> None:
    answer = app.handle(make_event(front_door))
    check_format(front_door, answer)
    assert answer["statusCode"] == 401
    assert header(answer, "www-authenticate") == 'Bearer realm="api"'


def test_forged_token_is_401_invalid_token(app: ResourceApp, tokens: TokenFactory, front_door: str) -> None:
    token = tokens.make()
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    answer = app.handle(make_event(front_door, headers=bearer(forged)))
    check_format(front_door, answer)
    assert answer["statusCode"] == 401
    assert 'error="invalid_token"' in (header(answer, "www-authenticate") or "")
    assert forged not in json.dumps(answer)


def test_missing_scope_is_403_naming_the_scopes(
    app: ResourceApp, tokens: TokenFactory, front_door: str
) -> None:
    token = tokens.make(scope="rest-api/read")
    answer = app.handle(make_event(front_door, "POST", headers=bearer(token), body="{}"))
    check_format(front_door, answer)
    assert answer["statusCode"] == 403
    assert 'scope="rest-api/read rest-api/write"' in (header(answer, "www-authenticate") or "")


def test_post_body_base64_is_echoed(app: ResourceApp, tokens: TokenFactory, front_door: str) -> None:
    encoded = base64.b64encode(b'{"n": [1, 2]}').decode()
    answer = app.handle(make_event(front_door, "POST", headers=bearer(tokens.make()), body=encoded, b64=True))
    check_format(front_door, answer)
    assert answer["statusCode"] == 200
    assert body(answer)["echo"] == {"n": [1, 2]}


def test_other_method_is_405_with_allow(app: ResourceApp, tokens: TokenFactory, front_door: str) -> None:
    answer = app.handle(make_event(front_door, "get", headers=bearer(tokens.make())))
    check_format(front_door, answer)
    assert answer["statusCode"] == 405
    assert header(answer, "allow") == "GET, POST"


def test_token_in_the_query_is_400(app: ResourceApp, tokens: TokenFactory, front_door: str) -> None:
    token = tokens.make()
    answer = app.handle(make_event(front_door, query={"access%5Ftoken": [token]}))
    check_format(front_door, answer)
    assert answer["statusCode"] == 400
    assert token not in json.dumps(answer)


@pytest.mark.parametrize("front_door", ["alb_multi_value", "rest_api", "http_api", "function_url"])
def test_two_authorization_values_are_400(app: ResourceApp, tokens: TokenFactory, front_door: str) -> None:
    """Multi-value maps keep both; payload 2.0 joins them with a comma, which no b64token holds."""
    headers = {"Authorization": [f"Bearer {tokens.make()}", f"Bearer {tokens.make()}"]}
    answer = app.handle(make_event(front_door, headers=headers))
    check_format(front_door, answer)
    assert answer["statusCode"] == 400
    assert 'error="invalid_request"' in (header(answer, "www-authenticate") or "")


@pytest.mark.parametrize(
    ("front_door", "broken"),
    [
        ("rest_api", {"httpMethod": None}),
        ("rest_api", {"multiValueHeaders": {"authorization": [5]}}),
        ("http_api", {"rawPath": None}),
        ("http_api", {"headers": ["not", "an", "object"]}),
        ("function_url", {"rawQueryString": 7}),
        ("function_url", {"body": "%%%", "isBase64Encoded": True}),
    ],
)
def test_a_malformed_event_is_400_in_its_own_format(
    app: ResourceApp, front_door: str, broken: dict[str, Any]
) -> None:
    answer = app.handle({**make_event(front_door), **broken})
    check_format(front_door, answer)
    assert answer["statusCode"] == 400
    assert body(answer)["error"] == "bad_request"


def test_http_api_stage_prefix_is_not_part_of_the_route(app: ResourceApp, tokens: TokenFactory) -> None:
    event = make_event("http_api", path="/prod/api", headers=bearer(tokens.make()))
    event["requestContext"]["stage"] = "prod"
    answer = app.handle(event)
    assert answer["statusCode"] == 200
    event["rawPath"] = "/api"  # a stage that is not in the path changes nothing
    assert app.handle(event)["statusCode"] == 200
