"""local_edge.token_endpoint: Cognito's /oauth2/token (client credentials), every refusal, its precedence."""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

import boto3
import jwt
import pytest
from moto import mock_aws

from local_edge.client_secrets import CognitoApiError
from local_edge.signing import TokenSigner, load_moto_private_jwk
from local_edge.token_endpoint import (
    AppClient,
    EmulatorClientDirectory,
    TokenEndpoint,
    access_token_seconds,
    is_form_content_type,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}
NOW = 1_800_000_000


class Directory:
    """The app clients the endpoint knows (the emulator's part is tested below with moto)."""

    def __init__(self, *clients: AppClient) -> None:
        self.clients = {c.client_id: c for c in clients}

    def find(self, client_id: str) -> AppClient | None:
        return self.clients.get(client_id)


def app_client(**over: Any) -> AppClient:
    values: dict[str, Any] = {
        "client_id": "democlient",
        "pool_id": "us-east-1_pool1",
        "region": "us-east-1",
        "secret": "s3cret",
        "allowed_flows": ("client_credentials",),
        "flows_user_pool_client": True,
        "scopes": ("rest-api/read", "rest-api/write"),
        "access_token_seconds": 3600,
    }
    values.update(over)
    return AppClient(**values)


@pytest.fixture(scope="module")
def signer() -> TokenSigner:
    return TokenSigner.from_moto()


def endpoint(signer: TokenSigner, *clients: AppClient) -> TokenEndpoint:
    return TokenEndpoint(Directory(*(clients or (app_client(),))), signer, clock=lambda: NOW)


def basic(client_id: str = "democlient", secret: str = "s3cret") -> dict[str, str]:
    value = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {**FORM, "authorization": f"Basic {value}"}


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def error_of(response: Any) -> str:
    assert response.status == 400
    assert dict(response.headers)["Content-Type"] == "application/json;charset=UTF-8"
    body = json.loads(response.body)
    assert list(body) == ["error"]
    return str(body["error"])


