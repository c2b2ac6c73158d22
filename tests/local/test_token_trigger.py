"""local_edge.token_trigger: the pool's V3_0 pre token generation trigger, run by the local token endpoint
and GetClientToken as Cognito runs it, every rule through real HTTP on 127.0.0.1 with real signatures.

Most tests give the endpoint a fake invoker (what the trigger answers is the subject); the last ones run
the example trigger's zip (examples/token-trigger) in the edge's real FunctionRunner against the moto
server, its client names read from moto by the function itself.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import logging
import sys
import threading
import time
import urllib.parse
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from local_edge.aws_api import AwsApi
from local_edge.client_secrets import ClientSecretStore
from local_edge.edge import EdgeServer, token_app
from local_edge.functions import FunctionError, FunctionRunner, FunctionTimeout
from local_edge.signing import TokenSigner, load_moto_private_jwk
from local_edge.token_endpoint import AppClient, EmulatorClientDirectory, TokenEndpoint
from local_edge.token_trigger import TRIGGER_PRINCIPAL, PreTokenTrigger, trigger_of

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "token-trigger" / "tenant_claims.py"
FN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:m2m-token-trigger"
POOL_ID = "us-east-1_pool1"
POOL_ARN = f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL_ID}"
SECRET = "s3cret" * 5  # 30 characters of [\w+]: valid for GetClientToken too
CLIENT_ID = "democlient"
SCOPES = ("rest-api/read", "rest-api/write")
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
PUBLIC_KEY = jwt.PyJWK({k: v for k, v in load_moto_private_jwk().items() if k != "d"}).key

Behaviour = Callable[[dict[str, Any]], Any]


def app_client(*, trigger: bool = True, **over: Any) -> AppClient:
    values: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "pool_id": POOL_ID,
        "region": "us-east-1",
        "secret": SECRET,
        "allowed_flows": ("client_credentials",),
        "flows_user_pool_client": True,
        "scopes": SCOPES,
        "access_token_seconds": 3600,
        "explicit_auth_flows": ("ALLOW_CLIENT_TOKEN_AUTH",),
        "pre_token_trigger": PreTokenTrigger(FN_ARN, POOL_ARN) if trigger else None,
    }
    values.update(over)
    return AppClient(**values)


class Directory:
    def __init__(self, client: AppClient) -> None:
        self.client = client

    def find(self, client_id: str) -> AppClient | None:
        return self.client if client_id == self.client.client_id else None


def respond(access: Any = None, **details: Any) -> Behaviour:
    """A trigger that returns the event with ``accessTokenGeneration`` (and other details) set."""

    def behaviour(event: dict[str, Any]) -> Any:
        overrides = dict(details)
        if access is not None:
            overrides["accessTokenGeneration"] = access
        event["response"] = {"claimsAndScopeOverrideDetails": overrides or None}
        return event

    return behaviour


def unchanged(event: dict[str, Any]) -> Any:
    return event


class FakeInvoker:
    """Stands in for FunctionRunner: records what Cognito would send, answers with ``behaviour``."""

    def __init__(self, behaviour: Behaviour = unchanged, *, allowed: bool = True) -> None:
        self.behaviour = behaviour
        self.allowed = allowed
        self.events: list[dict[str, Any]] = []
        self.invoked: list[str] = []
        self.permission_checks: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def invoke(self, arn: str, event: Any) -> Any:
        with self._lock:
            self.invoked.append(arn)
            self.events.append(json.loads(json.dumps(event)))
        return self.behaviour(event)

    def check_permission(self, arn: str, principal: str, source_arn: str) -> None:
        self.permission_checks.append((arn, principal, source_arn))
        if not self.allowed:
            raise FunctionError(f"{arn}: its resource policy does not let {principal} invoke it")


class Edge:
    """The token endpoint and the edge's AWS API (GetClientToken) on one loopback server."""

    def __init__(self, endpoint: TokenEndpoint) -> None:
        store = ClientSecretStore(lambda pool, client: None)
        api = AwsApi(store, "http://127.0.0.1:9", lambda name, event: None, endpoint.get_client_token)
        self.server = EdgeServer(0, token_app(endpoint, api))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        serve = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        serve.start()  # a short poll: shutdown() returns as soon as the test is done

    def token(
        self, fields: dict[str, str] | None = None, *, secret: str = SECRET, client_id: str = CLIENT_ID
    ) -> tuple[int, dict[str, Any]]:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        body = urllib.parse.urlencode({"grant_type": "client_credentials", **(fields or {})})
        conn = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=30)
        try:
            conn.request(
                "POST",
                "/oauth2/token",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": f"Basic {basic}",
                },
            )
            answer = conn.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            conn.close()

    def api_call(self, target: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One Cognito JSON call as raw HTTP (for what botocore cannot even serialize)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=30)
        try:
            headers = {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}",
            }
            conn.request("POST", "/", body=json.dumps(request), headers=headers)
            answer = conn.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            conn.close()

    def cognito(self, **config: Any) -> Any:
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.url,
            region_name="us-east-1",
            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}, **config),
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def signer() -> TokenSigner:
    return TokenSigner.from_moto()


