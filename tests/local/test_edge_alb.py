"""local_edge.alb: listener rule matching, the Lambda event an ALB sends, and its response translation."""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_edge.alb import (
    Action,
    Condition,
    HttpRequest,
    InvalidLambdaResponse,
    Rule,
    build_event,
    choose_target_group,
    error_page,
    final_action,
    fixed_response,
    load_listener,
    redirect_response,
    select_rule,
    translate_response,
    wildcard_match,
)

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef"


def request(path: str = "/api", **over: Any) -> HttpRequest:
    values: dict[str, Any] = {
        "method": "GET",
        "path": path,
        "query": "",
        "headers": (("Host", "127.0.0.1:8080"), ("User-Agent", "t")),
    }
    values.update(over)
    return HttpRequest(**values)


def forward(arn: str = TG) -> tuple[Action, ...]:
    return (Action("forward", target_groups=((arn, 1),)),)


def path_rule(priority: int, *patterns: str, arn: str = TG) -> Rule:
    return Rule(priority, (Condition("path-pattern", patterns),), forward(arn))


DEFAULT = Rule(None, (), (Action("fixed-response", fixed={"StatusCode": "404", "MessageBody": "{}"}),))


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("/api", "/api", True),
        ("/api", "/api/", False),
        ("/api", "/API", False),  # path patterns are case-sensitive
        ("/api/*", "/api/", True),
        ("/api/*", "/api/x/y", True),  # * crosses slashes
        ("/api/*", "/api", False),
        ("/a?i", "/api", True),
        ("/a?i", "/ai", False),  # ? is exactly one character
        ("*", "/anything", True),
        ("/img/*.png", "/img/a/b.png", True),
        ("/v1.0", "/v1x0", False),  # regex metacharacters are literal
        ("/[x]", "/[x]", True),
    ],
)
def test_wildcards(pattern: str, value: str, matches: bool) -> None:
    assert wildcard_match(pattern, value) is matches


def test_rules_are_evaluated_by_priority_and_the_default_comes_last() -> None:
    broad = path_rule(20, "/api*", arn="broad")
    narrow = path_rule(10, "/api/special", arn="narrow")
    rules = [DEFAULT, broad, narrow]
    assert select_rule(rules, request("/api/special")) is narrow
    assert select_rule(rules, request("/api/other")) is broad
    assert select_rule(rules, request("/client")) is DEFAULT


def test_priority_is_numeric_not_lexical() -> None:
    nine, ten = path_rule(9, "/x", arn="nine"), path_rule(10, "/x", arn="ten")
    assert select_rule([ten, nine], request("/x")) is nine


def test_any_value_of_a_condition_and_every_condition_must_match() -> None:
    rule = Rule(
        1,
        (Condition("path-pattern", ("/api", "/api/*")), Condition("http-request-method", ("GET", "HEAD"))),
        forward(),
    )
    assert select_rule([rule, DEFAULT], request("/api/x")) is rule
    assert select_rule([rule, DEFAULT], request("/api", method="POST")) is DEFAULT


def test_query_is_not_part_of_the_path_match() -> None:
    rule = path_rule(1, "/api")
    assert select_rule([rule, DEFAULT], request("/api", query="a=1")) is rule


def test_host_header_query_string_http_header_and_source_ip_conditions() -> None:
    host = Rule(1, (Condition("host-header", ("*.example.com",)),), forward())
    assert select_rule([host, DEFAULT], request(headers=(("Host", "API.Example.com:443"),))) is host
    assert select_rule([host, DEFAULT], request(headers=(("Host", "example.org"),))) is DEFAULT
    query = Rule(1, (Condition("query-string", pairs=(("version", "v2"), (None, "beta"))),), forward())
    assert select_rule([query, DEFAULT], request(query="version=V2")) is query
    assert select_rule([query, DEFAULT], request(query="x=beta")) is query
    assert select_rule([query, DEFAULT], request(query="version=v1")) is DEFAULT
    header = Rule(1, (Condition("http-header", ("blue*",), header_name="X-Env"),), forward())
    assert select_rule([header, DEFAULT], request(headers=(("x-env", "Blue-1"),))) is header
    assert select_rule([header, DEFAULT], request()) is DEFAULT
    source = Rule(1, (Condition("source-ip", ("10.0.0.0/8",)),), forward())
    assert select_rule([source, DEFAULT], request(client_ip="10.1.2.3")) is source
    assert select_rule([source, DEFAULT], request(client_ip="127.0.0.1")) is DEFAULT