def test_issues_a_cognito_shaped_token_that_verifies_with_the_emulators_public_key(
    signer: TokenSigner,
) -> None:
    response = endpoint(signer).handle(
        "POST", basic(), form(grant_type="client_credentials", scope="rest-api/read")
    )
    assert response.status == 200
    body = json.loads(response.body)
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    token = body["access_token"]
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"kid": "dummy", "alg": "RS256"}
    public = jwt.PyJWK({k: v for k, v in load_moto_private_jwk().items() if k != "d"})
    claims = jwt.decode(
        token, public.key, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims["sub"] == claims["client_id"] == "democlient"
    assert claims["token_use"] == "access"
    assert claims["scope"] == "rest-api/read"
    assert claims["iss"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool1"
    assert claims["iat"] == claims["auth_time"] == NOW
    assert claims["exp"] == NOW + 3600
    assert claims["version"] == 2
    assert len(claims["jti"]) == 36
    assert "aud" not in claims
    assert "nbf" not in claims


def test_success_and_error_carry_the_no_store_headers_and_a_request_id(signer: TokenSigner) -> None:
    ok = endpoint(signer).handle("POST", basic(), form(grant_type="client_credentials"))
    bad = endpoint(signer).handle("POST", basic(secret="wrong"), form(grant_type="client_credentials"))
    for response in (ok, bad):
        headers = dict(response.headers)
        assert headers["Cache-Control"] == "no-cache, no-store, max-age=0, must-revalidate"
        assert headers["Pragma"] == "no-cache"
        assert headers["Expires"] == "0"
        assert len(headers["x-amz-cognito-request-id"]) == 36


def test_omitted_scope_grants_every_scope_enabled_on_the_client(signer: TokenSigner) -> None:
    response = endpoint(signer).handle("POST", basic(), form(grant_type="client_credentials"))
    claims = jwt.decode(json.loads(response.body)["access_token"], options={"verify_signature": False})
    assert claims["scope"] == "rest-api/read rest-api/write"


def test_client_secret_in_the_body_is_accepted(signer: TokenSigner) -> None:
    body = form(grant_type="client_credentials", client_id="democlient", client_secret="s3cret")
    assert endpoint(signer).handle("POST", FORM, body).status == 200


def test_body_client_id_alongside_basic_is_accepted_when_it_names_the_same_client(
    signer: TokenSigner,
) -> None:
    body = form(grant_type="client_credentials", client_id="democlient")
    assert endpoint(signer).handle("POST", basic(), body).status == 200


@pytest.mark.parametrize(
    ("validity", "unit", "seconds"),
    [
        (60, "minutes", 3600),
        (5, "minutes", 300),
        (1, "days", 86400),
        (2, "hours", 7200),
        (900, "seconds", 900),
    ],
)
def test_expires_in_follows_access_token_validity_and_its_unit(
    validity: int, unit: str, seconds: int
) -> None:
    assert (
        access_token_seconds({"AccessTokenValidity": validity, "TokenValidityUnits": {"AccessToken": unit}})
        == seconds
    )


def test_expires_in_defaults_to_an_hour_and_the_unit_to_hours() -> None:
    assert access_token_seconds({}) == 3600
    assert access_token_seconds({"AccessTokenValidity": 2}) == 7200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_get_405_with_an_empty_body(signer: TokenSigner, method: str) -> None:
    response = endpoint(signer).handle(method, basic(), form(grant_type="client_credentials"))
    assert (response.status, response.body) == (405, b"")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "text/plain",
        "multipart/form-data",
        "application/x-www-form-urlencoded; charset=latin-1",
    ],
)
def test_a_body_that_is_not_a_form_gets_405(signer: TokenSigner, content_type: str | None) -> None:
    headers = {k: v for k, v in basic().items() if k != "content-type"}
    if content_type:
        headers["content-type"] = content_type
    response = endpoint(signer).handle("POST", headers, form(grant_type="client_credentials"))
    assert (response.status, response.body) == (405, b"")


def test_form_content_type_may_name_utf8_charset() -> None:
    assert is_form_content_type("Application/X-WWW-Form-Urlencoded; charset=UTF-8")
    assert not is_form_content_type("application/x-www-form-urlencodedx")


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        # invalid_request: missing or malformed parameters, two authentication methods
        (basic(), b"", "invalid_request"),
        (basic(), form(scope="rest-api/read"), "invalid_request"),
        (basic(), b'{"grant_type":"client_credentials"}', "invalid_request"),
        (basic(), b"grant_type=client_credentials&grant_type=client_credentials", "invalid_request"),
        (basic(), b"grant_type=client_credentials&\xff=1", "invalid_request"),
        (basic(), form(grant_type="client_credentials", client_secret="s3cret"), "invalid_request"),
        (basic(), form(grant_type="authorization_code"), "invalid_request"),
        (basic(), form(grant_type="refresh_token"), "invalid_request"),
        # unsupported_grant_type
        (basic(), form(grant_type="password"), "unsupported_grant_type"),
        (basic(), form(grant_type="CLIENT_CREDENTIALS"), "unsupported_grant_type"),
        # invalid_client: unknown client, wrong or missing secret, undecodable Basic, mismatched ids
        (basic(secret="wrong"), form(grant_type="client_credentials"), "invalid_client"),
        (basic(client_id="nobody"), form(grant_type="client_credentials"), "invalid_client"),
        (FORM, form(grant_type="client_credentials", client_id="democlient"), "invalid_client"),
        (FORM, form(grant_type="client_credentials"), "invalid_client"),
        (
            {**FORM, "authorization": "Basic !!!notbase64"},
            form(grant_type="client_credentials"),
            "invalid_client",
        ),
        (
            {**FORM, "authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
            form(grant_type="client_credentials"),
            "invalid_client",
        ),
        ({**FORM, "authorization": "Bearer abc"}, form(grant_type="client_credentials"), "invalid_client"),
        (basic(), form(grant_type="client_credentials", client_id="other"), "invalid_client"),
        # invalid_scope: any scope not enabled on the client fails the request (never silently dropped)
        (basic(), form(grant_type="client_credentials", scope="rest-api/admin"), "invalid_scope"),
        (
            basic(),
            form(grant_type="client_credentials", scope="rest-api/read rest-api/admin"),
            "invalid_scope",
        ),
        (
            basic(),
            form(grant_type="client_credentials", scope="rest-api/read  rest-api/write"),
            "invalid_scope",
        ),
        (basic(), form(grant_type="client_credentials", scope=""), "invalid_scope"),
    ],
)
def test_refusals(signer: TokenSigner, headers: dict[str, str], body: bytes, code: str) -> None:
    assert error_of(endpoint(signer).handle("POST", headers, body)) == code


