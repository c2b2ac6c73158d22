"""cognito_m2m_client.api: the bearer call, body decoding, token redaction, transport failures."""

from __future__ import annotations

import pytest
import urllib3

from cognito_m2m_client.api import REDACTED, call_api, decode_body
from cognito_m2m_client.errors import ApiTimeout, ApiUnavailable
from cognito_m2m_client.http import Deadline, HttpClient, RetryPolicy
from tests.client.servers import Reply, ScriptedServer
from tests.client.support import FakeClock

TOKEN = "eyJh.eyJi.sig"


def http(clock: FakeClock, timeout: float = 5.0) -> HttpClient:
    return HttpClient(
        urllib3.PoolManager(),
        connect_timeout=timeout,
        read_timeout=timeout,
        policy=RetryPolicy(max_attempts=2),
        clock=clock,
        sleep=clock.sleep,
        random=lambda: 0.5,
    )


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b'{"a": [1, 2]}', {"a": [1, 2]}),
        ("application/json; charset=utf-8", b"[1]", [1]),
        ("application/problem+json", b'{"title": "x"}', {"title": "x"}),
        ("application/json", b"{broken", "{broken"),
        ("application/json", b'{"n": NaN}', '{"n": NaN}'),
        ("text/plain", b'{"a": 1}', '{"a": 1}'),
        ("", b"plain", "plain"),
        ("text/html", b"\xff\xfeok", "\ufffd\ufffdok"),
        ("application/json", b"", ""),
    ],
)
def test_decode_body(content_type: str, body: bytes, expected: object) -> None:
    assert decode_body({"content-type": content_type}, body, TOKEN) == expected


def test_an_echoed_token_is_redacted() -> None:
    body = f'{{"authorization": "Bearer {TOKEN}"}}'.encode()
    assert decode_body({"content-type": "application/json"}, body, TOKEN) == {
        "authorization": f"Bearer {REDACTED}"
    }
    assert decode_body({}, TOKEN.encode(), TOKEN) == REDACTED


def test_call_sends_the_bearer_token_and_passes_the_status(clock: FakeClock) -> None:
    server = ScriptedServer(Reply(418, {"teapot": True}))
    try:
        result = call_api(http(clock), server.url("/api?x=1"), TOKEN, Deadline(clock, 5))
    finally:
        server.stop()
    assert (result.status, result.body) == (418, {"teapot": True})
    (req,) = server.requests
    assert (req.method, req.path) == ("GET", "/api?x=1")
    assert req.headers["authorization"] == f"Bearer {TOKEN}"


def test_unreachable_and_hanging_api(clock: FakeClock) -> None:
    closed = ScriptedServer()
    closed.stop()
    with pytest.raises(ApiUnavailable) as unreachable:
        call_api(http(clock), closed.url("/api"), TOKEN, Deadline(clock, 5))
    assert unreachable.value.status == 502
    hanging = ScriptedServer(Reply(delay=5))
    try:
        with pytest.raises(ApiTimeout) as timeout:
            call_api(http(clock, timeout=0.2), hanging.url("/api"), TOKEN, Deadline(clock, 5))
    finally:
        hanging.stop()
    assert timeout.value.status == 504
    assert timeout.value.body()["error"] == "api_timeout"


def test_too_large_api_body(clock: FakeClock) -> None:
    server = ScriptedServer(Reply(200, b"z" * (512 * 1024 + 1)))
    try:
        with pytest.raises(ApiUnavailable, match="larger than"):
            call_api(http(clock), server.url("/api"), TOKEN, Deadline(clock, 5))
        assert server.count == 1
    finally:
        server.stop()
