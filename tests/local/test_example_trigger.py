"""examples/token-trigger/tenant_claims.py: the example pre token generation trigger, run as Lambda would
(its module imported fresh for each configuration, the handler given Cognito's V3_0 event) against a real
pool and real app clients in moto (in-process)."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "token-trigger" / "tenant_claims.py"
VARIABLES = ("TENANTS", "SUPPRESS_SCOPES", "METADATA_CLAIMS")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A pool with a resource server and three app clients named as the module names them."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        pool = cognito.create_user_pool(PoolName="orders")["UserPool"]["Id"]
        scopes = [{"ScopeName": name, "ScopeDescription": name} for name in ("read", "write")]
        cognito.create_resource_server(UserPoolId=pool, Identifier="orders", Name="orders", Scopes=scopes)
        clients = {
            key: cognito.create_user_pool_client(
                UserPoolId=pool, ClientName=f"orders-{key}", GenerateSecret=True
            )["UserPoolClient"]["ClientId"]
            for key in ("billing", "shipping", "audit")
        }
        calls: list[str] = []
        boto3.setup_default_session()  # the session the function's lazily created client comes from
        session = boto3.DEFAULT_SESSION
        assert session is not None
        session.events.register(
            "provide-client-params.cognito-idp.ListUserPoolClients",
            lambda **kw: calls.append(kw["params"]["UserPoolId"]),
        )
        yield {"cognito": cognito, "pool": pool, "clients": clients, "calls": calls}
        boto3.DEFAULT_SESSION = None


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    """The example imported afresh (a cold start) with ``env`` as its configuration."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(f"tenant_claims_{uuid.uuid4().hex}", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # as an import does (dataclasses look it up)
    spec.loader.exec_module(module)
    return module


TENANTS = json.dumps({"orders-billing": "acme", "orders-shipping": "globex.eu"})


@pytest.fixture
def trigger(monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModuleType]:
    def make(**env: str) -> ModuleType:
        return load(monkeypatch, **{"TENANTS": TENANTS, **env})

    return make


