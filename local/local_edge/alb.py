"""Application Load Balancer behaviour: listener rules, and the Lambda target event/response format.

The listener's rules, actions and target groups are read from the emulator's ELBv2 API
(:func:`load_listener`), never hard-coded. Rules are evaluated in priority order, the default rule
last; every condition of a rule must match, any value of a condition may match. Lambda targets get
the ALB event (lower-cased headers, raw query string values, base64 for binary bodies, multi-value
mode when the target group enables it) and their answers are translated back to HTTP; an answer that
is not a valid ALB response becomes a 502, as on AWS.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from http import HTTPStatus
from typing import Any

MAX_LAMBDA_BODY_BYTES = 1024 * 1024  # request and response bodies of Lambda targets: 1 MB
VALID_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")  # what drop_invalid_header_fields keeps
TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|javascript|xml|x-www-form-urlencoded)|application/.*\+(json|xml))$"
)
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer"}
)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as the ALB received it. ``headers`` keep the client's order and spelling."""

    method: str
    path: str
    query: str  # raw query string, without "?"
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    port: int = 80
    protocol: str = "http"

    def header(self, name: str) -> str | None:
        """The last value of a header (case-insensitive), or None."""
        found = None
        for key, value in self.headers:
            if key.lower() == name.lower():
                found = value
        return found


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    values: tuple[str, ...] = ()
    header_name: str | None = None  # http-header
    pairs: tuple[tuple[str | None, str], ...] = ()  # query-string (key may be absent)


@dataclass(frozen=True, slots=True)
class Action:
    type: str
    order: int = 1
    target_groups: tuple[tuple[str, int], ...] = ()  # (arn, weight) for forward
    fixed: Mapping[str, str] = field(default_factory=dict)  # FixedResponseConfig
    redirect: Mapping[str, str] = field(default_factory=dict)  # RedirectConfig


@dataclass(frozen=True, slots=True)
class Rule:
    priority: int | None  # None: the default rule
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    arn: str = ""


@dataclass(frozen=True, slots=True)
class TargetGroup:
    arn: str
    target_type: str
    multi_value: bool
    targets: tuple[str, ...]  # Lambda function ARNs for target_type lambda


@dataclass(frozen=True, slots=True)
class Listener:
    arn: str
    port: int
    protocol: str
    rules: tuple[Rule, ...]
    target_groups: Mapping[str, TargetGroup]
    drop_invalid_header_fields: bool


# ---- rule matching ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _pattern_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """ALB wildcards: ``*`` is zero or more characters (``/`` included), ``?`` exactly one."""
    return _pattern_regex(pattern, case_sensitive).fullmatch(value) is not None


