"""local_edge.aws_api: Cognito's two-secret calls answered by the edge, every other Cognito call passed to the
emulator unchanged, and Lambda Invoke, all through boto3 over loopback HTTP (moto server in a thread)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_edge.aws_api import AwsApi
from local_edge.client_secrets import ClientSecretStore
from local_edge.edge import EdgeServer, describe_client, token_app
from local_edge.functions import FunctionError
from local_edge.signing import TokenSigner
from local_edge.token_endpoint import EmulatorClientDirectory, TokenEndpoint

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


class Edge:
    def __init__(self, moto_url: str) -> None:
        self.invoked: list[tuple[str, Any]] = []
        self.fail = False
        emulator = boto3.client("cognito-idp", endpoint_url=moto_url, **CREDENTIALS)
        self.store = ClientSecretStore(lambda pool, client: describe_client(emulator, pool, client))
        token = TokenEndpoint(EmulatorClientDirectory(emulator, secrets=self.store), TokenSigner.from_moto())
        self.api = AwsApi(self.store, moto_url, self.invoke, token.get_client_token)
        self.server = EdgeServer(0, token_app(token, self.api))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def invoke(self, name: str, event: Any) -> Any:
        self.invoked.append((name, event))
        if self.fail:
            raise FunctionError("RotationError: the pending secret obtains no token")
        return f"done {event.get('Step')}"


@pytest.fixture
def edge(moto_url: str) -> Iterator[Edge]:
    running = Edge(moto_url)
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_cognito_through_the_edge_is_one_cognito(edge: Edge) -> None:
    cognito = boto3.client("cognito-idp", endpoint_url=edge.url, **CREDENTIALS)
    pool = cognito.create_user_pool(PoolName="through-the-edge")["UserPool"]["Id"]  # passed to moto
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c", GenerateSecret=True)[
        "UserPoolClient"
    ]
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client["ClientId"])[
        "ClientSecrets"
    ]
    assert len(listed) == 1
    assert "ClientSecretValue" not in listed[0]
    added = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client["ClientId"])
    assert len(added["ClientSecretDescriptor"]["ClientSecretValue"]) == 51
    with pytest.raises(ClientError) as info:
        cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client["ClientId"])
    assert info.value.response["Error"]["Code"] == "LimitExceededException"
    cognito.delete_user_pool_client_secret(
        UserPoolId=pool, ClientId=client["ClientId"], ClientSecretId=listed[0]["ClientSecretId"]
    )
    with pytest.raises(ClientError) as info:
        cognito.delete_user_pool_client_secret(
            UserPoolId=pool, ClientId=client["ClientId"],
            ClientSecretId=added["ClientSecretDescriptor"]["ClientSecretId"],
        )  # fmt: skip
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"  # never the last one
    assert cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])  # passed to moto


def test_an_unknown_client_is_resource_not_found(edge: Edge) -> None:
    cognito = boto3.client("cognito-idp", endpoint_url=edge.url, **CREDENTIALS)
    pool = cognito.create_user_pool(PoolName="p2")["UserPool"]["Id"]
    with pytest.raises(ClientError) as info:
        cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId="nobody")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_lambda_invoke_runs_the_function_and_reports_its_error_as_lambda_does(edge: Edge) -> None:
    lam = boto3.client("lambda", endpoint_url=edge.url, **CREDENTIALS)
    answer = lam.invoke(FunctionName="m2m-local-secret-rotation", Payload=b'{"Step": "setSecret"}')
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert answer["Payload"].read() == b'"done setSecret"'
    edge.fail = True
    answer = lam.invoke(FunctionName="m2m-local-secret-rotation", Payload=b'{"Step": "testSecret"}')
    assert answer["FunctionError"] == "Unhandled"
    assert b"obtains no token" in answer["Payload"].read()
    assert [name for name, _ in edge.invoked] == ["m2m-local-secret-rotation"] * 2


def test_a_malformed_body_is_a_serialization_error(edge: Edge) -> None:
    answer = edge.api.handle(
        "POST",
        "/",
        {"x-amz-target": "AWSCognitoIdentityProviderService.ListUserPoolClientSecrets"},
        b"{not json",
    )
    assert answer is not None
    assert answer[0] == 400
    assert b"SerializationException" in answer[2]
    assert edge.api.handle("GET", "/anything", {}, b"") is None  # not ours: the token app answers 404


def test_get_client_token_through_the_edge_signed_or_not(edge: Edge) -> None:
    """boto3 signs GetClientToken (its model does not mark it unauthenticated); Cognito evaluates no IAM
    for it, so an unsigned call (what the token client sends) is answered the same."""
    from botocore import UNSIGNED
    from botocore.config import Config

    cognito = boto3.client("cognito-idp", endpoint_url=edge.url, **CREDENTIALS)
    pool = cognito.create_user_pool(PoolName="client-token")["UserPool"]["Id"]
    cognito.create_resource_server(
        UserPoolId=pool, Identifier="api", Name="api", Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}]
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="m2m",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_CLIENT_TOKEN_AUTH"],  # not in botocore's enum; Cognito knows it
        AllowedOAuthScopes=["api/read"],
    )["UserPoolClient"]
    unsigned = boto3.client(
        "cognito-idp",
        endpoint_url=edge.url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED),
    )
    for caller in (cognito, unsigned):
        result = caller.get_client_token(ClientId=client["ClientId"], Secret=client["ClientSecret"])
        assert result["ClientAuthenticationResult"]["TokenType"] == "Bearer"
        assert result["ClientAuthenticationResult"]["AccessToken"].count(".") == 2
    with pytest.raises(ClientError) as info:
        unsigned.get_client_token(ClientId=client["ClientId"], Secret="x" * 40)
    assert info.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert client["ClientSecret"] not in str(info.value.response)
