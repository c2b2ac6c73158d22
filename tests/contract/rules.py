"""AWS's documented rules for what this module creates, checked on plans: the rules the emulator (moto)
does not enforce, so that a plan which applies to moto also applies to AWS.

Each rule names its source (an AWS page or API reference) and quotes it. A rule reads the resources of a
plan made after an apply to moto (tests/policy/policy_runner.py), so that the values only known after
apply (ARNs inside policies, generated names, client ids) are there, and returns what breaks it: one
line per violation, naming the resource. The API references' shapes are also in botocore's models
(``botocore/data/<service>/<version>/service-2.json``), AWS's own machine-readable copy.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from tests.contract.dashboard_schema import DASHBOARD_BODY

Json = dict[str, Any]


@dataclass(frozen=True)
class Resource:
    address: str
    type: str
    values: Json


def resources(plan: Json) -> list[Resource]:
    """Every managed resource of a plan's planned values (after an apply and a plan, all known)."""

    def walk(module: Json) -> Iterator[Json]:
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    return [
        Resource(r["address"], r["type"], r.get("values") or {})
        for r in walk(plan.get("planned_values", {}).get("root_module", {}))
        if r.get("mode") == "managed"
    ]


def of_type(found: list[Resource], resource_type: str) -> list[Resource]:
    return [r for r in found if r.type == resource_type]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first(value: Any) -> Json:
    items = _list(value)
    return items[0] if items and isinstance(items[0], dict) else {}


@dataclass(frozen=True)
class Rule:
    service: str
    name: str
    source: str
    quote: str
    check: Callable[[list[Resource]], list[str]]


RULES: list[Rule] = []


def rule(service: str, name: str, source: str, quote: str) -> Callable[[Callable[..., list[str]]], Any]:
    def register(check: Callable[[list[Resource]], list[str]]) -> Callable[[list[Resource]], list[str]]:
        RULES.append(Rule(service, name, source, quote, check))
        return check

    return register


# ---- CloudWatch --------------------------------------------------------------------------------

CW_DASHBOARD = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html"
CW_SEARCH = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html"
CW_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
CW_QUOTAS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html"
LOGS_QUERY = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html"


def _bodies(found: list[Resource]) -> Iterator[tuple[Resource, Json]]:
    for dashboard in of_type(found, "aws_cloudwatch_dashboard"):
        yield dashboard, json.loads(dashboard.values["dashboard_body"])


@rule(
    "CloudWatch",
    "dashboard body follows the dashboard body structure",
    CW_DASHBOARD,
    '"metrics ... Type: Array of arrays"; "[ Namespace, MetricName, [{DimensionName,DimensionValue}...] '
    '{Rendering Properties Object} ]"; "region ... Required: Yes"; widgets "between 0 and 500"',
)
def dashboard_body(found: list[Resource]) -> list[str]:
    validator = jsonschema.Draft202012Validator(DASHBOARD_BODY)
    problems = []
    for dashboard, body in _bodies(found):
        for error in validator.iter_errors(body):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{dashboard.address}: {where}: {error.message[:200]}")
        for w, widget in enumerate(body.get("widgets", [])):
            for r, row in enumerate((widget.get("properties") or {}).get("metrics", [])):
                # The rendering object, when there is one, ends the row.
                objects = (
                    [i for i, item in enumerate(row) if isinstance(item, dict)]
                    if isinstance(row, list)
                    else []
                )
                if objects and objects[-1] != len(row) - 1:
                    problems.append(f"{dashboard.address}: widgets/{w}/metrics/{r}: options not last")
    return problems


@rule(
    "CloudWatch",
    "dashboard name",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
    '"The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"."',
)
def dashboard_name(found: list[Resource]) -> list[str]:
    return [
        f"{d.address}: dashboard_name {d.values.get('dashboard_name')!r}"
        for d in of_type(found, "aws_cloudwatch_dashboard")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", str(d.values.get("dashboard_name")))
    ]


_SEARCH = re.compile(r"SEARCH\('(?P<query>(?:[^'\\]|\\.)*)'")


@rule(
    "CloudWatch",
    "search expressions: quoted names, query size, 100 per graph",
    CW_SEARCH,
    '"you must enclose the name that contains those characters with double quotes"; "The maximum search '
    'expression query size is 1024 characters. You can have as many as 100 search expressions on one graph."',
)
def search_expressions(found: list[Resource]) -> list[str]:
    problems = []
    for dashboard, body in _bodies(found):
        for w, widget in enumerate(body.get("widgets", [])):
            searches = []
            for row in (widget.get("properties") or {}).get("metrics", []):
                for item in row if isinstance(row, list) else []:
                    if isinstance(item, dict) and "SEARCH(" in str(item.get("expression", "")):
                        searches.append(str(item["expression"]))
            if len(searches) > 100:
                problems.append(f"{dashboard.address}: widget {w} has {len(searches)} search expressions")
            for expression in searches:
                match = _SEARCH.search(expression)
                if match is None:
                    problems.append(f"{dashboard.address}: widget {w}: unreadable {expression[:80]!r}")
                    continue
                query = match["query"]
                if len(query) > 1024:
                    problems.append(
                        f"{dashboard.address}: widget {w}: search query of {len(query)} characters"
                    )
                schema = re.match(r"\s*\{(?P<names>[^}]*)\}", query)
                for raw in re.findall(r'"[^"]*"|[^,]+', schema["names"]) if schema else []:
                    name = raw.strip()
                    if not name.startswith('"') and not re.fullmatch(r"[A-Za-z0-9]+", name):
                        problems.append(f"{dashboard.address}: widget {w}: unquoted schema name {name!r}")
    return problems