@pytest.fixture
def edge_factory(signer: TokenSigner) -> Iterator[Callable[..., Edge]]:
    edges: list[Edge] = []

    def make(invoker: Any = None, client: AppClient | None = None, *, attempt_seconds: float = 5.0) -> Edge:
        endpoint = TokenEndpoint(
            Directory(client or app_client()),
            signer,
            trigger_invoker=invoker,
            trigger_attempt_seconds=attempt_seconds,
        )
        edges.append(Edge(endpoint))
        return edges[-1]

    yield make
    for edge in edges:
        edge.close()


def claims_of(token: str) -> dict[str, Any]:
    """The token's claims, its RS256 signature verified with the key the emulator serves."""
    decoded: dict[str, Any] = jwt.decode(
        token,
        PUBLIC_KEY,
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False, "verify_aud": False},
    )
    return decoded


def issued(edge: Edge, fields: dict[str, str] | None = None) -> dict[str, Any]:
    status, body = edge.token(fields)
    assert status == 200, body
    return claims_of(body["access_token"])


def refused(edge: Edge, fields: dict[str, str] | None = None) -> str:
    """The error_description of a trigger failure (400 invalid_request)."""
    status, body = edge.token(fields)
    assert status == 400, body
    assert set(body) == {"error", "error_description"}
    assert body["error"] == "invalid_request"
    description = str(body["error_description"])
    assert description.startswith("PreTokenGeneration failed with error ")
    assert description.endswith(".")
    return description


def metadata(value: dict[str, Any]) -> dict[str, str]:
    return {"aws_client_metadata": json.dumps(value)}


COGNITO_CLAIMS = {
    "sub",
    "token_use",
    "scope",
    "auth_time",
    "iss",
    "exp",
    "iat",
    "version",
    "jti",
    "client_id",
}


# ---- the event -----------------------------------------------------------------------------------------


def test_the_event_is_the_guides_client_credentials_event(edge_factory: Callable[..., Edge]) -> None:
    invoker = FakeInvoker()
    edge = edge_factory(invoker)
    sent = {"onBehalfOfToken": "eyJra789ghiEXAMPLE", "ClientIpAddress": "192.0.2.252"}
    claims = issued(edge, {"scope": "rest-api/write rest-api/read", **metadata(sent)})
    assert invoker.events == [
        {
            "version": "3",
            "triggerSource": "TokenGeneration_ClientCredentials",
            "region": "us-east-1",
            "userPoolId": POOL_ID,
            "userName": "ClientCredentials",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": CLIENT_ID},
            "request": {
                "userAttributes": {},
                "groupConfiguration": None,
                "scopes": ["rest-api/write", "rest-api/read"],
                "clientMetadata": sent,
            },
            "response": {"claimsAndScopeOverrideDetails": None},
        }
    ]
    assert invoker.invoked == [FN_ARN]
    assert invoker.permission_checks == [(FN_ARN, TRIGGER_PRINCIPAL, POOL_ARN)]
    assert set(claims) == COGNITO_CLAIMS  # an unchanged event changes nothing
    assert claims["scope"] == "rest-api/write rest-api/read"


