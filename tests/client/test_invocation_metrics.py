"""The client function's metrics: one valid EMF record per invocation, whatever happened.

Real loopback token endpoint and API, Secrets Manager on moto; records are checked against the
specification by ``tests/emf_schema.py``.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from cognito_m2m_client import errors
from cognito_m2m_client._shared.config import ConfigError
from cognito_m2m_client.handler import ClientHandler
from cognito_m2m_client.invocation_metrics import status_class
from tests.client.conftest import MakeHandler
from tests.client.servers import Reply, ScriptedServer
from tests.client.support import CLIENT_SECRET, FakeContext, alb_event
from tests.emf_schema import check_record, dimension_values, metric_values

METRICS_ENV = {"METRICS_NAMESPACE": "CognitoM2MTest", "AWS_LAMBDA_FUNCTION_NAME": "demo-client"}
CODES = {
    cls.code
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.UpstreamError)
}


def metered(make_handler: MakeHandler, **env: str) -> tuple[ClientHandler, io.StringIO]:
    handler = make_handler(env={**METRICS_ENV, **env})
    assert handler.metrics is not None
    stream = io.StringIO()
    handler.metrics.stream = stream
    return handler, stream


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_invocation_writes_one_record_of_what_it_spent(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer
) -> None:
    handler, stream = metered(make_handler)
    for _ in range(3):
        assert handler(alb_event(), FakeContext())["statusCode"] == 200
    first, second, third = records(stream)
    for record in (first, second, third):
        assert check_record(record) == [], record
        assert (record["Function"], record["Outcome"], record["Invocations"]) == ("demo-client", "ok", 1)
        assert (record["ApiStatus"], record["ApiResponses"], record["ApiRequests"]) == ("2xx", 1, 1)
    values = metric_values(first)
    assert (values["TokenRequests"], values["TokensIssued"], values["SecretReads"]) == (1, 1, 1)
    assert values["TokenCacheHits"] == 0
    for later in (second, third):  # the cached token and secret: nothing billed
        values = metric_values(later)
        assert (values["TokenRequests"], values["TokensIssued"], values["SecretReads"]) == (0, 0, 0)
        assert values["TokenCacheHits"] == 1
    assert len(token_server.requests) == 1


def test_retries_count_as_token_requests_but_only_issued_tokens_are_billed(
    make_handler: MakeHandler, token_server: ScriptedServer
) -> None:
    handler, stream = metered(make_handler)
    token_server.script += [Reply(503), Reply(500)]
    assert handler(alb_event(), FakeContext())["statusCode"] == 200
    (record,) = records(stream)
    assert (record["TokenRequests"], record["TokensIssued"]) == (3, 1)


@pytest.mark.parametrize(
    ("arrange", "outcome", "status"),
    [
        (lambda t, a: setattr(t, "default", Reply(500, "internal")), "token_endpoint_unavailable", 502),
        (
            lambda t, a: setattr(t, "default", Reply(400, {"error": "invalid_client"})),
            "token_endpoint_error",
            502,
        ),
        (lambda t, a: setattr(t, "default", Reply(200, {"access_token": 1})), "invalid_token_response", 502),
    ],
)
def test_upstream_failures_are_outcomes_by_kind(  # noqa: PLR0917 - pytest fixtures and parameters
    make_handler: MakeHandler,
    token_server: ScriptedServer,
    api_server: ScriptedServer,
    arrange: Any,
    outcome: str,
    status: int,
) -> None:
    handler, stream = metered(make_handler)
    arrange(token_server, api_server)
    assert handler(alb_event(), FakeContext())["statusCode"] == status
    (record,) = records(stream)
    assert check_record(record) == []
    assert record["Outcome"] == outcome
    assert outcome in CODES


def test_an_unreachable_api_is_its_own_outcome(make_handler: MakeHandler) -> None:
    handler, stream = metered(make_handler, API_URL="http://127.0.0.1:1/api")  # nothing listens on port 1
    assert handler(alb_event(), FakeContext())["statusCode"] == 502
    (record,) = records(stream)
    assert (record["Outcome"], record["TokensIssued"]) == ("api_unreachable", 1)
    assert record["ApiRequests"] >= 1
    assert "ApiStatus" not in record


def test_routes_and_bad_events_have_their_record_too(make_handler: MakeHandler) -> None:
    handler, stream = metered(make_handler)
    handler({"nonsense": True}, None)
    handler(alb_event(path="/elsewhere"), None)
    handler(alb_event(method="POST"), None)
    outcomes = [r["Outcome"] for r in records(stream)]
    assert outcomes == ["bad_event", "not_found", "method_not_allowed"]
    assert all(check_record(r) == [] and "ApiStatus" not in r for r in records(stream))


def test_a_bug_is_an_internal_error_record(
    make_handler: MakeHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, stream = metered(make_handler)
    monkeypatch.setattr(handler.client, "call", lambda deadline: 1 / 0)
    assert handler(alb_event(), FakeContext())["statusCode"] == 500
    (record,) = records(stream)
    assert (record["Outcome"], record["Invocations"]) == ("internal_error", 1)


def test_no_secret_or_token_is_a_metric_or_dimension(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer
) -> None:
    handler, stream = metered(make_handler)
    api_server.default = Reply(418, {"echo": CLIENT_SECRET})
    handler(alb_event(), FakeContext())
    handler(alb_event(), FakeContext())
    issued = {r.headers["authorization"].split(" ", 1)[1] for r in api_server.requests}
    assert issued
    for record in records(stream):
        assert check_record(record) == []
        assert record["ApiStatus"] == "4xx"
        text = json.dumps({**dimension_values(record), **metric_values(record)})
        assert CLIENT_SECRET not in text
        for token in issued:
            assert all(part not in text for part in (token, *token.split(".")))


def test_the_records_level_survives_the_log_filter(make_handler: MakeHandler) -> None:
    handler, stream = metered(make_handler, AWS_LAMBDA_LOG_LEVEL="ERROR")
    handler(alb_event(path="/x"), None)
    (record,) = records(stream)
    assert record["level"] == "ERROR"


def test_no_namespace_no_metrics_and_a_bad_one_fails_the_configuration(make_handler: MakeHandler) -> None:
    assert make_handler().metrics is None
    with pytest.raises(ConfigError, match="METRICS_NAMESPACE"):
        make_handler(env={"METRICS_NAMESPACE": "AWS/Lambda"})


@pytest.mark.parametrize(
    ("status", "label"), [(200, "2xx"), (302, "3xx"), (404, "4xx"), (599, "5xx"), (99, "other")]
)
def test_status_classes(status: int, label: str) -> None:
    assert status_class(status) == label
