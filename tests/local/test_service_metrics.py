"""What the local edge counts for Lambda and the load balancer (which, in AWS, count on their own): a
function that crashes, times out, answers 5xx or answers what is no ALB response shows up in
`make local-metrics` although it wrote no record of its own.

The function runner is a stub here (the real one runs zips in worker processes, tested in
test_functions.py); the listener, the rules and the answers are the edge's own code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local_edge import alb
from local_edge.edge import AlbEdge
from local_edge.functions import FunctionError, FunctionTimeout
from local_edge.metrics import read_log_dir, summarize
from local_edge.service_metrics import ServiceMetrics

LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/m2m-local/50dc6c495c0c9188"
GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/m2m-local-orders/73e2d6bc24d8a067"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:m2m-local-orders"


class StubRunner:
    """Answers each invocation with the next of ``results`` (an exception is raised)."""

    def __init__(self, results: list[Any], allowed: bool = True) -> None:
        self.results, self.allowed = results, allowed

    def check_permission(self, arn: str, principal: str, source_arn: str) -> None:
        if not self.allowed:
            raise FunctionError("the function's policy does not let the load balancer invoke it")

    def invoke(self, arn: str, event: Any, trace: str) -> Any:
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def edge_with(runner: StubRunner, logs: Path) -> AlbEdge:
    edge = AlbEdge(None, LB, runner, 80, metrics=ServiceMetrics(logs / "aws-services.log"))  # type: ignore[arg-type]
    forward = alb.Action("forward", target_groups=((GROUP, 1),))
    listener = alb.Listener(
        "listener",
        80,
        "HTTP",
        (alb.Rule(None, (), (forward,)),),
        {GROUP: alb.TargetGroup(GROUP, "lambda", False, (FUNCTION,))},
        True,
    )
    edge.listener = lambda: listener  # type: ignore[method-assign]
    return edge


def request() -> alb.HttpRequest:
    return alb.HttpRequest("GET", "/orders", "", (("host", "127.0.0.1"),))


def totals(logs: Path) -> dict[tuple[str, str], float]:
    return {(r.namespace, r.name): r.total for r in summarize(read_log_dir(logs))}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"statusCode": 200, "body": "{}"}, (200, 0, 0, 0)),
        ({"statusCode": 503, "body": "{}"}, (503, 0, 0, 1)),  # the function's own 5xx
        (FunctionError("Unhandled: RuntimeError"), (502, 1, 1, 0)),  # a crash
        (FunctionTimeout("3 s"), (504, 1, 1, 0)),
        ({"no": "statusCode"}, (502, 0, 1, 0)),  # ran, but its answer is no ALB response
    ],
)
def test_each_answer_is_counted_as_lambda_and_the_load_balancer_count_it(
    tmp_path: Path, result: Any, expected: tuple[int, int, int, int]
) -> None:
    """expected: the status, Lambda's Errors, the load balancer's own 5xx, the target's 5xx."""
    status, errors, elb_5xx, target_5xx = expected
    answer = edge_with(StubRunner([result]), tmp_path).handle(request())
    assert answer.status == status
    found = totals(tmp_path)
    assert found[("AWS/Lambda", "Invocations")] == 1
    assert found[("AWS/Lambda", "Errors")] == errors
    assert found.get(("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"), 0) == elb_5xx
    assert found.get(("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"), 0) == target_5xx


def test_a_refused_invoke_is_the_load_balancers_502_and_no_invocation(tmp_path: Path) -> None:
    answer = edge_with(StubRunner([], allowed=False), tmp_path).handle(request())
    assert answer.status == 502
    assert totals(tmp_path) == {("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"): 1}


def test_the_dimensions_are_aws_own(tmp_path: Path) -> None:
    edge_with(StubRunner([{"statusCode": 500, "body": ""}]), tmp_path).handle(request())
    records = [json.loads(line) for line in (tmp_path / "aws-services.log").read_text().splitlines()]
    assert records[0]["FunctionName"] == "m2m-local-orders"
    assert records[1]["LoadBalancer"] == "app/m2m-local/50dc6c495c0c9188"
    assert records[1]["TargetGroup"] == "targetgroup/m2m-local-orders/73e2d6bc24d8a067"
