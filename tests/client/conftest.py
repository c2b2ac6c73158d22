"""Fixtures for the client function: loopback token endpoint and API, Secrets Manager via moto,
an injectable clock with recorded sleeps, and handlers built from an explicit environment."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cognito_m2m_client.handler import ClientHandler, build_handler
from cognito_m2m_client.http import RetryPolicy
from tests.client.servers import Reply, ScriptedServer, token_endpoint
from tests.client.support import CLIENT_ID, CLIENT_SECRET, SCOPES, Aws, CountingSecrets, FakeClock


@pytest.fixture
def token_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer(token_endpoint())
    yield server
    server.stop()


@pytest.fixture
def api_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer(Reply(200, {"message": "hello", "client_id": CLIENT_ID}))
    yield server
    server.stop()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        arn = client.create_secret(
            Name="m2m/client-credentials",
            SecretString=json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
        )["ARN"]
        yield Aws(client, CountingSecrets(client), arn)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def env(token_server: ScriptedServer, api_server: ScriptedServer, aws: Aws) -> dict[str, str]:
    return {
        "TOKEN_URL": token_server.url("/oauth2/token"),
        "CLIENT_SECRET_ARN": aws.arn,
        "SCOPES": SCOPES,
        "API_URL": api_server.url("/api"),
        "HTTP_TIMEOUT_SECONDS": "5",
    }


MakeHandler = Callable[..., ClientHandler]


@pytest.fixture
def make_handler(env: dict[str, str], aws: Aws, clock: FakeClock) -> MakeHandler:
    """A handler wired to the loopback servers, moto, the fake clock and recorded sleeps."""

    def make(**overrides: Any) -> ClientHandler:
        env_over = overrides.pop("env", {})
        kwargs: dict[str, Any] = {
            "secrets_client": aws.secrets,
            "clock": clock,
            "sleep": clock.sleep,
            "random": lambda: 0.5,
            "retry_policy": RetryPolicy(),
        }
        kwargs.update(overrides)
        return build_handler({**env, **env_over}, **kwargs)

    return make


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record at DEBUG and up, from every logger."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def boto3_credentials_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Credentials boto3 finds in a shared credentials file and none in the environment: the client then
    reads secrets with boto3 (outside Lambda), where moto's mock answers. The environment's are put back
    before moto's mock ends (it deletes what it set)."""
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    yield
    os.environ.update(saved)