def test_unauthorized_client_when_client_credentials_is_not_enabled(signer: TokenSigner) -> None:
    client = app_client(allowed_flows=("code",))
    assert error_of(
        endpoint(signer, client).handle("POST", basic(), form(grant_type="client_credentials"))
    ) == ("unauthorized_client")
    client = app_client(flows_user_pool_client=False)
    assert error_of(
        endpoint(signer, client).handle("POST", basic(), form(grant_type="client_credentials"))
    ) == ("unauthorized_client")


def test_unauthorized_client_for_another_grant_the_client_lacks(signer: TokenSigner) -> None:
    response = endpoint(signer).handle("POST", basic(), form(grant_type="refresh_token", refresh_token="x"))
    assert error_of(response) == "unauthorized_client"


def test_client_without_scopes_and_no_scope_requested_is_invalid_scope(signer: TokenSigner) -> None:
    client = app_client(scopes=())
    assert error_of(
        endpoint(signer, client).handle("POST", basic(), form(grant_type="client_credentials"))
    ) == ("invalid_scope")


def test_a_pool_without_a_domain_has_no_token_endpoint(signer: TokenSigner) -> None:
    client = app_client(pool_has_domain=False)
    assert error_of(
        endpoint(signer, client).handle("POST", basic(), form(grant_type="client_credentials"))
    ) == ("invalid_client")


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        # several faults at once: the first in the precedence wins
        (basic(secret="wrong"), form(scope="rest-api/admin"), "invalid_request"),
        (
            basic(secret="wrong"),
            form(grant_type="password", scope="rest-api/admin"),
            "unsupported_grant_type",
        ),
        (
            basic(secret="wrong"),
            form(grant_type="client_credentials", scope="rest-api/admin"),
            "invalid_client",
        ),
    ],
)
def test_precedence(signer: TokenSigner, headers: dict[str, str], body: bytes, code: str) -> None:
    assert error_of(endpoint(signer).handle("POST", headers, body)) == code


def test_precedence_unauthorized_client_before_invalid_scope(signer: TokenSigner) -> None:
    client = app_client(allowed_flows=("code",))
    response = endpoint(signer, client).handle(
        "POST", basic(), form(grant_type="client_credentials", scope="rest-api/admin")
    )
    assert error_of(response) == "unauthorized_client"


def test_the_secret_never_appears_in_an_answer(signer: TokenSigner) -> None:
    for response in (
        endpoint(signer).handle("POST", basic(), form(grant_type="client_credentials")),
        endpoint(signer).handle("POST", basic(secret="s3cretx"), form(grant_type="client_credentials")),
    ):
        assert b"s3cret" not in response.body


