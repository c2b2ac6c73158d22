"""secret_cache: credentials from Secrets Manager (moto), cached with a TTL, clear failures.

Most failures are produced by moto itself (missing secret, deleted secret, malformed values). Access
denied, throttling and a network failure cannot be provoked in moto without IAM enforcement or a
network, so those use a small stub that raises botocore's own exception classes (said per test).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from cognito_m2m_client.errors import SecretError
from cognito_m2m_client.secret_cache import (
    REFRESH_RETRY_SECONDS,
    ClientCredentials,
    SecretCache,
    SecretsClient,
    default_client_factory,
    parse_credentials,
)
from tests.client.support import CLIENT_ID, CLIENT_SECRET, Aws, FakeClock, assert_no_secrets

ROOT = Path(__file__).resolve().parents[2]


def cache_for(client: Any, arn: str, clock: FakeClock, max_age: float = 300) -> SecretCache:
    return SecretCache(arn, max_age=max_age, clock=clock, client_factory=lambda: client)


class Raising:
    """Stub client raising a given exception (for failures moto cannot produce)."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.calls = 0

    def get_secret_value(self, *, SecretId: str, VersionStage: str = "AWSCURRENT") -> Any:
        self.calls += 1
        raise self.exc


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "denied for arn:..."}}, "GetSecretValue")


def test_reads_once_within_max_age_then_again(aws: Aws, clock: FakeClock) -> None:
    cache = cache_for(aws.secrets, aws.arn, clock)
    creds, fresh = cache.get()
    assert creds == ClientCredentials(CLIENT_ID, CLIENT_SECRET)
    assert fresh is True
    for _ in range(100):
        clock.advance(2.99)
        assert cache.get() == (creds, False)
    assert aws.secrets.calls == 1
    assert cache.age() == pytest.approx(299)
    clock.advance(1.0)
    assert cache.get() == (creds, True)
    assert aws.secrets.calls == 2
    assert cache.reads == 2


def test_max_age_zero_reads_every_time(aws: Aws, clock: FakeClock) -> None:
    cache = cache_for(aws.secrets, aws.arn, clock, max_age=0)
    for _ in range(3):
        cache.get()
    assert aws.secrets.calls == 3


def test_invalidate_forces_a_read_and_sees_a_rotated_secret(aws: Aws, clock: FakeClock) -> None:
    cache = cache_for(aws.secrets, aws.arn, clock)
    cache.get()
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": "rotated"}))
    assert cache.get()[0].client_secret == CLIENT_SECRET
    cache.invalidate()
    assert cache.get()[0].client_secret == "rotated"
    assert aws.secrets.calls == 2


def test_client_is_created_once(aws: Aws, clock: FakeClock) -> None:
    created: list[SecretsClient] = []

    def factory() -> SecretsClient:
        created.append(aws.secrets)
        return aws.secrets

    cache = SecretCache(aws.arn, max_age=0, clock=clock, client_factory=factory)
    assert created == []  # nothing before the first read
    cache.get()
    cache.get()
    assert len(created) == 1


def test_default_factory_builds_a_boto3_client_for_the_arns_region(
    aws: Aws, clock: FakeClock, boto3_credentials_only: None
) -> None:
    client = default_client_factory("us-east-1", 2.0)()
    assert client.meta.region_name == "us-east-1"  # type: ignore[attr-defined]
    assert client.meta.config.read_timeout == 2.0  # type: ignore[attr-defined]
    creds, _ = cache_for(client, aws.arn, clock).get()
    assert creds.client_id == CLIENT_ID


def test_missing_secret_is_a_clear_error(aws: Aws, clock: FakeClock) -> None:
    arn = aws.arn.replace("client-credentials", "nope")
    with pytest.raises(SecretError, match="does not exist") as info:
        cache_for(aws.secrets, arn, clock).get()
    assert info.value.body()["aws_error"] == "ResourceNotFoundException"
    assert info.value.status == 502


