"""cognito_m2m_client.http: per-attempt timeouts, full-jitter backoff, bounds by count and by the deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

from cognito_m2m_client.http import (
    Deadline,
    HttpClient,
    HttpResponse,
    HttpTimeout,
    HttpUnreachable,
    ResponseTooLarge,
    RetryPolicy,
)
from tests.client.servers import Reply, ScriptedServer
from tests.client.support import FakeClock, FakeContext

RETRY = frozenset({429, 500, 502, 503, 504})


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    s = ScriptedServer(Reply(200, {"ok": True}))
    yield s
    s.stop()


def client(clock: Any, *, random: float = 0.5, timeout: float = 5.0, **policy: Any) -> HttpClient:
    return HttpClient(
        urllib3.PoolManager(),
        connect_timeout=timeout,
        read_timeout=timeout,
        policy=RetryPolicy(**policy),
        clock=clock,
        sleep=clock.sleep if isinstance(clock, FakeClock) else time.sleep,
        random=lambda: random,
    )


def get(http: HttpClient, server: ScriptedServer, deadline: Deadline, **kw: Any) -> HttpResponse:
    return http.request("test", "GET", server.url("/x"), deadline=deadline, retry_statuses=RETRY, **kw)


@pytest.mark.parametrize(
    ("random", "expected"),
    [
        (0.0, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        (0.5, [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]),
        (0.999, [0.0999, 0.1998, 0.3996, 0.7992, 1.5984, 1.998]),
    ],
)
def test_full_jitter_backoff_is_capped(random: float, expected: list[float]) -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=2.0)
    assert [policy.backoff(n, lambda: random) for n in range(1, 7)] == pytest.approx(expected)


def test_success_needs_one_attempt(server: ScriptedServer, clock: FakeClock) -> None:
    http = client(clock)
    response = get(http, server, Deadline(clock, 10))
    assert (response.status, response.attempts, response.body) == (200, 1, b'{"ok": true}')
    assert http.sent["test"] == 1
    assert clock.sleeps == []


def test_retries_5xx_and_429_then_succeeds(server: ScriptedServer, clock: FakeClock) -> None:
    server.script += [Reply(503), Reply(500), Reply(429)]
    response = get(client(clock), server, Deadline(clock, 10))
    assert (response.status, response.attempts) == (200, 4)
    assert clock.sleeps == [0.05, 0.1, 0.2]


def test_gives_up_after_max_attempts_with_the_last_response(server: ScriptedServer, clock: FakeClock) -> None:
    server.default = Reply(503, "busy")
    response = get(client(clock, max_attempts=3), server, Deadline(clock, 10))
    assert (response.status, response.attempts, response.body) == (503, 3, b"busy")
    assert server.count == 3
    assert len(clock.sleeps) == 2


def test_statuses_not_named_are_not_retried(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(501))
    response = client(clock).request("t", "GET", server.url(), deadline=Deadline(clock, 5))
    assert (response.status, response.attempts) == (501, 1)


def test_small_retry_after_is_honoured(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(429, headers={"Retry-After": "2"}))
    assert get(client(clock), server, Deadline(clock, 10)).status == 200
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize("value", ["Wed, 21 Oct 2026 07:28:00 GMT", "-1", "1.5", "9999999"])
def test_unusable_retry_after_falls_back_to_backoff(
    server: ScriptedServer, clock: FakeClock, value: str
) -> None:
    server.script.append(Reply(503, headers={"Retry-After": value}))
    assert get(client(clock), server, Deadline(clock, 10)).status == 200
    assert clock.sleeps == [0.05]


def test_large_retry_after_ends_the_retries(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(429, headers={"Retry-After": "30"}))
    response = get(client(clock), server, Deadline(clock, 60))
    assert (response.status, response.attempts) == (429, 1)
    assert clock.sleeps == []


def test_retries_are_bounded_by_the_deadline(server: ScriptedServer, clock: FakeClock) -> None:
    server.default = Reply(500)
    # delays with random=1: 0.1, 0.2, 0.4, 0.8, ... ; a 0.5 s budget affords the first two only
    response = get(client(clock, random=1.0, max_attempts=10), server, Deadline(clock, 0.5))
    assert response.status == 500
    assert clock.sleeps == pytest.approx([0.1, 0.2])
    assert server.count == 3


def test_retry_after_beyond_the_deadline_is_not_waited_for(server: ScriptedServer, clock: FakeClock) -> None:
    server.default = Reply(503, headers={"Retry-After": "3"})
    response = get(client(clock), server, Deadline(clock, 2.0))
    assert (response.status, response.attempts) == (503, 1)
    assert clock.sleeps == []


def test_no_time_left_means_no_attempt(server: ScriptedServer, clock: FakeClock) -> None:
    with pytest.raises(HttpTimeout) as info:
        get(client(clock), server, Deadline(clock, 0.01))
    assert info.value.attempts == 0
    assert server.count == 0


def test_connection_refused_is_retried_then_unreachable(clock: FakeClock) -> None:
    closed = ScriptedServer()
    closed.stop()
    http = client(clock)
    with pytest.raises(HttpUnreachable) as info:
        get(http, closed, Deadline(clock, 10))
    assert info.value.attempts == 4
    assert http.sent["test"] == 4
    assert clock.sleeps == [0.05, 0.1, 0.2]


def test_connection_reset_is_retried(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(reset=True))
    assert get(client(clock), server, Deadline(clock, 10)).attempts == 2


def test_hang_times_out_per_attempt_and_is_retried(server: ScriptedServer, clock: FakeClock) -> None:
    server.script += [Reply(delay=5)]
    started = time.monotonic()
    response = get(client(clock, timeout=0.5), server, Deadline(clock, 10))
    assert response.attempts == 2
    assert time.monotonic() - started < 3


def test_hangs_end_before_the_deadline_with_a_real_clock(server: ScriptedServer) -> None:
    server.default = Reply(delay=10)
    started = time.monotonic()
    with pytest.raises(HttpTimeout) as info:
        get(client(time.monotonic, timeout=5.0), server, Deadline(time.monotonic, 0.6))
    elapsed = time.monotonic() - started
    assert elapsed < 1.2  # the per-attempt timeout shrank to the remaining 0.6 s
    assert info.value.attempts >= 1


def test_slow_drip_body_is_cut_at_the_deadline(server: ScriptedServer) -> None:
    server.script.append(Reply(200, b"x" * 200, drip=0.05))
    started = time.monotonic()
    with pytest.raises(HttpTimeout):
        get(client(time.monotonic, timeout=1.0, max_attempts=1), server, Deadline(time.monotonic, 0.5))
    assert time.monotonic() - started < 1.5


def test_too_large_body_is_not_retried(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(200, b"y" * 5000))
    http = client(clock)
    with pytest.raises(ResponseTooLarge) as info:
        get(http, server, Deadline(clock, 10), max_body_bytes=4096)
    assert info.value.attempts == 1
    assert server.count == 1
    # the connection was closed, not reused with unread bytes: the next request works
    assert get(http, server, Deadline(clock, 10)).status == 200


def test_connections_are_reused_across_requests(server: ScriptedServer, clock: FakeClock) -> None:
    http = client(clock)
    for _ in range(5):
        assert get(http, server, Deadline(clock, 10)).status == 200
    pool = http.pool.connection_from_url(server.url())
    assert pool.num_connections == 1


def test_redirects_are_not_followed(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(302, headers={"Location": "http://127.0.0.1:9/elsewhere"}))
    response = get(client(clock), server, Deadline(clock, 10))
    assert response.status == 302
    assert server.count == 1


def test_deadline_from_the_lambda_context(clock: FakeClock) -> None:
    deadline = Deadline.for_invocation(FakeContext(3000), clock, safety_margin=0.5, default_seconds=30)
    assert deadline.remaining() == pytest.approx(2.5)
    clock.advance(1)
    assert deadline.remaining() == pytest.approx(1.5)


class BrokenContext:
    def get_remaining_time_in_millis(self) -> Any:
        return "soon"


@pytest.mark.parametrize("context", [None, object(), BrokenContext()])
def test_deadline_without_a_usable_context_uses_the_default(clock: FakeClock, context: Any) -> None:
    deadline = Deadline.for_invocation(context, clock, safety_margin=0.5, default_seconds=30)
    assert deadline.remaining() == 30


def test_a_body_cut_short_is_retried(server: ScriptedServer, clock: FakeClock) -> None:
    server.script.append(Reply(200, b"partial", short_by=100))
    http = client(clock)
    response = get(http, server, Deadline(clock, 10))
    assert (response.status, response.attempts, response.body) == (200, 2, b'{"ok": true}')


def test_a_body_cut_short_every_time_is_unreachable(server: ScriptedServer, clock: FakeClock) -> None:
    server.default = Reply(200, b"partial", short_by=100)
    with pytest.raises(HttpUnreachable, match="while reading"):
        get(client(clock, max_attempts=2), server, Deadline(clock, 10))


def test_a_stalled_body_times_out_per_read(server: ScriptedServer, clock: FakeClock) -> None:
    server.default = Reply(200, b"abc", drip=2.0)
    started = time.monotonic()
    with pytest.raises(HttpTimeout, match="reading the response body"):
        get(client(clock, timeout=0.2, max_attempts=1), server, Deadline(clock, 10))
    assert time.monotonic() - started < 1.5


class OversleepingClock(FakeClock):
    """A pause that lasts longer than asked (a loaded machine)."""

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds + 1.0)


def test_a_pause_that_overran_the_deadline_reports_the_last_outcome(server: ScriptedServer) -> None:
    clock = OversleepingClock()
    server.default = Reply(503, "busy")
    response = get(client(clock), server, Deadline(clock, 1.0))
    assert (response.status, response.attempts) == (503, 1)
    closed = ScriptedServer()
    closed.stop()
    with pytest.raises(HttpUnreachable) as info:
        get(client(clock), closed, Deadline(clock, 1.0))
    assert info.value.attempts == 1
