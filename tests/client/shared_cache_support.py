"""What the shared-cache tests and the benchmark need: a moto server with the token table, a loopback token
endpoint that issues Cognito-shaped tokens (client_id, scope, exp in the payload), and containers."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import boto3

CLIENT_ID = "1example23456789abcdefghij"
SECRET = "shared-cache-secret-0123456789abcdef"
TABLE = "m2m-tokens"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
_serial = itertools.count()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cognito_token(client_id: str, scopes: str, exp: int) -> str:
    """A token shaped like Cognito's (the cache checks shape and claims, never the signature)."""
    header = b64(json.dumps({"alg": "RS256", "kid": "k1"}).encode())
    claims = {"sub": client_id, "client_id": client_id, "token_use": "access", "exp": exp, "iat": exp - 3600}
    if scopes:
        claims["scope"] = scopes
    claims["jti"] = str(next(_serial))
    return f"{header}.{b64(json.dumps(claims).encode())}.{b64(b'signature')}"


class CognitoLikeEndpoint:
    """/oauth2/token on 127.0.0.1 that counts requests; ``delay`` slows each answer (a cold burst)."""

    def __init__(
        self, *, expires_in: int = 3600, delay: float = 0.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.requests = 0
        self.delay = delay
        self.expires_in = expires_in
        self.clock = clock
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                with outer._lock:
                    outer.requests += 1
                if outer.delay:
                    time.sleep(outer.delay)
                scope = " ".join(parse_qs(body).get("scope", [""])[0].split())
                token = cognito_token(
                    CLIENT_ID, scope or "rest-api/read", int(outer.clock()) + outer.expires_in
                )
                data = json.dumps(
                    {"access_token": token, "expires_in": outer.expires_in, "token_type": "Bearer"}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/oauth2/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def create_table(endpoint: str, name: str = TABLE) -> Any:
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, **CREDENTIALS)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


def container(token_url: str, endpoint: str, table: str | None = TABLE, **kw: Any) -> Any:
    """One client container: its own memory cache, its own clients, the shared table if given."""
    from cognito_m2m_client import CognitoTokens

    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, **CREDENTIALS) if table else None
    return CognitoTokens(
        token_url=token_url,
        scopes=["rest-api/read"],
        client_id=CLIENT_ID,
        client_secret=SECRET,
        shared_cache_table=table,
        dynamodb_client=dynamodb,
        **kw,
    )
