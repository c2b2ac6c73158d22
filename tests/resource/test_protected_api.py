"""cognito_m2m_verifier.cognito and cognito_m2m_verifier.protected_api: your own routes behind Cognito tokens.

Real RSA keys, tokens signed with them, the loopback JWKS server; events of the four front doors.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from resource_testkit import CLIENT_ID, ISSUER, POOL_ID, FakeClock, JwksServer, TokenFactory

from cognito_m2m_verifier.cognito import cognito_verifier
from cognito_m2m_verifier.events import HttpRequest, HttpResponse
from cognito_m2m_verifier.protected_api import ProtectedApi
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


def test_cognito_verifier_refuses_what_would_verify_nothing_or_trust_anyone() -> None:
    # one string is not a list of ids: iterated, "abc" would allow the clients "a", "b" and "c"
    with pytest.raises(TypeError, match="list of app client ids"):
        cognito_verifier(user_pool_id=POOL_ID, client_ids=CLIENT_ID)
    # keys fetched over plain http from another host could be anyone's
    with pytest.raises(ValueError, match="must use https"):
        cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url="http://keys.example.com/j")
    with pytest.raises(ValueError, match="credentials or a fragment"):
        cognito_verifier(
            user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url="https://keys.example.com/j#k"
        )
    insecure = cognito_verifier(
        user_pool_id=POOL_ID,
        client_ids=[CLIENT_ID],
        jwks_url="http://keys.internal.example/j",
        allow_insecure_http=True,
    )
    assert insecure.jwks.url == "http://keys.internal.example/j"
    # the scheme is case-insensitive (RFC 3986 §3.1) and kept lower-cased
    upper = cognito_verifier(
        user_pool_id=POOL_ID, client_ids=[CLIENT_ID], jwks_url="HTTPS://keys.example.com/j"
    )
    assert upper.jwks.url == "https://keys.example.com/j"


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
    """README's "Protect your own function" block, executed: it builds, and answers a request without a
    token; README's other Python blocks at least compile."""
    import textwrap
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for block in readme.split("```python\n")[1:]:
        compile(textwrap.dedent(block.split("```", 1)[0]), "README.md", "exec")  # list items indent theirs
    section = readme.split("## Protect your own function", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    answer = namespace["handler"](make_event("http_api", path="/orders/1"), None)
    assert answer["statusCode"] == 401
    assert header(answer, "www-authenticate") == 'Bearer realm="api"'
    assert namespace["api"].app.routes.match("GET", "/orders/9").scopes == ("orders/read",)


def environment(jwks_server: JwksServer, routes: dict[str, list[str]]) -> dict[str, str]:
    """What the module's ``apis`` input gives each function."""
    return {
        "USER_POOL_ID": POOL_ID,
        "ALLOWED_CLIENT_IDS": CLIENT_ID,
        "ROUTE_SCOPES": json.dumps(routes),
        "JWKS_URL": jwks_server.url,
        "CLOCK_SKEW_SECONDS": "0",
    }


def test_from_environment_takes_the_scopes_of_each_route_from_route_scopes(
    jwks_server: JwksServer, clock: FakeClock, tokens: TokenFactory
) -> None:
    routes = {
        "GET /orders": ["rest-api/read"],
        "POST /orders": ["rest-api/write"],
        "GET /orders/*": ["rest-api/read"],
    }
    api = ProtectedApi.from_environment(environment(jwks_server, routes))
    api.verifier._clock = clock

    @api.route("GET /orders")
    def orders(request: HttpRequest, claims: Any) -> dict[str, Any]:
        return {"orders": []}

    @api.route("GET /orders/*")
    def order(request: HttpRequest, claims: Any) -> dict[str, Any]:
        return {"order": request.path.rsplit("/", 1)[1]}

    @api.route("POST /orders", scopes=["rest-api/write"])  # the same as configured: allowed
    def create(request: HttpRequest, claims: Any) -> HttpResponse:
        return HttpResponse(201, {"id": "o-1"})

    read = bearer(tokens.make(scope="rest-api/read"))
    assert api.handler(make_event("alb", path="/orders/9", headers=read))["statusCode"] == 200
    denied = api.handler(make_event("alb", "POST", "/orders", headers=read, body="{}"))
    assert denied["statusCode"] == 403
    assert 'scope="rest-api/write"' in header(denied, "www-authenticate")
    assert api.app.routes.match("GET", "/orders").scopes == ("rest-api/read",)
    assert api.verifier.issuer == ISSUER
    assert api.verifier.leeway == 0


def test_from_environment_refuses_a_broken_environment(jwks_server: JwksServer) -> None:
    from cognito_m2m_verifier._shared.config import ConfigError

    env = environment(jwks_server, {"GET /orders/*/x": ["rest-api/read"]})
    with pytest.raises(ConfigError, match=r"ROUTE_SCOPES.*whole last segment"):
        ProtectedApi.from_environment(env)
    with pytest.raises(ConfigError, match="USER_POOL_ID"):
        ProtectedApi.from_environment({**environment(jwks_server, {"GET /a": ["s"]}), "USER_POOL_ID": "x"})


@pytest.mark.parametrize(
    ("configured", "registered", "message"),
    [
        ({"GET /a": ["s"], "GET /b": ["s"]}, {"GET /a": None}, "'GET /b' but no function"),
        ({"GET /a": ["s"]}, {"GET /a": None, "GET /c": ["s"]}, "'GET /c' is not in ROUTE_SCOPES"),
        ({"GET /a": ["s"]}, {"GET /a": ["other"]}, "requires \\['other'\\] in code"),
    ],
)
def test_code_and_route_scopes_must_agree(
    jwks_server: JwksServer, configured: dict[str, list[str]], registered: dict[str, Any], message: str
) -> None:
    api = ProtectedApi.from_environment(environment(jwks_server, configured))
    for key, scopes in registered.items():
        api.route(key, scopes=scopes)(lambda request, claims: {})
    with pytest.raises(ValueError, match=message):
        api.handler(make_event("alb", path="/a"))


def test_a_route_without_scopes_needs_the_environment(jwks_server: JwksServer) -> None:
    api = ProtectedApi(cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID]))
    with pytest.raises(ValueError, match="needs scopes"):
        api.route("GET /a")
    configured = ProtectedApi.from_environment(environment(jwks_server, {"GET /a": ["s"]}))
    with pytest.raises(ValueError, match=r"not in ROUTE_SCOPES \(the apis entry.s routes\): GET /a"):
        configured.route("GET /b")
