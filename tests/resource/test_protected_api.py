"""resource_server.cognito and resource_server.protected_api: your own routes behind Cognito tokens.

Real RSA keys, tokens signed with them, the loopback JWKS server; events of the four front doors.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from resource_testkit import CLIENT_ID, ISSUER, POOL_ID, FakeClock, JwksServer, TokenFactory

from resource_server.cognito import cognito_verifier
from resource_server.events import HttpRequest, HttpResponse
from resource_server.protected_api import ProtectedApi
from tests.resource.test_event_formats import FORMATS, body, check_format, header, make_event


@pytest.fixture
def api(jwks_server: JwksServer, clock: FakeClock) -> ProtectedApi:
    verifier = cognito_verifier(
        user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url=jwks_server.url, leeway=0
    )
    verifier._clock = clock  # the tokens' clock (the verifier's own clock is injectable only by keyword)
    api = ProtectedApi(verifier)

    @api.route("GET /orders/*", scopes=["rest-api/read"])
    def get_order(request: HttpRequest, claims: Any) -> dict[str, Any]:
        return {
            "order": request.path.rsplit("/", 1)[1],
            "caller": claims.client_id,
            "query": dict(request.query),
        }

    @api.route("POST /orders", scopes=["rest-api/read", "rest-api/write"])
    def create(request: HttpRequest, claims: Any) -> HttpResponse:
        return HttpResponse(201, {"created": json.loads(request.body)}, {"Location": "/orders/7"})

    @api.route("GET /boom", scopes=["rest-api/read"])
    def boom(request: HttpRequest, claims: Any) -> dict[str, Any]:
        raise RuntimeError("a bug in the user's code")

    return api


def bearer(token: str) -> dict[str, list[str]]:
    return {"Authorization": [f"Bearer {token}"]}


def test_cognito_verifier_derives_issuer_and_jwks_url() -> None:
    verifier = cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID])
    assert verifier.issuer == ISSUER
    assert verifier.jwks.url == f"{ISSUER}/.well-known/jwks.json"
    assert verifier.client_credentials_only is True
    with pytest.raises(ValueError, match="pool"):
        cognito_verifier(user_pool_id="not-a-pool", client_ids=[CLIENT_ID])
    with pytest.raises(ValueError, match="app client id"):
        cognito_verifier(user_pool_id=POOL_ID, client_ids=["has space"])


@pytest.mark.parametrize("front_door", FORMATS)
def test_your_route_gets_the_request_and_the_verified_claims(
    api: ProtectedApi, tokens: TokenFactory, front_door: str
) -> None:
    answer = api.handler(
        make_event(front_door, path="/orders/42", headers=bearer(tokens.make()), query={"x": ["1"]})
    )
    check_format(front_door, answer)
    assert answer["statusCode"] == 200
    assert body(answer) == {"order": "42", "caller": CLIENT_ID, "query": {"x": ["1"]}}


@pytest.mark.parametrize("front_door", FORMATS)
def test_an_http_response_of_yours_is_rendered_in_the_events_format(
    api: ProtectedApi, tokens: TokenFactory, front_door: str
) -> None:
    event = make_event(front_door, "POST", "/orders", headers=bearer(tokens.make()), body='{"item": "tea"}')
    answer = api.handler(event)
    check_format(front_door, answer)
    assert answer["statusCode"] == 201
    assert header(answer, "location") == "/orders/7"
    assert body(answer) == {"created": {"item": "tea"}}


def test_every_scope_of_the_route_is_required(api: ProtectedApi, tokens: TokenFactory) -> None:
    answer = api.handler(
        make_event("http_api", "POST", "/orders", headers=bearer(tokens.make(scope="rest-api/read")))
    )
    assert answer["statusCode"] == 403
    assert 'scope="rest-api/read rest-api/write"' in (header(answer, "www-authenticate") or "")


def test_your_function_is_not_called_without_a_valid_token(api: ProtectedApi, tokens: TokenFactory) -> None:
    calls: list[str] = []

    @api.route("GET /spy", scopes=["rest-api/read"])
    def spy(request: HttpRequest, claims: Any) -> dict[str, Any]:
        calls.append(request.path)
        return {}

    assert api.handler(make_event("rest_api", path="/spy"))["statusCode"] == 401
    assert api.handler(make_event("rest_api", path="/spy", headers=bearer("a.b.c")))["statusCode"] == 401
    assert (
        api.handler(make_event("rest_api", path="/nowhere", headers=bearer(tokens.make())))["statusCode"]
        == 404
    )
    assert (
        api.handler(make_event("rest_api", "PUT", "/spy", headers=bearer(tokens.make())))["statusCode"] == 405
    )
    assert calls == []
    assert (
        api.handler(make_event("rest_api", path="/spy", headers=bearer(tokens.make())))["statusCode"] == 200
    )
    assert calls == ["/spy"]


def test_a_failing_route_is_a_500_without_details(
    api: ProtectedApi, tokens: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    answer = api.handler(make_event("function_url", path="/boom", headers=bearer(tokens.make())))
    assert answer["statusCode"] == 500
    assert body(answer) == {"error": "internal_error", "error_description": "Internal error"}
    assert "a bug in the user's code" in caplog.text  # logged for you, never answered


@pytest.mark.parametrize(
    ("key", "scopes"),
    [("GET /x", []), ("GET /x", "rest-api/read"), ("get /x", ["s"]), ("GET /x/*/y", ["s"])],
)
def test_bad_route_registrations_fail_at_once(key: str, scopes: Any) -> None:
    api = ProtectedApi(cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID]))
    with pytest.raises(ValueError, match="route"):
        api.route(key, scopes=scopes)


def test_a_route_registered_twice_or_no_route_at_all_is_refused(jwks_server: JwksServer) -> None:
    api = ProtectedApi(cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID]))
    with pytest.raises(ValueError, match="no route"):
        api.handler(make_event("alb"))
    api.route("GET /x", scopes=["s"])(lambda request, claims: {})
    with pytest.raises(ValueError, match="twice"):
        api.route("GET /x", scopes=["s"])


def test_the_readme_example_runs_as_written() -> None:
    """README's "Your own routes" block, executed: it builds, and answers a request without a token."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Your own routes behind Cognito tokens", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    answer = namespace["handler"](make_event("http_api", path="/orders/1"), None)
    assert answer["statusCode"] == 401
    assert header(answer, "www-authenticate") == 'Bearer realm="api"'
    assert namespace["api"].app.routes.match("GET", "/orders/9").scopes == ("orders/read",)