@rule(
    "CloudWatch",
    "metrics per widget and per dashboard",
    CW_QUOTAS,
    '"Up to 500 widgets per dashboard. Up to 500 metrics per dashboard widget. Up to 2500 metrics per '
    'dashboard, across all widgets." (a SEARCH counts as the time series it can return: outcomes here)',
)
def dashboard_metric_counts(found: list[Resource]) -> list[str]:
    # The verifier's Outcome dimension has 12 values (README, Operate): a requests SEARCH returns at most 12.
    per_search = 12
    problems = []
    for dashboard, body in _bodies(found):
        total = 0
        for w, widget in enumerate(body.get("widgets", [])):
            count = 0
            for row in (widget.get("properties") or {}).get("metrics", []):
                first = row[0] if isinstance(row, list) and row else None  # a malformed row: its own rule
                expression = str(first.get("expression", "")) if isinstance(first, dict) else ""
                count += per_search if expression.startswith("SEARCH(") else (0 if expression else 1)
            if count > 500:
                problems.append(f"{dashboard.address}: widget {w} shows {count} metrics")
            total += count
        if total > 2500:
            problems.append(f"{dashboard.address}: {total} metrics in all")
    return problems


@rule(
    "CloudWatch Logs",
    "log widget queries: 50 log groups, 10,000 characters",
    LOGS_QUERY,
    '"You can include up to 50 log groups."; queryString "max": 10000',
)
def log_queries(found: list[Resource]) -> list[str]:
    problems = []
    for dashboard, body in _bodies(found):
        for w, widget in enumerate(body.get("widgets", [])):
            if widget.get("type") != "log":
                continue
            query = str(widget["properties"].get("query", ""))
            groups = re.findall(r"SOURCE '([^']+)'", query)
            if len(groups) > 50:
                problems.append(f"{dashboard.address}: widget {w} queries {len(groups)} log groups")
            if len(query) > 10000:
                problems.append(f"{dashboard.address}: widget {w}: query of {len(query)} characters")
            bad = [g for g in groups if not re.fullmatch(r"[.\-_/#A-Za-z0-9]{1,512}", g)]
            if bad:
                problems.append(f"{dashboard.address}: widget {w}: log group names {bad}")
    return problems


@rule(
    "CloudWatch",
    "alarm fields",
    CW_ALARM,
    'AlarmName "min 1, max 255", "can\'t contain ASCII control characters"; AlarmDescription max 1024; '
    'Dimensions "max": 30, name 1-255, value 1-1024; actions "max": 5; Period "10, 20, 30, and any multiple '
    'of 60"; "the total evaluation period can\'t be longer than one day (86,400 seconds)" under an hour',
)
def alarms(found: list[Resource]) -> list[str]:
    problems = []
    for alarm in of_type(found, "aws_cloudwatch_metric_alarm"):
        v, at = alarm.values, alarm.address
        name = str(v.get("alarm_name", ""))
        if not 1 <= len(name) <= 255 or re.search(r"[\x00-\x1f\x7f]", name):
            problems.append(f"{at}: alarm_name {name!r}")
        if len(v.get("alarm_description") or "") > 1024:
            problems.append(f"{at}: description of {len(v['alarm_description'])} characters")
        dimensions = v.get("dimensions") or {}
        if len(dimensions) > 30 or any(
            not 1 <= len(k) <= 255 or not 1 <= len(str(d)) <= 1024 for k, d in dimensions.items()
        ):
            problems.append(f"{at}: dimensions {dimensions}")
        for field in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
            if len(_list(v.get(field))) > 5:
                problems.append(f"{at}: {len(v[field])} {field}")
        period, periods = int(v.get("period") or 0), int(v.get("evaluation_periods") or 0)
        if not (period in (10, 20, 30) or (period > 0 and period % 60 == 0)):
            problems.append(f"{at}: period {period}")
        if periods < 1 or period * periods > (86_400 if period < 3600 else 604_800):
            problems.append(f"{at}: {periods} periods of {period} s")
        namespace, metric = str(v.get("namespace", "")), str(v.get("metric_name", ""))
        if not 1 <= len(namespace) <= 255 or namespace.startswith(":") or not 1 <= len(metric) <= 255:
            problems.append(f"{at}: namespace {namespace!r}, metric {metric!r}")
        statistic, extended = v.get("statistic") or None, v.get("extended_statistic") or None
        if (statistic is None) == (extended is None):
            problems.append(f"{at}: needs either statistic or extended_statistic")
        if statistic not in (None, "SampleCount", "Average", "Sum", "Minimum", "Maximum"):
            problems.append(f"{at}: statistic {statistic!r}")
        if v.get("treat_missing_data") not in ("breaching", "notBreaching", "ignore", "missing"):
            problems.append(f"{at}: treat_missing_data {v.get('treat_missing_data')!r}")
    return problems