def event(aws: dict[str, Any], client_id: str, **metadata: str) -> dict[str, Any]:
    """Cognito's V3_0 client-credentials event (the developer guide's example, this pool and client)."""
    return {
        "version": "3",
        "triggerSource": "TokenGeneration_ClientCredentials",
        "region": "us-east-1",
        "userPoolId": aws["pool"],
        "userName": "ClientCredentials",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {
            "userAttributes": {},
            "groupConfiguration": None,
            "scopes": ["orders/read", "orders/write"],
            "clientMetadata": metadata,
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def access_changes(result: dict[str, Any]) -> dict[str, Any] | None:
    details = result["response"]["claimsAndScopeOverrideDetails"]
    if details is None:
        return None
    assert set(details) == {"accessTokenGeneration"}  # never the ID token, never groups
    changes: dict[str, Any] = details["accessTokenGeneration"]
    return changes


def test_each_client_gets_its_own_tenant(aws: dict[str, Any], trigger: Callable[..., ModuleType]) -> None:
    module = trigger(METADATA_CLAIMS="")
    billing = module.handler(event(aws, aws["clients"]["billing"]), None)
    shipping = module.handler(event(aws, aws["clients"]["shipping"]), None)
    assert access_changes(billing) == {"claimsToAddOrOverride": {"tenant": "acme"}}
    assert access_changes(shipping) == {"claimsToAddOrOverride": {"tenant": "globex.eu"}}
    assert billing["request"]["scopes"] == ["orders/read", "orders/write"]  # the request is left as it was


def test_a_client_without_a_tenant_gets_no_tenant_claim(
    aws: dict[str, Any], trigger: Callable[..., ModuleType], caplog: pytest.LogCaptureFixture
) -> None:
    module = trigger()
    caplog.set_level(logging.INFO)
    assert access_changes(module.handler(event(aws, aws["clients"]["audit"]), None)) is None
    assert access_changes(module.handler(event(aws, "unknownclient123"), None)) is None
    assert "has no tenant" in caplog.text


def test_a_failed_lookup_raises_so_that_cognito_issues_no_token(
    aws: dict[str, Any], trigger: Callable[..., ModuleType]
) -> None:
    module = trigger()
    broken = event(aws, aws["clients"]["billing"])
    broken["userPoolId"] = "us-east-1_nosuchpool"
    with pytest.raises(ClientError):
        module.handler(broken, None)


def test_metadata_claims_pass_through_when_valid_and_are_dropped_by_key_otherwise(
    aws: dict[str, Any], trigger: Callable[..., ModuleType], caplog: pytest.LogCaptureFixture
) -> None:
    module = trigger(METADATA_CLAIMS="purpose, batch")
    caplog.set_level(logging.INFO)
    sent = {"purpose": "nightly-report.v2", "batch": "no spaces allowed", "other": "ignored"}
    result = module.handler(event(aws, aws["clients"]["billing"], **sent), None)
    assert access_changes(result) == {
        "claimsToAddOrOverride": {"purpose": "nightly-report.v2", "tenant": "acme"}
    }
    assert "client metadata batch dropped" in caplog.text
    assert "no spaces allowed" not in caplog.text
    too_long = module.handler(event(aws, aws["clients"]["billing"], purpose="p" * 65), None)
    assert access_changes(too_long) == {"claimsToAddOrOverride": {"tenant": "acme"}}


def test_purpose_is_the_default_metadata_claim(
    aws: dict[str, Any], trigger: Callable[..., ModuleType]
) -> None:
    module = trigger()
    result = module.handler(event(aws, aws["clients"]["audit"], purpose="audit"), None)
    assert access_changes(result) == {"claimsToAddOrOverride": {"purpose": "audit"}}  # and no tenant


def test_scopes_are_suppressed_for_the_clients_that_list_them_only(
    aws: dict[str, Any], trigger: Callable[..., ModuleType]
) -> None:
    module = trigger(SUPPRESS_SCOPES=json.dumps({"orders-shipping": ["orders/write"]}))
    shipping = module.handler(event(aws, aws["clients"]["shipping"]), None)
    billing = module.handler(event(aws, aws["clients"]["billing"]), None)
    assert access_changes(shipping) == {
        "claimsToAddOrOverride": {"tenant": "globex.eu"},
        "scopesToSuppress": ["orders/write"],
    }
    assert access_changes(billing) == {"claimsToAddOrOverride": {"tenant": "acme"}}


@pytest.mark.parametrize("source", ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens", None])
def test_other_events_are_returned_unchanged(
    aws: dict[str, Any], trigger: Callable[..., ModuleType], source: str | None
) -> None:
    module = trigger()
    given = event(aws, aws["clients"]["billing"], purpose="x")
    given["triggerSource"] = source
    expected = json.loads(json.dumps(given))
    assert module.handler(given, None) == expected
    assert aws["calls"] == []  # not even a lookup


def test_one_listing_names_every_client_for_the_life_of_the_environment(
    aws: dict[str, Any], trigger: Callable[..., ModuleType]
) -> None:
    module = trigger()
    for _ in range(3):
        module.handler(event(aws, aws["clients"]["billing"]), None)
    assert aws["calls"] == [aws["pool"]]
    module.handler(event(aws, aws["clients"]["shipping"]), None)  # listed with billing: no call
    module.handler(event(aws, aws["clients"]["shipping"]), None)
    assert aws["calls"] == [aws["pool"]]


def test_the_name_cache_is_bounded(aws: dict[str, Any], trigger: Callable[..., ModuleType]) -> None:
    module = trigger()
    for i in range(module.CACHE_SIZE + 10):
        module._remember(("pool", f"client{i}"), f"name{i}")
    assert len(module._client_names) == module.CACHE_SIZE
    assert ("pool", "client0") not in module._client_names  # the oldest went first
    assert module._client_names[("pool", f"client{module.CACHE_SIZE + 9}")] == f"name{module.CACHE_SIZE + 9}"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TENANTS": None}, "TENANTS"),
        ({"TENANTS": "{not json"}, "TENANTS"),
        ({"TENANTS": '["orders-billing"]'}, "TENANTS"),
        ({"TENANTS": '{"orders-billing": "acme corp"}'}, "TENANTS"),
        ({"TENANTS": '{"orders-billing": ""}'}, "TENANTS"),
        ({"TENANTS": json.dumps({"orders-billing": "t" * 65})}, "TENANTS"),
        ({"TENANTS": '{"orders-billing": 7}'}, "TENANTS"),
        ({"TENANTS": '{"": "acme"}'}, "TENANTS"),
        ({"SUPPRESS_SCOPES": '{"orders-billing": "orders/write"}'}, "SUPPRESS_SCOPES"),
        ({"SUPPRESS_SCOPES": '{"orders-billing": [""]}'}, "SUPPRESS_SCOPES"),
        ({"SUPPRESS_SCOPES": "[]"}, "SUPPRESS_SCOPES"),
        ({"METADATA_CLAIMS": "purpose,sub"}, "METADATA_CLAIMS"),
        ({"METADATA_CLAIMS": "cognito:groups"}, "METADATA_CLAIMS"),
        ({"METADATA_CLAIMS": "tenant"}, "METADATA_CLAIMS"),
        ({"METADATA_CLAIMS": "scope"}, "METADATA_CLAIMS"),
        ({"METADATA_CLAIMS": "has space"}, "METADATA_CLAIMS"),
    ],
)
def test_a_bad_configuration_fails_the_cold_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str | None], variable: str
) -> None:
    given = {"TENANTS": TENANTS, **env}
    with pytest.raises(ValueError, match=variable):
        load(monkeypatch, **{k: v for k, v in given.items() if v is not None})