def test_the_guides_url_encoded_metadata_arrives_decoded(edge_factory: Callable[..., Edge]) -> None:
    invoker = FakeInvoker()
    edge = edge_factory(invoker)
    body = "aws_client_metadata=%7B%22environment%22%3A%20%22dev%22,%20%22language%22%3A%20%22en-US%22%7D"
    fields = dict(urllib.parse.parse_qsl(body))
    issued(edge, fields)
    assert invoker.events[0]["request"]["clientMetadata"] == {"environment": "dev", "language": "en-US"}


def test_without_metadata_the_event_carries_an_empty_object(edge_factory: Callable[..., Edge]) -> None:
    invoker = FakeInvoker()
    issued(edge_factory(invoker))
    assert invoker.events[0]["request"]["clientMetadata"] == {}
    assert invoker.events[0]["request"]["scopes"] == list(SCOPES)  # no scope asked: every granted one


@pytest.mark.parametrize(
    "raw",
    ["not json", "", "[1, 2]", '"text"', '{"a": 1}', '{"a": {"b": "c"}}', '{"a": null}', '{"a": ["b"]}'],
)
@pytest.mark.parametrize("with_trigger", [True, False])
def test_metadata_that_is_not_an_object_of_strings_is_invalid_request(
    edge_factory: Callable[..., Edge], raw: str, with_trigger: bool
) -> None:
    invoker = FakeInvoker()
    edge = edge_factory(invoker, app_client(trigger=with_trigger))
    status, body = edge.token({"aws_client_metadata": raw})
    assert (status, body) == (400, {"error": "invalid_request"})
    assert invoker.invoked == []


# ---- claims ---------------------------------------------------------------------------------------------

EVERY_TYPE = {
    "tenant": "acme",
    "booleanTest": False,
    "longTest": 9223372036854775807,
    "exponentTest": 1.7976931348623157e308,
    "ArrayTest": ["test", 9223372036854775807, 1.7976931348623157e308, True],
    "emptyArray": [],
    "jsonTest": {"first_json_block": {"key_A": "value_A"}, "second": {"key_C": {"subkey_D": ["D", 1, None]}}},
    "aud": CLIENT_ID,  # G1 footnote 4: aud may be added as the client id
}


def test_added_claims_of_every_type_are_in_the_signed_token(edge_factory: Callable[..., Edge]) -> None:
    edge = edge_factory(FakeInvoker(respond({"claimsToAddOrOverride": EVERY_TYPE})))
    claims = issued(edge)
    assert {k: claims[k] for k in EVERY_TYPE} == EVERY_TYPE
    assert claims["sub"] == claims["client_id"] == CLIENT_ID
    assert claims["scope"] == "rest-api/read rest-api/write"


@pytest.mark.parametrize(
    "name",
    [
        "sub", "client_id", "scope", "iss", "exp", "iat", "jti", "token_use", "version", "auth_time", "nbf",
        "username", "identities", "event_id", "device_key", "acr", "amr", "at_hash", "azp", "nonce",
        "origin_jti", "cognito:username", "cognito:groups", "cognito:anything", "dev:attribute",
    ],
)  # fmt: skip
def test_a_protected_claim_cannot_be_added(edge_factory: Callable[..., Edge], name: str) -> None:
    edge = edge_factory(FakeInvoker(respond({"claimsToAddOrOverride": {name: "x", "tenant": "acme"}})))
    assert refused(edge) == (
        f"PreTokenGeneration failed with error invalid response: claim {name} cannot be added or overridden."
    )


def test_aud_can_be_added_only_as_the_client_id(edge_factory: Callable[..., Edge]) -> None:
    edge = edge_factory(FakeInvoker(respond({"claimsToAddOrOverride": {"aud": "another-client"}})))
    assert "claim aud cannot be added" in refused(edge)