@rule(
    "CloudWatch",
    "metric namespace",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html",
    'Namespace "Minimum length of 1. Maximum length of 255." "Pattern: [^:].*"; "you should not specify '
    'a namespace that begins with AWS/"',
)
def metrics_namespace(found: list[Resource]) -> list[str]:
    problems = []
    for function in of_type(found, "aws_lambda_function"):
        namespace = (_first(function.values.get("environment")).get("variables") or {}).get(
            "METRICS_NAMESPACE"
        )
        if namespace is not None and (
            not 1 <= len(namespace) <= 255 or namespace.startswith((":", "AWS/")) or not namespace.isascii()
        ):
            problems.append(f"{function.address}: METRICS_NAMESPACE {namespace!r}")
    return problems


# ---- Elastic Load Balancing --------------------------------------------------------------------

ALB_RULES = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html"
ALB_QUOTAS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
_PATH_PATTERN = re.compile(r"[A-Za-z0-9_\-.$/~\"'@:+*?]{1,128}")


def _conditions(listener_rule: Resource) -> list[Json]:
    return [c for c in _list(listener_rule.values.get("condition")) if isinstance(c, dict)]


def _values(condition: Json, kind: str) -> list[str]:
    return [
        str(x)
        for block in _list(condition.get(kind))
        if isinstance(block, dict)
        for x in _list(block.get("values"))
    ]


@rule(
    "ELBv2",
    "path patterns",
    ALB_RULES,
    '"A path pattern is case-sensitive, can be up to 128 characters in length, and can contain any of the '
    "following characters. A-Z, a-z, 0-9; _ - . $ / ~ \" ' @ : +; & (using &amp;); * (matches 0 or more "
    'characters); ? (matches exactly 1 character)"',
)
def path_patterns(found: list[Resource]) -> list[str]:
    return [
        f"{r.address}: path pattern {p!r}"
        for r in of_type(found, "aws_lb_listener_rule")
        for c in _conditions(r)
        for p in _values(c, "path_pattern")
        if not _PATH_PATTERN.fullmatch(p)
    ]


@rule(
    "ELBv2",
    "condition values and wildcards per rule",
    ALB_QUOTAS,
    '"Condition values per rule: 5"; "Condition wildcards per rule: 5"; "Match evaluations per rule: 5"',
)
def rule_conditions(found: list[Resource]) -> list[str]:
    problems = []
    for r in of_type(found, "aws_lb_listener_rule"):
        values = [
            v
            for c in _conditions(r)
            for kind in ("path_pattern", "host_header", "http_request_method", "source_ip", "http_header")
            for v in _values(c, kind)
        ]
        wildcards = sum(
            v.count("*") + v.count("?") for c in _conditions(r) for v in _values(c, "path_pattern")
        )
        if len(values) > 5:
            problems.append(f"{r.address}: {len(values)} condition values")
        if wildcards > 5:
            problems.append(f"{r.address}: {wildcards} wildcards")
    return problems


@rule(
    "ELBv2",
    "rule priorities: 1-50000, unique per listener",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html",
    '"Priority ... Valid Range: Minimum value of 1. Maximum value of 50000."; "A listener can\'t have '
    'multiple rules with the same priority." (PriorityInUse: "The specified priority is in use.")',
)
def rule_priorities(found: list[Resource]) -> list[str]:
    by_listener: dict[str, list[Any]] = defaultdict(list)
    problems = []
    for r in of_type(found, "aws_lb_listener_rule"):
        priority = r.values.get("priority")
        if not isinstance(priority, int) or not 1 <= priority <= 50000:
            problems.append(f"{r.address}: priority {priority!r}")
        by_listener[str(r.values.get("listener_arn"))].append(priority)
    for listener, priorities in by_listener.items():
        twice = sorted(p for p, n in Counter(priorities).items() if n > 1)
        if twice:
            problems.append(f"listener {listener}: priorities {twice} used twice")
    return problems


@rule(
    "ELBv2",
    "rules and target groups per load balancer",
    ALB_QUOTAS,
    '"Rules per Application Load Balancer (excluding default rules): 100"; "Target groups per Application '
    'Load Balancer: 100"',
)
def rules_per_load_balancer(found: list[Resource]) -> list[str]:
    listeners = len(of_type(found, "aws_lb_listener"))
    balancers = max(1, len(of_type(found, "aws_lb")))
    rules = len(of_type(found, "aws_lb_listener_rule"))
    groups = len(of_type(found, "aws_lb_target_group"))
    problems = []
    if listeners and rules > 100 * balancers:
        problems.append(f"{rules} listener rules for {balancers} load balancer(s)")
    if groups > 100 * balancers:
        problems.append(f"{groups} target groups for {balancers} load balancer(s)")
    return problems


