"""The token endpoint misbehaves (a loopback fault-injecting server): transient 5xx/429 are retried
with backoff within the Lambda's remaining time, persistent failures end in a 502 JSON error after a
bounded number of attempts, a hang ends in 504 before the Lambda timeout, malformed or absurd answers
are 502, and OAuth 400 errors are never retried and named in the 502.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.client.servers import Reply, ScriptedServer, token_reply
from tests.client.support import CLIENT_SECRET, FakeContext, alb_event
from tests.reliability.conftest import PROFILE
from tests.reliability.support import assert_valid_alb_response

MAX_ATTEMPTS = 4  # RetryPolicy's default: the first attempt and three retries


def invoke(handler: Any, context: Any = None, multi: bool = False) -> tuple[int, dict[str, Any]]:
    answer = handler(alb_event(multi=multi), context or FakeContext(30_000))
    body = assert_valid_alb_response(answer, multi=multi)
    assert CLIENT_SECRET not in answer["body"]
    return answer["statusCode"], body


@pytest.mark.parametrize(
    "failures",
    [[500], [503], [429], [502, 504], [500, 503, 429]],
    ids=["500", "503", "429", "502-504", "500-503-429"],
)
def test_transient_failures_then_success(
    failures: list[int],
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    make_client: Callable[..., Any],
    client_clock: Any,
) -> None:
    token_server.script = [Reply(code, {"error": "server_error"}) for code in failures]
    handler = make_client()
    context = FakeContext(remaining_ms=10_000, clock=client_clock)
    status, body = invoke(handler, context)
    assert status == 200, body
    assert body["api_status"] == 200
    assert token_server.count == len(failures) + 1
    assert len(client_clock.sleeps) == len(failures)
    assert all(s > 0 for s in client_clock.sleeps)  # backoff, not a tight loop
    assert context.get_remaining_time_in_millis() > 500  # done within the Lambda's time
    # and the token is then cached: the next invocations cost no token request
    for _ in range(5):
        assert invoke(handler)[0] == 200
    assert token_server.count == len(failures) + 1


def test_retry_after_is_honoured_when_short_and_ends_retries_when_long(
    token_server: ScriptedServer, make_client: Callable[..., Any], client_clock: Any
) -> None:
    token_server.script = [Reply(429, {"error": "slow_down"}, headers={"Retry-After": "2"})]
    status, _ = invoke(make_client(), FakeContext(10_000, clock=client_clock))
    assert status == 200
    assert client_clock.sleeps == [2.0]

    token_server.script = [Reply(429, {"error": "slow_down"}, headers={"Retry-After": "120"})]
    client_clock.sleeps.clear()
    status, body = invoke(make_client(), FakeContext(10_000, clock=client_clock))
    assert status == 502
    assert body["error"] == "token_endpoint_unavailable"
    assert client_clock.sleeps == []


@pytest.mark.parametrize("code", [500, 502, 503, 504, 429])
def test_persistent_failure_is_bounded_and_502(
    code: int, token_server: ScriptedServer, make_client: Callable[..., Any], client_clock: Any
) -> None:
    token_server.default = Reply(code, {"error": "server_error"})
    status, body = invoke(make_client(), FakeContext(30_000, clock=client_clock))
    assert status == 502
    assert body["error"] == "token_endpoint_unavailable"
    assert body["upstream_status"] == code
    assert body["attempts"] == MAX_ATTEMPTS
    assert token_server.count == MAX_ATTEMPTS
    assert sum(client_clock.sleeps) < 30  # every pause fits the invocation


def test_persistent_failure_with_little_time_left_stops_early(
    token_server: ScriptedServer, make_client: Callable[..., Any], client_clock: Any
) -> None:
    from cognito_m2m_client.http import RetryPolicy

    token_server.default = Reply(503, b"")
    handler = make_client(retry_policy=RetryPolicy(max_attempts=50, base_delay=0.5, max_delay=2.0))
    context = FakeContext(remaining_ms=3_000, clock=client_clock)
    status, body = invoke(handler, context)
    assert status == 502
    assert body["error"] == "token_endpoint_unavailable"
    assert token_server.count < 50
    assert context.get_remaining_time_in_millis() >= 0  # answered before Lambda's timeout


def test_connection_refused_is_bounded_and_502(make_client: Callable[..., Any], client_clock: Any) -> None:
    closed = ScriptedServer()
    url = closed.url("/oauth2/token")
    closed.stop()
    status, body = invoke(make_client(env={"TOKEN_URL": url}), FakeContext(30_000, clock=client_clock))
    assert status == 502
    assert body["error"] == "token_endpoint_unavailable"
    assert body["attempts"] == MAX_ATTEMPTS


def test_connection_reset_then_success(token_server: ScriptedServer, make_client: Callable[..., Any]) -> None:
    token_server.script = [Reply(reset=True), Reply(reset=True)]
    status, _ = invoke(make_client())
    assert status == 200
    assert token_server.count == 3


def test_hang_is_504_before_the_lambda_timeout(
    token_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    """Real time: a 1.5 s Lambda (0.5 s kept as safety margin) and a token endpoint that never answers."""
    token_server.default = Reply(200, b"{}", delay=30.0)
    handler = make_client(clock=time.monotonic, sleep=time.sleep, env={"HTTP_TIMEOUT_SECONDS": "5"})
    context = FakeContext(remaining_ms=1_500, clock=time.monotonic)
    started = time.monotonic()
    status, body = invoke(handler, context)
    elapsed = time.monotonic() - started
    assert status == 504
    assert body["error"] == "token_endpoint_timeout"
    assert elapsed < 1.5, f"answered after {elapsed:.2f}s: Lambda would have killed the function"


def test_slow_drip_token_answer_is_504_before_the_lambda_timeout(
    token_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    token_server.default = Reply(200, json.dumps({"access_token": "a.b.c" * 100}).encode(), drip=0.05)
    handler = make_client(clock=time.monotonic, sleep=time.sleep)
    context = FakeContext(remaining_ms=1_500, clock=time.monotonic)
    started = time.monotonic()
    status, body = invoke(handler, context)
    assert status == 504
    assert body["error"] == "token_endpoint_timeout"
    assert time.monotonic() - started < 1.5


BAD_ANSWERS = {
    "not_json": Reply(200, b"<html>oops</html>"),
    "truncated_json": Reply(200, b'{"access_token":"a.b.c","expires_in":36'),
    "json_array": Reply(200, [1, 2]),
    "nan_expires_in": Reply(200, b'{"access_token":"a.b.c","token_type":"Bearer","expires_in":NaN}'),
    "no_access_token": Reply(200, {"token_type": "Bearer", "expires_in": 3600}),
    "access_token_not_jwt": Reply(
        200, {"access_token": "opaque", "token_type": "Bearer", "expires_in": 3600}
    ),
    "token_type_mac": token_reply(token_type="mac"),
    "expires_in_missing": Reply(200, {"access_token": "a.b.c", "token_type": "Bearer"}),
    "expires_in_zero": token_reply(expires_in=0),
    "expires_in_negative": token_reply(expires_in=-1),
    "expires_in_absurd": token_reply(expires_in=10**9),
    "expires_in_string": token_reply(expires_in="3600"),
    "expires_in_float": token_reply(expires_in=3600.5),
    "expires_in_bool": token_reply(expires_in=True),
    "huge_body": Reply(200, b"{" + b" " * 200_000 + b"}"),
}


@pytest.mark.parametrize("name", list(BAD_ANSWERS))
def test_malformed_or_absurd_answer_is_502_and_not_cached(
    name: str, token_server: ScriptedServer, api_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    token_server.script = [BAD_ANSWERS[name]]
    handler = make_client()
    status, body = invoke(handler)
    assert status == 502
    assert body["error"] in ("invalid_token_response", "token_endpoint_unavailable")
    if name.startswith("expires_in"):
        assert "expires_in" in body["message"]
    assert token_server.count == 1  # an answer, even a bad one, is not retried
    assert api_server.count == 0  # nothing went to the API with a bad token
    # the next invocation asks again (the bad answer was not cached) and succeeds
    assert invoke(handler)[0] == 200
    assert token_server.count == 2


@pytest.mark.parametrize(
    "oauth_error",
    ["invalid_client", "invalid_scope", "unauthorized_client", "invalid_request", "invalid_grant"],
)
def test_oauth_400_is_not_retried_and_named(
    oauth_error: str,
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    make_client: Callable[..., Any],
) -> None:
    token_server.default = Reply(400, {"error": oauth_error})
    status, body = invoke(make_client(), multi=True)
    assert status == 502
    assert body["error"] == "token_endpoint_error"
    assert body["oauth_error"] == oauth_error
    assert oauth_error in body["message"]
    assert token_server.count == 1
    assert api_server.count == 0


def test_invalid_client_401_without_json_is_502(
    token_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    token_server.default = Reply(401, "Unauthorized")
    status, body = invoke(make_client())
    assert status == 502
    assert body["error"] == "token_endpoint_error"
    assert token_server.count == 1


def test_hostile_oauth_error_code_is_not_echoed(
    token_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    token_server.default = Reply(400, {"error": "<script>" + "x" * 500 + "\u0000"})
    status, body = invoke(make_client())
    assert status == 502
    assert "<script>" not in json.dumps(body)
    assert token_server.count == 1


ANSWER_BODIES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
        max_leaves=12,
    ).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {},
        optional={
            "access_token": st.one_of(st.just("a.b.c"), st.text(max_size=40), st.integers()),
            "token_type": st.one_of(st.just("Bearer"), st.just("bearer"), st.text(max_size=8), st.none()),
            "expires_in": st.one_of(st.integers(-10, 10**6), st.floats(allow_nan=False), st.text(max_size=5)),
            "error": st.one_of(st.sampled_from(["invalid_client", "invalid_scope"]), st.text(max_size=80)),
        },
    ).map(lambda v: json.dumps(v).encode()),
)
STATUSES = st.sampled_from([200, 200, 200, 400, 401, 403, 404, 429, 500, 502, 503, 504, 302, 201, 204])


@settings(
    max_examples=200 if PROFILE != "fuzz" else 3000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(status=STATUSES, body=ANSWER_BODIES)
def test_fuzzed_token_endpoint_answers(
    status: int, body: bytes, token_server: ScriptedServer, make_client: Callable[..., Any]
) -> None:
    """Whatever the token endpoint answers, the client answers 200/502/504 JSON, never a 500, and sends
    the API only a token that passed validation."""
    from cognito_m2m_client.http import RetryPolicy

    token_server.script = [Reply(status, body)]
    token_server.default = Reply(503, b"")
    handler = make_client(retry_policy=RetryPolicy(max_attempts=1))
    status_out, answer = invoke(handler)
    assert status_out in (200, 502, 504), answer
    if status_out == 200:
        assert status == 200
        sent = json.loads(body)
        assert isinstance(sent["expires_in"], int)
        assert 0 < sent["expires_in"] <= 86400
        assert str(sent["token_type"]).lower() == "bearer"