@pytest.mark.parametrize(
    "name", ["sub", "client_id", "scope", "iss", "exp", "aud", "cognito:username", "jti"]
)
def test_a_protected_claim_cannot_be_suppressed(edge_factory: Callable[..., Edge], name: str) -> None:
    edge = edge_factory(FakeInvoker(respond({"claimsToSuppress": [name]})))
    assert refused(edge).endswith(f"invalid response: claim {name} cannot be suppressed.")


def test_claims_the_guide_lets_a_trigger_suppress_are_no_ops_for_a_machine(
    edge_factory: Callable[..., Edge],
) -> None:
    suppress = ["cognito:groups", "cognito:roles", "cognito:preferred_role", "dev:x", "email"]
    claims = issued(edge_factory(FakeInvoker(respond({"claimsToSuppress": suppress}))))
    assert set(claims) == COGNITO_CLAIMS


def test_suppressing_beats_adding(edge_factory: Callable[..., Edge]) -> None:
    access = {"claimsToAddOrOverride": {"tenant": "acme", "kept": 1}, "claimsToSuppress": ["tenant"]}
    claims = issued(edge_factory(FakeInvoker(respond(access))))
    assert claims["kept"] == 1
    assert "tenant" not in claims


# ---- scopes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["two words", "tab\there", "new\nline", " lead", ""])
def test_a_scope_to_add_with_blank_space_is_refused(edge_factory: Callable[..., Edge], scope: str) -> None:
    edge = edge_factory(FakeInvoker(respond({"scopesToAdd": ["rest-api/admin", scope]})))
    assert refused(edge).endswith("invalid response: a scope to add is empty or contains blank space.")


def test_scopes_the_client_was_never_granted_can_be_added(edge_factory: Callable[..., Edge]) -> None:
    """AWS documents nothing against it; G1's own examples add arbitrary scopes ("MyAPI.admin")."""
    access = {"scopesToAdd": ["MyAPI.admin", "rest-api/read", "MyAPI.admin"]}
    claims = issued(edge_factory(FakeInvoker(respond(access))), {"scope": "rest-api/write rest-api/read"})
    assert claims["scope"] == "rest-api/write rest-api/read MyAPI.admin"


def test_suppressed_scopes_leave_the_token_and_added_ones_follow_the_granted_order(
    edge_factory: Callable[..., Edge],
) -> None:
    access = {"scopesToSuppress": ["rest-api/read", "never/granted"], "scopesToAdd": ["extra/one"]}
    claims = issued(edge_factory(FakeInvoker(respond(access))))
    assert claims["scope"] == "rest-api/write extra/one"


def test_a_scope_both_added_and_suppressed_is_suppressed(edge_factory: Callable[..., Edge]) -> None:
    access = {
        "scopesToAdd": ["extra/one", "rest-api/read"],
        "scopesToSuppress": ["extra/one", "rest-api/read"],
    }
    assert issued(edge_factory(FakeInvoker(respond(access))))["scope"] == "rest-api/write"


def test_with_every_scope_suppressed_the_token_has_no_scope_claim(edge_factory: Callable[..., Edge]) -> None:
    claims = issued(edge_factory(FakeInvoker(respond({"scopesToSuppress": list(SCOPES)}))))
    assert "scope" not in claims
    assert set(claims) == COGNITO_CLAIMS - {"scope"}


# ---- what changes nothing, what is invalid ---------------------------------------------------------------


@pytest.mark.parametrize(
    "behaviour",
    [
        unchanged,
        respond(),  # claimsAndScopeOverrideDetails: null
        respond(accessTokenGeneration=None),
        respond({}),
        respond({"claimsToAddOrOverride": None, "claimsToSuppress": None, "scopesToAdd": None}),
        respond(
            idTokenGeneration={"claimsToAddOrOverride": {"family_name": "Doe"}},
            groupOverrideDetails={"groupsToOverride": ["admins"]},
        ),
    ],
)
def test_no_access_token_changes_leave_the_token_as_cognito_issues_it(
    edge_factory: Callable[..., Edge], behaviour: Behaviour
) -> None:
    claims = issued(edge_factory(FakeInvoker(behaviour)))
    assert set(claims) == COGNITO_CLAIMS
    assert claims["scope"] == "rest-api/read rest-api/write"