@mock_aws
def test_emulator_directory_reads_the_app_client_with_describe_user_pool_client() -> None:
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    cognito.create_user_pool_domain(Domain="p-123", UserPoolId=pool)
    cognito.create_resource_server(
        UserPoolId=pool,
        Identifier="rest-api",
        Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    created = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="c",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["rest-api/read"],
        AccessTokenValidity=15,
        TokenValidityUnits={"AccessToken": "minutes"},
    )["UserPoolClient"]
    directory = EmulatorClientDirectory(cognito)
    found = directory.find(created["ClientId"])
    assert found == AppClient(
        client_id=created["ClientId"],
        pool_id=pool,
        region="us-east-1",
        secret=created["ClientSecret"],
        allowed_flows=("client_credentials",),
        flows_user_pool_client=True,
        scopes=("rest-api/read",),
        access_token_seconds=900,
        pool_has_domain=True,
    )
    assert directory.find("unknownclient") is None


# ---- two active secrets (the edge's emulation of Cognito's two-secret API) -----------------------------


def test_either_active_secret_is_accepted_and_a_deleted_one_is_not(signer: TokenSigner) -> None:
    two = endpoint(signer, app_client(secrets=("s3cret", "n3wer-secret")))
    assert two.handle("POST", {**FORM, **basic()}, form(grant_type="client_credentials")).status == 200
    headers = {**FORM, **basic(secret="n3wer-secret")}
    assert two.handle("POST", headers, form(grant_type="client_credentials")).status == 200
    rotated = endpoint(signer, app_client(secrets=("n3wer-secret",)))  # the original was deleted
    answer = rotated.handle("POST", {**FORM, **basic()}, form(grant_type="client_credentials"))
    assert (answer.status, error_of(answer)) == (400, "invalid_client")


def test_the_emulators_directory_reads_the_active_secrets_on_every_lookup() -> None:
    from local_edge.client_secrets import ClientSecretStore

    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
        cognito.create_user_pool_domain(Domain="local-edge-test", UserPoolId=pool)
        created = cognito.create_user_pool_client(
            UserPoolId=pool, ClientName="c", GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=[],
        )["UserPoolClient"]  # fmt: skip
        store = ClientSecretStore(
            lambda p, c: cognito.describe_user_pool_client(UserPoolId=p, ClientId=c)["UserPoolClient"]
        )
        directory = EmulatorClientDirectory(cognito, secrets=store)
        first = directory.find(created["ClientId"])
        assert first is not None
        assert first.accepts(created["ClientSecret"])
        added = store.add(pool, created["ClientId"])
        (original,) = [
            d for d in store.list(pool, created["ClientId"]) if d["ClientSecretId"] != added["ClientSecretId"]
        ]
        store.delete(pool, created["ClientId"], original["ClientSecretId"])
        now = directory.find(created["ClientId"])  # within the description cache's ttl
        assert now is not None
        assert now.accepts(added["ClientSecretValue"])
        assert not now.accepts(created["ClientSecret"])


# ---- the pool's issuer format ------------------------------------------------------------------------


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return payload


def test_a_pool_on_the_updated_issuer_issues_that_format(signer: TokenSigner) -> None:
    response = endpoint(signer, app_client(issuer_format="updated")).handle(
        "POST", basic(), form(grant_type="client_credentials")
    )
    assert claims_of(json.loads(response.body)["access_token"])["iss"] == (
        "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_pool1"
    )


@mock_aws
def test_the_directory_reads_the_pools_issuer_configuration() -> None:
    """UpdateUserPool with IssuerConfiguration (AWS resets what the call leaves out, and so does moto:
    the current settings go with it, as README says to do)."""
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c", GenerateSecret=True)
    client_id = client["UserPoolClient"]["ClientId"]
    clock = [0.0]
    directory = EmulatorClientDirectory(cognito, clock=lambda: clock[0])
    found = directory.find(client_id)
    assert found is not None
    assert found.issuer_format == "original"
    cognito.update_user_pool(UserPoolId=pool, IssuerConfiguration={"Type": "UPDATED"})
    clock[0] += 5  # past the directory's cache
    found = directory.find(client_id)
    assert found is not None
    assert found.issuer_format == "updated"