@rule(
    "ELBv2",
    "load balancer and target group names",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    '"This name must be unique per region per account, can have a maximum of 32 characters, must contain '
    'only alphanumeric characters or hyphens, and must not begin or end with a hyphen." (and a load '
    'balancer\'s "must not begin with "internal-"")',
)
def elb_names(found: list[Resource]) -> list[str]:
    problems = []
    for kind in ("aws_lb", "aws_lb_target_group"):
        for r in of_type(found, kind):
            name = str(r.values.get("name"))
            if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?", name) or (
                kind == "aws_lb" and name.startswith("internal-")
            ):
                problems.append(f"{r.address}: name {name!r}")
    return problems


# ---- Lambda ------------------------------------------------------------------------------------

LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
LAMBDA_RESERVED = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
}  # fmt: skip


@rule(
    "Lambda",
    "environment: 4 KB in all, key names",
    LAMBDA_QUOTAS,
    '"Function environment variables: 4 KB, for all environment variables associated with the function, in '
    'aggregate" (measured as the JSON of the variables: its error says "String measured: {...}"); "Keys '
    'start with a letter and are at least two characters", "aren\'t reserved by Lambda"',
)
def lambda_environment(found: list[Resource]) -> list[str]:
    problems = []
    for function in of_type(found, "aws_lambda_function"):
        variables = _first(function.values.get("environment")).get("variables") or {}
        size = len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode())
        if size > 4096:
            problems.append(f"{function.address}: environment of {size} bytes")
        bad = [k for k in variables if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_]+", k) or k in LAMBDA_RESERVED]
        if bad:
            problems.append(f"{function.address}: environment keys {bad}")
    return problems


@rule(
    "Lambda",
    "function fields: name, description, layers, memory, timeout",
    "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    '"If you specify only the function name, it is limited to 64 characters in length."; Description '
    '"max": 256; "Function layers: five layers"; MemorySize 128-10240; Timeout up to 900',
)
def lambda_function_fields(found: list[Resource]) -> list[str]:
    problems = []
    for function in of_type(found, "aws_lambda_function"):
        v, at = function.values, function.address
        if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", str(v.get("function_name"))):
            problems.append(f"{at}: function_name {v.get('function_name')!r}")
        if len(v.get("description") or "") > 256:
            problems.append(f"{at}: description of {len(v['description'])} characters")
        if len(_list(v.get("layers"))) > 5:
            problems.append(f"{at}: {len(v['layers'])} layers")
        if not 128 <= int(v.get("memory_size") or 0) <= 10240 or not 1 <= int(v.get("timeout") or 0) <= 900:
            problems.append(f"{at}: memory {v.get('memory_size')} MB, timeout {v.get('timeout')} s")
    return problems


def _zip_sizes(path: str | None) -> tuple[int, int]:
    if not path or not Path(path).is_file():
        return 0, 0
    with zipfile.ZipFile(path) as archive:
        return Path(path).stat().st_size, sum(i.file_size for i in archive.infolist())


@rule(
    "Lambda",
    "deployment package sizes",
    LAMBDA_QUOTAS,
    '"Deployment package (.zip file archive) size: 50 MB (zipped, for direct upload) 250 MB (unzipped, '
    'including layers)"',
)
def package_sizes(found: list[Resource]) -> list[str]:
    layers = {
        r.values.get("arn"): _zip_sizes(r.values.get("filename"))
        for r in of_type(found, "aws_lambda_layer_version")
    }
    problems = []
    for function in of_type(found, "aws_lambda_function"):
        zipped, unzipped = _zip_sizes(function.values.get("filename"))
        unzipped += sum(layers.get(arn, (0, 0))[1] for arn in _list(function.values.get("layers")))
        if zipped > 50 * 1024 * 1024 or unzipped > 250 * 1024 * 1024:
            problems.append(f"{function.address}: {zipped} bytes zipped, {unzipped} unzipped with layers")
    return problems


