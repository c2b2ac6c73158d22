"""local_edge.cognito_settings: the two changes provider 5.100 cannot make, made as README says (read the
current settings, change one, send them all back), against moto's Cognito, which resets what an update
leaves out as AWS does for user pools."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_edge.cognito_settings import enable_client_token_auth, set_issuer_format
from local_edge.stack import ISSUER_FORMATS, TOKEN_SOURCES, Settings, _env_choice, terraform_vars


@pytest.fixture
def cognito() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cognito-idp", region_name="us-east-1")


def test_the_issuer_format_changes_and_nothing_else(cognito: Any) -> None:
    pool = cognito.create_user_pool(
        PoolName="kept",
        Policies={"PasswordPolicy": {"MinimumLength": 12}},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        UserPoolTags={"team": "orders"},
    )["UserPool"]["Id"]
    before = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    set_issuer_format(cognito, pool, "updated")
    after = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert after["IssuerConfiguration"] == {"Type": "UPDATED"}
    for kept in ("Name", "Policies", "AdminCreateUserConfig", "UserPoolTags"):
        assert after[kept] == before[kept]
    # a bare update (what the provider sends, without IssuerConfiguration) resets it: why `up` sets it again
    cognito.update_user_pool(UserPoolId=pool, UserPoolTags={"team": "orders"})
    assert "IssuerConfiguration" not in cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    set_issuer_format(cognito, pool, "original")  # ORIGINAL is the default: nothing to send
    assert "IssuerConfiguration" not in cognito.describe_user_pool(UserPoolId=pool)["UserPool"]


def test_client_token_auth_becomes_the_only_flow_and_the_rest_is_kept(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    cognito.create_resource_server(
        UserPoolId=pool, Identifier="api", Name="api", Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}]
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["api/read"],
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=30,
        TokenValidityUnits={"AccessToken": "minutes"},
    )["UserPoolClient"]
    enable_client_token_auth(cognito, pool, client["ClientId"])
    after = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert after["ExplicitAuthFlows"] == ["ALLOW_CLIENT_TOKEN_AUTH"]
    for kept in (
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "AccessTokenValidity",
        "TokenValidityUnits",
        "ClientSecret",
    ):
        assert after[kept] == client[kept]


def test_the_stack_reads_its_choices_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_TOKEN_SOURCE", "get_client_token")
    monkeypatch.setenv("LOCAL_ISSUER_FORMAT", "updated")
    settings = Settings()
    assert (settings.token_source, settings.issuer_format) == ("get_client_token", "updated")
    assert "client_token_source=get_client_token" in terraform_vars(settings)
    monkeypatch.setenv("LOCAL_ISSUER_FORMAT", "new")
    with pytest.raises(SystemExit, match="LOCAL_ISSUER_FORMAT must be one of original, updated"):
        _env_choice("LOCAL_ISSUER_FORMAT", ISSUER_FORMATS)
    monkeypatch.delenv("LOCAL_TOKEN_SOURCE")
    assert _env_choice("LOCAL_TOKEN_SOURCE", TOKEN_SOURCES) == "token_endpoint"
