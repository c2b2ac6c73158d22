"""cognito_m2m_client.secrets_api: GetSecretValue signed without boto3, against moto's Secrets Manager
served on 127.0.0.1 (which checks the call's shape, not its signature: tests/client/test_sigv4.py holds
the signature to AWS's vectors and botocore) and against scripted loopback servers for the failures."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from cognito_m2m_client.errors import SecretError
from cognito_m2m_client.secret_cache import SecretCache, default_client_factory
from cognito_m2m_client.secrets_api import (
    AwsError,
    SignedSecretsClient,
    endpoint_for,
    signed_client_factory,
)
from tests.client.servers import Reply, ScriptedServer
from tests.client.support import CLIENT_ID, CLIENT_SECRET

CREDENTIALS = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-value")


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def secret_arn(moto_url: str) -> str:
    secrets = boto3.client(
        "secretsmanager",
        region_name="eu-west-1",
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    name = f"m2m/signed-{len(secrets.list_secrets()['SecretList'])}"
    value = json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    return str(secrets.create_secret(Name=name, SecretString=value)["ARN"])


def client(url: str) -> SignedSecretsClient:
    return SignedSecretsClient("eu-west-1", CREDENTIALS, endpoint=url, timeout_seconds=2.0)


def test_the_signed_call_reads_the_current_secret(moto_url: str, secret_arn: str) -> None:
    answer = client(moto_url + "/").get_secret_value(SecretId=secret_arn)
    assert json.loads(answer["SecretString"]) == {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


def test_an_unknown_secret_is_resource_not_found_and_the_cache_says_so(moto_url: str) -> None:
    missing = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nothing-AbCdEf"
    with pytest.raises(AwsError) as caught:
        client(moto_url + "/").get_secret_value(SecretId=missing)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    cache = SecretCache(missing, max_age=60, clock=lambda: 0.0, client_factory=lambda: client(moto_url + "/"))
    with pytest.raises(SecretError, match="does not exist"):
        cache.get()


def test_the_request_is_the_json_protocols_and_signed() -> None:
    server = ScriptedServer(Reply(200, {"SecretString": "{}"}))
    try:
        client(server.url("/")).get_secret_value(SecretId="arn:x", VersionStage="AWSCURRENT")
        (request,) = server.requests
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert request.method == "POST"
        assert json.loads(request.body) == {"SecretId": "arn:x", "VersionStage": "AWSCURRENT"}
        assert headers["content-type"] == "application/x-amz-json-1.1"
        assert headers["x-amz-target"] == "secretsmanager.GetSecretValue"
        assert headers["x-amz-security-token"] == "session-token-value"
        assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        assert (
            "/eu-west-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;"
            in (headers["authorization"])
        )
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("replies", "requests", "outcome"),
    [
        ([Reply(400, {"__type": "ThrottlingException"})], 2, "ok"),
        ([Reply(500, {"__type": "InternalServiceError"})], 2, "ok"),
        ([Reply(400, {"__type": "ThrottlingException"})] * 2, 2, "ThrottlingException"),
        (
            [Reply(400, {"__type": "com.amazonaws#AccessDeniedException", "message": "no"})],
            1,
            "AccessDeniedException",
        ),
        ([Reply(503, "<html>busy</html>")] * 2, 2, "HTTP503"),
        ([Reply(200, "not json")], 1, "MalformedAnswer"),
        ([Reply(200, {"SecretString": "x" * 120_000})], 1, "AnswerTooLarge"),
        ([Reply(reset=True)], 2, "ok"),
    ],
)
def test_failures_are_named_and_only_throttles_5xx_and_lost_connections_are_tried_again(
    replies: list[Reply], requests: int, outcome: str
) -> None:
    server = ScriptedServer(Reply(200, {"SecretString": "{}"}))
    server.script = list(replies)
    try:
        if outcome == "ok":
            assert client(server.url("/")).get_secret_value(SecretId="arn:x") == {"SecretString": "{}"}
        else:
            with pytest.raises(AwsError) as caught:
                client(server.url("/")).get_secret_value(SecretId="arn:x")
            assert caught.value.response["Error"]["Code"] == outcome
        assert server.count == requests
    finally:
        server.stop()


def test_the_endpoint_is_what_the_sdks_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert endpoint_for("eu-west-1", {}) == "https://secretsmanager.eu-west-1.amazonaws.com/"
    assert endpoint_for("cn-north-1", {}) == "https://secretsmanager.cn-north-1.amazonaws.com.cn/"
    assert endpoint_for("eu-west-1", {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}) == "http://127.0.0.1:4566"
    service = {
        "AWS_ENDPOINT_URL": "https://a.example",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": "https://b.example",
    }
    assert endpoint_for("eu-west-1", service) == "https://b.example"
    with pytest.raises(ValueError, match="https"):
        endpoint_for("eu-west-1", {"AWS_ENDPOINT_URL": "http://secrets.example.com"})


def test_environment_credentials_choose_the_signed_call_and_their_absence_boto3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
    factory = signed_client_factory("eu-west-1", 2.0, env)
    assert factory is not None
    assert isinstance(factory(), SignedSecretsClient)
    assert signed_client_factory("eu-west-1", 2.0, {"AWS_ACCESS_KEY_ID": "a"}) is None
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    created: Any = default_client_factory("eu-west-1", 2.0)()
    assert type(created).__name__ == "SecretsManager"  # boto3's client, for every other credential source


def test_credentials_appear_in_no_log_or_repr(
    moto_url: str, secret_arn: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    signed = client(moto_url + "/")
    signed.get_secret_value(SecretId=secret_arn)
    text = caplog.text + repr(signed)
    for value in CREDENTIALS:
        assert value not in text
    assert CLIENT_SECRET not in text
