"""cognito_m2m_verifier.handler: routes, RFC 6750 statuses and headers, in both ALB header modes."""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from resource_testkit import CLIENT_ID, KID, NOW, POOL_ID, FakeClock, JwksServer, Keys, TokenFactory

from cognito_m2m_verifier import handler as handler_module
from cognito_m2m_verifier._shared.config import ConfigError
from cognito_m2m_verifier.handler import ResourceApp, build_app

READ, WRITE = "rest-api/read", "rest-api/write"
ROUTES = {"GET /api": [READ], "POST /api": [READ, WRITE]}


def app_env(jwks_url: str, **over: str) -> dict[str, str]:
    env = {
        "USER_POOL_ID": POOL_ID,
        "AWS_REGION": "us-east-1",
        "JWKS_URL": jwks_url,
        "ALLOWED_CLIENT_IDS": CLIENT_ID,
        "ROUTE_SCOPES": json.dumps(ROUTES),
        "CLOCK_SKEW_SECONDS": "0",
    }
    env.update(over)
    return env


@pytest.fixture
def make_app(
    make_jwks: Callable[..., Any], jwks_server: JwksServer, clock: FakeClock
) -> Callable[..., ResourceApp]:
    def make(jwks_url: str | None = None, **over: str) -> ResourceApp:
        url = jwks_url or jwks_server.url
        return build_app(app_env(url, **over), jwks=make_jwks(url=url), clock=clock)

    return make


@pytest.fixture
def app(make_app: Callable[..., ResourceApp]) -> ResourceApp:
    return make_app()


@pytest.fixture(params=["single", "multi"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def event(  # noqa: PLR0917 - mode and method read well positionally
    mode: str,
    method: str = "GET",
    path: str = "/api",
    headers: dict[str, list[str]] | None = None,
    body: str | None = None,
    b64: bool = False,
    query: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    headers = headers or {}
    query = query or {}
    ev: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/rs/1"}},
        "httpMethod": method,
        "path": path,
        "body": body if body is not None else "",
        "isBase64Encoded": b64,
    }
    if mode == "multi":
        ev["multiValueHeaders"] = {"host": ["api.example"], **headers}
        ev["multiValueQueryStringParameters"] = query
    else:
        ev["headers"] = {"host": "api.example", **{k: v[-1] for k, v in headers.items()}}
        ev["queryStringParameters"] = {k: v[-1] for k, v in query.items()}
    return ev


def bearer(token: str) -> dict[str, list[str]]:
    return {"Authorization": [f"Bearer {token}"]}


def header(resp: dict[str, Any], name: str) -> str | None:
    if "multiValueHeaders" in resp:
        values = resp["multiValueHeaders"].get(name.lower())
        assert values is None or len(values) == 1
        return values[0] if values else None
    value = resp["headers"].get(name.lower())
    return str(value) if value is not None else None


def body(resp: dict[str, Any]) -> Any:
    assert isinstance(resp["body"], str)
    data = json.loads(resp["body"])
    assert isinstance(data, dict)
    return data


def check_shape(resp: dict[str, Any], mode: str) -> None:
    assert ("multiValueHeaders" in resp) == (mode == "multi")
    assert header(resp, "content-type") == "application/json"
    assert resp["isBase64Encoded"] is False
    body(resp)


# ---- success ---------------------------------------------------------------------------------------


def test_get_api_with_a_valid_token(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    resp = app.handle(event(mode, headers=bearer(tokens.make())))
    check_shape(resp, mode)
    assert resp["statusCode"] == 200
    assert body(resp) == {
        "message": "Hello from the resource server",
        "client_id": CLIENT_ID,
        "scopes": [READ, WRITE],
    }
    assert header(resp, "www-authenticate") is None
    assert header(resp, "cache-control") == "no-store"


def test_post_api_echoes_the_json_body(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    payload = {"hello": ["world", 1, 2.5, None, True], "nested": {"é": "ü"}}
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make()), body=json.dumps(payload)))
    check_shape(resp, mode)
    assert resp["statusCode"] == 200
    data = body(resp)
    assert data["echo"] == payload
    assert data["client_id"] == CLIENT_ID
    assert data["scopes"] == [READ, WRITE]
    encoded = base64.b64encode(json.dumps(payload).encode()).decode()
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make()), body=encoded, b64=True))
    assert body(resp)["echo"] == payload