def test_deleted_secret_is_a_clear_error(aws: Aws, clock: FakeClock) -> None:
    aws.client.delete_secret(SecretId=aws.arn, RecoveryWindowInDays=7)
    with pytest.raises(SecretError) as info:
        cache_for(aws.secrets, aws.arn, clock).get()
    assert info.value.body()["aws_error"] == "InvalidRequestException"
    assert "deleted" in info.value.message


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("AccessDeniedException", "denied"),
        ("ThrottlingException", "throttled"),
        ("DecryptionFailure", "decrypted"),
        ("SomethingNew", "SomethingNew"),
    ],
)
def test_aws_errors_are_named(clock: FakeClock, code: str, words: str) -> None:
    # moto does not enforce IAM or throttle: a stub raises botocore's real ClientError.
    stub = Raising(client_error(code))
    with pytest.raises(SecretError, match=words) as info:
        cache_for(stub, "arn", clock).get()
    assert info.value.body() == {
        "error": "secret_unavailable",
        "message": info.value.message,
        "aws_error": code,
    }
    assert "arn:" not in info.value.message


def test_network_failure_is_a_clear_error(clock: FakeClock) -> None:
    # No network here: a stub raises botocore's real connection error.
    stub = Raising(EndpointConnectionError(endpoint_url="https://secretsmanager.us-east-1.amazonaws.com"))
    with pytest.raises(SecretError, match=r"could not be reached \(EndpointConnectionError\)"):
        cache_for(stub, "arn", clock).get()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("not json", "not valid JSON"),
        ('["client_id"]', "not a JSON object"),
        ('{"client_secret": "x"}', "'client_id'"),
        ('{"client_id": "x"}', "'client_secret'"),
        ('{"client_id": "x", "client_secret": ""}', "'client_secret'"),
        ('{"client_id": 7, "client_secret": "x"}', "'client_id'"),
    ],
)
def test_malformed_secret_values_are_named_not_shown(
    aws: Aws, clock: FakeClock, value: str, words: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    aws.put(value)
    with pytest.raises(SecretError, match=words) as info:
        cache_for(aws.secrets, aws.arn, clock).get()
    assert value not in info.value.message or value == "not json"
    assert_no_secrets(caplog.text)


def test_binary_or_huge_secrets_are_rejected() -> None:
    with pytest.raises(SecretError, match="no SecretString"):
        parse_credentials(None)
    with pytest.raises(SecretError, match="too large"):
        parse_credentials("x" * 70000)


def test_binary_secret_from_moto(aws: Aws, clock: FakeClock) -> None:
    arn = aws.client.create_secret(Name="binary", SecretBinary=b"\x00\x01")["ARN"]
    with pytest.raises(SecretError, match="no SecretString"):
        cache_for(aws.secrets, arn, clock).get()


def test_a_failed_refresh_keeps_the_cached_value_and_pauses(aws: Aws, clock: FakeClock) -> None:
    cache = cache_for(aws.secrets, aws.arn, clock, max_age=60)
    creds, _ = cache.get()
    aws.put("garbage")
    clock.advance(61)
    assert cache.get() == (creds, False)  # stale kept
    assert aws.secrets.calls == 2
    clock.advance(REFRESH_RETRY_SECONDS - 1)
    assert cache.get() == (creds, False)
    assert aws.secrets.calls == 2  # pausing
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": "new"}))
    clock.advance(1)
    assert cache.get()[0].client_secret == "new"
    assert aws.secrets.calls == 3


def test_secret_value_never_reaches_the_log_or_repr(
    aws: Aws, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    creds, _ = cache_for(aws.secrets, aws.arn, clock).get()
    assert CLIENT_SECRET not in repr(creds)
    assert "secret read" in caplog.text
    # botocore logs whole responses at DEBUG; the cache holds it at INFO
    assert logging.getLogger("botocore").getEffectiveLevel() >= logging.INFO
    assert_no_secrets(caplog.text)


def test_importing_the_handler_does_not_import_boto3() -> None:
    probe = (
        "import sys; import cognito_m2m_client.handler as h; "
        "h.build_handler({'TOKEN_URL': 'https://a.example/t', 'API_URL': 'https://b.example/api', "
        "'SCOPES': '', 'CLIENT_SECRET_ARN': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x'}); "
        "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))"
    )
    paths = [str(ROOT / "src" / "common"), str(ROOT / "src" / "client")]
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path[:0] = {paths!r}; {probe}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