def parse_query(query: str) -> list[tuple[str, str]]:
    """Query parameters as the ALB passes them: split, but not percent-decoded."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((key, value))
    return pairs


def _condition_matches(condition: Condition, request: HttpRequest) -> bool:
    kind = condition.field
    if kind == "path-pattern":
        return any(wildcard_match(v, request.path) for v in condition.values)
    if kind == "http-request-method":
        return request.method in condition.values
    if kind == "host-header":
        host = (request.header("host") or "").rsplit(":", 1)[0] if request.header("host") else ""
        return any(wildcard_match(v, host, case_sensitive=False) for v in condition.values)
    if kind == "http-header":
        name = (condition.header_name or "").lower()
        values = [v for k, v in request.headers if k.lower() == name]
        return any(wildcard_match(p, v, case_sensitive=False) for p in condition.values for v in values)
    if kind == "query-string":
        params = parse_query(request.query)
        return any(
            (key is None or wildcard_match(key, k, case_sensitive=False))
            and wildcard_match(value, v, case_sensitive=False)
            for key, value in condition.pairs
            for k, v in params
        )
    if kind == "source-ip":
        try:
            ip = ipaddress.ip_address(request.client_ip)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(v, strict=False) for v in condition.values)
    return False  # a condition this emulator does not know never matches


def rule_matches(rule: Rule, request: HttpRequest) -> bool:
    return all(_condition_matches(c, request) for c in rule.conditions)


def select_rule(rules: Sequence[Rule], request: HttpRequest) -> Rule | None:
    """The first matching rule by priority (lowest number first), the default rule last."""
    ordered = sorted(rules, key=lambda r: (r.priority is None, r.priority or 0))
    for rule in ordered:
        if rule.priority is None or rule_matches(rule, request):
            return rule
    return None


def final_action(rule: Rule) -> Action:
    """The terminal action (forward, fixed-response or redirect) of a rule, by ``Order``."""
    return sorted(rule.actions, key=lambda a: a.order)[-1]


def choose_target_group(action: Action, rng: random.Random | None = None) -> str:
    groups = [(arn, weight) for arn, weight in action.target_groups if weight > 0] or list(
        action.target_groups
    )
    if len(groups) == 1:
        return groups[0][0]
    chooser = rng or random.Random()  # noqa: S311 - load spreading, not security
    return chooser.choices([g[0] for g in groups], weights=[max(g[1], 1) for g in groups])[0]


# ---- fixed responses, redirects, errors ------------------------------------------------------


def error_page(status: int) -> HttpResponse:
    """The ALB's own error page (HTML, as on AWS)."""
    title = f"{status} {HTTPStatus(status).phrase}"
    body = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n"
        f"<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return HttpResponse(status, (("Server", "awselb/2.0"), ("Content-Type", "text/html")), body.encode())


def fixed_response(config: Mapping[str, str]) -> HttpResponse:
    headers = [("Server", "awselb/2.0")]
    if config.get("ContentType"):
        headers.append(("Content-Type", config["ContentType"]))
    return HttpResponse(
        int(config.get("StatusCode", "200")), tuple(headers), config.get("MessageBody", "").encode()
    )


def redirect_response(config: Mapping[str, str], request: HttpRequest) -> HttpResponse:
    host_header = request.header("host") or "localhost"
    host = host_header.rsplit(":", 1)[0] if ":" in host_header else host_header
    values = {
        "#{protocol}": request.protocol,
        "#{host}": host,
        "#{port}": str(request.port),
        "#{path}": request.path.lstrip("/"),
        "#{query}": request.query,
    }

    def fill(template: str) -> str:
        for key, value in values.items():
            template = template.replace(key, value)
        return template

    protocol = fill(config.get("Protocol", "#{protocol}")).lower()
    port = fill(config.get("Port", "#{port}"))
    path = "/" + fill(config.get("Path", "/#{path}")).lstrip("/")
    query = fill(config.get("Query", "#{query}"))
    default_port = {"http": "80", "https": "443"}.get(protocol)
    location = f"{protocol}://{fill(config.get('Host', '#{host}'))}"
    location += "" if port == default_port else f":{port}"
    location += path + (f"?{query}" if query else "")
    status = 301 if config.get("StatusCode", "HTTP_301") == "HTTP_301" else 302
    return HttpResponse(status, (("Server", "awselb/2.0"), ("Location", location)), b"")


# ---- Lambda event and response ---------------------------------------------------------------


def is_text_body(content_type: str | None, content_encoding: str | None) -> bool:
    if content_encoding:
        return False
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return bool(media_type) and TEXT_TYPES.match(media_type) is not None


def trace_id(now: float | None = None) -> str:
    return f"Root=1-{int(now or time.time()):08x}-{secrets.token_hex(12)}"


def forwarded_headers(request: HttpRequest, drop_invalid: bool) -> list[tuple[str, str]]:
    """The request's headers as the target sees them: lower-cased, with the ALB's own added."""
    headers: list[tuple[str, str]] = []
    forwarded_for = None
    for name, value in request.headers:
        lower = name.lower()
        if drop_invalid and not VALID_HEADER_NAME.match(name):
            continue
        if lower in ("x-forwarded-proto", "x-forwarded-port", "x-amzn-trace-id", "connection"):
            continue
        if lower == "x-forwarded-for":
            forwarded_for = value
            continue
        headers.append((lower, value))
    headers.append(
        ("x-forwarded-for", f"{forwarded_for}, {request.client_ip}" if forwarded_for else request.client_ip)
    )
    headers.append(("x-forwarded-proto", request.protocol))
    headers.append(("x-forwarded-port", str(request.port)))
    headers.append(("x-amzn-trace-id", trace_id()))
    return headers