def _answer(value: Any) -> Behaviour:
    return lambda event: value


@pytest.mark.parametrize(
    ("behaviour", "text"),
    [
        (_answer(None), "the function did not return the event"),
        (_answer("event"), "the function did not return the event"),
        (_answer({}), "the function did not return the request and response parameters"),
        (_answer({"request": {}, "response": None}), "did not return the request and response parameters"),
        (_answer({"response": {"claimsAndScopeOverrideDetails": None}}), "the request and response"),
        (_answer({"request": {}, "response": {"claimsAndScopeOverrideDetails": []}}), "is not an object"),
        (respond("claims"), "accessTokenGeneration is not an object"),
        (respond({"claimsToAddOrOverride": ["tenant"]}), "claimsToAddOrOverride is not an object"),
        (respond({"claimsToSuppress": "tenant"}), "claimsToSuppress is not a list of strings"),
        (respond({"scopesToAdd": [1]}), "scopesToAdd is not a list of strings"),
        (respond({"scopesToSuppress": [None]}), "scopesToSuppress is not a list of strings"),
        (respond({"claimsToAddOrOverride": {"tenant": None}}), "claim tenant has a value of a type"),
        (respond({"claimsToAddOrOverride": {"tenant": [{"a": 1}]}}), "claim tenant has a value of a type"),
        (respond({"claimsToAddOrOverride": {"tenant": [[1]]}}), "claim tenant has a value of a type"),
        (respond({"claimsToAddOrOverride": {"tenant": float("nan")}}), "claim tenant has a value of a type"),
    ],
)
def test_an_invalid_response_fails_the_request(
    edge_factory: Callable[..., Edge], behaviour: Behaviour, text: str
) -> None:
    invoker = FakeInvoker(behaviour)
    assert text in refused(edge_factory(invoker))
    assert len(invoker.invoked) == 1  # an invalid answer is not retried


# ---- failures, retries, permission ------------------------------------------------------------------------


def test_a_function_error_fails_the_request_without_secret_or_metadata_and_is_not_retried(
    edge_factory: Callable[..., Edge], caplog: pytest.LogCaptureFixture
) -> None:
    def raises(event: dict[str, Any]) -> Any:
        value = event["request"]["clientMetadata"]["onBehalfOf"]
        raise FunctionError(f"ValueError: not_allowed for {value} with {SECRET}")

    invoker = FakeInvoker(raises)
    edge = edge_factory(invoker)
    caplog.set_level(logging.INFO)
    status, body = edge.token(metadata({"onBehalfOf": "confidential-caller-7"}))
    assert status == 400
    assert body == {
        "error": "invalid_request",
        "error_description": "PreTokenGeneration failed with error not_allowed for *** with ***.",
    }
    assert len(invoker.invoked) == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("PreTokenGeneration failed with error not_allowed" in r.getMessage() for r in warnings)
    for text in (caplog.text, json.dumps(body)):
        assert "confidential-caller-7" not in text
        assert SECRET not in text


def test_a_function_that_reaches_its_own_timeout_is_a_function_error(
    edge_factory: Callable[..., Edge],
) -> None:
    def times_out(event: dict[str, Any]) -> Any:
        raise FunctionTimeout("m2m-token-trigger")

    invoker = FakeInvoker(times_out)
    assert refused(edge_factory(invoker)).endswith("error Task timed out.")
    assert len(invoker.invoked) == 1


