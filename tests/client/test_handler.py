"""cognito_m2m_client.handler: the whole function against loopback Cognito and API stand-ins and moto.

Each test builds a handler from an explicit environment with injected collaborators (the moto-backed
Secrets Manager client wrapped to count calls, a fake clock, recorded sleeps, a fixed jitter).
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs

import pytest

from cognito_m2m_client.config import ConfigError
from cognito_m2m_client.handler import build_handler
from cognito_m2m_client.http import RetryPolicy
from cognito_m2m_client.oauth import basic_authorization
from cognito_m2m_client.secret_cache import ClientCredentials
from tests.client.conftest import MakeHandler
from tests.client.servers import Reply, ScriptedServer, token_reply
from tests.client.support import (
    CLIENT_ID,
    CLIENT_SECRET,
    Aws,
    FakeClock,
    FakeContext,
    alb_event,
    assert_no_secrets,
    body_of,
)

CTX = FakeContext(30_000)


def tokens_sent_to_api(api: ScriptedServer) -> list[str]:
    return [r.headers["authorization"].removeprefix("Bearer ") for r in api.requests]


@pytest.mark.parametrize("multi", [False, True])
def test_get_client_calls_the_api_with_a_fresh_token(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer, multi: bool
) -> None:
    handler = make_handler()
    result = handler(alb_event(multi=multi), CTX)
    assert result["statusCode"] == 200
    assert body_of(result) == {"api_status": 200, "api_body": {"message": "hello", "client_id": CLIENT_ID}}
    if multi:
        assert result["multiValueHeaders"]["content-type"] == ["application/json"]
        assert "headers" not in result
    else:
        assert result["headers"]["content-type"] == "application/json"
        assert "multiValueHeaders" not in result
    (token_request,) = token_server.requests
    assert token_request.headers["authorization"] == basic_authorization(
        ClientCredentials(CLIENT_ID, CLIENT_SECRET)
    )
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["rest-api/read rest-api/write"],
    }
    (api_request,) = api_server.requests
    assert (api_request.method, api_request.path) == ("GET", "/api")
    assert api_request.headers["authorization"].startswith("Bearer ey")


def test_a_thousand_warm_invocations_cost_one_token_and_one_secret_read(
    make_handler: MakeHandler,
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    aws: Aws,
    clock: FakeClock,
) -> None:
    handler = make_handler()
    for _ in range(1000):
        clock.advance(0.2)  # 200 s in all: within the token's life (3540 s) and the secret's (300 s)
        result = handler(alb_event(), CTX)
        assert result["statusCode"] == 200
    assert token_server.count == 1
    assert aws.secrets.calls == 1
    assert api_server.count == 1000
    assert len(set(tokens_sent_to_api(api_server))) == 1
    client = handler.client
    assert (client.token_requests, client.secret_reads, client.api_requests) == (1, 1, 1000)
    assert client.stats.as_dict() == {
        "calls": 1000,
        "token_cache_hits": 999,
        "tokens_fetched": 1,
        "shared_cache_hits": 0,
        "shared_cache_fallbacks": 0,
        "refreshes_on_401": 0,
    }


def test_token_is_refreshed_at_expiry_minus_skew(
    make_handler: MakeHandler,
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    aws: Aws,
    clock: FakeClock,
) -> None:
    handler = make_handler(env={"TOKEN_EXPIRY_SKEW_SECONDS": "60", "SECRET_MAX_AGE_SECONDS": "86400"})
    handler(alb_event(), CTX)
    clock.advance(3539.9)
    handler(alb_event(), CTX)
    assert token_server.count == 1
    clock.advance(0.1)
    handler(alb_event(), CTX)
    assert token_server.count == 2
    first, second, third = tokens_sent_to_api(api_server)
    assert first == second != third
    assert aws.secrets.calls == 1


def test_secret_is_reread_after_its_max_age(
    make_handler: MakeHandler, token_server: ScriptedServer, aws: Aws, clock: FakeClock
) -> None:
    handler = make_handler(env={"SECRET_MAX_AGE_SECONDS": "300"})
    for _ in range(10):
        handler(alb_event(), CTX)
        clock.advance(100)
    assert aws.secrets.calls == 4  # at t = 0, 300, 600, 900
    assert token_server.count == 1  # same client_id: the cached token still serves


def test_a_short_lived_token_is_still_cached_for_half_its_life(
    make_handler: MakeHandler, token_server: ScriptedServer, clock: FakeClock
) -> None:
    token_server.default = lambda _r: token_reply(expires_in=60)
    handler = make_handler(env={"TOKEN_EXPIRY_SKEW_SECONDS": "300"})
    handler(alb_event(), CTX)
    clock.advance(29)
    handler(alb_event(), CTX)
    assert token_server.count == 1
    clock.advance(1)
    handler(alb_event(), CTX)
    assert token_server.count == 2


@pytest.mark.parametrize("status", [403, 404, 500, 302])
def test_api_statuses_are_passed_through(
    make_handler: MakeHandler, api_server: ScriptedServer, token_server: ScriptedServer, status: int
) -> None:
    api_server.default = Reply(status, "<p>nope</p>")
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 200
    assert body_of(result) == {"api_status": status, "api_body": "<p>nope</p>"}
    assert api_server.count == 1
    assert token_server.count == 1


def test_api_503_is_retried_then_passed_through(
    make_handler: MakeHandler, api_server: ScriptedServer, clock: FakeClock
) -> None:
    api_server.default = Reply(503, {"error": "busy"})
    result = make_handler()(alb_event(), CTX)
    assert body_of(result) == {"api_status": 503, "api_body": {"error": "busy"}}
    assert api_server.count == 4
    assert clock.sleeps == [0.05, 0.1, 0.2]


def test_token_endpoint_5xx_and_429_then_success(
    make_handler: MakeHandler, token_server: ScriptedServer, clock: FakeClock
) -> None:
    token_server.script += [Reply(500), Reply(503), Reply(429, headers={"Retry-After": "1"})]
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 200
    assert token_server.count == 4
    assert clock.sleeps == [0.05, 0.1, 1.0]


def test_persistent_token_endpoint_5xx_is_a_502(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer, clock: FakeClock
) -> None:
    token_server.default = Reply(500, "internal")
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 502
    body = body_of(result)
    assert body["error"] == "token_endpoint_unavailable"
    assert (body["upstream_status"], body["attempts"]) == (500, 4)
    assert token_server.count == 4
    assert api_server.count == 0
    assert len(clock.sleeps) == 3


def test_token_retries_are_bounded_by_the_lambdas_remaining_time(
    make_handler: MakeHandler, token_server: ScriptedServer, clock: FakeClock
) -> None:
    token_server.default = Reply(503)
    handler = make_handler(random=lambda: 1.0, retry_policy=RetryPolicy(max_attempts=50, max_delay=10))
    # 1.5 s left, 0.5 s safety margin: 1 s budget; waits of 0.1, 0.2, 0.4 fit, 0.8 does not
    result = handler(alb_event(), FakeContext(1500, clock=clock))
    assert result["statusCode"] == 502
    assert clock.sleeps == pytest.approx([0.1, 0.2, 0.4])
    assert token_server.count == 4


def test_a_hanging_token_endpoint_is_a_504_before_the_lambda_times_out(
    env: dict[str, str], aws: Aws, token_server: ScriptedServer
) -> None:
    token_server.default = Reply(delay=10)
    handler = build_handler({**env, "HTTP_TIMEOUT_SECONDS": "5"}, secrets_client=aws.secrets)
    started = time.monotonic()
    result = handler(alb_event(), FakeContext(1500, clock=time.monotonic))
    elapsed = time.monotonic() - started
    assert result["statusCode"] == 504
    assert body_of(result)["error"] == "token_endpoint_timeout"
    assert elapsed < 1.5  # answered before the Lambda's 1.5 s were up


def test_a_hanging_api_is_a_504(env: dict[str, str], aws: Aws, api_server: ScriptedServer) -> None:
    api_server.default = Reply(delay=10)
    handler = build_handler(env, secrets_client=aws.secrets)
    started = time.monotonic()
    result = handler(alb_event(), FakeContext(1200, clock=time.monotonic))
    assert time.monotonic() - started < 1.2
    assert result["statusCode"] == 504
    assert body_of(result)["error"] == "api_timeout"


def test_an_unreachable_api_is_a_502(make_handler: MakeHandler, clock: FakeClock) -> None:
    closed = ScriptedServer()
    closed.stop()
    result = make_handler(env={"API_URL": closed.url("/api")})(alb_event(), CTX)
    assert result["statusCode"] == 502
    assert body_of(result)["error"] == "api_unreachable"


@pytest.mark.parametrize(
    "code",
    ["invalid_client", "invalid_scope", "unauthorized_client", "invalid_request", "unsupported_grant_type"],
)
def test_token_endpoint_oauth_errors_are_502_naming_the_code_without_retry(
    make_handler: MakeHandler,
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    clock: FakeClock,
    code: str,
) -> None:
    token_server.default = Reply(400, {"error": code})
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 502
    body = body_of(result)
    assert (body["error"], body["oauth_error"]) == ("token_endpoint_error", code)
    assert token_server.count == 1
    assert clock.sleeps == []
    assert api_server.count == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        {"access_token": "abc", "expires_in": 3600, "token_type": "Bearer"},
        {"access_token": "a.b.c", "expires_in": 3600, "token_type": "MAC"},
        {"access_token": "a.b.c", "token_type": "Bearer"},
        {"access_token": "a.b.c", "expires_in": 86401, "token_type": "Bearer"},
        {"access_token": "a.b.c", "expires_in": "3600", "token_type": "Bearer"},
    ],
)
def test_malformed_token_responses_are_502(
    make_handler: MakeHandler, token_server: ScriptedServer, body: Any
) -> None:
    token_server.default = Reply(200, body)
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 502
    assert body_of(result)["error"] == "invalid_token_response"
    assert "a.b.c" not in result["body"]


@pytest.mark.parametrize(
    ("secret", "words"),
    [("{", "not valid JSON"), ('{"client_id": "x"}', "client_secret"), ("[]", "not a JSON object")],
)
def test_malformed_secret_is_a_502(make_handler: MakeHandler, aws: Aws, secret: str, words: str) -> None:
    aws.put(secret)
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 502
    body = body_of(result)
    assert body["error"] == "secret_unavailable"
    assert words in body["message"]


def test_missing_secret_is_a_502(make_handler: MakeHandler, aws: Aws) -> None:
    arn = aws.arn.replace("client-credentials", "missing")
    result = make_handler(env={"CLIENT_SECRET_ARN": arn})(alb_event(), CTX)
    assert result["statusCode"] == 502
    assert body_of(result)["aws_error"] == "ResourceNotFoundException"


def test_default_secrets_client_is_boto3_created_once(
    env: dict[str, str], aws: Aws, token_server: ScriptedServer, boto3_credentials_only: None
) -> None:
    handler = build_handler(env)  # no injected client, no credentials in the environment: boto3 (moto)
    assert handler.client.secrets._client is None
    assert handler(alb_event(), CTX)["statusCode"] == 200
    first = handler.client.secrets.client
    assert handler(alb_event(), CTX)["statusCode"] == 200
    assert handler.client.secrets.client is first


@pytest.mark.parametrize(
    "route",
    [
        ("GET", "/", 404),
        ("GET", "/client/", 404),
        ("GET", "/api", 404),
        ("POST", "/client", 405),
        ("HEAD", "/client", 405),
    ],
)
@pytest.mark.parametrize("multi", [False, True])
def test_other_routes_and_methods(
    make_handler: MakeHandler, token_server: ScriptedServer, route: tuple[str, str, int], multi: bool
) -> None:
    method, path, status = route
    result = make_handler()(alb_event(method, path, multi=multi), CTX)
    assert result["statusCode"] == status
    assert body_of(result)["error"] in {"not_found", "method_not_allowed"}
    if status == 405:
        allow = result["multiValueHeaders"]["allow"] if multi else [result["headers"]["allow"]]
        assert allow == ["GET"]
    assert token_server.count == 0


@pytest.mark.parametrize(
    "event", [None, [], {"httpMethod": "GET"}, {"httpMethod": "GET", "path": "/client", "headers": 3}]
)
def test_events_that_are_not_alb_requests_are_400(make_handler: MakeHandler, event: Any) -> None:
    result = make_handler()(event, CTX)
    assert result["statusCode"] == 400
    assert body_of(result)["error"] == "bad_request"


class ExplodingPool:
    """A pool whose request raises a programming error (a bug stand-in: no real failure does this)."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug")


