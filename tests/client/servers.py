"""Scripted HTTP servers on 127.0.0.1 standing in for Cognito's token endpoint and the protected API.

Each server answers from a script (a list of :class:`Reply`, consumed in order) and then from a default
(a :class:`Reply` or a function of the request). It records every request. Hangs wait on an event
that :meth:`ScriptedServer.stop` sets, so no test waits longer than it must. Also usable by the
benchmark as a loopback stand-in that counts requests.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = b""  # bytes, str, or a JSON value
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (interrupted by stop())
    drip: float = 0.0  # seconds between body bytes (a slow-drip body)
    reset: bool = False  # close the connection without answering
    short_by: int = 0  # announce this many more body bytes than are sent, then close

    def payload(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json;charset=UTF-8"


Responder = Callable[[Recorded], Reply]


class ScriptedServer:
    def __init__(self, default: Reply | Responder | None = None) -> None:
        self.script: list[Reply] = []
        self.default: Reply | Responder = default or Reply()
        self.requests: list[Recorded] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = (
                True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
            )

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                reply = owner._next(recorded)
                if reply.delay:
                    owner.release.wait(reply.delay)
                if reply.reset:
                    self.close_connection = True
                    return
                data, content_type = reply.payload()
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": content_type, **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data) + reply.short_by))
                    self.end_headers()
                    if reply.drip:
                        for i in range(len(data)):
                            if owner.release.wait(reply.drip):
                                return
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                    else:
                        self.wfile.write(data)
                    if reply.short_by:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = do_PUT = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()

    def _next(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.script:
                return self.script.pop(0)
        return self.default(request) if callable(self.default) else self.default

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def count(self) -> int:
        return len(self.requests)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


_serial = itertools.count(1)


def new_access_token() -> str:
    """A fresh three-part, JWT-shaped access token (the client never verifies it)."""
    return f"eyJhbGciOiJSUzI1NiJ9.eyJuIjo{next(_serial)}In0.c2lnbmF0dXJl{next(_serial)}"


def token_reply(expires_in: Any = 3600, token_type: Any = "Bearer") -> Reply:
    return Reply(
        200, {"access_token": new_access_token(), "expires_in": expires_in, "token_type": token_type}
    )


def token_endpoint(expires_in: int = 3600) -> Responder:
    """A token endpoint answering every request with a new token."""
    return lambda _request: token_reply(expires_in)
