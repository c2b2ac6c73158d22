"""Each rule in tests/contract/rules.py finds what breaks it: a small set of resources that AWS would refuse
(per the rule's source), and the same set fixed, which it passes. A rule that could not fail would prove
nothing on the real plans."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.contract import rules

R = rules.Resource
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup"
SEARCH_QUOTED = "SEARCH('{\"Team A #1\",Function} MetricName=\"Requests\"', 'Sum', 60)"


def dashboard(*widgets: dict[str, Any], name: str = "m2m-demo") -> R:
    return R(
        "dash",
        "aws_cloudwatch_dashboard",
        {"dashboard_name": name, "dashboard_body": json.dumps({"widgets": list(widgets)})},
    )


def metric_widget(*rows: Any) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {"region": "us-east-1", "metrics": list(rows)},
    }


def log_widget(groups: int) -> dict[str, Any]:
    query = " | ".join(f"SOURCE '/aws/lambda/f{i}'" for i in range(groups)) + " | stats count(*) by bin(5m)"
    return {"type": "log", "properties": {"region": "us-east-1", "query": query, "view": "timeSeries"}}


ROW = ["AWS/Lambda", "Duration", "FunctionName", "f", {"stat": "p99", "label": "f p99"}]


def alarm(**values: Any) -> R:
    good = {
        "alarm_name": "m2m-demo-f-errors",
        "alarm_description": "d",
        "namespace": "AWS/Lambda",
        "metric_name": "Errors",
        "dimensions": {"FunctionName": "f"},
        "statistic": "Sum",
        "period": 300,
        "evaluation_periods": 1,
        "alarm_actions": [],
        "ok_actions": [],
        "treat_missing_data": "notBreaching",
    }
    return R("alarm", "aws_cloudwatch_metric_alarm", {**good, **values})


def listener_rule(
    paths: list[str], priority: int = 1, cidrs: tuple[str, ...] = (), address: str = "rule"
) -> R:
    conditions: list[dict[str, Any]] = [{"path_pattern": [{"values": paths}]}]
    if cidrs:
        conditions.append({"source_ip": [{"values": list(cidrs)}]})
    return R(
        address, "aws_lb_listener_rule", {"priority": priority, "listener_arn": "l", "condition": conditions}
    )


def function(**values: Any) -> R:
    good = {
        "function_name": "m2m-demo-f",
        "description": "d",
        "layers": ["arn:layer:1"],
        "memory_size": 256,
        "timeout": 10,
        "environment": [{"variables": {"USER_POOL_ID": "us-east-1_x"}}],
    }
    return R("fn", "aws_lambda_function", {**good, **values})


def permission(n: int, statement_id: str | None = None) -> R:
    return R(
        f"perm{n}",
        "aws_lambda_permission",
        {
            "statement_id": statement_id or f"AllowInvokeFromLoadBalancer{n}",
            "function_name": "m2m-demo-f",
            "principal": "elasticloadbalancing.amazonaws.com",
            "action": "lambda:InvokeFunction",
            "source_arn": f"{TARGET_GROUP}/m2m-demo-f/0123456789abcdef",
        },
    )


def role(
    name: str = "m2m-demo-f-20261206000000000000000001", policy_chars: int = 100, **extra: Any
) -> list[R]:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "a" * policy_chars}],
        }
    )
    return [
        R("role", "aws_iam_role", {"name": name, "assume_role_policy": "{}", **extra}),
        R("policy", "aws_iam_role_policy", {"name": "p", "role": name, "policy": document}),
    ]


def client(**values: Any) -> R:
    good = {
        "name": "m2m-demo-demo",
        "user_pool_id": "pool",
        "allowed_oauth_scopes": ["rest-api/read"],
        "allowed_oauth_flows": ["client_credentials"],
        "access_token_validity": 60,
        "token_validity_units": [{"access_token": "minutes"}],
    }
    return R("client", "aws_cognito_user_pool_client", {**good, **values})


def server(n: int = 0, scopes: int = 1, scope_name: str = "read", identifier: str = "rest-api") -> R:
    return R(
        f"server{n}",
        "aws_cognito_resource_server",
        {
            "user_pool_id": "pool",
            "identifier": f"{identifier}{n or ''}",
            "name": "REST API",
            "scope": [
                {"scope_name": f"{scope_name}{i or ''}", "scope_description": "d"} for i in range(scopes)
            ],
        },
    )


def table(**values: Any) -> R:
    good = {
        "name": "m2m-demo-tokens",
        "hash_key": "pk",
        "attribute": [{"name": "pk", "type": "S"}],
        "ttl": [{"enabled": True, "attribute_name": "expires_at"}],
    }
    return R("table", "aws_dynamodb_table", {**good, **values})


def big_zip(path: Path, unzipped_mb: int) -> str:
    """A zip that inflates to ``unzipped_mb`` MB of zeros (a few hundred KB on disk)."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("big.bin", "w") as out,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(unzipped_mb):
            out.write(chunk)
    return str(path)


POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC"


def trigger_pool(version: str = "V3_0", tier: str | None = "ESSENTIALS", arn: str = ARN) -> R:
    config = {"pre_token_generation_config": [{"lambda_arn": arn, "lambda_version": version}]}
    return R(
        "pool",
        "aws_cognito_user_pool",
        {"name": "m2m", "arn": POOL_ARN, "user_pool_tier": tier, "lambda_config": [config]},
    )


def trigger_permission(**values: Any) -> R:
    good = {
        "function_name": ARN,
        "qualifier": None,
        "action": "lambda:InvokeFunction",
        "principal": "cognito-idp.amazonaws.com",
        "source_arn": POOL_ARN,
        "source_account": "123456789012",
        "statement_id": "CognitoInvokesTokenTrigger",
    }
    return R("perm", "aws_lambda_permission", {**good, **values})


def trigger_function(timeout: int = 5) -> R:
    return R("fn", "aws_lambda_function", {"arn": ARN, "function_name": "f", "timeout": timeout})


SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:m2m-demo-reporting-AbCdEf"
SHARED = "secret resource policies shared with other accounts"


def shared(
    policy: str | None = None,
    block: bool = True,
    principal: Any = None,
    action: list[str] | None = None,
    key: str | None = "arn:aws:kms:us-east-1:123456789012:key/0b5b3e8a-6c2e-4f7a-9d1e-3c5a7b9d1f2e",
) -> list[R]:
    """A secret shared with a role in another account, as the module writes it."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": principal or {"AWS": ["arn:aws:iam::210987654321:role/reports-exporter"]},
                "Action": action or ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Resource": "*",
            }
        ],
    }
    text = json.dumps(document) + (policy or "")
    values = {"secret_arn": SECRET_ARN, "policy": text, "block_public_policy": block}
    return [
        R("s", "aws_secretsmanager_secret", {"arn": SECRET_ARN, "kms_key_id": key}),
        R("p", "aws_secretsmanager_secret_policy", values),
    ]


Case = tuple[str, Callable[[Path], list[R]], Callable[[Path], list[R]]]
CASES: list[Case] = [
    # The dashboard main wrote: flatten() had turned the rows into one list of strings.
    (
        "dashboard body follows the dashboard body structure",
        lambda _: [dashboard(metric_widget(*ROW))],
        lambda _: [dashboard(metric_widget(ROW))],
    ),
    (
        "dashboard body follows the dashboard body structure",
        lambda _: [dashboard(metric_widget([{"label": "x"}, "AWS/Lambda", "Duration"]))],
        lambda _: [dashboard(metric_widget(["AWS/Lambda", "Duration", {"label": "x"}]))],
    ),
    (
        "dashboard body follows the dashboard body structure",
        lambda _: [dashboard({"type": "metric", "properties": {"metrics": [ROW]}})],
        lambda _: [dashboard(metric_widget(ROW))],
    ),
    (
        "dashboard name",
        lambda _: [dashboard(name="my dashboard!")],
        lambda _: [dashboard(name="my-dashboard_1")],
    ),
    (
        "search expressions: quoted names, query size, 100 per graph",
        lambda _: [
            dashboard(
                metric_widget(
                    [
                        {
                            "expression": "SEARCH('{Team A #1,Function} MetricName=\"Requests\"', 'Sum', 60)",
                            "id": "e",
                        }
                    ]
                )
            )
        ],
        lambda _: [
            dashboard(
                metric_widget(
                    [
                        {
                            "expression": SEARCH_QUOTED,
                            "id": "e",
                        }
                    ]
                )
            )
        ],
    ),
    (
        "search expressions: quoted names, query size, 100 per graph",
        lambda _: [
            dashboard(
                metric_widget(
                    *[
                        [{"expression": f"SEARCH('{{N,F}} F=\"{i}\"', 'Sum', 60)", "id": f"e{i}"}]
                        for i in range(101)
                    ]
                )
            )
        ],
        lambda _: [
            dashboard(
                metric_widget(
                    *[
                        [{"expression": f"SEARCH('{{N,F}} F=\"{i}\"', 'Sum', 60)", "id": f"e{i}"}]
                        for i in range(40)
                    ]
                )
            )
        ],
    ),
    (
        "metrics per widget and per dashboard",
        lambda _: [dashboard(metric_widget(*[ROW] * 501))],
        lambda _: [dashboard(metric_widget(*[ROW] * 500))],
    ),
    (
        "metrics per widget and per dashboard",
        lambda _: [dashboard(*[metric_widget(*[ROW] * 500)] * 6)],
        lambda _: [dashboard(*[metric_widget(*[ROW] * 500)] * 5)],
    ),
    (
        "log widget queries: 50 log groups, 10,000 characters",
        lambda _: [dashboard(log_widget(51))],
        lambda _: [dashboard(log_widget(50))],
    ),
    ("alarm fields", lambda _: [alarm(period=45)], lambda _: [alarm(period=60)]),
    (
        "alarm fields",
        lambda _: [alarm(alarm_actions=[f"arn:aws:sns:us-east-1:123456789012:t{i}" for i in range(6)])],
        lambda _: [alarm(alarm_actions=["arn:aws:sns:us-east-1:123456789012:t"])],
    ),
    (
        "alarm fields",
        lambda _: [alarm(alarm_name="a" * 256, alarm_description="d" * 1025)],
        lambda _: [alarm(alarm_name="a" * 255, alarm_description="d" * 1024)],
    ),
    (
        "alarm fields",
        lambda _: [alarm(period=300, evaluation_periods=289)],
        lambda _: [alarm(period=300, evaluation_periods=288)],
    ),
    (
        "alarm fields",
        lambda _: [alarm(dimensions={f"D{i}": "v" for i in range(31)})],
        lambda _: [alarm(dimensions={f"D{i}": "v" for i in range(30)})],
    ),
    (
        "metric namespace",
        lambda _: [function(environment=[{"variables": {"METRICS_NAMESPACE": "AWS/Lambda"}}])],
        lambda _: [function(environment=[{"variables": {"METRICS_NAMESPACE": "Team A #1: m2m"}}])],
    ),
    ("path patterns", lambda _: [listener_rule(["/orders/{id}"])], lambda _: [listener_rule(["/orders/*"])]),
    (
        "path patterns",
        lambda _: [listener_rule(["/" + "p" * 128])],
        lambda _: [listener_rule(["/" + "p" * 127])],
    ),
    (
        "condition values and wildcards per rule",
        lambda _: [listener_rule([f"/{i}" for i in range(4)], cidrs=("10.0.0.0/8", "10.1.0.0/16"))],
        lambda _: [listener_rule([f"/{i}" for i in range(3)], cidrs=("10.0.0.0/8", "10.1.0.0/16"))],
    ),
    (
        "condition values and wildcards per rule",
        lambda _: [listener_rule(["/a*/*", "/b*/*", "/c/*", "/d/*"])],
        lambda _: [listener_rule(["/a/*", "/b/*", "/c/*", "/d/*"])],
    ),
    (
        "rule priorities: 1-50000, unique per listener",
        lambda _: [listener_rule(["/a"], 7, address="a"), listener_rule(["/b"], 7, address="b")],
        lambda _: [listener_rule(["/a"], 7, address="a"), listener_rule(["/b"], 8, address="b")],
    ),
    (
        "rule priorities: 1-50000, unique per listener",
        lambda _: [listener_rule(["/a"], 50001)],
        lambda _: [listener_rule(["/a"], 50000)],
    ),
    (
        "rules and target groups per load balancer",
        lambda _: [
            R("lb", "aws_lb", {"name": "x"}),
            R("l", "aws_lb_listener", {}),
            *[listener_rule(["/a"], i + 1, address=f"r{i}") for i in range(101)],
        ],
        lambda _: [
            R("lb", "aws_lb", {"name": "x"}),
            R("l", "aws_lb_listener", {}),
            *[listener_rule(["/a"], i + 1, address=f"r{i}") for i in range(100)],
        ],
    ),
    (
        "load balancer and target group names",
        lambda _: [R("tg", "aws_lb_target_group", {"name": "m2m-demo-" + "x" * 24})],
        lambda _: [R("tg", "aws_lb_target_group", {"name": "m2m-demo-" + "x" * 23})],
    ),
    (
        "load balancer and target group names",
        lambda _: [R("lb", "aws_lb", {"name": "internal-api"})],
        lambda _: [R("lb", "aws_lb", {"name": "api-internal"})],
    ),
    (
        "environment: 4 KB in all, key names",
        lambda _: [function(environment=[{"variables": {"A1": "x" * 4090}}])],
        lambda _: [function(environment=[{"variables": {"A1": "x" * 4085}}])],
    ),
    (
        "environment: 4 KB in all, key names",
        lambda _: [function(environment=[{"variables": {"AWS_REGION": "us-east-1"}}])],
        lambda _: [function(environment=[{"variables": {"REGION": "us-east-1"}}])],
    ),
    (
        "function fields: name, description, layers, memory, timeout",
        lambda _: [function(function_name="f" * 65)],
        lambda _: [function(function_name="f" * 64)],
    ),
    (
        "function fields: name, description, layers, memory, timeout",
        lambda _: [function(layers=[f"l{i}" for i in range(6)])],
        lambda _: [function(layers=[f"l{i}" for i in range(5)])],
    ),
    (
        "deployment package sizes",
        lambda tmp: [function(filename=big_zip(tmp / "big.zip", 251))],
        lambda tmp: [function(filename=big_zip(tmp / "ok.zip", 249))],
    ),
    (
        "resource-based policy: 20 KB per function, statement ids",
        lambda _: [permission(i) for i in range(80)],
        lambda _: [permission(i) for i in range(40)],
    ),
    (
        "resource-based policy: 20 KB per function, statement ids",
        lambda _: [permission(0, "Allow.Invoke")],
        lambda _: [permission(0, "Allow-Invoke_1")],
    ),
    (
        "role names and inline policy size per role",
        lambda _: role(policy_chars=10_240),
        lambda _: role(policy_chars=10_000),
    ),
    (
        "role names and inline policy size per role",
        lambda _: role(name="r" * 65),
        lambda _: role(name="r" * 64),
    ),
    (
        "role names and inline policy size per role",
        lambda _: role(name_prefix="p" * 39),
        lambda _: role(name_prefix="p" * 38),
    ),
    (
        "resource servers and scopes",
        lambda _: [server(n) for n in range(26)],
        lambda _: [server(n) for n in range(25)],
    ),
    ("resource servers and scopes", lambda _: [server(scopes=101)], lambda _: [server(scopes=100)]),
    (
        "resource servers and scopes",
        lambda _: [server(scope_name="read/all")],
        lambda _: [server(scope_name="read:all")],
    ),
    (
        "app clients",
        lambda _: [client(allowed_oauth_scopes=[f"rest-api/s{i}" for i in range(51)])],
        lambda _: [client(allowed_oauth_scopes=[f"rest-api/s{i}" for i in range(50)])],
    ),
    (
        "app clients",
        lambda _: [client(allowed_oauth_flows=["client_credentials", "code"])],
        lambda _: [client()],
    ),
    ("app clients", lambda _: [client(access_token_validity=4)], lambda _: [client(access_token_validity=5)]),
    (
        "app clients",
        lambda _: [client(token_validity_units=[{"access_token": "hours"}], access_token_validity=25)],
        lambda _: [client(token_validity_units=[{"access_token": "hours"}], access_token_validity=24)],
    ),
    (
        "user pool name and domain prefix",
        lambda _: [R("d", "aws_cognito_user_pool_domain", {"domain": "m2m-aws-demo"})],
        lambda _: [R("d", "aws_cognito_user_pool_domain", {"domain": "m2m-demo"})],
    ),
    (
        "user pool name and domain prefix",
        lambda _: [R("d", "aws_cognito_user_pool_domain", {"domain": "-m2m"})],
        lambda _: [R("d", "aws_cognito_user_pool_domain", {"domain": "m2m"})],
    ),
    (
        "secret names, recovery window, version labels",
        lambda _: [R("s", "aws_secretsmanager_secret", {"name": "m2m#demo", "recovery_window_in_days": 7})],
        lambda _: [R("s", "aws_secretsmanager_secret", {"name": "m2m/demo", "recovery_window_in_days": 7})],
    ),
    (
        "secret names, recovery window, version labels",
        lambda _: [R("s", "aws_secretsmanager_secret", {"name": "m2m", "recovery_window_in_days": 5})],
        lambda _: [R("s", "aws_secretsmanager_secret", {"name": "m2m", "recovery_window_in_days": 0})],
    ),
    (
        "rotation schedule",
        lambda _: [
            R(
                "r",
                "aws_secretsmanager_secret_rotation",
                {"rotation_lambda_arn": ARN, "rotation_rules": [{"automatically_after_days": 1001}]},
            )
        ],
        lambda _: [
            R(
                "r",
                "aws_secretsmanager_secret_rotation",
                {"rotation_lambda_arn": ARN, "rotation_rules": [{"automatically_after_days": 1000}]},
            )
        ],
    ),
    (SHARED, lambda _: shared(policy=" " * 20481), lambda _: shared()),
    (SHARED, lambda _: shared(block=False), lambda _: shared()),
    (
        SHARED,
        lambda _: shared(principal={"AWS": "arn:aws:iam::210987654321:root"}),
        lambda _: shared(principal={"AWS": "arn:aws:iam::210987654321:role/a/b/batch"}),
    ),
    (SHARED, lambda _: shared(principal="*"), lambda _: shared()),
    (
        SHARED,
        lambda _: shared(principal={"AWS": "arn:aws:iam::210987654321:role/team*/batch"}),
        lambda _: shared(),
    ),
    (
        SHARED,
        lambda _: shared(action=["secretsmanager:GetSecret"]),
        lambda _: shared(action=["secretsmanager:DescribeSecret"]),
    ),
    (
        SHARED,
        lambda _: shared(key=None),
        lambda _: shared(key="arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"),
    ),
    (
        "customer managed keys",
        lambda _: [R("k", "aws_kms_key", {"deletion_window_in_days": 6, "description": "d"})],
        lambda _: [R("k", "aws_kms_key", {"deletion_window_in_days": 7, "description": "d"})],
    ),
    (
        "customer managed keys",
        lambda _: [R("k", "aws_kms_key", {"description": "d" * 8193})],
        lambda _: [R("k", "aws_kms_key", {"description": "d" * 8192})],
    ),
    (
        "customer managed keys",
        lambda _: [R("k", "aws_kms_key", {"policy": json.dumps({"Statement": ["s" * 32768]})})],
        lambda _: [R("k", "aws_kms_key", {"policy": json.dumps({"Statement": ["s" * 32000]})})],
    ),
    ("table name, key and TTL attributes", lambda _: [table(name="ab")], lambda _: [table(name="abc")]),
    (
        "table name, key and TTL attributes",
        lambda _: [table(attribute=[{"name": "pk", "type": "S"}, {"name": "expires_at", "type": "S"}])],
        lambda _: [table()],
    ),
    (
        "pre token generation trigger: V3_0 on Essentials or Plus",
        lambda _: [trigger_pool(version="V2_0")],
        lambda _: [trigger_pool()],
    ),
    (
        "pre token generation trigger: V3_0 on Essentials or Plus",
        lambda _: [trigger_pool(tier="LITE")],
        lambda _: [trigger_pool(tier="PLUS")],
    ),
    (
        "pre token generation trigger: V3_0 on Essentials or Plus",
        lambda _: [trigger_pool(arn="arn:aws:lambda:us-east-1:123456789012:f")],
        lambda _: [trigger_pool(arn=ARN + ":live")],
    ),
    (
        "pre token generation trigger: invoke permission and 5-second budget",
        lambda _: [trigger_pool(), trigger_function()],
        lambda _: [trigger_pool(), trigger_function(), trigger_permission()],
    ),
    (
        "pre token generation trigger: invoke permission and 5-second budget",
        lambda _: [trigger_pool(), trigger_function(), trigger_permission(source_arn=None)],
        lambda _: [trigger_pool(), trigger_function(), trigger_permission()],
    ),
    (
        "pre token generation trigger: invoke permission and 5-second budget",
        lambda _: [trigger_pool(), trigger_function(timeout=6), trigger_permission()],
        lambda _: [trigger_pool(), trigger_function(timeout=5), trigger_permission()],
    ),
    (
        "pre token generation trigger: invoke permission and 5-second budget",
        lambda _: [trigger_pool(arn=ARN + ":live"), trigger_permission()],
        lambda _: [trigger_pool(arn=ARN + ":live"), trigger_permission(qualifier="live")],
    ),
]
BY_NAME = {r.name: r for r in rules.RULES}


@pytest.mark.parametrize(("name", "bad", "good"), CASES, ids=[f"{i:02d} {c[0]}" for i, c in enumerate(CASES)])
def test_the_rule_finds_what_breaks_it(
    name: str, bad: Callable[[Path], list[R]], good: Callable[[Path], list[R]], tmp_path: Path
) -> None:
    checked = BY_NAME[name]
    assert checked.check(bad(tmp_path)) != [], f"{name} passed what {checked.source} refuses"
    assert checked.check(good(tmp_path)) == [], f"{name} refused what {checked.source} allows"


def test_every_rule_has_a_case_and_a_source() -> None:
    assert {c[0] for c in CASES} == set(BY_NAME)
    for checked in rules.RULES:
        assert checked.source.startswith("https://docs.aws.amazon.com/")
        assert checked.quote