@rule(
    "Lambda",
    "resource-based policy: 20 KB per function, statement ids",
    LAMBDA_QUOTAS,
    '"Function resource-based policy: 20 KB"; AddPermission StatementId "max":100, "pattern": '
    '"([a-zA-Z0-9-_]+)"',
)
def lambda_resource_policy(found: list[Resource]) -> list[str]:
    statements: dict[str, list[Json]] = defaultdict(list)
    problems = []
    for permission in of_type(found, "aws_lambda_permission"):
        v = permission.values
        if not re.fullmatch(r"[a-zA-Z0-9_-]{1,100}", str(v.get("statement_id"))):
            problems.append(f"{permission.address}: statement_id {v.get('statement_id')!r}")
        # The statement Lambda stores (Using resource-based policies for Lambda: SourceArn as ArnLike,
        # SourceAccount as StringEquals).
        condition: Json = {}
        if v.get("source_arn"):
            condition["ArnLike"] = {"AWS:SourceArn": v["source_arn"]}
        if v.get("source_account"):
            condition["StringEquals"] = {"AWS:SourceAccount": v["source_account"]}
        statements[str(v.get("function_name"))].append(
            {
                "Sid": v.get("statement_id"),
                "Effect": "Allow",
                "Principal": {"Service": v.get("principal")},
                "Action": v.get("action"),
                "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{v.get('function_name')}",
                "Condition": condition,
            }
        )
    for function, listed in statements.items():
        size = len(json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": listed}).encode())
        if size > 20 * 1024:
            problems.append(
                f"function {function}: resource policy of about {size} bytes ({len(listed)} statements)"
            )
    return problems


# ---- IAM ---------------------------------------------------------------------------------------

IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"


def _policy_size(document: str) -> int:
    """Characters of a policy as IAM counts them: "IAM does not count white space"."""
    return len(re.sub(r"\s", "", document))


@rule(
    "IAM",
    "role names and inline policy size per role",
    IAM_QUOTAS,
    '"Role name: 64 characters"; "Role policy size cannot exceed 10,240 characters"; "IAM does not count '
    'white space when calculating the size of a policy"; "Role trust policy length: 2048 characters"; '
    'policy name "max":128, "pattern":"[\\w+=,.@-]+"',
)
def iam_roles(found: list[Resource]) -> list[str]:
    problems = []
    inline: dict[str, int] = defaultdict(int)
    for policy in of_type(found, "aws_iam_role_policy"):
        inline[str(policy.values.get("role"))] += _policy_size(str(policy.values.get("policy") or ""))
        if not re.fullmatch(r"[\w+=,.@-]{1,128}", str(policy.values.get("name"))):
            problems.append(f"{policy.address}: policy name {policy.values.get('name')!r}")
    for role in of_type(found, "aws_iam_role"):
        v = role.values
        if not re.fullmatch(r"[\w+=,.@-]{1,64}", str(v.get("name"))):
            problems.append(f"{role.address}: name {v.get('name')!r}")
        if v.get("name_prefix") is not None and len(v["name_prefix"]) > 64 - 26:
            problems.append(
                f"{role.address}: name_prefix of {len(v['name_prefix'])} characters (+26 Terraform adds)"
            )
        if _policy_size(str(v.get("assume_role_policy") or "")) > 2048:
            problems.append(f"{role.address}: trust policy over 2,048 characters")
        if inline[str(v.get("name"))] > 10_240:
            problems.append(f"{role.address}: {inline[str(v.get('name'))]} characters of inline policy")
        if len(v.get("tags") or {}) > 50:
            problems.append(f"{role.address}: {len(v['tags'])} tags")
    return problems


# ---- Cognito -----------------------------------------------------------------------------------

COGNITO_QUOTAS = "https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html"
_SCOPE_PART = r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}"
_IDENTIFIER = r"[\x21\x23-\x5B\x5D-\x7E]{1,256}"


@rule(
    "Cognito",
    "resource servers and scopes",
    "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html",
    'Identifier "Maximum length of 256. Pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+"; Name "Pattern: '
    '[\\w\\s+=,.@-]+"; Scopes "Maximum number of 100 items"; '
    'ScopeName "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+"; "Resource servers per user pool: 25"',
)
def resource_servers(found: list[Resource]) -> list[str]:
    problems = []
    servers = of_type(found, "aws_cognito_resource_server")
    per_pool = Counter(str(s.values.get("user_pool_id")) for s in servers)
    problems += [f"pool {p}: {n} resource servers" for p, n in per_pool.items() if n > 25]
    for server in servers:
        v = server.values
        if not re.fullmatch(_IDENTIFIER, str(v.get("identifier"))):
            problems.append(f"{server.address}: identifier {v.get('identifier')!r}")
        if not re.fullmatch(r"[\w\s+=,.@-]{1,256}", str(v.get("name"))):
            problems.append(f"{server.address}: name {v.get('name')!r}")
        scopes = _list(v.get("scope"))
        if len(scopes) > 100:
            problems.append(f"{server.address}: {len(scopes)} scopes")
        for scope in scopes:
            if (
                not re.fullmatch(_SCOPE_PART, str(scope.get("scope_name")))
                or not 1 <= len(str(scope.get("scope_description"))) <= 256
            ):
                problems.append(f"{server.address}: scope {scope.get('scope_name')!r}")
    return problems


