"""The client function against upstreams that answer in hostile shapes: every such answer is a 502 or
504 with a JSON error (never a 500), and the token never comes back in the answer, however encoded.

The upstreams are real loopback HTTP servers (``tests.client.servers``) and Secrets Manager is moto.
"""

from __future__ import annotations

import json
import logging

import pytest

from cognito_m2m_client.handler import build_handler
from tests.client.conftest import MakeHandler
from tests.client.servers import Reply, ScriptedServer, token_reply
from tests.client.support import Aws, FakeContext, alb_event, body_of

CTX = FakeContext(30_000)
DEPTH = 100_000  # far beyond json's recursion limit


def nested(depth: int = DEPTH) -> bytes:
    return b"[" * depth + b"]" * depth


def json_escaped(text: str) -> str:
    """Every character as a JSON ``\\uXXXX`` escape: the same string to any JSON reader."""
    return "".join(f"\\u{ord(c):04x}" for c in text)


def assert_json_error(result: dict[str, object], status: int, error: str) -> None:
    assert result["statusCode"] == status, result
    body = body_of(result)
    assert body["error"] == error, body
    assert isinstance(body["message"], str)


# ---- Retry-After as ASCII decimals of bounded length ------------------------------------------------


@pytest.mark.parametrize(
    "retry_after", ["²", "¹²", "9" * 5000, "1e3", "-1", "0x10", "Fri, 31 Dec 2099 23:59:59 GMT"]
)
def test_malformed_retry_after_is_ignored_not_a_500(
    make_handler: MakeHandler, token_server: ScriptedServer, retry_after: str
) -> None:
    """``"²".isdigit()`` is True and ``int("²")`` raises: that used to escape as a 500."""
    token_server.script = [Reply(503, "busy", headers={"Retry-After": retry_after}), token_reply()]
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 200, body_of(result)
    assert token_server.count == 2  # the header was ignored and the normal backoff applied


def test_malformed_retry_after_on_every_attempt_is_a_502(
    make_handler: MakeHandler, token_server: ScriptedServer
) -> None:
    token_server.default = Reply(503, "busy", headers={"Retry-After": "²"})
    assert_json_error(make_handler()(alb_event(), CTX), 502, "token_endpoint_unavailable")


# ---- deeply nested JSON from every upstream ----------------------------------------------------------


def test_deeply_nested_token_response_is_a_502(
    make_handler: MakeHandler, token_server: ScriptedServer
) -> None:
    token_server.default = Reply(200, nested(20_000))  # within the 64 KiB the client reads
    assert_json_error(make_handler()(alb_event(), CTX), 502, "invalid_token_response")


def test_deeply_nested_token_error_body_is_a_502(
    make_handler: MakeHandler, token_server: ScriptedServer
) -> None:
    token_server.default = Reply(400, b'{"error": ' + nested(20_000) + b"}")
    assert_json_error(make_handler()(alb_event(), CTX), 502, "token_endpoint_error")


@pytest.mark.parametrize("depth", [DEPTH, 990, 200])
def test_deeply_nested_api_body_is_a_502(
    make_handler: MakeHandler, api_server: ScriptedServer, depth: int
) -> None:
    """990 levels still parse with json, but re-encoding them inside the answer would not."""
    api_server.default = Reply(200, nested(depth), headers={"Content-Type": "application/json"})
    assert_json_error(make_handler()(alb_event(), CTX), 502, "api_invalid_response")


def test_api_body_nested_within_the_limit_is_passed_through(
    make_handler: MakeHandler, api_server: ScriptedServer
) -> None:
    api_server.default = Reply(200, nested(32), headers={"Content-Type": "application/json"})
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 200
    assert body_of(result)["api_status"] == 200


def test_deeply_nested_secret_string_is_a_502(make_handler: MakeHandler, aws: Aws) -> None:
    aws.put(nested(20_000).decode())  # within Secrets Manager's 64 KiB
    result = make_handler()(alb_event(), CTX)
    assert_json_error(result, 502, "secret_unavailable")


# ---- the token never comes back, however the API encodes it -----------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: '{"seen": "' + json_escaped(t) + '"}',
        lambda t: '{"seen": "Bearer ' + t[:5] + json_escaped(t[5:]) + '"}',
        lambda t: '{"' + json_escaped(t) + '": 1}',
        lambda t: '{"deep": [[{"seen": "' + json_escaped(t) + '"}]]}',
        lambda t: '"' + json_escaped(t) + '"',
    ],
    ids=["whole-value-escaped", "partly-escaped", "as-a-key", "nested", "top-level-string"],
)
def test_token_echoed_with_json_escapes_is_redacted(
    make_handler: MakeHandler, api_server: ScriptedServer, encode: object
) -> None:
    def echo(request: object) -> Reply:
        token = request.headers["authorization"].removeprefix("Bearer ")  # type: ignore[attr-defined]
        return Reply(200, encode(token).encode(), headers={"Content-Type": "application/json"})  # type: ignore[operator]

    api_server.default = echo
    result = make_handler()(alb_event(), CTX)
    assert result["statusCode"] == 200
    (request,) = api_server.requests
    token = request.headers["authorization"].removeprefix("Bearer ")
    assert token not in result["body"]
    assert token not in json.dumps(json.loads(result["body"]))
    assert "[redacted]" in json.loads(result["body"])["api_body"].__repr__()


def test_token_echoed_with_escapes_in_a_text_body_is_redacted(
    make_handler: MakeHandler, api_server: ScriptedServer
) -> None:
    def echo(request: object) -> Reply:
        token = request.headers["authorization"].removeprefix("Bearer ")  # type: ignore[attr-defined]
        return Reply(
            200, ("you sent " + json_escaped(token)).encode(), headers={"Content-Type": "text/plain"}
        )

    api_server.default = echo
    result = make_handler()(alb_event(), CTX)
    (request,) = api_server.requests
    token = request.headers["authorization"].removeprefix("Bearer ")
    decoded = json.loads(result["body"])["api_body"]
    assert token not in decoded
    assert token not in decoded.encode().decode("unicode_escape")


# ---- plain http to the API -------------------------------------------------------------------------


def test_plain_http_api_url_to_another_host_is_warned_about(
    env: dict[str, str], aws: Aws, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    build_handler({**env, "API_URL": "http://api.example.com/api"}, secrets_client=aws.secrets)
    assert "API_URL uses plain http" in caplog.text
    caplog.clear()
    for url in (
        "https://api.example.com/api",
        env["API_URL"],
        "http://localhost:8080/api",
        "http://[::1]/api",
    ):
        build_handler({**env, "API_URL": url}, secrets_client=aws.secrets)
    assert "API_URL" not in caplog.text
