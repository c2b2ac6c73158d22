"""The fleet-wide token cache, measured: a cold burst of containers and a simulated day (``make bench``).

Also what its tests use: a loopback token endpoint that issues Cognito-shaped tokens (``client_id``,
``scope`` and ``exp`` in the payload; the cache checks them, never the signature), the token table on a
moto server, and "containers" (:class:`CognitoTokens` instances with their own memory caches and clients).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import boto3

from bench import paths

paths.use_function_sources()

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

        ThreadingHTTPServer.request_queue_size = 256  # a burst of 100 connections must not be refused
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


@contextmanager
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


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


# ---- the measurements ---------------------------------------------------------------------------------


def cold_burst(moto_url: str, containers: int, *, shared: bool) -> dict[str, Any]:
    """``containers`` fresh containers that all need a token at once: token requests made."""
    from concurrent.futures import ThreadPoolExecutor

    endpoint = CognitoLikeEndpoint(delay=0.05)  # Cognito's answer takes a while: the burst overlaps it
    dynamodb = create_table(moto_url, "burst") if shared else None
    try:
        fleet = [container(endpoint.url, moto_url, "burst" if shared else None) for _ in range(containers)]
        barrier = threading.Barrier(containers)

        def run(tokens: Any) -> None:
            barrier.wait()
            tokens.token()

        with ThreadPoolExecutor(containers) as pool:
            list(pool.map(run, fleet))
        fallbacks = sum(t.source.stats.shared_cache_fallbacks for t in fleet)
        return {"containers": containers, "token_requests": endpoint.requests, "fallbacks": fallbacks}
    finally:
        endpoint.stop()
        if dynamodb is not None:
            dynamodb.delete_table(TableName="burst")


class SimClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def simulated_day(
    moto_url: str, *, containers: int, calls_per_second: int, seconds: int, shared: bool
) -> dict[str, Any]:
    """``calls_per_second`` calls over ``containers`` for ``seconds`` simulated seconds; 1-hour tokens."""
    clock = SimClock()
    endpoint = CognitoLikeEndpoint(expires_in=3600, clock=clock)
    dynamodb = create_table(moto_url, "day") if shared else None
    try:
        fleet = [
            container(endpoint.url, moto_url, "day" if shared else None, clock=clock, wall_clock=clock)
            for _ in range(containers)
        ]
        for second in range(seconds):
            clock.now = 1_800_000_000.0 + second
            for call in range(calls_per_second):
                fleet[call % containers].token()
        return {
            "containers": containers,
            "calls": calls_per_second * seconds,
            "seconds": seconds,
            "token_requests": endpoint.requests,
            "table_hits": sum(t.source.stats.shared_cache_hits for t in fleet),
        }
    finally:
        endpoint.stop()
        if dynamodb is not None:
            dynamodb.delete_table(TableName="day")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cold_container_latency(moto_url: str, samples: int) -> dict[str, Any]:
    """A cold container's first token: from the table (warm) against from the token endpoint, in ms."""
    endpoint = CognitoLikeEndpoint()
    dynamodb = create_table(moto_url, "latency")
    try:
        container(endpoint.url, moto_url, "latency").token()  # the fleet's token is in the table
        timings: dict[str, list[float]] = {"table": [], "direct": []}
        for _ in range(samples):
            for name, table in (("table", "latency"), ("direct", None)):
                tokens = container(endpoint.url, moto_url, table)
                if table is not None:
                    assert tokens.source.shared is not None
                    _ = tokens.source.shared.client  # the client exists in a warm process: not timed
                started = time.perf_counter()
                tokens.token()
                timings[name].append((time.perf_counter() - started) * 1000)
        return {
            "samples": samples,
            **{f"{name}_p50_ms": round(_percentile(v, 0.5), 2) for name, v in timings.items()},
            **{f"{name}_p99_ms": round(_percentile(v, 0.99), 2) for name, v in timings.items()},
        }
    finally:
        endpoint.stop()
        dynamodb.delete_table(TableName="latency")


def run(*, containers: int = 100, day_seconds: int = 86_400, samples: int = 200) -> dict[str, Any]:
    with moto_server() as moto_url:
        burst = {
            kind: cold_burst(moto_url, containers, shared=kind == "shared") for kind in ("baseline", "shared")
        }
        day = {
            kind: simulated_day(
                moto_url,
                containers=containers,
                calls_per_second=100,
                seconds=day_seconds,
                shared=kind == "shared",
            )
            for kind in ("baseline", "shared")
        }
        latency = cold_container_latency(moto_url, samples)
    for figures in (burst, day):
        base = figures["baseline"]["token_requests"]
        figures["ratio_to_baseline"] = round(figures["shared"]["token_requests"] / base, 4) if base else None
    return {
        "cold_burst": burst,
        "day": day,
        "cold_container_latency": latency,
        "no_cache_day_requests": 100 * day_seconds,
    }
