"""cognito_m2m_client.oauth: the client-credentials request on the wire, response validation, OAuth errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote_plus

import pytest
import urllib3

from cognito_m2m_client.errors import (
    InvalidTokenResponse,
    TokenEndpointError,
    TokenEndpointTimeout,
    TokenEndpointUnavailable,
)
from cognito_m2m_client.http import Deadline, HttpClient, RetryPolicy
from cognito_m2m_client.oauth import (
    AccessToken,
    basic_authorization,
    parse_token_response,
    request_token,
    token_request_body,
)
from cognito_m2m_client.secret_cache import ClientCredentials
from tests.client.servers import Reply, ScriptedServer, token_reply
from tests.client.support import FakeClock

CREDS = ClientCredentials("client+id", "se cret:/+=%")
SCOPES = ("rest-api/read", "rest-api/write")
NO_RETRY_CODES = [
    "invalid_client",
    "invalid_scope",
    "unauthorized_client",
    "invalid_request",
    "unsupported_grant_type",
    "invalid_grant",
]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    s = ScriptedServer(lambda _r: token_reply())
    yield s
    s.stop()


@pytest.fixture
def http(clock: FakeClock) -> HttpClient:
    return HttpClient(
        urllib3.PoolManager(),
        connect_timeout=5.0,
        read_timeout=5.0,  # generous: a loaded CI machine must not turn into a spurious retry
        policy=RetryPolicy(),
        clock=clock,
        sleep=clock.sleep,
        random=lambda: 0.5,
    )


def fetch(
    http: HttpClient, server: ScriptedServer, clock: FakeClock, scopes: tuple[str, ...] = SCOPES
) -> AccessToken:
    return request_token(http, server.url("/oauth2/token"), CREDS, scopes, Deadline(clock, 10))


def test_basic_authorization_form_urlencodes_before_base64() -> None:
    header = basic_authorization(CREDS)
    assert header.startswith("Basic ")
    decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
    assert decoded == "client%2Bid:se+cret%3A%2F%2B%3D%25"
    user, password = decoded.split(":")
    assert (unquote_plus(user), unquote_plus(password)) == (CREDS.client_id, CREDS.client_secret)


def test_request_body_with_and_without_scopes() -> None:
    assert (
        token_request_body(SCOPES) == b"grant_type=client_credentials&scope=rest-api%2Fread+rest-api%2Fwrite"
    )
    assert token_request_body(()) == b"grant_type=client_credentials"


def test_request_on_the_wire(http: HttpClient, server: ScriptedServer, clock: FakeClock) -> None:
    token = fetch(http, server, clock)
    assert token.expires_in == 3600
    assert token.access_token.count(".") == 2
    (req,) = server.requests
    assert req.method == "POST"
    assert req.path == "/oauth2/token"
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"
    assert req.headers["authorization"] == basic_authorization(CREDS)
    assert "user-agent" in req.headers
    form = parse_qs(req.body.decode(), strict_parsing=True)
    assert form == {"grant_type": ["client_credentials"], "scope": ["rest-api/read rest-api/write"]}
    assert token.access_token not in repr(token)


def test_scope_is_omitted_when_none_are_configured(
    http: HttpClient, server: ScriptedServer, clock: FakeClock
) -> None:
    fetch(http, server, clock, scopes=())
    assert parse_qs(server.requests[0].body.decode()) == {"grant_type": ["client_credentials"]}


GOOD = {"access_token": "a.b.c", "expires_in": 3600, "token_type": "Bearer"}


@pytest.mark.parametrize("token_type", ["Bearer", "bearer", "BEARER"])
def test_token_type_is_case_insensitive(token_type: str) -> None:
    assert parse_token_response(json.dumps({**GOOD, "token_type": token_type}).encode()).expires_in == 3600


@pytest.mark.parametrize("expires_in", [1, 86400])
def test_expires_in_bounds_are_inclusive(expires_in: int) -> None:
    assert (
        parse_token_response(json.dumps({**GOOD, "expires_in": expires_in}).encode()).expires_in == expires_in
    )


MALFORMED: dict[str, tuple[Any, str]] = {
    "not json": (b"<html>ok</html>", "not a JSON object"),
    "json array": ([GOOD], "not a JSON object"),
    "not utf-8": (b'{"access_token": "\xff"}', "not a JSON object"),
    "NaN": (b'{"access_token": "a.b.c", "expires_in": NaN, "token_type": "Bearer"}', "not a JSON object"),
    "no access_token": ({"expires_in": 3600, "token_type": "Bearer"}, "no string access_token"),
    "numeric access_token": ({**GOOD, "access_token": 12}, "no string access_token"),
    "two-part token": ({**GOOD, "access_token": "a.b"}, "three-part"),
    "four-part token": ({**GOOD, "access_token": "a.b.c.d"}, "three-part"),
    "empty segment": ({**GOOD, "access_token": "a..c"}, "three-part"),
    "foreign characters": ({**GOOD, "access_token": "a.b+/.c="}, "three-part"),
    "huge token": ({**GOOD, "access_token": "a." + "b" * 20000 + ".c"}, "three-part"),
    "token_type MAC": ({**GOOD, "token_type": "MAC"}, "not Bearer"),
    "token_type missing": ({"access_token": "a.b.c", "expires_in": 3600}, "not Bearer"),
    "expires_in missing": ({"access_token": "a.b.c", "token_type": "Bearer"}, "not an integer"),
    "expires_in string": ({**GOOD, "expires_in": "3600"}, "not an integer"),
    "expires_in float": ({**GOOD, "expires_in": 3600.0}, "not an integer"),
    "expires_in bool": ({**GOOD, "expires_in": True}, "not an integer"),
    "expires_in zero": ({**GOOD, "expires_in": 0}, "out of range"),
    "expires_in negative": ({**GOOD, "expires_in": -5}, "out of range"),
    "expires_in absurd": ({**GOOD, "expires_in": 10**12}, "out of range"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_token_responses_are_rejected(
    case: str, http: HttpClient, server: ScriptedServer, clock: FakeClock
) -> None:
    body, words = MALFORMED[case]
    server.script.append(Reply(200, body))
    with pytest.raises(InvalidTokenResponse, match=words) as info:
        fetch(http, server, clock)
    assert info.value.status == 502
    assert server.count == 1  # a malformed 200 is not retried
    assert "a.b.c" not in json.dumps(info.value.body())


@pytest.mark.parametrize("code", NO_RETRY_CODES)
@pytest.mark.parametrize("status", [400, 401])
def test_oauth_errors_are_not_retried_and_named(
    code: str, status: int, http: HttpClient, server: ScriptedServer, clock: FakeClock
) -> None:
    server.script.append(Reply(status, {"error": code, "error_description": "do not echo me"}))
    with pytest.raises(TokenEndpointError) as info:
        fetch(http, server, clock)
    assert server.count == 1
    assert clock.sleeps == []
    body = info.value.body()
    assert body["error"] == "token_endpoint_error"
    assert body["oauth_error"] == code
    assert body["upstream_status"] == status
    assert code in body["message"]
    assert "do not echo me" not in json.dumps(body)


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (Reply(400, "Bad Request"), 400),
        (Reply(403, "<html>WAF</html>"), 403),
        (Reply(404, {"message": "not found"}), 404),
        (Reply(400, {"error": 'bad"quote'}), 400),
        (Reply(400, {"error": "x" * 65}), 400),
        (Reply(302, b"", headers={"Location": "https://elsewhere.example/"}), 302),
    ],
)
def test_other_refusals_are_not_retried(
    reply: Reply, status: int, http: HttpClient, server: ScriptedServer, clock: FakeClock
) -> None:
    server.script.append(reply)
    with pytest.raises(TokenEndpointError) as info:
        fetch(http, server, clock)
    assert server.count == 1
    assert info.value.body()["upstream_status"] == status
    assert "oauth_error" not in info.value.body()


def test_5xx_429_then_success(http: HttpClient, server: ScriptedServer, clock: FakeClock) -> None:
    server.script += [Reply(500, "boom"), Reply(503, "busy"), Reply(429, {"error": "slow down"})]
    assert fetch(http, server, clock).expires_in == 3600
    assert server.count == 4
    assert clock.sleeps == [0.05, 0.1, 0.2]  # random()=0.5 times 0.1, 0.2, 0.4


def test_persistent_5xx_is_unavailable(http: HttpClient, server: ScriptedServer, clock: FakeClock) -> None:
    server.default = Reply(502, "bad gateway")
    with pytest.raises(TokenEndpointUnavailable) as info:
        fetch(http, server, clock)
    assert server.count == 4
    assert info.value.body()["upstream_status"] == 502
    assert info.value.body()["attempts"] == 4


def test_unreachable_and_timeout(http: HttpClient, clock: FakeClock) -> None:
    closed = ScriptedServer()
    url = closed.url("/oauth2/token")
    closed.stop()
    with pytest.raises(TokenEndpointUnavailable, match="could not be used"):
        request_token(http, url, CREDS, SCOPES, Deadline(clock, 10))
    hanging = ScriptedServer(Reply(200, GOOD, delay=5))
    http = HttpClient(
        urllib3.PoolManager(),
        connect_timeout=0.2,
        read_timeout=0.2,
        policy=RetryPolicy(max_attempts=2),
        clock=clock,
        sleep=clock.sleep,
        random=lambda: 0.5,
    )
    try:
        with pytest.raises(TokenEndpointTimeout) as info:
            request_token(http, hanging.url("/t"), CREDS, SCOPES, Deadline(clock, 10))
        assert info.value.status == 504
    finally:
        hanging.stop()
