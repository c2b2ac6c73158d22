"""The protected function's metrics: one valid EMF record per request, on every outcome path.

Records are checked against the specification by ``tests/emf_schema.py`` (written from the
documentation, not from our emitter). Real RSA keys and a loopback JWKS server; nothing is mocked.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from resource_testkit import NOW, FakeClock, JwksServer, Keys, TokenFactory
from test_resource_handler import app_env, bearer, event

from cognito_m2m_verifier import errors
from cognito_m2m_verifier._shared.config import ConfigError
from cognito_m2m_verifier._shared.emf import MetricsConfig, directive, record_level
from cognito_m2m_verifier.access_log import AccessLog
from cognito_m2m_verifier.events import HttpResponse
from cognito_m2m_verifier.handler import ResourceApp, build_app
from cognito_m2m_verifier.request_metrics import OUTCOMES, RequestMetrics, outcome_category
from tests.emf_schema import check_record, dimension_values, metric_values

NAMESPACE = "CognitoM2MTest"
FUNCTION = "demo-resource"
REASONS = {
    cls.reason
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.InvalidToken)
} | {"verifier_bug"}


@pytest.fixture
def metered(
    make_jwks: Callable[..., Any], jwks_server: JwksServer, clock: FakeClock
) -> Callable[..., tuple[ResourceApp, io.StringIO]]:
    """``metered(**env)``: an app with metrics on, writing its lines to a StringIO it returns."""

    def make(jwks_url: str | None = None, **over: str) -> tuple[ResourceApp, io.StringIO]:
        url = jwks_url or jwks_server.url
        env = app_env(url, METRICS_NAMESPACE=NAMESPACE, AWS_LAMBDA_FUNCTION_NAME=FUNCTION, **over)
        app = build_app(env, jwks=make_jwks(url=url), clock=clock)
        stream = io.StringIO()
        app.access_log = AccessLog("cognito_m2m_verifier", enabled=True, stream=stream)
        return app, stream

    return make


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = stream.getvalue().splitlines()
    return [json.loads(line) for line in lines]


def test_every_outcome_writes_one_valid_record(
    metered: Callable[..., tuple[ResourceApp, io.StringIO]],
    tokens: TokenFactory,
    keys: Keys,
    jwks_server: JwksServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, stream = metered()
    good = tokens.make()
    reader = tokens.make(scope="rest-api/read")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"requestContext": {"elb": {}}, "httpMethod": 7}, "bad_event"),
        (event("single", path="/nowhere"), "not_found"),
        (event("single", method="DELETE"), "method_not_allowed"),
        (event("single"), "no_token"),
        (event("single", headers={"Authorization": ["Basic eDp5"]}), "no_token"),
        (event("single", headers={"Authorization": ["Bearer a b"]}), "invalid_request"),
        (event("single", query={"access_token": [good]}), "invalid_request"),
        (event("single", headers=bearer(tokens.make(key=keys.stranger))), "invalid_token"),
        (event("single", headers=bearer(tokens.make(exp=NOW - 5, iat=NOW - 3605))), "invalid_token"),
        (event("single", headers=bearer("not.a.token")), "invalid_token"),
        (event("single", method="POST", headers=bearer(reader), body="{}"), "insufficient_scope"),
        (event("single", headers=bearer(good)), "ok"),
        (event("single", headers=bearer(good)), "ok"),
        (event("single", method="POST", headers=bearer(good), body="{"), "rejected"),
    ]
    for ev, _ in cases:
        app.handle(ev, SimpleNamespace(aws_request_id="req"))
    failing = HttpResponse(502, {"error": "upstream"})
    monkeypatch.setattr(app, "action", lambda request, claims, route: failing)
    app.handle(event("single", headers=bearer(good)))
    cases.append(({}, "error"))
    monkeypatch.setattr(app, "action", lambda request, claims, route: 1 / 0)
    app.handle(event("single", headers=bearer(good)))
    cases.append(({}, "internal_error"))

    written = records(stream)
    assert len(written) == len(cases)  # exactly one line per request, and it is the record
    for record, (_, outcome) in zip(written, cases, strict=True):
        assert check_record(record) == [], record
        assert record["Outcome"] == outcome
        assert record["Function"] == FUNCTION
        assert record["Requests"] == 1
        assert {d["Namespace"] for d in record["_aws"]["CloudWatchMetrics"]} == {NAMESPACE}
        dims = dimension_values(record)
        assert set(dims) <= {"Function", "Outcome", "Reason"}
        assert dims["Outcome"] in OUTCOMES
        if outcome == "invalid_token":
            assert dims["Reason"] in REASONS
            assert metric_values(record)["InvalidTokens"] == 1
        else:
            assert "Reason" not in dims
    reasons = [r["Reason"] for r in written if r["Outcome"] == "invalid_token"]
    assert reasons == ["invalid_signature", "token_expired", "malformed_token"]
    # the verifier's time and cache, on every request that carried a token to verify
    verified = [r for r in written if "VerificationTime" in r]
    assert [r["Outcome"] for r in verified] == [
        "invalid_token",
        "invalid_token",
        "invalid_token",
        "insufficient_scope",
        "ok",
        "ok",
        "rejected",
        "error",
    ]
    assert all(r["VerificationTime"] >= 0 for r in verified)
    ok_first, ok_again = (r for r in written if r["Outcome"] == "ok")
    assert (ok_first["TokenCacheHits"], ok_again["TokenCacheHits"]) == (0, 1)
    # the first token that needed a key fetched the JWKS once; no later record counts it again
    fetched = [r for r in written if "JwksFetches" in r]
    assert [(r["JwksFetches"], r["JwksFetchFailures"]) for r in fetched] == [(1, 0)]
    assert jwks_server.hits == 1


def test_no_token_or_secret_part_is_ever_a_metric_value_or_dimension(
    metered: Callable[..., tuple[ResourceApp, io.StringIO]], tokens: TokenFactory, keys: Keys
) -> None:
    app, stream = metered()
    sent = [tokens.make(), tokens.make(key=keys.stranger), tokens.make(client_id="intruder")]
    for token in sent:
        app.handle(event("multi", path="/api", headers=bearer(token)))
        app.handle(event("single", path="/" + token))
        app.handle(event("single", method=token[:40]))
    for record in records(stream):
        assert check_record(record) == []
        values = [*dimension_values(record).values(), *map(str, metric_values(record).values())]
        for token in sent:
            for part in (token, *token.split(".")):
                assert all(part not in value for value in values)
        assert "intruder" not in json.dumps(dimension_values(record))


def test_metrics_are_off_without_a_namespace(
    make_jwks: Callable[..., Any], jwks_server: JwksServer, clock: FakeClock, tokens: TokenFactory
) -> None:
    app = build_app(app_env(jwks_server.url), jwks=make_jwks(), clock=clock)
    stream = io.StringIO()
    app.access_log = AccessLog("x", enabled=True, stream=stream)
    app.handle(event("single", headers=bearer(tokens.make())))
    (line,) = records(stream)
    assert "_aws" not in line
    assert (line["status"], line["outcome"]) == (200, "ok")


def test_a_hidden_access_line_still_leaves_its_metrics_at_the_configured_level(
    metered: Callable[..., tuple[ResourceApp, io.StringIO]],
    tokens: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
    app, _ = metered()
    stream = io.StringIO()
    app.access_log = AccessLog("cognito_m2m_verifier", stream=stream)  # reads the level: INFO hidden
    assert not app.access_log.enabled
    app.handle(event("single", headers=bearer(tokens.make())), SimpleNamespace(aws_request_id="r-9"))
    app.handle(event("single", path="/nowhere"))
    first, second = records(stream)
    for record in (first, second):
        assert check_record(record) == []
        assert record["level"] == "WARN"  # Lambda's filter at WARN keeps it
        assert record["message"] == "metrics"
        assert not {"path", "method", "client_id", "kid", "status"} & set(record)  # the details stay out
    assert first["requestId"] == "r-9"
    assert (first["Outcome"], second["Outcome"]) == ("ok", "not_found")
    assert "VerificationTime" in first


def test_jwks_failures_are_counted_once_each(
    metered: Callable[..., tuple[ResourceApp, io.StringIO]], jwks_server: JwksServer, tokens: TokenFactory
) -> None:
    app, stream = metered(jwks_url=jwks_server.closed_url)
    app.handle(event("single", headers=bearer(tokens.make())))
    app.handle(event("single", headers=bearer(tokens.make())))  # within the penalty window: no fetch
    first, second = records(stream)
    assert first["Outcome"] == second["Outcome"] == "keys_unavailable"
    assert (first["JwksFetches"], first["JwksFetchFailures"]) == (1, 1)
    assert "JwksFetches" not in second
    assert check_record(first) == check_record(second) == []


def test_a_protected_api_of_your_own_writes_the_same_records(
    jwks_server: JwksServer, make_jwks: Callable[..., Any], clock: FakeClock, tokens: TokenFactory
) -> None:
    from cognito_m2m_verifier.protected_api import ProtectedApi

    env = app_env(jwks_server.url, METRICS_NAMESPACE=NAMESPACE, AWS_LAMBDA_FUNCTION_NAME="orders")
    env["ROUTE_SCOPES"] = json.dumps({"GET /orders/*": ["rest-api/read"]})
    api = ProtectedApi.from_environment(env)
    api.verifier.jwks = make_jwks()
    api.verifier._clock = clock

    @api.route("GET /orders/*")
    def get_order(request: Any, claims: Any) -> dict[str, Any]:
        return {"id": request.path.rsplit("/", 1)[1]}

    stream = io.StringIO()
    api.app.access_log = AccessLog("x", enabled=True, stream=stream)
    api.handler({"version": "2.0", **http_api_event("/orders/7", tokens.make())}, None)
    (record,) = records(stream)
    assert check_record(record) == []
    assert (record["Function"], record["Outcome"], record["status"]) == ("orders", "ok", 200)


def http_api_event(path: str, token: str) -> dict[str, Any]:
    return {
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"authorization": f"Bearer {token}"},
        "requestContext": {"http": {"method": "GET", "path": path}, "stage": "$default"},
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize(
    ("outcome", "status", "category"),
    [
        ("ok", 200, "ok"),
        ("no_credentials", 401, "no_token"),
        ("malformed_authorization", 400, "invalid_request"),
        ("payload_too_large", 413, "rejected"),
        ("anything a function says", 503, "error"),
    ],
)
def test_outcome_categories(outcome: str, status: int, category: str) -> None:
    assert outcome_category(outcome, status) == category
    assert category in OUTCOMES


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("AWS/Lambda", [["Function"]], [("Requests", "Count")]), "reserved"),
        (("", [["Function"]], [("Requests", "Count")]), "1-255"),
        (("N", [["Function"]], [("Requests", "Counts")]), "unit"),
        (("N", [["Function"]], [("Requests", "Count"), ("Requests", "Count")]), "repeat"),
        (("N", [["Function"]], [(f"M{i}", "Count") for i in range(101)]), "1-100"),
        (("N", [[f"D{i}" for i in range(31)]], [("Requests", "Count")]), "at most 30"),
        (("N", [["Requests"]], [("Requests", "Count")]), "both a dimension and a metric"),
        (("N", [["Function"]], []), "1-100"),
    ],
)
def test_directives_refuse_what_cloudwatch_rejects(args: tuple[Any, ...], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        directive(*args)


def test_the_limits_themselves_are_allowed() -> None:
    made = directive("N", [[f"D{i}" for i in range(30)]], [(f"M{i}", "Count") for i in range(100)])
    record = {"_aws": {"Timestamp": NOW * 1000, "CloudWatchMetrics": [made]}}
    record.update({f"D{i}": "x" for i in range(30)} | {f"M{i}": 1 for i in range(100)})
    assert check_record(record) == []


def test_a_bad_namespace_fails_the_configuration_naming_the_variable(
    make_jwks: Callable[..., Any], jwks_server: JwksServer
) -> None:
    with pytest.raises(ConfigError, match="METRICS_NAMESPACE"):
        build_app(app_env(jwks_server.url, METRICS_NAMESPACE="AWS/Mine"), jwks=make_jwks())
    assert MetricsConfig.from_env({"METRICS_NAMESPACE": "  "}, "f") is None
    config = MetricsConfig.from_env({"METRICS_NAMESPACE": "N"}, "fallback")
    assert config == MetricsConfig("N", "fallback")


@pytest.mark.parametrize(
    ("env", "level"),
    [
        ({}, "INFO"),
        ({"AWS_LAMBDA_LOG_LEVEL": "debug"}, "INFO"),
        ({"LOG_LEVEL": "WARNING"}, "WARN"),
        ({"AWS_LAMBDA_LOG_LEVEL": "ERROR"}, "ERROR"),
        ({"LOG_LEVEL": "CRITICAL"}, "FATAL"),
    ],
)
def test_the_record_level_follows_the_filter(env: dict[str, str], level: str) -> None:
    assert record_level(env) == level


def test_request_metrics_reuse_their_text_and_make_valid_json() -> None:
    metrics = RequestMetrics(MetricsConfig("N", 'f"\\n'))  # a name JSON must escape
    fields = {"outcome": "token_expired", "VerificationTime": 100, "TokenCacheHits": 0}
    a = metrics.members(fields, "invalid_token", NOW + 0.25)
    b = metrics.members(fields, "invalid_token", NOW + 0.5, jwks_fetches=2, jwks_failures=1)
    assert a.startswith(',"_aws":{"Timestamp":')
    for text in (a, b):
        record = json.loads(json.dumps(fields)[:-1] + text + "}")
        assert check_record(record) == []
        assert (record["Function"], record["Reason"]) == ('f"\\n', "token_expired")
    assert len(metrics._tails) == 2  # with and without JWKS counts: one text each, reused after
    assert metrics.members(fields, "invalid_token", NOW + 0.75) is a  # the same second: the same text
    assert len(metrics._tails) == 2
    later = json.loads(json.dumps(fields)[:-1] + metrics.members(fields, "ok", NOW + 1.2) + "}")
    assert later["_aws"]["Timestamp"] == (NOW + 1) * 1000  # a record's second, in epoch milliseconds
    assert json.loads(json.dumps(fields)[:-1] + a + "}")["_aws"]["Timestamp"] == NOW * 1000