@rule(
    "Cognito",
    "app clients",
    "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html",
    'ClientName "Maximum length of 128" "[\\w\\s+=,.@-]+"; AllowedOAuthScopes "Maximum number of 50 items", '
    'each "Maximum length of 256"; "you must add client_credentials as the only allowed OAuth flow"; '
    '"Access token | 5 minutes - 1 day"; "App clients per user pool: 1,000"',
)
def app_clients(found: list[Resource]) -> list[str]:
    problems = []
    clients = of_type(found, "aws_cognito_user_pool_client")
    per_pool = Counter(str(c.values.get("user_pool_id")) for c in clients)
    problems += [f"pool {p}: {n} app clients" for p, n in per_pool.items() if n > 1000]
    for client in clients:
        v, at = client.values, client.address
        if not re.fullmatch(r"[\w\s+=,.@-]{1,128}", str(v.get("name"))):
            problems.append(f"{at}: name {v.get('name')!r}")
        scopes = _list(v.get("allowed_oauth_scopes"))
        if len(scopes) > 50 or any(not re.fullmatch(f"{_IDENTIFIER}", s) or len(s) > 256 for s in scopes):
            problems.append(f"{at}: allowed_oauth_scopes {scopes}")
        if _list(v.get("allowed_oauth_flows")) != ["client_credentials"]:
            problems.append(f"{at}: flows {v.get('allowed_oauth_flows')}")
        units = _first(v.get("token_validity_units")).get("access_token", "hours")
        seconds = (
            int(v.get("access_token_validity") or 0)
            * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[units]
        )
        if not 300 <= seconds <= 86400:
            problems.append(f"{at}: access token valid {seconds} s")
    return problems


@rule(
    "Cognito",
    "user pool name and domain prefix",
    "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html",
    'Domain "Maximum length of 63. Pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"; the service refuses '
    'the reserved words ("Domain cannot contain reserved word: aws"); PoolName "[\\w\\s+=,.@-]+", 128',
)
def pool_and_domain(found: list[Resource]) -> list[str]:
    problems = []
    for domain in of_type(found, "aws_cognito_user_pool_domain"):
        prefix = str(domain.values.get("domain"))
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", prefix) or any(
            word in prefix for word in ("aws", "amazon", "cognito")
        ):
            problems.append(f"{domain.address}: domain {prefix!r}")
    for pool in of_type(found, "aws_cognito_user_pool"):
        if not re.fullmatch(r"[\w\s+=,.@-]{1,128}", str(pool.values.get("name"))):
            problems.append(f"{pool.address}: name {pool.values.get('name')!r}")
    return problems


COGNITO_TRIGGER = (
    "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html"
)
COGNITO_TRIGGERS = "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html"
# botocore cognito-idp ArnType: "min":20, "max":2048
_LAMBDA_ARN = re.compile(
    r"arn:[\w+=/,.@-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?"
)


def _pool_triggers(found: list[Resource]) -> Iterator[tuple[Resource, Json]]:
    for pool in of_type(found, "aws_cognito_user_pool"):
        config = _first(_first(pool.values.get("lambda_config")).get("pre_token_generation_config"))
        if config:
            yield pool, config


@rule(
    "Cognito",
    "pre token generation trigger: V3_0 on Essentials or Plus",
    COGNITO_TRIGGER,
    '"For machine-to-machine (M2M) authorization with a client credentials grant, Amazon Cognito '
    "only invokes the pre token generation trigger when your user pool is configured for a version three "
    '(V3_0) event"; "Version three is only available in Essentials and Plus"; '
    'PreTokenGenerationVersionConfigType LambdaVersion "V1_0 | V2_0 | V3_0", LambdaArn ArnType 20-2048; '
    'LambdaConfig.PreTokenGeneration "must be identical" when both are set',
)
def pre_token_generation(found: list[Resource]) -> list[str]:
    problems = []
    for pool, config in _pool_triggers(found):
        at, arn = pool.address, str(config.get("lambda_arn"))
        if config.get("lambda_version") != "V3_0":
            problems.append(f"{at}: lambda_version {config.get('lambda_version')!r} (M2M tokens need V3_0)")
        if not (20 <= len(arn) <= 2048 and _LAMBDA_ARN.fullmatch(arn)):
            problems.append(f"{at}: lambda_arn {arn!r}")
        if pool.values.get("user_pool_tier") not in ("ESSENTIALS", "PLUS"):
            problems.append(
                f"{at}: user_pool_tier {pool.values.get('user_pool_tier')!r} (V3_0 needs Essentials or Plus)"
            )
        legacy = _first(pool.values.get("lambda_config")).get("pre_token_generation")
        if legacy and legacy != arn:
            problems.append(f"{at}: pre_token_generation {legacy!r} differs from the V3_0 config's ARN")
    return problems


