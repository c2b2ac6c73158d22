"""Table-driven corpus of hostile tokens: each gets exactly the status and ``WWW-Authenticate`` error
RFC 6750 §3 prescribes, in both header modes of the ALB, and is never echoed back.

The corpus (``hostile_tokens.CASES``) is derived from RFC 6750, RFC 8725, RFC 7515/7519 and the
Cognito reference; ``GENUINE`` are controls that the same machinery lets in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.reliability import log_capture
from tests.reliability.hostile_tokens import CASES, GENUINE, Case
from tests.reliability.support import (
    CLIENT_ID,
    KeyRing,
    alb_event,
    assert_valid_alb_response,
    bearer_error,
    header_of,
)


def test_corpus_is_large_and_named_uniquely() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)
    assert {case.expect for case in CASES} >= {(400, "invalid_request"), (401, "invalid_token"), (401, None)}


def _run(case: Case, ring: KeyRing, app: Any, multi: bool) -> tuple[dict[str, Any], Any]:
    request = case.build(ring)
    values = request.authorization
    if isinstance(values, list) and not multi:
        # single-value mode cannot repeat a header name: the ALB keeps one; send two spellings instead
        event = alb_event(request.method, "/api", multi=False, query=request.query)
        event["headers"]["authorization"] = values[0]
        event["headers"]["Authorization"] = values[1]
    else:
        event = alb_event(request.method, "/api", authorization=values, multi=multi, query=request.query)
    if request.method == "POST":
        event["body"] = '{"hello":"world"}'
    secrets = [values] if isinstance(values, str) else list(values or [])
    secrets += [v.partition(" ")[2].strip() for v in secrets]
    log_capture.register_secrets(s for s in secrets if s.count(".") >= 2)
    answer = app.handle(event)
    return answer, secrets


@pytest.mark.parametrize("multi", [False, True], ids=["single", "multi"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_token(case: Case, multi: bool, ring: KeyRing, make_resource_app: Callable[..., Any]) -> None:
    app = make_resource_app()
    answer, secrets = _run(case, ring, app, multi)
    body = assert_valid_alb_response(answer, multi=multi)
    status, error = case.expect
    assert answer["statusCode"] == status, (case.name, answer["statusCode"], body)
    assert bearer_error(answer) == error
    assert body["error"] == (error or "unauthorized")
    if status == 403:
        assert 'scope="' in (header_of(answer, "www-authenticate") or "")
    everything = repr(answer)
    for secret in secrets:
        if len(secret) >= 12:
            assert secret not in everything, "the token was echoed"


@pytest.mark.parametrize("multi", [False, True], ids=["single", "multi"])
@pytest.mark.parametrize("case", GENUINE, ids=[c.name for c in GENUINE])
def test_genuine_controls(
    case: Case, multi: bool, ring: KeyRing, make_resource_app: Callable[..., Any]
) -> None:
    app = make_resource_app()
    answer, _ = _run(case, ring, app, multi)
    body = assert_valid_alb_response(answer, multi=multi)
    assert answer["statusCode"] == 200, body
    assert body["client_id"] == CLIENT_ID
    assert header_of(answer, "www-authenticate") is None


def test_one_app_answers_the_whole_corpus(ring: KeyRing, make_resource_app: Callable[..., Any]) -> None:
    """One warm container (shared JWKS and verified-token caches) gives the same answers in any order,
    and still lets a genuine token in after the whole corpus (no poisoned cache, no penalty lock-out)."""
    app = make_resource_app()
    for case in [*CASES, *reversed(CASES)]:
        answer, _ = _run(case, ring, app, multi=False)
        assert_valid_alb_response(answer, multi=False)
        assert (answer["statusCode"], bearer_error(answer)) == case.expect, case.name
    answer, _ = _run(GENUINE[0], ring, app, multi=True)
    assert answer["statusCode"] == 200
