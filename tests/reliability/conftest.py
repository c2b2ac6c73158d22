"""Fixtures of the reliability suite (hostile input, upstream faults, key rotation, soak).

Hypothesis profiles are registered here and applied only to this suite's property tests (through
:data:`FUZZ_SETTINGS`, never ``load_profile``, so other suites keep their own settings). The profile is
chosen with ``HYPOTHESIS_PROFILE``: ``ci`` (default, bounded for ``make test``), ``fuzz`` (``make fuzz``)
or ``dev`` (a quick look).

Every test of this folder runs under the session-wide log capture of :mod:`tests.reliability.log_capture`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.reliability import log_capture
from tests.reliability.support import RESOURCE_ENV, KeyRing, pool_jwks
from tests.resource.resource_testkit import NOW, FakeClock, JwksServer, _handler_class

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "derandomize": False,
    "print_blob": True,
}
settings.register_profile("ci", max_examples=1000, **_COMMON)
settings.register_profile("fuzz", max_examples=20_000, **_COMMON)
settings.register_profile("dev", max_examples=40, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "fuzz", "dev"):
    PROFILE = "ci"
FUZZ_SETTINGS = settings(settings.get_profile(PROFILE))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the secrets-hygiene checks after every other test, so they see the whole capture."""
    last = [item for item in items if "tests/reliability/test_secrets_hygiene.py" in item.nodeid]
    if last:
        rest = [item for item in items if item not in last]
        items[:] = rest + last


@pytest.fixture(autouse=True)
def _capture_function_logs() -> Iterator[log_capture.CapturedLogs]:
    """While each test of this folder runs: the functions' loggers at DEBUG, their records captured.
    (Levels are restored and the handler removed afterwards, so other suites are not affected.)"""
    root = logging.getLogger()
    saved: dict[str, int] = {}
    names = set(log_capture.FUNCTION_LOGGERS) | {
        name
        for name, logger in list(logging.Logger.manager.loggerDict.items())
        if isinstance(logger, logging.Logger) and name.startswith(log_capture.FUNCTION_LOGGERS)
    }
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
    from cognito_m2m_verifier import access_log

    root.addHandler(log_capture.CAPTURE)
    stop_observing = access_log.observe(log_capture.CAPTURE.add_line)
    try:
        yield log_capture.CAPTURE
    finally:
        stop_observing()
        root.removeHandler(log_capture.CAPTURE)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture(scope="session")
def ring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture(scope="session")
def jwks_http() -> Iterator[JwksServer]:
    """A loopback JWKS endpoint (the resource tests' server), reset per test by ``pool_keys``."""
    state = JwksServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(state))
    httpd.daemon_threads = True
    state.httpd = httpd
    thread = threading.Thread(target=httpd.serve_forever, name="reliability-jwks", daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def pool_keys(jwks_http: JwksServer, ring: KeyRing) -> JwksServer:
    """The JWKS endpoint serving the pool's keys (and the keys the cache must drop), reset."""
    jwks_http.reset(pool_jwks(ring))
    return jwks_http


@pytest.fixture
def clock() -> FakeClock:
    """Wall clock (epoch seconds) of the resource function: tokens are minted at NOW."""
    return FakeClock(NOW + 10)


@pytest.fixture
def mono() -> FakeClock:
    """Monotonic clock of the JWKS cache (penalty window)."""
    return FakeClock(5000.0)


@pytest.fixture
def make_resource_app(pool_keys: JwksServer, clock: FakeClock, mono: FakeClock) -> Callable[..., Any]:
    """``make_resource_app(jwks_url=..., **jwks_kw)``: the resource function's app on the loopback JWKS."""
    from cognito_m2m_verifier.handler import build_app
    from cognito_m2m_verifier.jwks import JwksCache

    def make(jwks_url: str | None = None, env: dict[str, str] | None = None, **jwks_kw: Any) -> Any:
        jwks_kw.setdefault("clock", mono)
        jwks_kw.setdefault("connect_timeout", 1.0)
        jwks_kw.setdefault("read_timeout", 1.0)
        jwks = JwksCache(jwks_url or pool_keys.url, **jwks_kw)
        return build_app({**RESOURCE_ENV, **(env or {})}, jwks=jwks, clock=clock)

    return make


# ---- the client function's collaborators --------------------------------------------------------


# token_server (fault-scriptable Cognito token endpoint) and api_server: the client suite's fixtures
from tests.client.conftest import api_server, token_server  # noqa: E402, F401


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Secrets Manager in moto, holding the client's credentials."""
    import json

    import boto3
    from moto import mock_aws

    from tests.client.support import CLIENT_ID, CLIENT_SECRET, Aws, CountingSecrets

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    log_capture.register_secrets([CLIENT_SECRET])
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        arn = client.create_secret(
            Name="m2m/client-credentials",
            SecretString=json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
        )["ARN"]
        yield Aws(client, CountingSecrets(client), arn)


@pytest.fixture
def client_clock() -> Any:
    from tests.client.support import FakeClock as ClientClock

    return ClientClock()


@pytest.fixture
def make_client(token_server: Any, api_server: Any, aws: Any, client_clock: Any) -> Callable[..., Any]:  # noqa: F811
    """``make_client(env=..., **kw)``: the client handler on the loopback servers, moto and a fake clock
    whose sleeps are recorded (pass ``clock=time.monotonic, sleep=time.sleep`` for real time)."""
    from cognito_m2m_client.handler import build_handler
    from cognito_m2m_client.http import RetryPolicy

    def make(env: dict[str, str] | None = None, **kw: Any) -> Any:
        base = {
            "TOKEN_URL": token_server.url("/oauth2/token"),
            "CLIENT_SECRET_ARN": aws.arn,
            "SCOPES": "rest-api/read",
            "API_URL": api_server.url("/api"),
            "HTTP_TIMEOUT_SECONDS": "2",
        }
        kwargs: dict[str, Any] = {
            "secrets_client": aws.secrets,
            "clock": client_clock,
            "sleep": client_clock.sleep,
            "random": lambda: 0.5,
            "retry_policy": RetryPolicy(),
        }
        kwargs.update(kw)
        return build_handler({**base, **(env or {})}, **kwargs)

    return make
