"""End to end through the local stack: moto, a real `terraform apply` of examples/local, the local edge.

The stack is brought up once for the session (free ports, its own state folder) and torn down even
when a test fails. Every request goes over loopback HTTP to the edge, which runs the built host zips.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import urllib3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from local_edge.stack import Settings, StackInfo, demo_token, up

pytestmark = pytest.mark.e2e
HTTP = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=30), retries=False)


@pytest.fixture(scope="session")
def stack(local_stack: tuple[Settings, StackInfo]) -> tuple[Settings, StackInfo]:
    """The session's local stack (tests/conftest.py), shared with the short soak."""
    return local_stack


def request(method: str, url: str, **kw: Any) -> urllib3.BaseHTTPResponse:
    return HTTP.request(method, url, **kw)


def client_credentials(settings: Settings, info: StackInfo, client: str = "demo") -> tuple[str, str]:
    secrets = boto3.client(
        "secretsmanager",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    arn = info.outputs["client_secret_arns"][client]
    secret = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    return secret["client_id"], secret["client_secret"]


def get_token(settings: Settings, client_id: str, secret: str, scope: str) -> urllib3.BaseHTTPResponse:
    return request(
        "POST",
        settings.token_url,
        body=f"grant_type=client_credentials&scope={scope}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        },
    )


@pytest.fixture(scope="session")
def read_token(stack: tuple[Settings, StackInfo]) -> str:
    settings, info = stack
    response = get_token(settings, *client_credentials(settings, info), "rest-api/read")
    assert response.status == 200, response.data
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert "no-store" in response.headers["Cache-Control"]
    token: str = body["access_token"]
    return token


def test_up_applied_the_module_and_reports_client_ids_and_secret_arns(
    stack: tuple[Settings, StackInfo],
) -> None:
    settings, info = stack
    assert set(info.outputs["client_ids"]) == {"batch", "demo", "writer"}
    assert set(info.outputs["api_functions"]) == {"orders", "resource"}
    assert info.outputs["client_secret_arns"]["demo"].startswith("arn:aws:secretsmanager:")
    assert info.outputs["api_url"] == f"http://127.0.0.1:{settings.alb_port}/api"
    assert info.outputs["token_url"] == settings.token_url
    assert info.client_status == 200


def test_get_client_calls_the_api_with_a_token(stack: tuple[Settings, StackInfo]) -> None:
    settings, info = stack
    response = request("GET", f"{settings.alb_url}/client")
    assert response.status == 200, response.data
    body = response.json()
    assert body["api_status"] == 200
    assert body["api_body"]["client_id"] == info.outputs["client_ids"]["demo"]
    assert body["api_body"]["scopes"] == ["rest-api/read"]


def test_api_without_a_token_is_401_with_www_authenticate(stack: tuple[Settings, StackInfo]) -> None:
    settings, _ = stack
    response = request("GET", f"{settings.alb_url}/api")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer realm=")
    assert "error=" not in response.headers["WWW-Authenticate"]


def test_read_token_gets_the_api_but_may_not_post(stack: tuple[Settings, StackInfo], read_token: str) -> None:
    settings, info = stack
    auth = {"Authorization": f"Bearer {read_token}"}
    ok = request("GET", f"{settings.alb_url}/api", headers=auth)
    assert ok.status == 200, ok.data
    assert ok.json()["client_id"] == info.outputs["client_ids"]["demo"]
    refused = request(
        "POST",
        f"{settings.alb_url}/api",
        headers={**auth, "Content-Type": "application/json"},
        body=b'{"a":1}',
    )
    assert refused.status == 403
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    assert refused.json()["error"] == "insufficient_scope"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_signed_by_another_key_is_401(stack: tuple[Settings, StackInfo], read_token: str) -> None:
    settings, _ = stack
    # Same header (kid) and claims as a genuine token, signed with a key the pool never published.
    header_b64, payload_b64, _signature = read_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
    claims["jti"] = str(uuid.uuid4())
    claims["iat"] = claims["auth_time"] = int(time.time())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_input = f"{header_b64}.{_b64url(json.dumps(claims).encode())}"
    forged = (
        signing_input + "." + _b64url(key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))
    )
    response = request("GET", f"{settings.alb_url}/api", headers={"Authorization": f"Bearer {forged}"})
    assert response.status == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert forged not in response.data.decode()