def build_event(
    request: HttpRequest, target_group_arn: str, *, multi_value: bool, drop_invalid_headers: bool = False
) -> dict[str, Any]:
    """The Lambda event an ALB sends for ``request``."""
    headers = forwarded_headers(request, drop_invalid_headers)
    query = parse_query(request.query)
    if not request.body:
        body, encoded = "", False
    elif is_text_body(request.header("content-type"), request.header("content-encoding")):
        try:
            body, encoded = request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(request.body).decode("ascii"), True
    else:
        body, encoded = base64.b64encode(request.body).decode("ascii"), True
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": target_group_arn}},
        "httpMethod": request.method,
        "path": request.path,
    }
    if multi_value:
        multi_query: dict[str, list[str]] = {}
        for key, value in query:
            multi_query.setdefault(key, []).append(value)
        multi_headers: dict[str, list[str]] = {}
        for key, value in headers:
            multi_headers.setdefault(key, []).append(value)
        event["multiValueQueryStringParameters"] = multi_query
        event["multiValueHeaders"] = multi_headers
    else:  # single-value mode: the last value of a repeated name wins
        event["queryStringParameters"] = dict(query)
        event["headers"] = dict(headers)
    event["body"] = body
    event["isBase64Encoded"] = encoded
    return event


class InvalidLambdaResponse(ValueError):
    """The function's answer is not an ALB response: the ALB answers 502."""


def translate_response(result: Any, *, multi_value: bool) -> HttpResponse:
    """The HTTP response for a Lambda target's answer, in the target group's header mode."""
    if not isinstance(result, Mapping):
        raise InvalidLambdaResponse("the response is not a JSON object")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise InvalidLambdaResponse("statusCode is missing or not an HTTP status")
    headers: list[tuple[str, str]] = []
    if multi_value:
        raw = result.get("multiValueHeaders") or {}
        if not isinstance(raw, Mapping):
            raise InvalidLambdaResponse("multiValueHeaders is not an object")
        for name, values in raw.items():
            if not isinstance(values, list):
                raise InvalidLambdaResponse("multiValueHeaders values must be lists")
            headers.extend((str(name), _header_value(v)) for v in values)
    else:
        raw = result.get("headers") or {}
        if not isinstance(raw, Mapping):
            raise InvalidLambdaResponse("headers is not an object")
        headers.extend((str(name), _header_value(value)) for name, value in raw.items())
    headers = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif not isinstance(raw_body, str):
        raise InvalidLambdaResponse("body is not a string")
    elif result.get("isBase64Encoded") is True:
        try:
            body = base64.b64decode(raw_body, validate=True)
        except ValueError as exc:
            raise InvalidLambdaResponse("body is not valid base64") from exc
    else:
        body = raw_body.encode("utf-8", "surrogateescape")
    if len(body) > MAX_LAMBDA_BODY_BYTES:
        raise InvalidLambdaResponse("the response body exceeds 1 MB")
    return HttpResponse(status, tuple(headers), body)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidLambdaResponse("a header value is not a string")


# ---- reading the listener from the emulator --------------------------------------------------