@rule(
    "Cognito",
    "pre token generation trigger: invoke permission and 5-second budget",
    COGNITO_TRIGGERS,
    '"When you create a Lambda trigger outside of the Amazon Cognito console ... you must add '
    'permissions to the resource-based policy of the Lambda function" (Principal '
    'cognito-idp.amazonaws.com, AWS:SourceArn the user pool, AWS:SourceAccount); "When Amazon Cognito '
    "calls your Lambda function, it must respond within 5 seconds. ... After three unsuccessful attempts, "
    "the function times out. You can't change this five-second timeout\"",
)
def trigger_permission(found: list[Resource]) -> list[str]:
    problems = []
    functions = {
        str(f.values.get("arn") or f.values.get("function_name")): f
        for f in of_type(found, "aws_lambda_function")
    }
    permissions = [
        p
        for p in of_type(found, "aws_lambda_permission")
        if p.values.get("principal") == "cognito-idp.amazonaws.com"
    ]
    for pool, config in _pool_triggers(found):
        arn = str(config.get("lambda_arn"))
        unqualified = ":".join(arn.split(":")[:7])
        qualifier = arn.split(":")[7] if arn.count(":") >= 7 else None
        pool_arn = pool.values.get("arn")
        granted = [
            p
            for p in permissions
            if p.values.get("function_name") in (unqualified, arn.split(":")[6])
            and (p.values.get("qualifier") or None) == qualifier  # the provider reads back "" for none
            and p.values.get("action") == "lambda:InvokeFunction"
            and (pool_arn is None or p.values.get("source_arn") == pool_arn)
            and re.fullmatch(r"[0-9]{12}", str(p.values.get("source_account")))
        ]
        if not granted:
            problems.append(
                f"{pool.address}: no permission lets this pool (SourceArn, SourceAccount) invoke {arn}"
            )
        function = functions.get(unqualified)
        if function is not None and int(function.values.get("timeout") or 0) > 5:
            problems.append(
                f"{function.address}: timeout {function.values.get('timeout')} s, Cognito waits 5 s"
            )
    for p in permissions:
        if not str(p.values.get("source_arn") or "").startswith(
            "arn:aws:cognito-idp:"
        ) or ":userpool/" not in str(p.values.get("source_arn")):
            problems.append(
                f"{p.address}: cognito-idp may invoke from {p.values.get('source_arn')!r}, not one user pool"
            )
        qualifier = p.values.get("qualifier") or None
        if qualifier is not None and not re.fullmatch(r"[a-zA-Z0-9$_-]{1,128}", str(qualifier)):
            problems.append(f"{p.address}: qualifier {qualifier!r}")
    return problems


# ---- Secrets Manager ---------------------------------------------------------------------------


@rule(
    "Secrets Manager",
    "secret names, recovery window, version labels",
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
    'Name: "The secret name can contain ASCII letters, numbers, and the following characters: /_+=.@-" '
    '(1-512); RecoveryWindowInDays 7-30 (or ForceDeleteWithoutRecovery); VersionStages "Maximum number of '
    '20 items"',
)
def secrets(found: list[Resource]) -> list[str]:
    problems = []
    for secret in of_type(found, "aws_secretsmanager_secret"):
        v = secret.values
        if not re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", str(v.get("name"))):
            problems.append(f"{secret.address}: name {v.get('name')!r}")
        window = v.get("recovery_window_in_days")
        if window not in (0, None) and not 7 <= int(window) <= 30:
            problems.append(f"{secret.address}: recovery window {window}")
    for version in of_type(found, "aws_secretsmanager_secret_version"):
        stages = _list(version.values.get("version_stages"))
        if len(stages) > 20 or any(not 1 <= len(str(s)) <= 256 for s in stages):
            problems.append(f"{version.address}: version_stages {stages}")
    return problems


@rule(
    "Secrets Manager",
    "rotation schedule",
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html",
    'AutomaticallyAfterDays "Minimum value of 1. Maximum value of 1000."',
)
def rotation_schedule(found: list[Resource]) -> list[str]:
    problems = []
    for rotation in of_type(found, "aws_secretsmanager_secret_rotation"):
        rules = _first(rotation.values.get("rotation_rules"))
        days = rules.get("automatically_after_days")
        if not (isinstance(days, int) and 1 <= days <= 1000) and not rules.get("schedule_expression"):
            problems.append(f"{rotation.address}: automatically_after_days {days!r}")
        if not str(rotation.values.get("rotation_lambda_arn", "")).startswith("arn:"):
            problems.append(
                f"{rotation.address}: rotation_lambda_arn {rotation.values.get('rotation_lambda_arn')!r}"
            )
    return problems


def _secretsmanager_operations() -> set[str]:
    """The Secrets Manager API's operation names, from botocore's model (AWS's machine-readable copy)."""
    import botocore.loaders  # the venv has boto3; only the secret-policy rule needs it

    model = botocore.loaders.create_loader().load_service_model("secretsmanager", "service-2")
    return set(model["operations"])


# An IAM role ARN: "Path names must begin and end with a forward slash (/)" (at most 512 characters,
# pattern (\u002F)|(\u002F[\u0021-\u007E]+\u002F)); role name "max": 64, "pattern": "[\w+=,.@-]+".
ROLE_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:iam::[0-9]{12}:role/([\x21-\x7E]{1,510}/)?[\w+=,.@-]{1,64}",
    re.ASCII,
)
KEY_ARN = re.compile(r"arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-)?[0-9a-f-]{32,36}")


