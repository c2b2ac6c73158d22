"""The API answers 401 to a cached token (rotated or revoked): one fresh token and one retry, never a
loop; an API that rejects every token costs at most one extra token request per refresh interval."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.client.servers import Reply, ScriptedServer
from tests.client.support import FakeContext, alb_event
from tests.reliability.support import assert_valid_alb_response


def invoke(handler: Any) -> dict[str, Any]:
    answer = handler(alb_event(), FakeContext(10_000))
    body: dict[str, Any] = assert_valid_alb_response(answer, multi=False)
    assert answer["statusCode"] == 200, body
    return body


def bearer_sent(api: ScriptedServer, index: int) -> str:
    return api.requests[index].headers["authorization"]


def test_one_401_then_one_fresh_token_and_one_retry(
    token_server: ScriptedServer, api_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    handler = make_client()
    assert invoke(handler)["api_status"] == 200  # token fetched and cached
    assert (token_server.count, api_server.count) == (1, 1)

    api_server.script = [Reply(401, {"error": "invalid_token"}, headers={"WWW-Authenticate": "Bearer"})]
    assert invoke(handler)["api_status"] == 200
    assert token_server.count == 2  # exactly one fresh token
    assert api_server.count == 3  # the rejected call and exactly one retry
    assert bearer_sent(api_server, 1) == bearer_sent(api_server, 0)  # the cached (rotated) token
    assert bearer_sent(api_server, 2) != bearer_sent(api_server, 1)  # the retry used the fresh one

    for _ in range(5):  # the fresh token is cached in turn
        assert invoke(handler)["api_status"] == 200
    assert (token_server.count, api_server.count) == (2, 8)


def test_api_rejecting_everything_is_not_a_loop(
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    make_client: Callable[..., Any],
    client_clock: Any,
) -> None:
    handler = make_client()
    invoke(handler)
    api_server.default = Reply(401, {"error": "invalid_token"})
    body = invoke(handler)
    assert body["api_status"] == 401  # passed through after the single retry
    assert (token_server.count, api_server.count) == (2, 3)
    for _ in range(20):  # many invocations within the refresh interval: no token request each time
        client_clock.advance(1)
        assert invoke(handler)["api_status"] == 401
    assert token_server.count == 2
    assert api_server.count == 23
    client_clock.advance(60)  # after the interval, one more refresh is allowed
    invoke(handler)
    assert token_server.count == 3


def test_brand_new_token_rejected_is_not_refetched(
    token_server: ScriptedServer, api_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    """A token fetched in this very invocation and refused is a configuration problem: no retry."""
    api_server.default = Reply(401, {"error": "invalid_token"})
    body = invoke(make_client())
    assert body["api_status"] == 401
    assert (token_server.count, api_server.count) == (1, 1)


def test_403_is_not_retried(
    token_server: ScriptedServer, api_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    handler = make_client()
    invoke(handler)
    api_server.default = Reply(403, {"error": "insufficient_scope"})
    assert invoke(handler)["api_status"] == 403
    assert (token_server.count, api_server.count) == (1, 2)


def test_api_transient_5xx_retried_then_passed_through(
    token_server: ScriptedServer, api_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    handler = make_client()
    api_server.script = [Reply(503, b""), Reply(502, b"")]
    assert invoke(handler)["api_status"] == 200
    assert api_server.count == 3
    api_server.default = Reply(503, b"")
    assert invoke(handler)["api_status"] == 503
    assert token_server.count == 1  # 5xx from the API never costs a token


ALB_LAMBDA_RESPONSE_LIMIT = 1024 * 1024  # an ALB refuses (502) a Lambda response over 1 MB


def test_api_body_that_grows_past_the_alb_limit_gets_a_clear_answer(
    api_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    api_server.default = Reply(200, b"\x01" * (500 * 1024), headers={"Content-Type": "text/plain"})
    answer = make_client()(alb_event(), FakeContext(10_000))
    assert_valid_alb_response(answer, multi=False)
    assert len(answer["body"].encode()) <= ALB_LAMBDA_RESPONSE_LIMIT  # else the ALB itself answers 502
    assert answer["statusCode"] == 502
    assert json.loads(answer["body"])["error"] == "api_body_too_large"
