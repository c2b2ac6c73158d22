"""A shortened soak through the local stack, inside ``make test`` (``make soak`` runs the full one).

4 callers x 300 requests (plus a warm-up) over loopback to the local ALB: ``GET /client`` and ``/api``
with valid, expired, forged (stranger key, ``alg: none``, HS256) and wrong-scope tokens, no token and a
malformed header. Checks (see :mod:`local_edge.soak`): zero unexpected statuses, zero accepted
forgeries, at most one token request per client container, the workers' RSS flat after warm-up, and no
secret in any log file of the stack.

The stack is the session's local stack (``local_stack`` in tests/conftest.py), shared with the e2e tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from local_edge import soak
from local_edge.stack import Settings, StackInfo
from tests.reliability import log_capture

pytestmark = pytest.mark.e2e

CALLERS = 4
REQUESTS = 300 * CALLERS


@pytest.fixture(scope="module")
def stack_dir(local_stack: tuple[Settings, StackInfo]) -> Path:
    """The state folder of the session's local stack (tests/conftest.py)."""
    return local_stack[0].state_dir


def test_short_soak_through_the_local_stack(stack_dir: Path) -> None:
    stack = soak.discover(stack_dir)
    log_capture.register_secrets([stack.client_secret])
    report = soak.soak(stack, requests=REQUESTS, concurrency=CALLERS, max_seconds=240, out=print)
    print("\n".join(report.lines()))
    (stack_dir / "soak-short.json").write_text(json.dumps(report.as_dict(), indent=2))
    assert report.requests == REQUESTS
    assert report.unexpected == []
    assert report.accepted_forgeries == 0
    assert report.tokens_issued_to_containers <= report.client_containers
    assert report.rss_growth_kib_max <= soak.DEFAULT_RSS_GROWTH_KIB
    assert report.leaked == {}
    assert report.failures == []
    assert set(report.statuses) == set(soak.EXPECTED)


# ---- the soak's own checks can fail ---------------------------------------------------------------


def test_log_scan_finds_planted_secrets(tmp_path: Path) -> None:
    (tmp_path / "clean.log").write_text(
        "INFO cognito_m2m_verifier request status=401 outcome=invalid_signature\n"
    )
    (tmp_path / "worker.log").write_text("DEBUG sending Authorization: Bearer abc.def.ghi\n")
    (tmp_path / "client.log").write_text("INFO got s3cr3t-value-0123456789 from the secret\n")
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln"
    (tmp_path / "edge.log").write_text(f"INFO token {jwt}\n")
    found = soak.scan_logs(tmp_path, ["s3cr3t-value-0123456789"])
    assert set(found) == {"worker.log", "client.log", "edge.log"}
    assert found["client.log"] == ["secret #0"]
    assert "a JWT" in found["edge.log"]


def test_expected_statuses_cover_the_mix_and_forgeries_never_2xx() -> None:
    assert set(soak.MIX) == set(soak.EXPECTED)
    for kind in soak.FORGED_KINDS:
        assert all(not 200 <= status < 300 for status in soak.EXPECTED[kind])


def test_soak_refuses_non_loopback_targets(tmp_path: Path) -> None:
    (tmp_path / "edge.json").write_text(
        json.dumps(
            {"alb_port": 1, "auth_port": 2, "aws_endpoint": "http://127.0.0.1:3", "region": "us-east-1"}
        )
    )
    (tmp_path / "stack.json").write_text(json.dumps({"outputs": {}}))
    (tmp_path / "edge.pid").write_text("1\n")
    with pytest.raises(soak.SoakError, match="loopback"):
        soak.discover(tmp_path, alb_url="http://example.com")


def test_rss_reading_of_this_process() -> None:
    value = soak.rss_kib(os.getpid())
    assert value is not None
    assert value > 1000