def test_scheme_is_case_insensitive_and_spaces_are_tolerated(
    app: ResourceApp, tokens: TokenFactory, mode: str
) -> None:
    for value in (f"bearer {tokens.make()}", f"BEARER   {tokens.make()}", f"Bearer {tokens.make()}  "):
        resp = app.handle(event(mode, headers={"authorization": [value]}))
        assert resp["statusCode"] == 200, value[:20]


def test_repeated_token_is_served_from_the_cache(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    token = tokens.make()
    for _ in range(20):
        assert app.handle(event(mode, headers=bearer(token)))["statusCode"] == 200
    assert app.verifier.cached_tokens == 1


# ---- RFC 6750 errors ---------------------------------------------------------------------------------


def test_no_credentials_is_401_without_error_code(app: ResourceApp, mode: str) -> None:
    resp = app.handle(event(mode))
    check_shape(resp, mode)
    assert resp["statusCode"] == 401
    assert header(resp, "www-authenticate") == 'Bearer realm="api"'
    assert body(resp)["error"] == "unauthorized"


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", "Digest username=x", "Token abc", "Bearerabc"])
def test_unsupported_scheme_is_401_without_error_code(app: ResourceApp, mode: str, value: str) -> None:
    resp = app.handle(event(mode, headers={"Authorization": [value]}))
    assert resp["statusCode"] == 401
    assert header(resp, "www-authenticate") == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",
        "Bearer ",
        "",
        "   ",
        "Bearer a b",
        "Bearer a.b.c, Bearer d.e.f",
        "Bearer a\tb",
        'Bearer "abc"',
        "Bearer abc=def",
        "Bearer é",
    ],
)
def test_malformed_header_is_400_invalid_request(app: ResourceApp, mode: str, value: str) -> None:
    resp = app.handle(event(mode, headers={"Authorization": [value]}))
    check_shape(resp, mode)
    assert resp["statusCode"] == 400
    assert header(resp, "www-authenticate") == (
        'Bearer realm="api", error="invalid_request", '
        'error_description="The Authorization header is malformed"'
    )
    assert body(resp)["error"] == "invalid_request"


def test_several_authorization_headers_is_400(app: ResourceApp, tokens: TokenFactory) -> None:
    token = tokens.make()
    resp = app.handle(event("multi", headers={"Authorization": [f"Bearer {token}", f"Bearer {token}"]}))
    assert resp["statusCode"] == 400
    assert 'error="invalid_request"' in (header(resp, "www-authenticate") or "")
    # header names differing only in case are the same header
    resp = app.handle(
        event("multi", headers={"Authorization": [f"Bearer {token}"], "authorization": [f"Bearer {token}"]})
    )
    assert resp["statusCode"] == 400


