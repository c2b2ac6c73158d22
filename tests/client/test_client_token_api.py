"""GetClientToken as the token source: the library (``cognito_region=``/``cognito_endpoint=``) and the client
function (``TOKEN_SOURCE=get_client_token``), with the same caching, retries, deadline and rotation recovery.

Cognito's API is a loopback server answering with the local edge's emulation of GetClientToken
(:meth:`local_edge.token_endpoint.TokenEndpoint.get_client_token`, itself tested against the API's
documented rules in tests/local) over Cognito's JSON 1.1 protocol; scripted answers stand for what that
emulation never sends (throttling, malformed or hostile answers). Secrets Manager is moto.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cognito_m2m_client import CognitoTokens, RetryPolicy
from cognito_m2m_client.client_token_api import TARGET, cognito_api_url, error_type
from cognito_m2m_client.config import ConfigError
from cognito_m2m_client.errors import (
    InvalidTokenResponse,
    TokenEndpointError,
    TokenEndpointUnavailable,
)
from local_edge.client_secrets import CognitoApiError
from local_edge.signing import TokenSigner
from local_edge.token_endpoint import AppClient, TokenEndpoint
from tests.client.conftest import MakeHandler
from tests.client.servers import Recorded, Reply, ScriptedServer
from tests.client.support import CLIENT_ID, Aws, FakeClock, alb_event, body_of

READ, WRITE = "rest-api/read", "rest-api/write"
# CLIENT_SECRET holds "/" and "=", which Cognito's secrets never do: this emulated client has its own
TOKEN_SECRET = "GetClientToken0secret0with0plus+signs0abc"


class Cognito:
    """Cognito's API on loopback: the edge's GetClientToken emulation behind the JSON 1.1 protocol."""

    def __init__(self) -> None:
        self.secrets: tuple[str, ...] = (TOKEN_SECRET,)
        self.lifetime = 3600
        self.server = ScriptedServer(self.answer)

    def client(self) -> AppClient:
        return AppClient(
            client_id=CLIENT_ID,
            pool_id="us-east-1_pool1",
            region="us-east-1",
            secret=self.secrets[0],
            secrets=self.secrets,
            allowed_flows=(),
            flows_user_pool_client=False,
            scopes=(READ, WRITE),
            access_token_seconds=self.lifetime,
            explicit_auth_flows=("ALLOW_CLIENT_TOKEN_AUTH",),
        )

    def answer(self, request: Recorded) -> Reply:
        if request.headers.get("x-amz-target") != TARGET:
            return Reply(400, {"__type": "UnknownOperationException", "message": "unknown"})
        endpoint = TokenEndpoint(Directory(self.client()), TokenSigner.from_moto())
        try:
            return Reply(200, endpoint.get_client_token(json.loads(request.body)))
        except CognitoApiError as exc:
            return Reply(
                exc.status, {"__type": exc.code, "message": exc.message}, {"x-amzn-ErrorType": exc.code}
            )

    @property
    def url(self) -> str:
        return self.server.url("/")


class Directory:
    def __init__(self, client: AppClient) -> None:
        self.client = client

    def find(self, client_id: str) -> AppClient | None:
        return self.client if client_id == self.client.client_id else None


@pytest.fixture
def cognito() -> Iterator[Cognito]:
    api = Cognito()
    yield api
    api.server.stop()


def library(cognito: Cognito, **options: Any) -> CognitoTokens:
    settings: dict[str, Any] = {
        "cognito_endpoint": cognito.url,
        "client_id": CLIENT_ID,
        "client_secret": TOKEN_SECRET,
        "scopes": [READ],
        **options,
    }
    return CognitoTokens(**settings)


def claims_of(token: str) -> dict[str, Any]:
    import base64

    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return payload


# ---- the library ------------------------------------------------------------------------------------


def test_the_library_asks_get_client_token_once_per_scope_set_unsigned(cognito: Cognito) -> None:
    tokens = library(cognito)
    first = tokens.token()
    assert tokens.token() == first
    both = tokens.token([WRITE, READ])
    assert claims_of(both)["scope"] == f"{READ} {WRITE}"
    assert cognito.server.count == 2
    assert tokens.token_requests == 2
    request = cognito.server.requests[0]
    assert request.method == "POST"
    assert request.path == "/"
    assert request.headers["x-amz-target"] == "AWSCognitoIdentityProviderService.GetClientToken"
    assert request.headers["content-type"] == "application/x-amz-json-1.1"
    assert "authorization" not in request.headers  # no AWS signature: Cognito evaluates no IAM here
    assert json.loads(request.body) == {"ClientId": CLIENT_ID, "Secret": TOKEN_SECRET, "Scopes": [READ]}


def test_no_scopes_asks_for_every_scope_of_the_client(cognito: Cognito) -> None:
    token = library(cognito, scopes=[]).token()
    assert "Scopes" not in json.loads(cognito.server.requests[0].body)
    assert claims_of(token)["scope"] == f"{READ} {WRITE}"


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"token_url": "https://auth.example.com/oauth2/token"}, ValueError, "one of the two"),
        ({"cognito_endpoint": None}, ValueError, "one of the two"),
        ({"cognito_endpoint": None, "cognito_region": "eu-west-1.evil.example"}, ValueError, "Region"),
        ({"cognito_endpoint": "http://cognito.example.com/"}, ValueError, "must use https"),
        ({"cognito_region": "eu-west-1"}, ValueError, "cognito_region or cognito_endpoint"),
    ],
)
def test_the_token_source_is_one_and_well_formed(
    cognito: Cognito, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        library(cognito, **options)


def test_a_region_names_cognitos_endpoint() -> None:
    assert cognito_api_url("eu-west-1") == "https://cognito-idp.eu-west-1.amazonaws.com/"
    tokens = CognitoTokens(cognito_region="eu-west-1", client_id=CLIENT_ID, client_secret=TOKEN_SECRET)
    assert tokens.source.token_url == "https://cognito-idp.eu-west-1.amazonaws.com/"


@pytest.mark.parametrize(
    ("over", "code", "oauth_error"),
    [
        ({"client_secret": "wrong0secret0wrong0secret0wrong"}, "NotAuthorizedException", "invalid_client"),
        ({"client_id": "2unknownclient"}, "ResourceNotFoundException", "invalid_client"),
        ({"scopes": ["rest-api/admin"]}, "InvalidParameterException", "invalid_request"),
    ],
)
def test_cognitos_refusals_are_the_token_endpoints_errors_and_not_retried(
    cognito: Cognito, over: dict[str, Any], code: str, oauth_error: str
) -> None:
    with pytest.raises(TokenEndpointError) as info:
        library(cognito, **over).token()
    assert info.value.details["oauth_error"] == oauth_error
    assert code in info.value.message
    assert cognito.server.count == 1
    assert TOKEN_SECRET not in str(info.value)


@pytest.mark.parametrize(
    "throttled",
    [
        Reply(400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
        Reply(400, {"__type": "com.amazonaws.cognito#TooManyRequestsException", "message": "slow down"}),
        Reply(500, {"__type": "InternalErrorException", "message": "oops"}),
        Reply(503, b"unavailable"),
        Reply(429, b""),
    ],
    ids=["throttled", "throttled-namespaced", "internal-error", "503", "429"],
)
def test_throttling_and_cognitos_faults_are_retried_within_the_deadline(
    cognito: Cognito, throttled: Reply
) -> None:
    cognito.server.script = [throttled, throttled]
    clock = FakeClock()
    tokens = library(cognito, clock=clock, sleep=clock.sleep, retry_policy=RetryPolicy())
    assert tokens.token()
    assert cognito.server.count == 3
    cognito.server.script = [throttled] * 10
    with pytest.raises(TokenEndpointUnavailable):
        tokens.token([WRITE])


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(200, b"not json"), InvalidTokenResponse),
        (
            Reply(200, {"AccessToken": "a.b.c", "ExpiresIn": 3600, "TokenType": "Bearer"}),
            InvalidTokenResponse,
        ),
        (Reply(200, {"ClientAuthenticationResult": []}), InvalidTokenResponse),
        (
            Reply(
                200,
                {
                    "ClientAuthenticationResult": {
                        "AccessToken": "a.b\r\n.c",
                        "ExpiresIn": 60,
                        "TokenType": "Bearer",
                    }
                },
            ),
            InvalidTokenResponse,
        ),
        (
            Reply(
                200,
                {
                    "ClientAuthenticationResult": {
                        "AccessToken": "a.b.c",
                        "ExpiresIn": 315_360_000,
                        "TokenType": "Bearer",
                    }
                },
            ),
            InvalidTokenResponse,
        ),
        (
            Reply(
                200,
                {"ClientAuthenticationResult": {"AccessToken": "a.b.c", "ExpiresIn": 60, "TokenType": "mac"}},
            ),
            InvalidTokenResponse,
        ),
        (
            Reply(
                200,
                {
                    "ClientAuthenticationResult": {
                        "AccessToken": "a.b.c",
                        "ExpiresIn": True,
                        "TokenType": "Bearer",
                    }
                },
            ),
            InvalidTokenResponse,
        ),
        (Reply(200, b"[" * 100_000), Exception),
        (Reply(400, {"__type": "Some\r\nInjected: header", "message": "x"}), TokenEndpointError),
        (Reply(400, b"<html>WAF</html>"), TokenEndpointError),
    ],
    ids=[
        "not-json",
        "no-result",
        "result-not-object",
        "crlf-token",
        "ten-years",
        "not-bearer",
        "bool-expiry",
        "huge-nesting",
        "hostile-type",
        "html",
    ],
)
def test_a_hostile_answer_is_a_clear_error_and_nothing_is_cached(
    cognito: Cognito, reply: Reply, error: type[Exception]
) -> None:
    cognito.server.script = [reply]
    tokens = library(cognito)
    with pytest.raises(error) as info:
        tokens.token()
    assert "\r" not in str(info.value) and "Injected" not in str(info.value)  # noqa: PT018
    assert tokens.token().count(".") == 2  # the next call asks again and gets a genuine token


def test_error_type_reads_only_a_code() -> None:
    assert (
        error_type(b'{"__type": "com.amazonaws.cognito.idp#NotAuthorizedException"}')
        == "NotAuthorizedException"
    )
    assert error_type(b'{"__type": "NotAuthorizedException"}') == "NotAuthorizedException"
    assert error_type(b'{"__type": "x" }') == "x"
    assert error_type(b'{"__type": "Not Authorized"}') is None
    assert error_type(b'{"__type": 7}') is None
    assert error_type(b"{}") is None


# ---- the client function ----------------------------------------------------------------------------


def function_env(cognito: Cognito) -> dict[str, str]:
    return {"TOKEN_SOURCE": "get_client_token", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": cognito.url}


def test_the_client_function_gets_its_token_from_get_client_token(
    make_handler: MakeHandler, cognito: Cognito, aws: Aws, api_server: ScriptedServer
) -> None:
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": TOKEN_SECRET}))
    handler = make_handler(env=function_env(cognito))
    first = handler(alb_event(), None)
    second = handler(alb_event(), None)
    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert body_of(first)["api_status"] == 200
    assert cognito.server.count == 1  # cached as the token endpoint's tokens are
    token = api_server.requests[0].headers["authorization"].removeprefix("Bearer ")
    assert claims_of(token)["client_id"] == CLIENT_ID


def test_after_a_rotation_the_function_rereads_the_secret_and_asks_once_more(
    make_handler: MakeHandler, cognito: Cognito, aws: Aws, clock: FakeClock
) -> None:
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": TOKEN_SECRET}))
    cognito.lifetime = 300
    handler = make_handler(env={**function_env(cognito), "SECRET_MAX_AGE_SECONDS": "3600"})
    assert handler(alb_event(), None)["statusCode"] == 200
    rotated = "Rotated0secret0for0GetClientToken0abcdef"
    cognito.secrets = (rotated,)  # the previous secret deleted in Cognito
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": rotated}))
    clock.advance(300)  # the token expired; the cached secret is still within its max age
    assert handler(alb_event(), None)["statusCode"] == 200
    assert cognito.server.count == 3  # ok, NotAuthorized with the old secret, ok with the new one


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TOKEN_SOURCE": "cognito"}, "TOKEN_SOURCE"),
        ({"TOKEN_SOURCE": "get_client_token", "AWS_REGION": ""}, "AWS_REGION"),
        (
            {
                "TOKEN_SOURCE": "get_client_token",
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://x.example/",
            },
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
        ),
    ],
)
def test_a_bad_token_source_fails_the_cold_start_naming_it(
    make_handler: MakeHandler, env: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        make_handler(env=env)


def test_without_an_endpoint_variable_the_functions_region_names_cognito(make_handler: MakeHandler) -> None:
    handler = make_handler(env={"TOKEN_SOURCE": "get_client_token", "AWS_REGION": "eu-central-1"})
    assert handler.client.config.token_url == "https://cognito-idp.eu-central-1.amazonaws.com/"
    assert handler.client.config.get_client_token
