"""Cognito as it is now, through the local stack: a pool switched to the updated issuer, and GetClientToken
as the token source, each changed the way README tells you to in AWS (provider 5.100 can do neither).

This module runs last among the end-to-end tests (file order) and puts back what it changes.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from local_edge.cognito_settings import enable_client_token_auth, set_issuer_format
from local_edge.stack import Settings, StackInfo
from tests.e2e.test_local_stack import client_credentials, get_token, request

pytestmark = pytest.mark.e2e
DIRECTORY_TTL = 2.5  # the edge reads app clients and pools again after 2 s; the function runner too


def emulator(settings: Settings, service: str) -> Any:
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def iss_of(token: str) -> str:
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return str(payload["iss"])


def test_a_pool_switched_to_the_updated_issuer_keeps_every_token_working(
    local_stack: tuple[Settings, StackInfo],
) -> None:
    settings, info = local_stack
    credentials = client_credentials(settings, info)
    before = get_token(settings, *credentials, "rest-api/read").json()["access_token"]
    assert iss_of(before).startswith("https://cognito-idp.")
    cognito = emulator(settings, "cognito-idp")
    pool = str(info.outputs["user_pool_id"])
    original = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    set_issuer_format(cognito, pool, "updated")
    try:
        time.sleep(DIRECTORY_TTL)
        after = get_token(settings, *credentials, "rest-api/read").json()["access_token"]
        assert iss_of(after) == f"https://issuer-cognito-idp.{settings.region}.amazonaws.com/{pool}"
        # the module's default accepts both formats: tokens issued before the switch stay valid
        for token in (before, after):
            answer = request("GET", f"{settings.alb_url}/api", headers={"Authorization": f"Bearer {token}"})
            assert answer.status == 200, answer.data
        # every other setting of the pool survived the switch (README's describe-then-update)
        described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
        assert described["IssuerConfiguration"] == {"Type": "UPDATED"}
        kept = ("Name", "Domain", "Policies", "AdminCreateUserConfig", "UserPoolTags", "DeletionProtection")
        assert {k: described.get(k) for k in kept} == {k: original.get(k) for k in kept}
    finally:
        set_issuer_format(cognito, pool, "original")
        time.sleep(DIRECTORY_TTL)
    again = get_token(settings, *credentials, "rest-api/read").json()["access_token"]
    assert iss_of(again).startswith("https://cognito-idp.")


def test_get_client_token_serves_the_library_and_the_client_function(
    local_stack: tuple[Settings, StackInfo],
) -> None:
    settings, info = local_stack
    cognito = emulator(settings, "cognito-idp")
    pool = str(info.outputs["user_pool_id"])
    demo = str(info.outputs["client_function_client"])
    client_id, secret = client_credentials(settings, info, demo)
    enable_client_token_auth(cognito, pool, client_id)
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
    assert described["ExplicitAuthFlows"] == ["ALLOW_CLIENT_TOKEN_AUTH"]
    assert described["AllowedOAuthFlows"] == ["client_credentials"]  # every other setting kept
    time.sleep(DIRECTORY_TTL)

    # the API as any caller sees it: unsigned, at the edge's Cognito endpoint
    edge = f"http://127.0.0.1:{settings.auth_port}"
    unsigned = boto3.client(
        "cognito-idp",
        region_name=settings.region,
        endpoint_url=edge,
        config=Config(signature_version=UNSIGNED),
    )
    token = unsigned.get_client_token(ClientId=client_id, Secret=secret, Scopes=["rest-api/read"])[
        "ClientAuthenticationResult"
    ]["AccessToken"]
    answer = request("GET", f"{settings.alb_url}/api", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200, answer.data

    # the client function with TOKEN_SOURCE=get_client_token (what README's client_function.environment sets)
    lam = emulator(settings, "lambda")
    name = str(info.outputs["client_function_name"])
    environment = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    table = info.outputs["token_cache_table"]["name"]
    dynamodb = emulator(settings, "dynamodb")
    edge_log = settings.logs / "edge.log"
    issued_before = edge_log.read_text().count(f"GetClientToken: token issued to client {client_id}")
    lam.update_function_configuration(
        FunctionName=name, Environment={"Variables": {**environment, "TOKEN_SOURCE": "get_client_token"}}
    )
    try:
        for item in dynamodb.scan(TableName=table)["Items"]:  # the fleet's token would spare the request
            dynamodb.delete_item(TableName=table, Key={"pk": item["pk"]})
        time.sleep(DIRECTORY_TTL)  # the runner reads the new configuration and starts new containers
        answer = request("GET", f"{settings.alb_url}/client")
        assert answer.status == 200, answer.data
        assert answer.json()["api_status"] == 200
        issued = edge_log.read_text().count(f"GetClientToken: token issued to client {client_id}")
        assert issued == issued_before + 1
    finally:
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": environment})
        time.sleep(DIRECTORY_TTL)