def test_wrong_client_secret_is_invalid_client(stack: tuple[Settings, StackInfo]) -> None:
    settings, info = stack
    client_id, secret = client_credentials(settings, info)
    response = get_token(settings, client_id, secret + "x", "rest-api/read")
    assert response.status == 400
    assert response.json() == {"error": "invalid_client"}
    assert response.headers["x-amz-cognito-request-id"]


def test_a_scope_the_client_lacks_is_invalid_scope(stack: tuple[Settings, StackInfo]) -> None:
    settings, info = stack
    response = get_token(settings, *client_credentials(settings, info), "rest-api/write")
    assert response.status == 400
    assert response.json() == {"error": "invalid_scope"}


def test_unknown_path_gets_the_listeners_fixed_404(stack: tuple[Settings, StackInfo]) -> None:
    settings, info = stack
    elbv2 = boto3.client(
        "elbv2",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    listener = elbv2.describe_listeners(LoadBalancerArn=info.outputs["alb_arn"])["Listeners"][0]
    fixed = listener["DefaultActions"][0]["FixedResponseConfig"]
    response = request("GET", f"{settings.alb_url}/no/such/path")
    assert response.status == 404
    assert response.headers["Content-Type"] == fixed["ContentType"]
    assert response.data.decode() == fixed["MessageBody"]


def test_the_token_helper_of_make_local_token_gets_a_working_token(stack: tuple[Settings, StackInfo]) -> None:
    settings, _ = stack
    token = demo_token(settings, "rest-api/read")["access_token"]
    response = request("GET", f"{settings.alb_url}/api", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200


def test_a_second_plan_changes_nothing_but_what_moto_drops(stack: tuple[Settings, StackInfo]) -> None:
    """Two plans in a row after one build show no change: source_code_hash and every other argument are
    stable. moto 5.2.5 does not store a function's LoggingConfig, so the plan re-sends exactly that
    block to every function (and, with a token trigger, the pool's tier: see below); this test fails on
    any other change."""
    from local_edge.stack import terraform, terraform_vars

    settings, info = stack
    plan_file = settings.state_dir / "second.tfplan"
    terraform(
        settings,
        [
            "plan",
            "-input=false",
            "-no-color",
            f"-state={settings.tfstate}",
            f"-out={plan_file}",
            *terraform_vars(settings),
        ],
        "terraform-plan-again",
    )
    shown = terraform(settings, ["show", "-json", str(plan_file)], "terraform-show-again", log_stdout=False)
    plan_file.unlink()  # the plan holds the state's secret values
    plan = json.loads(shown)
    # moto took the key and the shared secret's policy as they are; AWS's documented rules for both
    # (tests/contract/rules.py) hold for what the local stack deployed
    from tests.contract import rules

    found = rules.resources(plan)
    assert rules.of_type(found, "aws_kms_key")
    assert rules.of_type(found, "aws_secretsmanager_secret_policy")
    for checked in rules.RULES:
        if checked.name in ("customer managed keys", "secret resource policies shared with other accounts"):
            assert checked.check(found) == [], checked.source
    changed = {}
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        changed[change["address"]] = (actions, sorted(k for k in after if before.get(k) != after.get(k)))
    # Provider 5.100 does not send UserPoolTier ESSENTIALS when it creates a pool (AWS's default, which
    # AWS then reports); moto reports no tier, so the next plan sets it again. Only that, only there.
    pool = "module.m2m.module.cognito.aws_cognito_user_pool.this"
    if pool in changed and (info.outputs.get("token_trigger") or {}).get("function_arn"):
        assert changed.pop(pool) == (["update"], ["user_pool_tier"])
    functions = {a for a in changed if a.endswith("aws_lambda_function.this")}
    rotation = 1 if info.outputs.get("secret_rotation") else 0
    trigger = 1 if (info.outputs.get("token_trigger") or {}).get("function_name") else 0
    # the demo client, rotation, the token trigger
    assert len(functions) <= len(info.outputs["api_functions"]) + 1 + rotation + trigger
    assert set(changed) == functions, changed
    for actions, attributes in changed.values():
        assert actions == ["update"]
        assert attributes == ["logging_config"]


def test_up_again_on_a_running_stack_is_safe_and_skips_the_unchanged_apply(
    stack: tuple[Settings, StackInfo],
) -> None:
    settings, first = stack
    lines: list[str] = []
    again = up(settings, out=lines.append)
    assert any("moto already running" in line for line in lines), lines
    assert any("terraform apply of examples/local: skipped" in line for line in lines), lines
    assert any("GET /client uses this one" in line and "demo" in line for line in lines), lines
    assert again.outputs["client_ids"] == first.outputs["client_ids"]
    assert again.client_status == 200
    assert Path(settings.pidfile("edge")).is_file()


# ---- the orders API: a function of your own on the verifier layer -----------------------------------


@pytest.fixture(scope="session")
def writer_token(stack: tuple[Settings, StackInfo]) -> str:
    settings, info = stack
    response = get_token(
        settings, *client_credentials(settings, info, "writer"), "rest-api/read rest-api/write"
    )
    assert response.status == 200, response.data
    token: str = response.json()["access_token"]
    return token


def test_orders_is_deployed_from_its_own_zip_with_the_verifier_layer(
    stack: tuple[Settings, StackInfo],
) -> None:
    settings, info = stack
    orders = info.outputs["api_functions"]["orders"]
    assert orders["zip_path"].endswith("/orders.zip")
    assert orders["paths"] == ["/orders", "/orders/*", "/tenants/*"]
    lambda_api = boto3.client(
        "lambda",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    config = lambda_api.get_function_configuration(FunctionName=orders["function_name"])
    assert [layer["Arn"] for layer in config["Layers"]] == [info.outputs["verifier_layer_arn"]]
    assert config["Handler"] == "orders.handler"
    assert json.loads(config["Environment"]["Variables"]["ROUTE_SCOPES"]) == {
        "GET /orders": ["rest-api/read"],
        "POST /orders": ["rest-api/write"],
        "GET /orders/*": ["rest-api/read"],
        "GET /tenants/*": ["rest-api/read"],
    }


def test_writer_creates_an_order_and_a_reader_reads_it(
    stack: tuple[Settings, StackInfo], read_token: str, writer_token: str
) -> None:
    settings, info = stack
    created = request(
        "POST",
        f"{settings.alb_url}/orders",
        headers={"Authorization": f"Bearer {writer_token}", "Content-Type": "application/json"},
        body=json.dumps({"item": "tea", "qty": 2}).encode(),
    )
    assert created.status == 201, created.data
    order = created.json()
    assert order["item"] == "tea"
    assert order["created_by"] == info.outputs["client_ids"]["writer"]
    assert created.headers["Location"] == f"/orders/{order['id']}"
    read = {"Authorization": f"Bearer {read_token}"}
    one = request("GET", f"{settings.alb_url}/orders/{order['id']}", headers=read)
    assert one.status == 200, one.data
    assert one.json() == order
    listed = request("GET", f"{settings.alb_url}/orders", headers=read)
    assert order in listed.json()["orders"]
    missing = request("GET", f"{settings.alb_url}/orders/none-such", headers=read)
    assert (missing.status, missing.json()["error"]) == (404, "not_found")


def test_orders_refuses_what_the_token_does_not_allow(
    stack: tuple[Settings, StackInfo], read_token: str
) -> None:
    settings, _ = stack
    refused = request(
        "POST", f"{settings.alb_url}/orders", headers={"Authorization": f"Bearer {read_token}"}, body=b"{}"
    )
    assert refused.status == 403
    assert 'scope="rest-api/write"' in refused.headers["WWW-Authenticate"]
    anonymous = request("GET", f"{settings.alb_url}/orders")
    assert anonymous.status == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    forged = request("GET", f"{settings.alb_url}/orders/1", headers={"Authorization": "Bearer a.b.c"})
    assert forged.status == 401
    assert 'error="invalid_token"' in forged.headers["WWW-Authenticate"]
    wrong_method = request(
        "PUT", f"{settings.alb_url}/orders", headers={"Authorization": f"Bearer {read_token}"}
    )
    assert wrong_method.status == 405
    assert wrong_method.headers["Allow"] == "GET, POST"


def test_every_function_writes_valid_metrics_records_that_local_metrics_reads(
    stack: tuple[Settings, StackInfo], read_token: str, tmp_path: Path
) -> None:
    """The deployed functions' own records in the stack's logs: valid EMF, the namespace the module
    configured, one per request; `make local-metrics` reads them back."""
    from local_edge.metrics import read_log_dir, summarize, write_chart
    from tests.emf_schema import check_record, records_in

    settings, _ = stack
    marker = f"/metrics-probe-{uuid.uuid4().hex[:8]}"
    before = len(records_in(_all_log_lines(settings)))
    assert request("GET", f"{settings.alb_url}/api").status == 401
    assert (
        request("GET", f"{settings.alb_url}/api", headers={"Authorization": f"Bearer {read_token}"}).status
        == 200
    )
    assert request("GET", f"{settings.alb_url}/client").status == 200
    assert (
        request("GET", f"{settings.alb_url}/orders{marker}", headers={"Authorization": "Bearer x"}).status
        == 401
    )
    deadline = time.monotonic() + 10
    while len(records_in(_all_log_lines(settings))) < before + 5 and time.monotonic() < deadline:
        time.sleep(0.1)  # the workers write their lines as they answer; the log files catch up
    records = records_in(_all_log_lines(settings))
    assert len(records) >= before + 5  # 3 API requests, the client's invocation and its API call
    for record in records:
        assert check_record(record) == [], record
        assert {d["Namespace"] for d in record["_aws"]["CloudWatchMetrics"]} == {"CognitoM2M"}
    probe = [r for r in records if r.get("path") == f"/orders{marker}"]
    assert [(r["Outcome"], r["Reason"]) for r in probe] == [("invalid_token", "malformed_token")]
    clients = [r for r in records if "Invocations" in r]
    assert clients
    assert clients[-1]["Outcome"] == "ok"
    rows = summarize(read_log_dir(settings.logs))
    assert any(r.name == "TokenRequests" for r in rows)
    # what Lambda and the load balancer count on their own, written by the local edge: every invocation,
    # and no function error in these
    lambda_rows = {
        (r.name, dict(r.dimensions)["FunctionName"]): r.total for r in rows if r.namespace == "AWS/Lambda"
    }
    for function in ("m2m-local-resource", "m2m-local-client", "m2m-local-orders"):
        assert lambda_rows[("Invocations", function)] >= 1
    assert write_chart(read_log_dir(settings.logs), tmp_path / "metrics.png") is not None


def _all_log_lines(settings: Settings) -> list[str]:
    """The functions' own log lines (aws-services.log holds what the local edge writes for Lambda and
    the load balancer, in their namespaces)."""
    lines: list[str] = []
    for log in sorted(settings.logs.glob("*.log")):
        if log.name != "aws-services.log":
            lines += log.read_text(errors="replace").splitlines()
    return lines


def test_a_client_shared_with_another_account_holds_exactly_the_documented_policy(
    stack: tuple[Settings, StackInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """stack.auto.tfvars shares the batch client's secret with a role in another account. The emulator
    stores the resource policy and enforces nothing, so this checks the document itself against AWS's
    cross-account example ("Principal": {"AWS": "arn:aws:iam::Account2:role/ApplicationRole"}, "Action":
    "secretsmanager:GetSecretValue", "Resource": "*"; https://docs.aws.amazon.com/secretsmanager/latest/
    userguide/auth-and-access_examples_cross.html), narrowed to the named roles, plus DescribeSecret."""
    settings, info = stack
    access = info.outputs["consumer_access"]["batch"]
    aws = {
        "region_name": settings.region,
        "endpoint_url": settings.aws_endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    secrets, kms = boto3.client("secretsmanager", **aws), boto3.client("kms", **aws)
    held = json.loads(secrets.get_resource_policy(SecretId=access["secret_arn"])["ResourcePolicy"])
    assert held == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ConsumersReadThisSecret",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:role/batch-job"]},
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": "*",
            }
        ],
    }
    # "you can't use the AWS managed key (aws/secretsmanager) for cross-account access"
    assert secrets.describe_secret(SecretId=access["secret_arn"])["KmsKeyId"] == access["kms_key_arn"]
    assert kms.describe_key(KeyId=access["kms_key_arn"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    for client in ("demo", "writer"):  # the others stay with this account
        arn = info.outputs["client_secret_arns"][client]
        assert "ResourcePolicy" not in secrets.get_resource_policy(SecretId=arn)
    # the caller's side: the single line README shows, with the ARN (its Region) and nothing else
    from cognito_m2m_client import CognitoTokens

    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", settings.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    tokens = CognitoTokens(
        token_url=access["token_url"], secret_id=access["secret_arn"], scopes=access["scopes"]
    )
    answer = request("GET", f"{settings.alb_url}/api", headers=tokens.headers())
    assert answer.status == 200, answer.data[:300]