def _conditions(raw: Sequence[Mapping[str, Any]]) -> tuple[Condition, ...]:
    out = []
    for cond in raw:
        kind = cond["Field"]
        if kind == "path-pattern":
            values = (cond.get("PathPatternConfig") or {}).get("Values") or cond.get("Values") or []
            out.append(Condition(kind, tuple(values)))
        elif kind == "host-header":
            values = (cond.get("HostHeaderConfig") or {}).get("Values") or cond.get("Values") or []
            out.append(Condition(kind, tuple(values)))
        elif kind == "http-request-method":
            out.append(Condition(kind, tuple((cond.get("HttpRequestMethodConfig") or {}).get("Values", []))))
        elif kind == "http-header":
            config = cond.get("HttpHeaderConfig") or {}
            out.append(
                Condition(kind, tuple(config.get("Values", [])), header_name=config.get("HttpHeaderName"))
            )
        elif kind == "query-string":
            pairs = tuple(
                (p.get("Key"), p.get("Value", ""))
                for p in (cond.get("QueryStringConfig") or {}).get("Values", [])
            )
            out.append(Condition(kind, pairs=pairs))
        elif kind == "source-ip":
            out.append(Condition(kind, tuple((cond.get("SourceIpConfig") or {}).get("Values", []))))
        else:
            out.append(Condition(kind))
    return tuple(out)


def _actions(raw: Sequence[Mapping[str, Any]]) -> tuple[Action, ...]:
    out = []
    for index, action in enumerate(raw):
        groups: tuple[tuple[str, int], ...] = ()
        if action["Type"] == "forward":
            forward = action.get("ForwardConfig") or {}
            groups = tuple(
                (g["TargetGroupArn"], int(g.get("Weight", 1))) for g in forward.get("TargetGroups", [])
            )
            if not groups and action.get("TargetGroupArn"):
                groups = ((action["TargetGroupArn"], 1),)
        out.append(
            Action(
                type=action["Type"],
                order=int(action.get("Order", index + 1)),
                target_groups=groups,
                fixed=dict(action.get("FixedResponseConfig") or {}),
                redirect=dict(action.get("RedirectConfig") or {}),
            )
        )
    return tuple(out)


def rules_from_api(raw_rules: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            priority=None if r.get("IsDefault") or r.get("Priority") == "default" else int(r["Priority"]),
            conditions=_conditions(r.get("Conditions") or []),
            actions=_actions(r.get("Actions") or []),
            arn=r.get("RuleArn", ""),
        )
        for r in raw_rules
    )


def load_listener(elbv2: Any, load_balancer_arn: str, protocol: str = "HTTP") -> Listener:
    """The load balancer's first ``protocol`` listener with its rules and target groups."""
    listeners = elbv2.describe_listeners(LoadBalancerArn=load_balancer_arn)["Listeners"]
    chosen = sorted((x for x in listeners if x["Protocol"] == protocol), key=lambda x: x["Port"])
    if not chosen:
        raise LookupError(f"load balancer {load_balancer_arn} has no {protocol} listener")
    listener = chosen[0]
    raw_rules = []
    for page in elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener["ListenerArn"]):
        raw_rules.extend(page["Rules"])
    if not any(r.get("IsDefault") for r in raw_rules):
        raw_rules.append({"IsDefault": True, "Priority": "default", "Actions": listener["DefaultActions"]})
    rules = rules_from_api(raw_rules)
    groups: dict[str, TargetGroup] = {}
    for rule in rules:
        for action in rule.actions:
            for arn, _weight in action.target_groups:
                if arn not in groups:
                    groups[arn] = load_target_group(elbv2, arn)
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=load_balancer_arn)["Attributes"]
    }
    return Listener(
        arn=listener["ListenerArn"],
        port=int(listener["Port"]),
        protocol=protocol,
        rules=rules,
        target_groups=groups,
        drop_invalid_header_fields=attributes.get("routing.http.drop_invalid_header_fields.enabled")
        == "true",
    )


def load_target_group(elbv2: Any, arn: str) -> TargetGroup:
    group = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return TargetGroup(
        arn=arn,
        target_type=group.get("TargetType", "instance"),
        multi_value=attributes.get("lambda.multi_value_headers.enabled") == "true",
        targets=tuple(h["Target"]["Id"] for h in health),
    )


def dumps_compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
