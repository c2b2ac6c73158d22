"""Fixtures of the resource-server tests.

Real RSA keys generated once per session, a real JWKS HTTP server on 127.0.0.1 (port 0, in a thread,
stopped at the end of the session), tokens signed with ``cryptography``, and injectable clocks.
Nothing is mocked.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from resource_testkit import (
    CLIENT_ID,
    ISSUER,
    KID,
    KID2,
    NOW,
    FakeClock,
    JwksServer,
    Keys,
    TokenFactory,
    _handler_class,
    jwk_for,
    jwks_document,
)


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(
        main=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        second=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        stranger=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        weak=rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505 - the weak key the JWKS must drop
        ec=ec.generate_private_key(ec.SECP256R1()),
    )


@pytest.fixture(scope="session")
def tokens(keys: Keys) -> TokenFactory:
    return TokenFactory(keys)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW + 10)


@pytest.fixture
def mono() -> FakeClock:
    """Monotonic clock for JWKS caches (penalty window)."""
    return FakeClock(1000.0)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client that timed out on purpose (timeout tests) closed the connection
        super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def _jwks_server_session() -> Iterator[JwksServer]:
    state = JwksServer()
    httpd = _QuietServer(("127.0.0.1", 0), _handler_class(state))
    httpd.daemon_threads = True
    state.httpd = httpd
    thread = threading.Thread(target=httpd.serve_forever, name="jwks-server", daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def jwks_server(_jwks_server_session: JwksServer, keys: Keys) -> JwksServer:
    """The loopback JWKS endpoint serving the main key (and the second key), reset for each test."""
    _jwks_server_session.reset(jwks_document(jwk_for(keys.main, KID), jwk_for(keys.second, KID2)))
    return _jwks_server_session


@pytest.fixture
def make_jwks(jwks_server: JwksServer, mono: FakeClock) -> Callable[..., Any]:
    """``make_jwks(**kw)``: a JwksCache on the loopback server with the test's monotonic clock."""
    from cognito_m2m_verifier.jwks import JwksCache

    def make(url: str | None = None, **kw: Any) -> JwksCache:
        kw.setdefault("clock", mono)
        return JwksCache(url or jwks_server.url, **kw)

    return make


@pytest.fixture
def make_verifier(make_jwks: Callable[..., Any], clock: FakeClock) -> Callable[..., Any]:
    """``make_verifier(**kw)``: a TokenVerifier for the test pool on the loopback JWKS."""
    from cognito_m2m_verifier.verifier import TokenVerifier

    def make(**kw: Any) -> TokenVerifier:
        jwks = kw.pop("jwks", None) or make_jwks()
        kw.setdefault("issuer", ISSUER)
        kw.setdefault("allowed_client_ids", [CLIENT_ID])
        kw.setdefault("clock", clock)
        return TokenVerifier(jwks=jwks, **kw)

    return make


@pytest.fixture
def access_lines() -> Iterator[list[dict[str, Any]]]:
    """Every access-log line written while the test runs, decoded (what Lambda would ship)."""
    import json

    from cognito_m2m_verifier import access_log

    lines: list[dict[str, Any]] = []
    undo = access_log.observe(lambda text: lines.append(json.loads(text)))
    yield lines
    undo()