def test_no_answer_within_the_wait_is_retried_three_times_then_fails(
    edge_factory: Callable[..., Edge], caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()

    def hangs(event: dict[str, Any]) -> Any:
        release.wait(10)
        return event

    invoker = FakeInvoker(hangs)
    edge = edge_factory(invoker, attempt_seconds=0.2)
    started = time.monotonic()
    try:
        description = refused(edge)
    finally:
        release.set()
    assert time.monotonic() - started >= 0.6  # three full waits
    assert len(invoker.invoked) == 3
    assert len(invoker.permission_checks) == 1
    assert description == "PreTokenGeneration failed with error no answer within 0.2 seconds in 3 attempts."
    assert "attempt 3 of 3" in caplog.text


def test_a_retry_that_answers_issues_the_token(edge_factory: Callable[..., Edge]) -> None:
    release = threading.Event()
    calls: list[int] = []

    def slow_once(event: dict[str, Any]) -> Any:
        calls.append(1)
        if len(calls) == 1:
            release.wait(10)
        return respond({"claimsToAddOrOverride": {"tenant": "acme"}})(event)

    invoker = FakeInvoker(slow_once)
    try:
        claims = issued(edge_factory(invoker, attempt_seconds=0.2))
    finally:
        release.set()
    assert claims["tenant"] == "acme"
    assert len(invoker.invoked) == 2


def test_without_the_invoke_permission_the_trigger_fails_and_is_never_invoked(
    edge_factory: Callable[..., Edge],
) -> None:
    invoker = FakeInvoker(allowed=False)
    assert "AccessDeniedException" in refused(edge_factory(invoker))
    assert invoker.invoked == []


def test_a_pool_with_a_trigger_and_no_runner_issues_no_token(edge_factory: Callable[..., Edge]) -> None:
    assert "no Lambda runner" in refused(edge_factory(None))


def test_a_pool_without_a_trigger_ignores_the_metadata(edge_factory: Callable[..., Edge]) -> None:
    invoker = FakeInvoker(respond({"claimsToAddOrOverride": {"tenant": "acme"}}))
    edge = edge_factory(invoker, app_client(trigger=False))
    claims = issued(edge, metadata({"purpose": "nightly"}))
    assert set(claims) == COGNITO_CLAIMS
    assert invoker.invoked == []
    assert invoker.permission_checks == []


# ---- GetClientToken ----------------------------------------------------------------------------------------


def test_get_client_token_runs_the_trigger_with_its_client_metadata(
    edge_factory: Callable[..., Edge],
) -> None:
    invoker = FakeInvoker(respond({"claimsToAddOrOverride": {"tenant": "acme"}, "scopesToAdd": ["x/y"]}))
    edge = edge_factory(invoker)
    answer = edge.cognito().get_client_token(
        ClientId=CLIENT_ID, Secret=SECRET, Scopes=["rest-api/read"], ClientMetadata={"purpose": "nightly"}
    )
    claims = claims_of(answer["ClientAuthenticationResult"]["AccessToken"])
    assert (claims["tenant"], claims["scope"]) == ("acme", "rest-api/read x/y")
    (event,) = invoker.events
    assert event["triggerSource"] == "TokenGeneration_ClientCredentials"
    assert event["request"]["clientMetadata"] == {"purpose": "nightly"}
    assert event["request"]["scopes"] == ["rest-api/read"]
    edge.cognito().get_client_token(ClientId=CLIENT_ID, Secret=SECRET)
    assert invoker.events[1]["request"]["clientMetadata"] == {}


def _raise(exc: Exception) -> Behaviour:
    def behaviour(event: dict[str, Any]) -> Any:
        raise exc

    return behaviour


class ResourceNotFoundException(Exception):
    """What the Lambda API raises for a function that does not exist."""


@pytest.mark.parametrize(
    ("invoker", "code", "text"),
    [
        (
            FakeInvoker(_raise(FunctionError("Exception: not_allowed"))),
            "UserLambdaValidationException",
            "not_allowed",
        ),
        (FakeInvoker(respond({"claimsToSuppress": ["sub"]})), "UserLambdaValidationException", "claim sub"),
        (FakeInvoker(allowed=False), "UnexpectedLambdaException", "AccessDeniedException"),
        (
            FakeInvoker(_raise(ResourceNotFoundException("Function not found"))),
            "UnexpectedLambdaException",
            "the function does not exist",
        ),
        (
            FakeInvoker(_raise(ConnectionError("refused"))),
            "UnexpectedLambdaException",
            "could not be invoked",
        ),
    ],
)
def test_get_client_token_trigger_failures(
    edge_factory: Callable[..., Edge], invoker: FakeInvoker, code: str, text: str
) -> None:
    edge = edge_factory(invoker)
    with pytest.raises(ClientError) as info:
        edge.cognito().get_client_token(ClientId=CLIENT_ID, Secret=SECRET, ClientMetadata={"k": "v4lue-x"})
    error = info.value.response["Error"]
    assert error["Code"] == code
    assert error["Message"].startswith("PreTokenGeneration failed with error ")
    assert text in error["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert SECRET not in str(info.value.response)


def test_get_client_token_timeouts_are_unexpected_after_three_attempts(
    edge_factory: Callable[..., Edge],
) -> None:
    release = threading.Event()
    invoker = FakeInvoker(lambda event: release.wait(10))
    edge = edge_factory(invoker, attempt_seconds=0.1)
    try:
        with pytest.raises(ClientError) as info:
            edge.cognito().get_client_token(ClientId=CLIENT_ID, Secret=SECRET)
    finally:
        release.set()
    assert info.value.response["Error"]["Code"] == "UnexpectedLambdaException"
    assert len(invoker.invoked) == 3


@pytest.mark.parametrize("client_metadata", [{"k": 1}, {"k": None}, {"k": ["v"]}, {"k": "v" * 131073}])
def test_get_client_token_client_metadata_must_map_strings_to_strings(
    edge_factory: Callable[..., Edge], client_metadata: Any
) -> None:
    invoker = FakeInvoker()
    edge = edge_factory(invoker)
    unvalidated = edge.cognito(parameter_validation=False)  # botocore would refuse it before sending
    with pytest.raises(ClientError) as info:
        unvalidated.get_client_token(ClientId=CLIENT_ID, Secret=SECRET, ClientMetadata=client_metadata)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    for not_a_map in (["k"], "k=v"):
        request = {"ClientId": CLIENT_ID, "Secret": SECRET, "ClientMetadata": not_a_map}
        status, body = edge.api_call("GetClientToken", request)
        assert (status, body["__type"]) == (400, "InvalidParameterException")
    assert invoker.invoked == []


def test_get_client_token_without_a_trigger_ignores_client_metadata(
    edge_factory: Callable[..., Edge],
) -> None:
    invoker = FakeInvoker()
    edge = edge_factory(invoker, app_client(trigger=False))
    answer = edge.cognito().get_client_token(ClientId=CLIENT_ID, Secret=SECRET, ClientMetadata={"a": "b"})
    assert set(claims_of(answer["ClientAuthenticationResult"]["AccessToken"])) == COGNITO_CLAIMS
    assert invoker.invoked == []


# ---- the pool's configuration, read from the emulator -----------------------------------------------------


@mock_aws
def test_the_directory_reads_the_pools_v3_trigger_and_arn() -> None:
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    v3 = {"PreTokenGenerationConfig": {"LambdaArn": FN_ARN, "LambdaVersion": "V3_0"}}
    pools = {
        "v3": cognito.create_user_pool(PoolName="v3", LambdaConfig=v3)["UserPool"],
        "v2": cognito.create_user_pool(
            PoolName="v2",
            LambdaConfig={"PreTokenGenerationConfig": {"LambdaArn": FN_ARN, "LambdaVersion": "V2_0"}},
        )["UserPool"],
        "legacy": cognito.create_user_pool(PoolName="legacy", LambdaConfig={"PreTokenGeneration": FN_ARN})[
            "UserPool"
        ],
        "none": cognito.create_user_pool(PoolName="none")["UserPool"],
    }
    directory = EmulatorClientDirectory(cognito)
    found: dict[str, PreTokenTrigger | None] = {}
    for name, pool in pools.items():
        client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c", GenerateSecret=True)
        app = directory.find(client["UserPoolClient"]["ClientId"])
        assert app is not None
        found[name] = app.pre_token_trigger
    assert found == {
        "v3": PreTokenTrigger(FN_ARN, pools["v3"]["Arn"]),
        "v2": None,
        "legacy": None,
        "none": None,
    }
    assert pools["v3"]["Arn"].startswith("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_")
    assert trigger_of({"LambdaConfig": {"PreTokenGenerationConfig": {"LambdaVersion": "V3_0"}}}) is None


# ---- the real runner: the example trigger's zip in a worker, against the moto server ----------------------


def example_zip(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(EXAMPLE, "tenant_claims.py")
    path = tmp_path / "token-trigger.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_the_example_trigger_runs_in_the_real_function_runner(
    moto_url: str, signer: TokenSigner, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    cognito = boto3.client("cognito-idp", endpoint_url=moto_url, **CREDENTIALS)
    lam = boto3.client("lambda", endpoint_url=moto_url, **CREDENTIALS)
    iam = boto3.client("iam", endpoint_url=moto_url, **CREDENTIALS)
    role = iam.create_role(RoleName=f"trigger-{suffix}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = example_zip(tmp_path)
    fn = lam.create_function(
        FunctionName=f"token-trigger-{suffix}",
        Runtime="python{}.{}".format(*sys.version_info[:2]),
        Role=role,
        Handler="tenant_claims.handler",
        Code={"ZipFile": code.read_bytes()},
        Timeout=5,
        Environment={
            "Variables": {
                "TENANTS": json.dumps({f"m2m-{suffix}-billing": "acme"}),
                "METADATA_CLAIMS": "purpose",
            }
        },
    )["FunctionArn"]
    pool = cognito.create_user_pool(
        PoolName=f"trigger-{suffix}",
        LambdaConfig={"PreTokenGenerationConfig": {"LambdaArn": fn, "LambdaVersion": "V3_0"}},
    )["UserPool"]
    cognito.create_user_pool_domain(Domain=f"trigger-{suffix}", UserPoolId=pool["Id"])
    cognito.create_resource_server(
        UserPoolId=pool["Id"], Identifier="orders", Name="orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )  # fmt: skip
    clients = {
        key: cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName=f"m2m-{suffix}-{key}",
            GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["orders/read"],
        )["UserPoolClient"]
        for key in ("billing", "other")
    }
    runner = FunctionRunner(
        lam,
        region="us-east-1",
        endpoint_url=moto_url,
        zips=[code],
        state_dir=tmp_path / "state",
        config_ttl=0.0,
    )
    edge = Edge(TokenEndpoint(EmulatorClientDirectory(cognito, ttl=0.0), signer, trigger_invoker=runner))
    try:

        def token(key: str, fields: dict[str, str]) -> tuple[int, dict[str, Any]]:
            client = clients[key]
            return edge.token(fields, client_id=client["ClientId"], secret=client["ClientSecret"])

        fields = metadata({"purpose": "nightly-report", "ignored": "x"})
        status, body = token("billing", fields)  # Cognito may not invoke it yet: no resource policy
        assert status == 400
        assert "AccessDeniedException" in body["error_description"]
        lam.add_permission(
            FunctionName=fn, StatementId="cognito", Action="lambda:InvokeFunction",
            Principal=TRIGGER_PRINCIPAL, SourceArn=pool["Arn"],
        )  # fmt: skip
        status, body = token("billing", fields)
        assert status == 200, body
        claims = claims_of(body["access_token"])
        assert (claims["tenant"], claims["purpose"], claims["scope"]) == (
            "acme",
            "nightly-report",
            "orders/read",
        )
        assert claims["client_id"] == clients["billing"]["ClientId"]
        status, body = token("other", {})  # a client TENANTS does not name: no tenant, never a default
        assert status == 200, body
        assert "tenant" not in claims_of(body["access_token"])
        assert runner.stats()[f"token-trigger-{suffix}"]["idle"] == 1  # one warm environment served all
    finally:
        edge.close()
        runner.close()