def test_token_in_the_query_is_400(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    token = tokens.make()
    resp = app.handle(event(mode, query={"access_token": [token]}))
    assert resp["statusCode"] == 400
    assert token not in json.dumps(resp)
    resp = app.handle(event(mode, headers=bearer(token), query={"access_token": [token]}))
    assert resp["statusCode"] == 400


def test_overlong_header_is_400(app: ResourceApp, mode: str) -> None:
    resp = app.handle(event(mode, headers={"Authorization": ["Bearer " + "a" * 20_000]}))
    assert resp["statusCode"] == 400


@pytest.mark.parametrize(
    ("claims", "description"),
    [
        ({"exp": NOW - 1, "iat": NOW - 3601}, "The access token expired"),
        ({"iss": "https://evil.example"}, "The access token is invalid"),
        ({"token_use": "id"}, "The access token is invalid"),
        ({"client_id": "intruder"}, "The access token is invalid"),
        ({"exp": "9999999999"}, "The access token is invalid"),
        ({"iat": NOW + 3600, "exp": NOW + 7200}, "The access token is not valid yet"),
    ],
)
def test_bad_token_is_401_invalid_token(
    app: ResourceApp, tokens: TokenFactory, mode: str, claims: dict[str, Any], description: str
) -> None:
    token = tokens.make(**claims)
    resp = app.handle(event(mode, headers=bearer(token)))
    check_shape(resp, mode)
    assert resp["statusCode"] == 401
    assert header(resp, "www-authenticate") == (
        f'Bearer realm="api", error="invalid_token", error_description="{description}"'
    )
    assert body(resp) == {"error": "invalid_token", "error_description": description}
    assert token not in json.dumps(resp)


@pytest.mark.parametrize("token", ["abc", "a.b.c", "a.b.c.d.e", "x" * 9000, "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_token_is_401_never_500(app: ResourceApp, mode: str, token: str) -> None:
    resp = app.handle(event(mode, headers=bearer(token)))
    assert resp["statusCode"] == 401
    assert 'error="invalid_token"' in (header(resp, "www-authenticate") or "")


def test_forged_signature_is_401(app: ResourceApp, tokens: TokenFactory, keys: Keys, mode: str) -> None:
    resp = app.handle(event(mode, headers=bearer(tokens.make(key=keys.stranger))))
    assert resp["statusCode"] == 401


def test_missing_scope_is_403_insufficient_scope(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make(scope=READ)), body="{}"))
    check_shape(resp, mode)
    assert resp["statusCode"] == 403
    assert header(resp, "www-authenticate") == (
        'Bearer realm="api", error="insufficient_scope", '
        'error_description="The access token lacks a required scope", scope="rest-api/read rest-api/write"'
    )
    assert body(resp)["scope"] == "rest-api/read rest-api/write"
    resp = app.handle(event(mode, headers=bearer(tokens.make(scope="rest-api/readonly"))))
    assert resp["statusCode"] == 403


def test_keys_unavailable_is_503_with_retry_after(
    make_app: Callable[..., ResourceApp], jwks_server: JwksServer, tokens: TokenFactory, mode: str
) -> None:
    app = make_app(jwks_url=jwks_server.closed_url)
    resp = app.handle(event(mode, headers=bearer(tokens.make())))
    check_shape(resp, mode)
    assert resp["statusCode"] == 503
    assert header(resp, "retry-after") == "10"
    assert body(resp)["error"] == "temporarily_unavailable"


# ---- routes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/", "/API", "/other", "/api/x", "/api?x"])
def test_unknown_path_is_404_before_auth(app: ResourceApp, mode: str, path: str) -> None:
    resp = app.handle(event(mode, path=path))
    check_shape(resp, mode)
    assert resp["statusCode"] == 404
    assert header(resp, "www-authenticate") is None


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get"])
def test_other_methods_are_405_with_allow(
    app: ResourceApp, tokens: TokenFactory, mode: str, method: str
) -> None:
    resp = app.handle(event(mode, method, headers=bearer(tokens.make())))
    check_shape(resp, mode)  # "get" too: methods are case-sensitive (RFC 9110 §9.1)
    assert resp["statusCode"] == 405
    assert header(resp, "allow") == "GET, POST"


def test_unconfigured_route_does_not_exist(
    make_app: Callable[..., ResourceApp], tokens: TokenFactory, mode: str
) -> None:
    app = make_app(ROUTE_SCOPES=json.dumps({"GET /api": [READ]}))
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make()), body="{}"))
    assert resp["statusCode"] == 404
    resp = app.handle(event(mode, "DELETE", headers=bearer(tokens.make())))
    assert resp["statusCode"] == 405
    assert header(resp, "allow") == "GET"
    assert app.handle(event(mode, headers=bearer(tokens.make())))["statusCode"] == 200


# ---- POST body ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "b64"),
    [
        ("", False),
        ("not json", False),
        ('{"a": 1, "a": 2}', False),
        ('{"a": NaN}', False),
        ('{"a": 1e999}', False),
        ("[" * 5000 + "]" * 5000, False),
        ("[" * 33 + "]" * 33, False),
        ('{"a":' * 33 + "1" + "}" * 33, False),
        ("[" * 8000 + "]" * 8000, False),
        ("1" * 6000, False),
        (base64.b64encode(b'{"a": "\xff"}').decode(), True),
    ],
)
def test_bad_json_body_is_400_never_500(
    app: ResourceApp, tokens: TokenFactory, mode: str, raw: str, b64: bool
) -> None:
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make()), body=raw, b64=b64))
    check_shape(resp, mode)
    assert resp["statusCode"] == 400
    assert body(resp)["error"] == "invalid_json"


def test_body_nested_up_to_the_limit_is_echoed(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    raw = "[" * 32 + "]" * 32
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make()), body=raw))
    assert resp["statusCode"] == 200
    assert json.dumps(body(resp)["echo"], separators=(",", ":")) == raw


