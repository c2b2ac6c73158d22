"""cognito_m2m_verifier.key_prefetch: the pool's JWKS fetched in the background during INIT, against a
real loopback JWKS server (one that holds its answer until the test lets it go, or fails)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from resource_testkit import KID, Keys, jwk_for

from cognito_m2m_verifier import key_prefetch
from cognito_m2m_verifier.jwks import JwksCache


class _Held(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        server: Any = self.server
        server.asked.set()
        server.release.wait(10)
        status, body = server.answer
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def held_server(keys: Keys) -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Held)
    server.asked, server.release = threading.Event(), threading.Event()
    server.answer = (200, json.dumps({"keys": [jwk_for(keys.main, KID)]}).encode())
    server.url = f"http://127.0.0.1:{server.server_port}/pool/.well-known/jwks.json"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_prefetch_left() -> Iterator[None]:
    yield
    key_prefetch._pending.clear()


def test_init_goes_on_while_the_keys_download_and_the_cache_takes_them(held_server: Any) -> None:
    key_prefetch.start({"JWKS_URL": held_server.url})  # returns while the server still holds its answer
    assert held_server.asked.wait(5)
    assert not held_server.release.is_set()
    held_server.release.set()
    cache = JwksCache(held_server.url)
    assert cache.kids == frozenset()  # built without waiting: the document is taken at the first lookup
    assert cache.get_key(KID) is not None
    assert cache.fetch_count == 0  # the first token verifies without a fetch of its own
    other = JwksCache(held_server.url)
    assert other.get_key(KID) is not None
    assert other.fetch_count == 1  # taken once, by one cache: another one fetches for itself


def test_a_cache_built_during_init_does_not_wait_for_the_download(held_server: Any) -> None:
    """ProtectedApi.from_environment builds its cache at import: taking the document then would make
    INIT wait for the network the prefetch is there to hide."""
    key_prefetch.start({"JWKS_URL": held_server.url})
    assert held_server.asked.wait(5)
    cache = JwksCache(held_server.url)  # returns while the server still holds its answer
    assert not held_server.release.is_set()
    held_server.release.set()
    assert cache.get_key(KID) is not None
    assert cache.fetch_count == 0


@pytest.mark.parametrize(
    "answer",
    [(500, b"{}"), (200, b"not json"), (200, b'{"keys": []}'), (404, b"")],
)
def test_a_failed_prefetch_leaves_the_first_token_to_fetch_as_always(
    held_server: Any, answer: Any, keys: Keys
) -> None:
    held_server.answer = answer
    held_server.release.set()
    key_prefetch.start({"JWKS_URL": held_server.url})
    assert key_prefetch._pending[held_server.url].done.wait(5)  # the failed download is over
    cache = JwksCache(held_server.url)
    held_server.answer = (200, json.dumps({"keys": [jwk_for(keys.second, "other")]}).encode())
    assert cache.get_key("other") is not None  # fetched at once: no penalty window opened by the prefetch
    assert cache.fetch_count == 1


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"USER_POOL_ID": "not a pool"},
        {"USER_POOL_ID": "eu-west-1_AbC", "ISSUER_FORMAT": "sideways"},
        {"JWKS_URL": "http://keys.example.com/jwks.json"},  # plain http elsewhere: refused, never fetched
        {"JWKS_URL": "ftp://127.0.0.1/jwks.json"},
    ],
)
def test_an_environment_that_names_no_usable_url_starts_nothing_and_never_raises(env: dict[str, str]) -> None:
    key_prefetch.start(env)
    assert key_prefetch._pending == {}


@pytest.mark.parametrize(
    ("env", "url"),
    [
        (
            {"USER_POOL_ID": "eu-west-1_AbC"},
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
        ),
        (
            {"USER_POOL_ID": "eu-west-1_AbC", "ISSUER_FORMAT": "updated"},
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
        ),
        ({"USER_POOL_ID": "eu-west-1_AbC", "JWKS_URL": "https://keys.example/j"}, "https://keys.example/j"),
    ],
)
def test_the_url_is_the_one_the_first_tokens_need(env: dict[str, str], url: str) -> None:
    assert key_prefetch.prefetch_url(env) == url


def import_in_new_interpreter(held_server: Any, code: str, lambda_name: str | None = None) -> list[str]:
    """What ``code`` prints, run in a new interpreter with the module's environment for a function."""
    src = Path(__file__).resolve().parents[2] / "src" / "resource"
    env = {
        "PYTHONPATH": str(src),
        "JWKS_URL": held_server.url,
        "USER_POOL_ID": "eu-west-1_AbC",
        "ALLOWED_CLIENT_IDS": "1example23456789abcdefghij",
        "ROUTE_SCOPES": '{"GET /api": ["rest-api/read"]}',
        **({"AWS_LAMBDA_FUNCTION_NAME": lambda_name} if lambda_name else {}),
    }
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=30, check=True
    )
    return ran.stdout.split()


def test_the_lambda_entry_point_starts_the_download_before_the_handlers_imports(held_server: Any) -> None:
    """``import app`` returns while the JWKS server still holds its answer: INIT is never delayed."""
    held_server.release.clear()
    code = (
        "import sys, app, cognito_m2m_verifier.key_prefetch as k;"
        "print(len(k._pending), 'cognito_m2m_verifier.handler' in sys.modules)"
    )
    assert import_in_new_interpreter(held_server, code) == ["1", "True"]
    assert held_server.asked.is_set()
    assert not held_server.release.is_set()


def run_own_function(held_server: Any, lambda_name: str | None) -> list[str]:
    """A function of your own, as a user writes it, imported in a new interpreter."""
    code = (
        "import sys; from cognito_m2m_verifier import AccessTokenClaims, ProtectedApi;"
        "import cognito_m2m_verifier.key_prefetch as k;"
        "api = ProtectedApi.from_environment();"
        "print(len(k._pending), 'cognito_m2m_verifier.protected_api' in sys.modules)"
    )
    return import_in_new_interpreter(held_server, code, lambda_name)


def test_your_own_function_in_lambda_starts_the_download_at_its_first_import_from_the_library(
    held_server: Any,
) -> None:
    held_server.release.clear()
    assert run_own_function(held_server, "orders") == ["1", "True"]
    assert held_server.asked.is_set()  # INIT went on while the server held its answer
    assert not held_server.release.is_set()


def test_outside_lambda_importing_protected_api_opens_no_connection(held_server: Any) -> None:
    assert run_own_function(held_server, None) == ["0", "True"]
    assert not held_server.asked.wait(0.5)
