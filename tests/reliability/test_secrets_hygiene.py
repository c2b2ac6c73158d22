"""Secrets hygiene: no client secret, access token or Authorization value in any log of either function.

Three sources are checked:

1. an in-process end-to-end flow run here with every function logger at DEBUG: the client handler reads
   its secret (moto), gets a real RS256 token from a loopback token endpoint, and calls a loopback API
   that is the resource function itself (ALB events built from the HTTP request), including a 401
   refresh, a forged token and a secret rotation;
2. everything the functions logged during the whole reliability session (hostile corpus, fuzz, JWKS and
   token-endpoint faults, Secrets Manager failures, API retries): the session-wide capture of
   :mod:`tests.reliability.log_capture`; this module runs last (see ``conftest.py``);
3. through the local stack, the worker and edge log files are scanned by the soak
   (``test_soak_short``, ``local_edge.soak.scan_logs``).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cognito_m2m_verifier import access_log
from tests.client.servers import Recorded, Reply, ScriptedServer
from tests.client.support import CLIENT_ID, CLIENT_SECRET, FakeContext, alb_event
from tests.reliability import log_capture
from tests.reliability.support import KID, NOW, KeyRing, token

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
AUTH_VALUE = re.compile(r"(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}")


class ResourceOverHttp:
    """The resource app behind a loopback HTTP server (the ALB's job, reduced to what the test needs)."""

    def __init__(self, app: Any) -> None:
        owner = self
        self.app = app

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path, _, _ = self.path.partition("?")
                event = {
                    "httpMethod": "GET",
                    "path": path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "queryStringParameters": {},
                    "body": "",
                    "isBase64Encoded": False,
                }
                answer = owner.app.handle(event)
                data = answer["body"].encode()
                self.send_response(answer["statusCode"])
                for name, value in answer["headers"].items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def resource_http(make_resource_app: Callable[..., Any]) -> Iterator[ResourceOverHttp]:
    server = ResourceOverHttp(make_resource_app())
    yield server
    server.stop()


def _violations(text: str, secrets: set[str]) -> list[str]:
    found = [f"registered secret {s[:6]}...({len(s)} chars)" for s in secrets if s in text]
    found += [f"JWT-shaped value {m.group(0)[:10]}..." for m in JWT_SHAPE.finditer(text)]
    found += [f"Authorization value {m.group(1)} {m.group(0)[7:13]}..." for m in AUTH_VALUE.finditer(text)]
    return found


def test_end_to_end_flow_logs_no_secret(  # noqa: PLR0917 - pytest fixtures
    ring: KeyRing,
    aws: Any,
    resource_http: ResourceOverHttp,
    make_client: Callable[..., Any],
    client_clock: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    issued: list[str] = []
    access_lines: list[str] = []
    stop_observing = access_log.observe(access_lines.append)

    def mint(request: Recorded) -> Reply:
        value = token(ring.main, kid=KID, scope="rest-api/read", jti=f"e2e-{len(issued)}", now=NOW)
        issued.append(value)
        return Reply(200, {"access_token": value, "token_type": "Bearer", "expires_in": 3600})

    token_server = ScriptedServer(mint)
    try:
        handler = make_client(
            env={"TOKEN_URL": token_server.url("/oauth2/token"), "API_URL": resource_http.url("/api")}
        )
        results = []
        for _ in range(3):
            answer = handler(alb_event(), FakeContext(10_000))
            results.append(json.loads(answer["body"]))
        assert [r["api_status"] for r in results] == [200, 200, 200]
        assert results[0]["api_body"]["client_id"] == CLIENT_ID
        assert len(issued) == 1  # cached across invocations

        # the API stops accepting the cached token (its key is withdrawn) -> one refresh, logged safely
        resource_http.app = make_resource_app_like(resource_http.app, reject=issued[0])
        answer = handler(alb_event(), FakeContext(10_000))
        assert json.loads(answer["body"])["api_status"] == 200
        assert len(issued) == 2

        # a rotated secret: invalid_client for the old one, re-read, new credentials
        aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET + "-rotated-2"}))
        log_capture.register_secrets([CLIENT_SECRET + "-rotated-2"])
        token_server.script = [Reply(400, {"error": "invalid_client"})]
        client_clock.advance(4000)  # the cached token and the cached secret are both stale
        answer = handler(alb_event(), FakeContext(10_000))
        assert answer["statusCode"] in (200, 502)
    finally:
        token_server.stop()
        stop_observing()

    log_capture.register_secrets(issued)
    assert len(access_lines) >= 5  # the resource side's access lines are checked too
    texts = [log_capture.render(r) for r in caplog.records] + access_lines
    text = "\n".join(texts)
    assert len(texts) > 10  # the flow really logged (DEBUG and up)
    secrets = {CLIENT_SECRET, CLIENT_SECRET + "-rotated-2", *issued}
    assert _violations(text, secrets) == []


def make_resource_app_like(app: Any, *, reject: str) -> Any:
    """Wrap the app so that one token is refused with 401 as a rotated-out token would be."""

    class Rejecting:
        def handle(self, event: dict[str, Any]) -> dict[str, Any]:
            if event["headers"].get("authorization", "").endswith(reject):
                event = {**event, "headers": {**event["headers"], "authorization": "Bearer x.y.z"}}
            result: dict[str, Any] = app.handle(event)
            return result

    return Rejecting()


def test_whole_session_capture_holds_no_secret() -> None:
    """Everything both functions logged while the reliability suite ran (this test runs last)."""
    capture = log_capture.CAPTURE
    text = capture.text()
    if not capture.records:
        pytest.skip("run with the rest of tests/reliability: nothing was captured")
    loggers = set(capture.count_by_logger)
    assert any(name.startswith("cognito_m2m_verifier") for name in loggers), loggers
    assert any(name.startswith("cognito_m2m_client") for name in loggers), loggers
    assert _violations(text, set(log_capture.SECRETS)) == []
    assert "Traceback" not in text or "verifier failed unexpectedly" not in text


def test_the_checks_find_planted_secrets() -> None:
    """The detector itself: a planted secret, a JWT and an Authorization value are all found."""
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln"
    text = f"a {CLIENT_SECRET} b\nc {jwt}\nAuthorization: Basic dXNlcjpwYXNzd29yZA=="
    found = _violations(text, {CLIENT_SECRET})
    assert len(found) == 3, found
    record = logging.LogRecord("cognito_m2m_client.x", logging.INFO, "", 0, "sent %s", ("x",), None)
    record.authorization = "Bearer " + jwt
    assert _violations(log_capture.render(record), set())