def test_oversized_body_is_413(app: ResourceApp, tokens: TokenFactory, mode: str) -> None:
    raw = json.dumps({"x": "y" * 20_000})
    resp = app.handle(event(mode, "POST", headers=bearer(tokens.make()), body=raw))
    assert resp["statusCode"] == 413


def test_body_is_not_read_without_authorization(app: ResourceApp, mode: str) -> None:
    resp = app.handle(event(mode, "POST", body="not json"))
    assert resp["statusCode"] == 401


# ---- events that are not ALB requests, and bugs --------------------------------------------------------


@pytest.mark.parametrize(
    "ev",
    [
        None,
        [],
        "GET /api",
        {"path": "/api"},
        {"httpMethod": "GET", "path": "/api", "headers": {"authorization": ["Bearer x"], "x": [1]}},
        {"httpMethod": "GET", "path": "/api", "headers": {}, "body": "%%%", "isBase64Encoded": True},
        {"httpMethod": "GET", "path": "/api", "multiValueHeaders": "nope"},
    ],
)
def test_events_that_are_not_alb_requests_get_a_json_400(app: ResourceApp, ev: Any) -> None:
    resp = app.handle(ev)
    assert resp["statusCode"] == 400
    assert body(resp)["error"] == "bad_request"


def test_verifier_bug_fails_closed_with_401(
    app: ResourceApp,
    tokens: TokenFactory,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(token: str, scopes: tuple[str, ...]) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(app.verifier, "authorize", broken)
    with caplog.at_level(logging.INFO):
        resp = app.handle(event(mode, headers=bearer(tokens.make())))
    assert resp["statusCode"] == 401
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_other_bugs_are_a_json_500(app: ResourceApp, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(method: str, path: str) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(app.routes, "match", broken)
    resp = app.handle(event(mode))
    check_shape(resp, mode)
    assert resp["statusCode"] == 500
    assert body(resp) == {"error": "internal_error", "error_description": "Internal error"}


# ---- logging ------------------------------------------------------------------------------------------


def test_logs_decisions_but_never_the_token(  # noqa: PLR0917 - pytest fixtures
    app: ResourceApp,
    tokens: TokenFactory,
    keys: Keys,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    access_lines: list[dict[str, Any]],
) -> None:
    good, forged = tokens.make(), tokens.make(key=keys.stranger)
    monkeypatch.setattr(app.access_log, "stream", None)  # stdout (the bench points it elsewhere)
    monkeypatch.setattr(app.access_log, "enabled", True)
    with caplog.at_level(logging.DEBUG):
        app.handle(event("single", headers=bearer(good)), SimpleNamespace(aws_request_id="req-1"))
        app.handle(event("single", headers=bearer(forged)))
        app.handle(event("multi", headers={"Authorization": ["Bearer " + forged, "Basic x"]}))
    assert [(line["status"], line["outcome"]) for line in access_lines] == [
        (200, "ok"),
        (401, "invalid_signature"),
        (400, "several_authorization_headers"),
    ]
    assert access_lines[0]["client_id"] == CLIENT_ID
    assert access_lines[0]["requestId"] == "req-1"
    assert "requestId" not in access_lines[1]
    assert access_lines[1]["kid"] == KID
    assert {line["level"] for line in access_lines} == {"INFO"}
    stdout = capsys.readouterr().out  # what Lambda ships: the same lines, one JSON object each
    assert [json.loads(text) for text in stdout.splitlines()] == access_lines
    texts = [record.getMessage() + repr(record.__dict__) for record in caplog.records] + [stdout]
    for text in texts:
        for token in (good, forged):
            assert token not in text
            assert token.split(".")[1] not in text
            assert token.split(".")[2] not in text


def test_every_outcome_writes_exactly_one_access_line(
    app: ResourceApp,
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
    access_lines: list[dict[str, Any]],
) -> None:
    app.handle({"requestContext": {"elb": {}}, "httpMethod": 7})  # not a request: 400 bad_event
    app.handle(event("single", path="/nowhere"))
    app.handle(event("single", method="DELETE"))
    app.handle(event("single"))
    app.handle(event("single", headers=bearer(tokens.make())))
    monkeypatch.setattr(app.routes, "match", lambda method, path: 1 / 0)
    app.handle(event("single"))
    assert [(line["status"], line["outcome"]) for line in access_lines] == [
        (400, "bad_event"),
        (404, "not_found"),
        (405, "method_not_allowed"),
        (401, "no_credentials"),
        (200, "ok"),
        (500, "internal_error"),
    ]


# ---- Lambda entry point --------------------------------------------------------------------------------


@pytest.fixture
def fresh_handler() -> Iterator[None]:
    handler_module._APP = None
    yield
    handler_module._APP = None


def load_app_module() -> Any:
    path = Path(__file__).resolve().parents[2] / "src" / "resource" / "app.py"
    spec = importlib.util.spec_from_file_location("resource_app_under_test", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("fresh_handler")
def test_lambda_entry_point_reads_the_environment_once(
    monkeypatch: pytest.MonkeyPatch, jwks_server: JwksServer, tokens: TokenFactory
) -> None:
    for name, value in app_env(jwks_server.url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(handler_module.time, "time", FakeClock(NOW + 10))
    module = load_app_module()
    assert module.handler is handler_module.handler
    resp = module.handler(event("single", headers=bearer(tokens.make())), None)
    assert resp["statusCode"] == 200
    first = handler_module._APP
    monkeypatch.setenv("ALLOWED_CLIENT_IDS", "someone-else")
    assert module.handler(event("multi"), None)["statusCode"] == 401
    assert handler_module._APP is first  # not re-read per invocation


@pytest.mark.usefixtures("fresh_handler")
def test_lambda_entry_point_fails_loudly_on_bad_configuration(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("USER_POOL_ID", raising=False)
    monkeypatch.setenv("ALLOWED_CLIENT_IDS", CLIENT_ID)
    monkeypatch.setenv("ROUTE_SCOPES", json.dumps(ROUTES))
    with pytest.raises(ConfigError, match="USER_POOL_ID"):
        handler_module.handler(event("single"), None)
    assert handler_module._APP is None
    assert any("configuration rejected" in r.getMessage() for r in caplog.records)


def test_build_app_rejects_bad_configuration(jwks_server: JwksServer) -> None:
    with pytest.raises(ConfigError, match="ROUTE_SCOPES"):
        build_app(app_env(jwks_server.url, ROUTE_SCOPES='{"GET /api": []}'))
    app = build_app(app_env(jwks_server.url))
    assert app.verifier.jwks.url == jwks_server.url
    assert app(event("single"), None)["statusCode"] == 401


# ---- hostile JWKS headers, case-sensitive methods, encoded query names --------------------------------


@pytest.mark.parametrize("length", ["²", "9" * 5000])
def test_genuine_token_passes_when_the_jwks_content_length_is_malformed(
    app: ResourceApp, tokens: TokenFactory, jwks_server: JwksServer, length: str, mode: str
) -> None:
    """Such a header used to raise inside the JWKS fetch, which answered 401 to a genuine token."""
    jwks_server.headers = {"Content-Length": length, "Connection": "close"}
    resp = app.handle(event(mode, headers=bearer(tokens.make())))
    assert resp["statusCode"] == 200, body(resp)


@pytest.mark.parametrize("method", ["get", "Get", "po\u017ft", "pOST", "\uff47\uff45\uff54"])
def test_methods_are_case_sensitive(app: ResourceApp, tokens: TokenFactory, method: str, mode: str) -> None:
    """RFC 9110 §9.1: the method token is case-sensitive; ``"po\\u017ft".upper()`` is ``"POST"`` in Python."""
    resp = app.handle(event(mode, method, headers=bearer(tokens.make()), body="{}"))
    check_shape(resp, mode)
    assert resp["statusCode"] == 405, (method, body(resp))
    assert header(resp, "allow") == "GET, POST"


@pytest.mark.parametrize("name", ["access%5Ftoken", "access%5ftoken", "%61ccess_token", "access_tok%65n"])
def test_percent_encoded_access_token_query_name_is_still_a_token_in_the_query(
    app: ResourceApp, tokens: TokenFactory, name: str, mode: str
) -> None:
    """The ALB passes query names undecoded; a server that decodes them sees ``access_token``."""
    token = tokens.make()
    resp = app.handle(event(mode, headers=bearer(token), query={name: [token]}))
    assert resp["statusCode"] == 400
    assert body(resp)["error"] == "invalid_request"
    assert "invalid_request" in (header(resp, "www-authenticate") or "")
    resp = app.handle(event(mode, query={name: [token]}))
    assert resp["statusCode"] == 400
    assert token not in json.dumps(resp)