def test_unknown_condition_never_matches() -> None:
    rule = Rule(1, (Condition("something-new", ("x",)),), forward())
    assert select_rule([rule, DEFAULT], request()) is DEFAULT


def test_final_action_is_the_highest_order() -> None:
    rule = Rule(
        1, (), (Action("forward", order=2, target_groups=((TG, 1),)), Action("authenticate-oidc", order=1))
    )
    assert final_action(rule).type == "forward"


def test_weighted_forward_skips_zero_weights() -> None:
    action = Action("forward", target_groups=(("a", 0), ("b", 5)))
    assert {choose_target_group(action) for _ in range(20)} == {"b"}


def test_fixed_response_and_error_pages() -> None:
    fixed = fixed_response({"StatusCode": "404", "ContentType": "application/json", "MessageBody": '{"e":1}'})
    assert (fixed.status, dict(fixed.headers)["Content-Type"], fixed.body) == (
        404,
        "application/json",
        b'{"e":1}',
    )
    page = error_page(502)
    assert page.status == 502
    assert b"502 Bad Gateway" in page.body
    assert dict(page.headers)["Content-Type"] == "text/html"


def test_redirect_fills_placeholders() -> None:
    config = {
        "Protocol": "HTTPS",
        "Port": "443",
        "Host": "#{host}",
        "Path": "/#{path}",
        "Query": "#{query}",
        "StatusCode": "HTTP_301",
    }
    response = redirect_response(config, request("/api/x", query="a=1", headers=(("Host", "example.com"),)))
    assert response.status == 301
    assert dict(response.headers)["Location"] == "https://example.com/api/x?a=1"


# ---- event -----------------------------------------------------------------------------------


def test_single_value_event() -> None:
    req = request(
        "/api",
        method="POST",
        query="a=1&b=x%20y&a=2&flag",
        headers=(("Host", "h"), ("Content-Type", "application/json"), ("X-Dup", "1"), ("x-dup", "2")),
        body=b'{"k":"v"}',
        client_ip="10.0.0.9",
        port=80,
    )
    event = build_event(req, TG, multi_value=False)
    assert event["requestContext"] == {"elb": {"targetGroupArn": TG}}
    assert (event["httpMethod"], event["path"]) == ("POST", "/api")
    assert event["queryStringParameters"] == {"a": "2", "b": "x%20y", "flag": ""}  # last wins, not decoded
    headers = event["headers"]
    assert all(name == name.lower() for name in headers)
    assert headers["x-dup"] == "2"
    assert headers["content-type"] == "application/json"
    assert headers["x-forwarded-for"] == "10.0.0.9"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == "80"
    assert headers["x-amzn-trace-id"].startswith("Root=1-")
    assert (event["body"], event["isBase64Encoded"]) == ('{"k":"v"}', False)
    assert "multiValueHeaders" not in event


def test_multi_value_event() -> None:
    req = request(query="a=1&a=2", headers=(("Accept", "a"), ("accept", "b"), ("X-Forwarded-For", "1.2.3.4")))
    event = build_event(req, TG, multi_value=True)
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["multiValueHeaders"]["accept"] == ["a", "b"]
    assert event["multiValueHeaders"]["x-forwarded-for"] == ["1.2.3.4, 127.0.0.1"]
    assert "headers" not in event
    assert "queryStringParameters" not in event
    assert (event["body"], event["isBase64Encoded"]) == ("", False)


@pytest.mark.parametrize(
    ("content_type", "encoding", "body", "encoded"),
    [
        ("image/png", None, b"\x89PNG\x00", True),
        ("application/octet-stream", None, b"abc", True),
        (None, None, b"abc", True),
        ("text/plain; charset=utf-8", None, b"hello", False),
        ("application/json", "gzip", b"\x1f\x8b", True),
        ("application/vnd.api+json", None, b"{}", False),
        ("text/plain", None, b"\xff\xfe", True),  # not UTF-8
    ],
)
def test_binary_bodies_are_base64(
    content_type: str | None, encoding: str | None, body: bytes, encoded: bool
) -> None:
    headers: tuple[tuple[str, str], ...] = ()
    if content_type:
        headers += (("Content-Type", content_type),)
    if encoding:
        headers += (("Content-Encoding", encoding),)
    event = build_event(request(method="POST", headers=headers, body=body), TG, multi_value=False)
    assert event["isBase64Encoded"] is encoded
    assert (base64.b64decode(event["body"]) if encoded else event["body"].encode()) == body


