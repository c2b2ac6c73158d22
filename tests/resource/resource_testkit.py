"""Helpers of the resource-server tests (constants, token factory, JWKS server state).

The fixtures that use them live in ``conftest.py``.

Real RSA keys generated once per session, a real JWKS HTTP server on 127.0.0.1 (port 0, in a thread,
stopped at the end of the session), tokens signed with ``cryptography`` (and PyJWT where a test wants
an independent encoder), and an injectable clock. Nothing is mocked.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

POOL_ID = "us-east-1_TestPool1"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
CLIENT_ID = "1example23456789abcdefghij"
OTHER_CLIENT_ID = "2otherclient3456789abcdefg"
KID = "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="  # Cognito-shaped: standard base64 with + and =
KID2 = "idTokenKey/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="
NOW = 1_800_000_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwk_for(key: rsa.RSAPrivateKey | rsa.RSAPublicKey, kid: str, **extra: Any) -> dict[str, Any]:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    numbers = public.public_numbers()
    jwk: dict[str, Any] = {
        "alg": "RS256",
        "e": b64url_uint(numbers.e),
        "kid": kid,
        "kty": "RSA",
        "n": b64url_uint(numbers.n),
        "use": "sig",
    }
    jwk.update(extra)
    return {k: v for k, v in jwk.items() if v is not None}


def jwks_document(*jwks: dict[str, Any]) -> bytes:
    return json.dumps({"keys": list(jwks)}).encode()


class FakeClock:
    """A settable clock (seconds); ``advance`` moves it forward."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Keys:
    main: rsa.RSAPrivateKey
    second: rsa.RSAPrivateKey
    stranger: rsa.RSAPrivateKey
    weak: rsa.RSAPrivateKey
    ec: ec.EllipticCurvePrivateKey


def default_claims(now: int = NOW, **over: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": CLIENT_ID,
        "token_use": "access",
        "scope": "rest-api/read rest-api/write",
        "auth_time": now,
        "iss": ISSUER,
        "exp": now + 3600,
        "iat": now,
        "version": 2,
        "jti": "8f1c0000-0000-4000-8000-000000000000",
        "client_id": CLIENT_ID,
    }
    if "client_id" in over and "sub" not in over:  # a client-credentials token: sub == client_id
        claims["sub"] = over["client_id"]
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


@dataclass
class TokenFactory:
    """Builds compact JWS tokens signed RS256 by a chosen key, with any header or payload."""

    keys: Keys
    counter: list[int] = field(default_factory=lambda: [0])

    def segments(self, header: dict[str, Any] | str | bytes, payload: dict[str, Any] | str | bytes) -> str:
        def enc(part: dict[str, Any] | str | bytes) -> str:
            if isinstance(part, dict):
                part = json.dumps(part, separators=(",", ":"))
            if isinstance(part, str):
                part = part.encode()
            return b64url(part)

        return enc(header) + "." + enc(payload)

    def sign(self, signing_input: str, key: rsa.RSAPrivateKey | None = None) -> str:
        key = key or self.keys.main
        signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def make(
        self,
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = KID,
        header: dict[str, Any] | None = None,
        now: int = NOW,
        **claims: Any,
    ) -> str:
        """A token; ``claims`` override the defaults (``None`` removes a claim); jti made unique."""
        self.counter[0] += 1
        claims.setdefault("jti", f"8f1c0000-0000-4000-8000-{self.counter[0]:012d}")
        hdr: dict[str, Any] = {"kid": kid, "alg": "RS256"} if header is None else header
        hdr = {k: v for k, v in hdr.items() if v is not None}
        return self.sign(self.segments(hdr, default_claims(now, **claims)), key)


class JwksServer:
    """State of the loopback JWKS endpoint; tests change it between requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset(b"")
        self.httpd: ThreadingHTTPServer | None = None

    def reset(self, body: bytes) -> None:
        self.body = body
        self.status = 200
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self.omit_length = False
        self.drip = 0.0
        self.hits = 0
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/.well-known/jwks.json"

    @property
    def closed_url(self) -> str:
        """A loopback URL where nothing listens (connection refused)."""
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}/.well-known/jwks.json"


def _handler_class(state: JwksServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with state.lock:
                state.hits += 1
                state.paths.append(self.path)
                body, status, headers, delay = state.body, state.status, dict(state.headers), state.delay
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if state.omit_length:  # body runs until the connection closes
                self.send_header("Connection", "close")
                self.close_connection = True
            elif "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if state.drip:  # one byte at a time, each after a pause
                    for index in range(len(body)):
                        time.sleep(state.drip)
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                else:
                    self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
