"""Shared helpers of the client tests: constants, a fake clock, a fake Lambda context, ALB events."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

CLIENT_ID = "1example23456789abcdefghij"
CLIENT_SECRET = "s3cr3t+Value/WithSymbols=0123456789abcdefghijklmnop"
SCOPES = "rest-api/write rest-api/read"


class FakeClock:
    """Monotonic seconds that move only when a test (or a recorded sleep) says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class FakeContext:
    """A Lambda context: only get_remaining_time_in_millis matters to the client."""

    remaining_ms: int = 30_000
    clock: Callable[[], float] | None = None  # with a clock, the remaining time runs down with it
    _start: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        if self.clock is not None:
            self._start = self.clock()

    def get_remaining_time_in_millis(self) -> int:
        if self.clock is None:
            return self.remaining_ms
        return int(self.remaining_ms - (self.clock() - self._start) * 1000)


class CountingSecrets:
    """Wraps the moto-backed boto3 client to count GetSecretValue calls independently of the cache."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def get_secret_value(self, *, SecretId: str, VersionStage: str = "AWSCURRENT") -> Mapping[str, Any]:
        self.calls += 1
        result: Mapping[str, Any] = self.inner.get_secret_value(SecretId=SecretId, VersionStage=VersionStage)
        return result


def alb_event(method: str = "GET", path: str = "/client", *, multi: bool = False) -> dict[str, Any]:
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/c/1"}},
        "httpMethod": method,
        "path": path,
        "body": "",
        "isBase64Encoded": False,
    }
    if multi:
        event["multiValueHeaders"] = {"host": ["example.com"]}
        event["multiValueQueryStringParameters"] = {}
    else:
        event["headers"] = {"host": "example.com"}
        event["queryStringParameters"] = {}
    return event


def body_of(response: Mapping[str, Any]) -> Any:
    return json.loads(response["body"])


@dataclass
class Aws:
    client: Any
    secrets: CountingSecrets
    arn: str

    def put(self, value: str) -> None:
        self.client.put_secret_value(SecretId=self.arn, SecretString=value)


def assert_no_secrets(text: str, *tokens: str) -> None:
    assert CLIENT_SECRET not in text
    for token in tokens:
        assert token not in text
    assert "Basic " not in text
    assert "Bearer ey" not in text


def wall_clock() -> float:
    return time.monotonic()
