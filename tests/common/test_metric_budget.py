"""The metric count README promises is the code's own: every dimension value comes from a fixed list."""

from __future__ import annotations

import re
from pathlib import Path

from cognito_m2m_rotation.handler import STEPS

from cognito_m2m_client import errors as client_errors
from cognito_m2m_client import invocation_metrics
from cognito_m2m_verifier import errors as verifier_errors
from cognito_m2m_verifier.request_metrics import OUTCOMES

README = Path(__file__).resolve().parents[2] / "README.md"


def _codes(module: object, base: type, attribute: str) -> set[str]:
    found = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, base):
            found.add(getattr(value, attribute))
    return found


def api_metrics() -> int:
    reasons = _codes(verifier_errors, verifier_errors.InvalidToken, "reason") | {"verifier_bug"}
    requests = len(OUTCOMES) + 1  # by Function and Outcome, and by Function
    return requests + len(reasons) + 4  # + VerificationTime, TokenCacheHits, JwksFetches, JwksFetchFailures


def client_metrics() -> int:
    codes = _codes(client_errors, client_errors.UpstreamError, "code")
    outcomes = codes | {
        "ok",
        "bad_event",
        "not_found",
        "method_not_allowed",
        "internal_error",
        "api_body_too_large",
    }
    counts = len(invocation_metrics._COUNTS)
    status_classes = 5  # 2xx-5xx and other
    return len(outcomes) + 1 + counts + status_classes


def rotation_metrics() -> int:
    return 2 * (
        len(STEPS) + 1 + 1
    )  # two metrics by Function and Step (the steps and "unknown"), and by Function


def test_readme_states_the_upper_bound_of_custom_metrics() -> None:
    text = " ".join(README.read_text().split())
    match = re.search(
        r"A protected function has at most (\d+) \((\d+) `Requests`, (\d+) `InvalidTokens`, 4 others\), "
        r"the client function at most (\d+) and the rotation function (\d+), so the demo deployment \(`make "
        r"deploy`: one API, the client endpoint, rotation\) has at most (\d+) custom metrics",
        text,
    )
    assert match, "README's Operate section no longer states the metric budget"
    api, requests, invalid, client, rotation, total = map(int, match.groups())
    assert (api, client, rotation) == (api_metrics(), client_metrics(), rotation_metrics())
    assert requests + invalid + 4 == api
    assert total == api + client + rotation
