"""Customized tokens through the local stack: the module deploys the example trigger
(examples/token-trigger) as the pool's V3_0 pre-token-generation trigger, the local token endpoint runs
it as Cognito would, and the orders API's tenant route admits a token on its own tenant's path only.

examples/local/stack.auto.tfvars makes `writer` tenant `acme` and `demo` tenant `globex`.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

import pytest

from local_edge.stack import Settings, StackInfo
from tests.e2e.test_local_stack import client_credentials, request

pytestmark = pytest.mark.e2e


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return payload


def token_for(
    settings: Settings, info: StackInfo, client: str, scope: str, metadata: str | None = None
) -> str:
    client_id, secret = client_credentials(settings, info, client)
    body = f"grant_type=client_credentials&scope={urllib.parse.quote(scope)}"
    if metadata is not None:
        body += "&aws_client_metadata=" + urllib.parse.quote(metadata)
    answer = request(
        "POST",
        settings.token_url,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        },
    )
    assert answer.status == 200, answer.data
    return str(json.loads(answer.data)["access_token"])


def get(settings: Settings, path: str, token: str) -> Any:
    return request("GET", f"{settings.alb_url}{path}", headers={"Authorization": f"Bearer {token}"})


def test_the_trigger_adds_each_clients_tenant(local_stack: tuple[Settings, StackInfo]) -> None:
    settings, info = local_stack
    writer = claims_of(token_for(settings, info, "writer", "rest-api/read rest-api/write"))
    demo = claims_of(token_for(settings, info, "demo", "rest-api/read"))
    assert writer["tenant"] == "acme"
    assert demo["tenant"] == "globex"
    # Cognito's own claims are what the pool issues, untouched by the trigger
    assert writer["client_id"] == writer["sub"] != demo["client_id"]
    assert writer["token_use"] == "access"
    assert writer["scope"] == "rest-api/read rest-api/write"


def test_a_tenants_token_reaches_its_own_path_and_no_other(local_stack: tuple[Settings, StackInfo]) -> None:
    settings, info = local_stack
    writer = token_for(settings, info, "writer", "rest-api/read rest-api/write")
    demo = token_for(settings, info, "demo", "rest-api/read")
    created = request(
        "POST",
        f"{settings.alb_url}/orders",
        body=json.dumps({"item": "tea"}),
        headers={"Authorization": f"Bearer {writer}", "Content-Type": "application/json"},
    )
    assert created.status == 201, created.data
    order = json.loads(created.data)
    assert order["tenant"] == "acme"

    mine = get(settings, "/tenants/acme/orders", writer)
    assert mine.status == 200, mine.data
    listed = json.loads(mine.data)
    assert listed["tenant"] == "acme"
    assert order["id"] in [o["id"] for o in listed["orders"]]

    refused = get(settings, "/tenants/acme/orders", demo)
    assert refused.status == 403, refused.data
    assert json.loads(refused.data)["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]

    theirs = get(settings, "/tenants/globex/orders", demo)
    assert theirs.status == 200, theirs.data
    assert all(o.get("tenant") == "globex" for o in json.loads(theirs.data)["orders"])


def test_client_metadata_reaches_the_trigger_and_only_valid_values_become_claims(
    local_stack: tuple[Settings, StackInfo],
) -> None:
    settings, info = local_stack
    passed = claims_of(token_for(settings, info, "demo", "rest-api/read", json.dumps({"purpose": "billing"})))
    assert passed["purpose"] == "billing"
    assert passed["tenant"] == "globex"
    dropped = claims_of(
        token_for(settings, info, "demo", "rest-api/read", json.dumps({"purpose": "a b\u0000"}))
    )
    assert "purpose" not in dropped
    # metadata never chooses the tenant: the trigger's configuration does
    forged = claims_of(token_for(settings, info, "demo", "rest-api/read", json.dumps({"tenant": "acme"})))
    assert forged["tenant"] == "globex"


def test_malformed_client_metadata_is_a_400(local_stack: tuple[Settings, StackInfo]) -> None:
    settings, info = local_stack
    client_id, secret = client_credentials(settings, info, "demo")
    answer = request(
        "POST",
        settings.token_url,
        body="grant_type=client_credentials&scope=rest-api%2Fread&aws_client_metadata="
        + urllib.parse.quote("[1]"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        },
    )
    assert answer.status == 400
    assert json.loads(answer.data)["error"] == "invalid_request"