def test_an_unexpected_failure_is_a_500_without_details(make_handler: MakeHandler) -> None:
    result = make_handler(pool=ExplodingPool())(alb_event(), CTX)
    assert result["statusCode"] == 500
    assert body_of(result) == {"error": "internal_error", "message": "unexpected failure"}


def test_no_secret_or_token_in_logs_or_bodies_across_paths(
    make_handler: MakeHandler,
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    clock: FakeClock,
    all_logs: pytest.LogCaptureFixture,
) -> None:
    handler = make_handler()
    # the API echoes the Authorization header it received
    api_server.default = lambda r: Reply(200, {"seen": r.headers.get("authorization", "")})
    bodies = [handler(alb_event(), CTX)["body"]]
    api_server.default = Reply(401, {"error": "invalid_token"})
    clock.advance(40)
    bodies.append(handler(alb_event(), CTX)["body"])
    token_server.default = Reply(400, {"error": "invalid_client"})
    clock.advance(4000)
    bodies.append(handler(alb_event(), CTX)["body"])
    token_server.default = Reply(503)
    bodies.append(handler(alb_event(), CTX)["body"])
    issued = tokens_sent_to_api(api_server)
    assert len(set(issued)) == 2
    assert json.loads(bodies[0])["api_body"] == {"seen": "Bearer [redacted]"}
    text = all_logs.text + "\n".join(bodies)
    assert_no_secrets(text, *issued)
    assert "token cache miss" in all_logs.text
    assert "retry 1 of 3" in all_logs.text
    assert "answering 502" in all_logs.text


def test_plain_http_token_url_is_refused_unless_loopback(env: dict[str, str], aws: Aws) -> None:
    """The client secret travels to TOKEN_URL: plain http is a configuration error at cold start, except
    to a loopback host (the local stack); an upper-case scheme is the same scheme (RFC 3986 §3.1)."""
    for url in (
        "http://example.auth.us-east-1.amazoncognito.com/oauth2/token",
        "ftp://example.com/token",
        "https://user:pw@example.com/oauth2/token",
        "https://example.com/oauth2/token#x",
    ):
        with pytest.raises(ConfigError, match="TOKEN_URL"):
            build_handler({**env, "TOKEN_URL": url}, secrets_client=aws.secrets)
    assert env["TOKEN_URL"].startswith("http://127.0.0.1")
    build_handler(env, secrets_client=aws.secrets)
    build_handler(
        {**env, "TOKEN_URL": "HTTPS://example.auth.us-east-1.amazoncognito.com/oauth2/token"},
        secrets_client=aws.secrets,
    )
