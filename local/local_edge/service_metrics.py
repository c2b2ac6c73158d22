"""The metrics that Lambda and the load balancer publish on their own in AWS, written by the local edge.

In AWS a function that crashes writes no record of its own: Lambda counts it (``AWS/Lambda`` ``Errors``)
and the load balancer answers 502 and counts that (``AWS/ApplicationELB`` ``HTTPCode_ELB_5XX_Count``).
The local edge plays both, so it writes the same datapoints, as embedded-metric-format lines in
``<state>/logs/aws-services.log``, where ``make local-metrics`` reads them next to the functions' own:

Metrics (all of unit Count, one record per ALB request that reached a function):

- ``AWS/Lambda`` ``Invocations`` (FunctionName): 1;
- ``AWS/Lambda`` ``Errors`` (FunctionName): 1 when the function raised, failed its INIT or timed out
  (Lambda's "function errors"), else 0;
- ``AWS/ApplicationELB`` ``HTTPCode_Target_5XX_Count`` (LoadBalancer, TargetGroup): 1 when the function
  answered 5xx;
- ``AWS/ApplicationELB`` ``HTTPCode_ELB_5XX_Count`` (LoadBalancer): 1 when the load balancer answered
  5xx itself: 502 (a function error, an answer that is no ALB response, a refused invoke), 504 (timeout).

These lines only carry the numbers to ``make local-metrics`` in the shape it reads: in AWS no log line
could, since CloudWatch keeps the ``AWS/`` namespaces to AWS's services (the functions' own records are
checked against that rule; these are not theirs). The dimension values are AWS's: a function's name,
and the ``app/<name>/<id>`` and ``targetgroup/<name>/<id>`` ends of the ARNs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO


def function_name(arn: str) -> str:
    """``FunctionName`` of a function ARN (a qualified one too)."""
    return arn.partition(":function:")[2].split(":", 1)[0]


def load_balancer_dimension(arn: str) -> str:
    """``LoadBalancer``: ``app/<name>/<id>``, the end of the load balancer's ARN."""
    return arn.partition(":loadbalancer/")[2]


def target_group_dimension(arn: str) -> str:
    """``TargetGroup``: ``targetgroup/<name>/<id>``, the end of the target group's ARN."""
    return "targetgroup/" + arn.partition(":targetgroup/")[2]


class ServiceMetrics:
    """Appends the records; thread-safe (the edge serves requests in threads)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()
        self._clock = clock

    def close(self) -> None:
        self._file.close()

    def _write(self, namespace: str, dimensions: dict[str, str], values: dict[str, int]) -> None:
        record = {
            "_aws": {
                "Timestamp": int(self._clock() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": namespace,
                        "Dimensions": [sorted(dimensions)],
                        "Metrics": [{"Name": name, "Unit": "Count"} for name in values],
                    }
                ],
            },
            **dimensions,
            **values,
        }
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")

    def invocation(self, function_arn: str, *, error: bool) -> None:
        """Lambda's count of one invocation of the function (and of its error)."""
        dims = {"FunctionName": function_name(function_arn)}
        self._write("AWS/Lambda", dims, {"Invocations": 1, "Errors": int(error)})

    def answer(
        self, load_balancer_arn: str, target_group_arn: str, status: int, *, from_target: bool
    ) -> None:
        """The load balancer's 5xx counts for one answer (nothing below 500)."""
        if status < 500:
            return
        load_balancer = load_balancer_dimension(load_balancer_arn)
        if from_target:
            dims = {"LoadBalancer": load_balancer, "TargetGroup": target_group_dimension(target_group_arn)}
            self._write("AWS/ApplicationELB", dims, {"HTTPCode_Target_5XX_Count": 1})
        else:
            self._write("AWS/ApplicationELB", {"LoadBalancer": load_balancer}, {"HTTPCode_ELB_5XX_Count": 1})
