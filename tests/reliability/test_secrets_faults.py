"""Secrets Manager fails: the client answers a clear 502 JSON error naming the failure (never the
secret), logs no secret material, and keeps serving with cached credentials when a refresh fails.

moto serves the cases it can produce for real (missing secret, malformed values, binary secret, a
deleted secret). Access denied, throttling, KMS decryption failure and internal errors cannot be
produced by moto without IAM/KMS enforcement, so those use a stub client that raises botocore's own
``ClientError`` with the error shape AWS returns; an unreachable endpoint uses a real boto3 client
pointed at a closed loopback port.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.client.support import CLIENT_ID, CLIENT_SECRET, FakeContext, alb_event
from tests.reliability.support import assert_valid_alb_response


class FailingSecrets:
    """A stand-in for boto3's client whose GetSecretValue raises a botocore ClientError (see docstring)."""

    def __init__(self, code: str, message: str = "") -> None:
        self.code = code
        self.message = message or f"{code} for arn:aws:secretsmanager:us-east-1:123456789012:secret:x"
        self.calls = 0

    def get_secret_value(self, *, SecretId: str, VersionStage: str = "AWSCURRENT") -> Mapping[str, Any]:
        self.calls += 1
        raise ClientError({"Error": {"Code": self.code, "Message": self.message}}, "GetSecretValue")


def invoke(handler: Any) -> tuple[int, dict[str, Any]]:
    answer = handler(alb_event(), FakeContext(10_000))
    body = assert_valid_alb_response(answer, multi=False)
    assert CLIENT_SECRET not in answer["body"]
    return answer["statusCode"], body


def all_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.getMessage()} {r.__dict__} {r.exc_text or ''}" for r in caplog.records)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("AccessDeniedException", "denied"),
        ("ThrottlingException", "throttled"),
        ("DecryptionFailure", "decrypted"),
        ("InternalServiceError", "failed"),
        ("ResourceNotFoundException", "does not exist"),
        ("SomethingNew", "SomethingNew"),
    ],
)
def test_client_errors_are_clear_502(
    code: str,
    words: str,
    make_client: Callable[..., Any],
    token_server: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    stub = FailingSecrets(code)
    status, body = invoke(make_client(secrets_client=stub))
    assert status == 502
    assert body["error"] == "secret_unavailable"
    assert words in body["message"]
    assert token_server.count == 0  # no token request without credentials
    assert CLIENT_SECRET not in all_text(caplog)


@pytest.mark.parametrize(
    ("secret", "words"),
    [
        ("not json at all", "not valid JSON"),
        ('["a","b"]', "not a JSON object"),
        (json.dumps({"client_id": CLIENT_ID}), "client_secret"),
        (json.dumps({"client_id": CLIENT_ID, "client_secret": ""}), "client_secret"),
        (json.dumps({"client_id": CLIENT_ID, "client_secret": 12345}), "client_secret"),
        (json.dumps({"client_secret": CLIENT_SECRET}), "client_id"),
        # a malformed secret that *contains* the secret value: the error must not quote it
        ('{"client_id": "x", "client_secret": "' + CLIENT_SECRET + '"', "not valid JSON"),
    ],
    ids=["not_json", "array", "no_secret", "empty_secret", "secret_not_string", "no_client_id", "truncated"],
)
def test_malformed_secret_values_are_clear_502(
    secret: str, words: str, aws: Any, make_client: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    aws.put(secret)
    status, body = invoke(make_client())
    assert status == 502
    assert body["error"] == "secret_unavailable"
    assert words in body["message"]
    assert CLIENT_SECRET not in all_text(caplog)


def test_missing_secret_in_moto(make_client: Callable[..., Any], aws: Any) -> None:
    arn = aws.arn.rsplit("-", 1)[0] + "-zzzzzz"
    status, body = invoke(make_client(env={"CLIENT_SECRET_ARN": arn}))
    assert status == 502
    assert body["aws_error"] == "ResourceNotFoundException"


def test_deleted_secret_in_moto(make_client: Callable[..., Any], aws: Any) -> None:
    aws.client.delete_secret(SecretId=aws.arn, RecoveryWindowInDays=7)
    status, body = invoke(make_client())
    assert status == 502
    assert body["error"] == "secret_unavailable"


def test_binary_secret_in_moto(make_client: Callable[..., Any], aws: Any) -> None:
    arn = aws.client.create_secret(Name="m2m/binary", SecretBinary=b"\x00\x01secret")["ARN"]
    status, body = invoke(make_client(env={"CLIENT_SECRET_ARN": arn}))
    assert status == 502
    assert "SecretString" in body["message"]


def test_unreachable_endpoint(make_client: Callable[..., Any], aws: Any) -> None:
    import boto3
    from botocore.config import Config

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = boto3.client(
        "secretsmanager",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(connect_timeout=0.5, read_timeout=0.5, retries={"total_max_attempts": 2}),
    )
    status, body = invoke(make_client(secrets_client=client))
    assert status == 502
    assert body["error"] == "secret_unavailable"
    assert "could not be reached" in body["message"]


def test_refresh_failure_keeps_the_cached_credentials(
    aws: Any, make_client: Callable[..., Any], client_clock: Any, token_server: Any
) -> None:
    """A Secrets Manager outage after the first read costs nothing: the cached credentials keep working."""

    class Flaky:
        def __init__(self) -> None:
            self.fail = False
            self.calls = 0

        def get_secret_value(self, *, SecretId: str, VersionStage: str = "AWSCURRENT") -> Mapping[str, Any]:
            self.calls += 1
            if self.fail:
                raise ClientError(
                    {"Error": {"Code": "InternalServiceError", "Message": "x"}}, "GetSecretValue"
                )
            result: Mapping[str, Any] = aws.client.get_secret_value(SecretId=SecretId)
            return result

    flaky = Flaky()
    handler = make_client(secrets_client=flaky, env={"SECRET_MAX_AGE_SECONDS": "60"})
    assert invoke(handler)[0] == 200
    flaky.fail = True
    client_clock.advance(61)  # the cached value is due for refresh: every refresh now fails
    for _ in range(10):
        assert invoke(handler)[0] == 200
        client_clock.advance(2)
    # 20 s of invocations: a failed refresh is retried after a 10 s pause, not on every invocation
    assert flaky.calls == 1 + 2