@rule(
    "Secrets Manager",
    "secret resource policies shared with other accounts",
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html; "
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html",
    'ResourcePolicy "Length Constraints: Minimum length of 1. Maximum length of 20480."; BlockPublicPolicy '
    '"Specifies whether to block resource-based policies that allow broad access to the secret, for example '
    "those that use a wildcard for the principal. By default, public policies aren't blocked.\"; \"you can't "
    "use the AWS managed key (aws/secretsmanager) for cross-account access. Instead, you must encrypt your "
    'secret with a KMS key that you create"; IAM: a principal "arn:aws:iam::<id>:root" "delegates authority '
    'to the account"',
)
def secret_policies(found: list[Resource]) -> list[str]:
    problems = []
    operations = _secretsmanager_operations()
    secrets = {s.values.get("arn"): s for s in of_type(found, "aws_secretsmanager_secret")}
    for policy in of_type(found, "aws_secretsmanager_secret_policy"):
        v, at = policy.values, policy.address
        text = str(v.get("policy") or "")
        if not 1 <= len(text) <= 20480:
            problems.append(f"{at}: policy of {len(text)} characters")
        if v.get("block_public_policy") is not True:
            problems.append(f"{at}: put without block_public_policy")
        try:
            statements = _list(json.loads(text).get("Statement"))
        except (ValueError, AttributeError):
            problems.append(f"{at}: policy is not a JSON object")
            continue
        for statement in statements:
            principal = statement.get("Principal")
            roles = _list(principal.get("AWS")) if isinstance(principal, dict) else [principal]
            for role in roles:
                if not ROLE_ARN.fullmatch(str(role)) or "*" in str(role) or "?" in str(role):
                    problems.append(f"{at}: principal {role!r} is not one IAM role")
            for action in _list(statement.get("Action")):
                service, _, name = str(action).partition(":")
                if service != "secretsmanager" or name not in operations:
                    problems.append(f"{at}: action {action!r} is not a Secrets Manager operation")
        secret = secrets.get(v.get("secret_arn"))
        if secret is None:
            problems.append(f"{at}: secret {v.get('secret_arn')!r} is not in the plan")
        elif not KEY_ARN.fullmatch(str(secret.values.get("kms_key_id") or "")):
            problems.append(
                f"{at}: its secret is encrypted with {secret.values.get('kms_key_id')!r}, not a key ARN"
            )
    return problems


# ---- KMS -----------------------------------------------------------------------------------------


@rule(
    "KMS",
    "customer managed keys",
    "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html; "
    "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html; "
    "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html",
    'Description "Maximum length of 8192"; PendingWindowInDays "If you include a value, it must be between 7 '
    'and 30, inclusive"; "Key policy document size: 32 KB (32,768 bytes)", Policy pattern '
    "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
)
def kms_keys(found: list[Resource]) -> list[str]:
    problems = []
    for key in of_type(found, "aws_kms_key"):
        v, at = key.values, key.address
        if len(str(v.get("description") or "")) > 8192:
            problems.append(f"{at}: description of {len(str(v.get('description')))} characters")
        window = v.get("deletion_window_in_days")
        if window is not None and not 7 <= int(window) <= 30:
            problems.append(f"{at}: deletion_window_in_days {window}")
        policy = v.get("policy")
        if policy and (
            len(str(policy).encode()) > 32768 or not re.fullmatch(r"[\t\n\r\x20-\xff]+", str(policy))
        ):
            problems.append(f"{at}: key policy of {len(str(policy).encode())} bytes or with other characters")
    return problems


# ---- DynamoDB ----------------------------------------------------------------------------------


@rule(
    "DynamoDB",
    "table name, key and TTL attributes",
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
    '"Table names and index names must be between 3 and 255 characters long, and can contain only the '
    'following characters: a-z A-Z 0-9 _ (underscore) - (dash) . (dot)"; KeySchemaAttributeName and '
    'TimeToLiveAttributeName 1-255; a TTL attribute "is a Number data type" holding epoch seconds',
)
def dynamodb_tables(found: list[Resource]) -> list[str]:
    problems = []
    for table in of_type(found, "aws_dynamodb_table"):
        v, at = table.values, table.address
        if not re.fullmatch(r"[a-zA-Z0-9_.-]{3,255}", str(v.get("name"))):
            problems.append(f"{at}: name {v.get('name')!r}")
        keys = [k for k in (v.get("hash_key"), v.get("range_key")) if k]
        if any(not 1 <= len(k) <= 255 for k in keys):
            problems.append(f"{at}: key attributes {keys}")
        declared = {a.get("name"): a.get("type") for a in _list(v.get("attribute"))}
        if any(declared.get(k) not in ("S", "N", "B") for k in keys):
            problems.append(f"{at}: key attributes {keys} not declared as S, N or B")
        ttl = _first(v.get("ttl"))
        if ttl.get("enabled") and not 1 <= len(str(ttl.get("attribute_name") or "")) <= 255:
            problems.append(f"{at}: TTL attribute {ttl.get('attribute_name')!r}")
        if ttl.get("attribute_name") in declared and declared[ttl["attribute_name"]] != "N":
            problems.append(f"{at}: TTL attribute declared as {declared[ttl['attribute_name']]}")
    return problems
