"""Real HTTP servers on 127.0.0.1 (a free port each) standing in for Cognito and the protected API.

- :class:`JwksServer` serves the pool's JWKS at ``/<pool>/.well-known/jwks.json``.
- :class:`TokenEndpoint` speaks Cognito's ``POST /oauth2/token`` client-credentials protocol (form body,
  HTTP Basic client authentication, ``{"access_token", "expires_in", "token_type"}``, RFC 6749 errors).
- :class:`ApiServer` answers ``GET /api`` with 200 JSON when a Bearer token is present.

Each server counts the requests it answers, runs in a daemon thread, speaks HTTP/1.1 keep-alive (so
pooled clients reuse their connections, as they would against the real endpoints) and is stopped by
leaving its ``with`` block.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

Responder = Callable[[BaseHTTPRequestHandler, bytes], tuple[int, Mapping[str, object]]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Status line, headers and body leave in one segment (flushed after each request), as real
    # servers send them: two small writes would let Nagle and delayed ACKs add ~40 ms per response.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the bench prints its own table."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, document = self.server.responder(self, body)
        with self.server.lock:
            self.server.requests += 1
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, responder: Responder) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.responder = responder
        self.requests = 0
        self.lock = threading.Lock()


class LoopbackServer:
    """One HTTP server on 127.0.0.1:<free port>, answering every request with ``respond``."""

    def __init__(self) -> None:
        self._server = _Server(self.respond)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=type(self).__name__, daemon=True
        )

    def respond(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, Mapping[str, object]]:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> int:
        with self._server.lock:
            return self._server.requests

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class JwksServer(LoopbackServer):
    def __init__(self, jwks: Mapping[str, object], user_pool_id: str) -> None:
        super().__init__()
        self.jwks = jwks
        self.path = f"/{user_pool_id}/.well-known/jwks.json"

    @property
    def url(self) -> str:
        return self.base_url + self.path

    def respond(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, Mapping[str, object]]:
        if request.command == "GET" and request.path == self.path:
            return 200, self.jwks
        return 404, {"message": "not found"}


class TokenEndpoint(LoopbackServer):
    """Cognito's ``/oauth2/token`` for client credentials, issuing tokens from ``mint(client_id, scope)``."""

    def __init__(
        self, clients: dict[str, str], mint: Callable[[str, str], str], expires_in: int = 3600
    ) -> None:
        super().__init__()
        self.clients = clients
        self.mint = mint
        self.expires_in = expires_in

    @property
    def url(self) -> str:
        return self.base_url + "/oauth2/token"

    def respond(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, Mapping[str, object]]:
        if request.command != "POST" or request.path != "/oauth2/token":
            return 405, {"error": "invalid_request"}
        if not (request.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            return 400, {"error": "invalid_request"}
        form = urllib.parse.parse_qs(body.decode("ascii", "replace"), keep_blank_values=True)
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type"}
        auth = request.headers.get("Authorization") or ""
        scheme, _, value = auth.partition(" ")
        try:
            client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except ValueError:
            return 400, {"error": "invalid_client"}
        if scheme.lower() != "basic" or self.clients.get(client_id) != secret:
            return 400, {"error": "invalid_client"}
        scope = " ".join(form.get("scope", [""])[0].split())
        token = self.mint(client_id, scope)
        return 200, {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}


class ApiServer(LoopbackServer):
    """The protected API as the client sees it: 200 JSON for a Bearer request, 401 otherwise."""

    def respond(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, Mapping[str, object]]:
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or auth.count(".") != 2:
            return 401, {"error": "invalid_token"}
        return 200, {"message": "hello", "path": request.path}