def test_invalid_header_names_are_dropped_when_the_load_balancer_says_so() -> None:
    req = request(headers=(("Good-Name", "1"), ("bad_name", "2"), ("x.y", "3")))
    kept = build_event(req, TG, multi_value=False, drop_invalid_headers=False)["headers"]
    dropped = build_event(req, TG, multi_value=False, drop_invalid_headers=True)["headers"]
    assert {"good-name", "bad_name", "x.y"} <= set(kept)
    assert "good-name" in dropped
    assert "bad_name" not in dropped
    assert "x.y" not in dropped


# ---- response --------------------------------------------------------------------------------


def test_single_value_response() -> None:
    out = translate_response(
        {
            "statusCode": 201,
            "statusDescription": "201 Created",
            "headers": {"X-A": "1", "Content-Length": "999"},
            "body": "hi",
        },
        multi_value=False,
    )
    assert (out.status, out.body) == (201, b"hi")
    assert out.headers == (("X-A", "1"),)  # the edge computes Content-Length itself


def test_multi_value_response_uses_only_multi_value_headers() -> None:
    out = translate_response(
        {
            "statusCode": 200,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "headers": {"X-Ignored": "1"},
            "body": "",
        },
        multi_value=True,
    )
    assert out.headers == (("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"))


def test_base64_response_body_is_decoded() -> None:
    out = translate_response(
        {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\x00\x01").decode()},
        multi_value=False,
    )
    assert out.body == b"\x00\x01"


@pytest.mark.parametrize(
    "result",
    [
        None,
        "text",
        {"body": "no status"},
        {"statusCode": "abc"},
        {"statusCode": 99},
        {"statusCode": True},
        {"statusCode": 200, "body": 5},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "headers": {"x": {"nested": 1}}},
        {"statusCode": 200, "isBase64Encoded": True, "body": "!!!"},
        {"statusCode": 200, "body": "x" * (1024 * 1024 + 1)},
    ],
)
def test_invalid_lambda_responses_are_refused(result: Any) -> None:
    with pytest.raises(InvalidLambdaResponse):
        translate_response(result, multi_value=False)


def test_multi_value_mode_requires_lists() -> None:
    with pytest.raises(InvalidLambdaResponse):
        translate_response({"statusCode": 200, "multiValueHeaders": {"a": "1"}}, multi_value=True)


# ---- listener from the emulator --------------------------------------------------------------


@mock_aws
def test_load_listener_reads_rules_target_groups_and_attributes_from_elbv2() -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    awslambda = boto3.client("lambda", region_name="us-east-1")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [
        s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    ]
    lb = elbv2.create_load_balancer(Name="lb", Subnets=subnets[:2])["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb,
        Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}],
    )
    group = elbv2.create_target_group(Name="fn", TargetType="lambda")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(
        TargetGroupArn=group, Attributes=[{"Key": "lambda.multi_value_headers.enabled", "Value": "true"}]
    )
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return {}\n")
    function = awslambda.create_function(
        FunctionName="fn",
        Runtime="python3.13",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )["FunctionArn"]
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": function}])
    listener = elbv2.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "MessageBody": "nf"}}
        ],
    )["Listeners"][0]["ListenerArn"]
    elbv2.create_rule(
        ListenerArn=listener,
        Priority=5,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api", "/api/*"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": group}],
    )
    loaded = load_listener(elbv2, lb)
    assert loaded.drop_invalid_header_fields is True
    rule = select_rule(loaded.rules, request("/api/x"))
    assert rule is not None
    assert rule.priority == 5
    target = loaded.target_groups[choose_target_group(final_action(rule))]
    assert (target.target_type, target.multi_value, target.targets) == ("lambda", True, (function,))
    default = select_rule(loaded.rules, request("/nothing"))
    assert default is not None
    assert default.priority is None
    assert final_action(default).fixed["StatusCode"] == "404"