# ---- GetClientToken ------------------------------------------------------------------------------------

GOOD_SECRET = "s3cret" * 5  # 30 characters of [\w+]
TOKEN_CLIENT = {"explicit_auth_flows": ("ALLOW_CLIENT_TOKEN_AUTH",), "secret": GOOD_SECRET}


def get_client_token(signer: TokenSigner, client: AppClient, **params: Any) -> dict[str, Any]:
    request = {"ClientId": client.client_id, "Secret": GOOD_SECRET, **params}
    request = {k: v for k, v in request.items() if v is not None}
    return endpoint(signer, client).get_client_token(request)


def test_get_client_token_issues_the_client_credentials_token(signer: TokenSigner) -> None:
    client = app_client(**TOKEN_CLIENT, allowed_flows=(), flows_user_pool_client=False, pool_has_domain=False)
    answer = get_client_token(signer, client)  # no domain and no OAuth flow needed
    assert list(answer) == ["ClientAuthenticationResult"]
    result = answer["ClientAuthenticationResult"]
    assert (result["ExpiresIn"], result["TokenType"]) == (3600, "Bearer")
    claims = claims_of(result["AccessToken"])
    assert claims["scope"] == "rest-api/read rest-api/write"  # no Scopes: the client's scopes
    assert claims["sub"] == claims["client_id"] == "democlient"
    assert claims["iss"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool1"
    some = get_client_token(signer, client, Scopes=["rest-api/write", "rest-api/write"])
    assert claims_of(some["ClientAuthenticationResult"]["AccessToken"])["scope"] == "rest-api/write"
    second = app_client(**{**TOKEN_CLIENT, "secrets": ("n3wer" * 6, GOOD_SECRET)})
    assert get_client_token(signer, second)["ClientAuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize(
    ("client", "params", "code"),
    [
        ({"explicit_auth_flows": ()}, {}, "InvalidParameterException"),  # ALLOW_CLIENT_TOKEN_AUTH not on
        (
            {"explicit_auth_flows": ("ALLOW_CLIENT_TOKEN_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")},
            {},
            "InvalidParameterException",
        ),
        ({"secret": None}, {}, "InvalidParameterException"),
        ({}, {"Secret": "x" * 30}, "NotAuthorizedException"),
        ({}, {"ClientId": "nobody"}, "ResourceNotFoundException"),
        ({}, {"Scopes": ["rest-api/admin"]}, "InvalidParameterException"),
        ({}, {"Scopes": []}, None),  # an empty list asks for the client's scopes, as an absent one does
        ({"scopes": ()}, {}, "InvalidParameterException"),
        ({}, {"ClientId": "demo client"}, "InvalidParameterException"),
        ({}, {"ClientId": ""}, "InvalidParameterException"),
        ({}, {"Secret": "short"}, "InvalidParameterException"),
        ({}, {"Secret": "é" * 30}, "InvalidParameterException"),
        ({}, {"Scopes": "rest-api/read"}, "InvalidParameterException"),
        ({}, {"Scopes": ["has space"]}, "InvalidParameterException"),
        ({}, {"Scopes": [f"rest-api/s{i}" for i in range(51)]}, "InvalidParameterException"),
        ({}, {"Extra": 1}, "SerializationException"),
    ],
)
def test_get_client_token_refusals(
    signer: TokenSigner, client: dict[str, Any], params: dict[str, Any], code: str | None
) -> None:
    target = app_client(**{**TOKEN_CLIENT, **client})
    if code is None:
        assert get_client_token(signer, target, **params)["ClientAuthenticationResult"]["AccessToken"]
        return
    with pytest.raises(CognitoApiError) as info:
        get_client_token(signer, target, **params)
    assert info.value.code == code
    assert GOOD_SECRET not in info.value.message
