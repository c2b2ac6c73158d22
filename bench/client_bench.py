"""Part 2: the token client's economy over N warm invocations, beside a naive client.

Both clients answer the same ALB ``GET /client`` events, invocation by invocation (interleaved), against:

- a Cognito ``POST /oauth2/token`` stand-in on 127.0.0.1 (:class:`bench.loopback.TokenEndpoint`: form
  body, HTTP Basic client authentication, really RS256-signed access tokens, ``expires_in`` 3600), one
  per client so that each one's token requests are counted apart;
- the protected API stand-in on 127.0.0.1 (:class:`bench.loopback.ApiServer`);
- Secrets Manager: moto's in-process AWS mock (boto3's real client, moto serving the API; no
  network), one boto3 client per side, ``GetSecretValue`` calls counted through botocore's events.

Ours is the client function's handler built by :func:`cognito_m2m_client.handler.build_handler` with the
secrets client injected (everything else as in Lambda: its own PoolManager, clock, retry policy).
The naive client is the original design: every invocation reads the secret, requests a token, then
calls the API (same PoolManager reuse and timeouts, so only the caching differs).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import urllib3

from bench import ours, paths
from bench.loopback import ApiServer, TokenEndpoint
from bench.stats import median, percentile
from bench.tokens import READ_SCOPE, REGION, TokenFactory, new_signing_key

paths.use_function_sources()

CLIENT_ID = "1benchclient0aaaaaaaaaaaaa"
CLIENT_SECRET = "bench0secret0" + "x" * 38  # shaped like a Cognito client secret ([\w+]+, <= 64)
SECRET_NAME = "bench/client-credentials"


class LambdaContext:
    """The part of Lambda's context object the client reads."""

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class CallCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1


def client_event() -> dict[str, Any]:
    return {
        "requestContext": {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123:tg/client/1"}
        },
        "httpMethod": "GET",
        "path": "/client",
        "queryStringParameters": {},
        "headers": {"host": "bench.local", "x-amzn-trace-id": "Root=1-bench"},
        "body": "",
        "isBase64Encoded": False,
    }


class NaiveClient:
    """The original design: secret, token and API call on every invocation (no cache of either)."""

    def __init__(self, secrets: Any, secret_arn: str, token_url: str, api_url: str, scopes: str) -> None:
        self.secrets = secrets
        self.secret_arn = secret_arn
        self.token_url = token_url
        self.api_url = api_url
        self.scopes = scopes
        self.pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=5.0), retries=False)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        secret = json.loads(self.secrets.get_secret_value(SecretId=self.secret_arn)["SecretString"])
        basic = base64.b64encode(f"{secret['client_id']}:{secret['client_secret']}".encode()).decode()
        token_response = self.pool.request(
            "POST",
            self.token_url,
            body=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": self.scopes}),
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        token = json.loads(token_response.data)["access_token"]
        api = self.pool.request("GET", self.api_url, headers={"Authorization": f"Bearer {token}"})
        body = {"api_status": api.status, "api_body": json.loads(api.data)}
        return {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "headers": {"content-type": "application/json"},
            "body": json.dumps(body),
            "isBase64Encoded": False,
        }


@contextlib.contextmanager
def secrets_manager() -> Iterator[tuple[Any, Any, str, CallCounter, CallCounter]]:
    """moto's mock of Secrets Manager with the client's secret; two counted boto3 clients and its ARN."""
    import boto3
    from moto import mock_aws

    fake = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }
    saved = {k: os.environ.get(k) for k in fake}
    os.environ.update(fake)
    try:
        with mock_aws():
            setup = boto3.client("secretsmanager", region_name=REGION)
            arn = setup.create_secret(
                Name=SECRET_NAME,
                SecretString=json.dumps({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
            )["ARN"]
            ours_client = boto3.client("secretsmanager", region_name=REGION)
            naive_client = boto3.client("secretsmanager", region_name=REGION)
            ours_reads, naive_reads = CallCounter(), CallCounter()
            ours_client.meta.events.register("before-call.secrets-manager.GetSecretValue", ours_reads)
            naive_client.meta.events.register("before-call.secrets-manager.GetSecretValue", naive_reads)
            yield ours_client, naive_client, arn, ours_reads, naive_reads
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def summarize(times: list[float], token_requests: int, secret_reads: int, ok: int) -> dict[str, Any]:
    ms = [t * 1000 for t in times]
    return {
        "invocations": len(times),
        "answered_200": ok,
        "token_requests": token_requests,
        "secret_reads": secret_reads,
        "first_invocation_ms": round(ms[0], 3),
        "p50_ms": round(median(ms), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3),
    }


def run(invocations: int = 1000) -> dict[str, Any]:
    """Returns the ``client`` section of results.json."""
    ours.quiet_function_logs()
    from cognito_m2m_client.handler import build_handler

    factory = TokenFactory(new_signing_key())

    def mint(client_id: str, scope: str) -> str:
        return factory.sign(factory.claims(client_id, scope))

    clients = {CLIENT_ID: CLIENT_SECRET}
    t0 = time.perf_counter()
    with (
        secrets_manager() as (ours_secrets, naive_secrets, arn, ours_reads, naive_reads),
        TokenEndpoint(clients, mint) as ours_tokens,
        TokenEndpoint(clients, mint) as naive_tokens,
        ApiServer() as api,
    ):
        env = {
            "TOKEN_URL": ours_tokens.url,
            "CLIENT_SECRET_ARN": arn,
            "SCOPES": READ_SCOPE,
            "API_URL": api.base_url + "/api",
            "AWS_REGION": REGION,
        }
        handler = build_handler(env, secrets_client=ours_secrets)
        naive = NaiveClient(naive_secrets, arn, naive_tokens.url, api.base_url + "/api", READ_SCOPE)
        context = LambdaContext()
        event = client_event()
        ours_times: list[float] = []
        naive_times: list[float] = []
        ours_ok = naive_ok = 0
        clock = time.perf_counter
        for _ in range(invocations):
            start = clock()
            answer = handler(event, context)
            ours_times.append(clock() - start)
            ours_ok += answer["statusCode"] == 200 and json.loads(answer["body"])["api_status"] == 200
            start = clock()
            answer = naive(event, context)
            naive_times.append(clock() - start)
            naive_ok += answer["statusCode"] == 200 and json.loads(answer["body"])["api_status"] == 200
        result = {
            "invocations": invocations,
            "servers": "token endpoint + API: HTTP/1.1 on 127.0.0.1 (threads in this process); "
            "Secrets Manager: moto in-process mock",
            "ours": {
                **summarize(ours_times, ours_tokens.requests, ours_reads.calls, ours_ok),
                "handler_counters": {
                    "token_requests": handler.client.token_requests,
                    "secret_reads": handler.client.secret_reads,
                    "api_requests": handler.client.api_requests,
                },
            },
            "naive": summarize(naive_times, naive_tokens.requests, naive_reads.calls, naive_ok),
            "api_requests_served": api.requests,
        }
    small = invocations < 400
    result["scope_sets"] = run_scope_sets(calls=40 if small else 400, distinct=100 if small else 2000)
    result["seconds_total"] = round(time.perf_counter() - t0, 1)
    return result


def _pattern_calls(pattern: str, calls: int, bound: int) -> list[list[str]]:
    """The scope sets asked for, call by call."""
    if pattern == "bound":  # exactly as many scope sets as the cache holds, in turn
        return [[f"bench/s{i % bound}"] for i in range(calls)]
    if pattern == "bound+1":  # one more than it holds, in turn: the worst case of any eviction order
        return [[f"bench/s{i % (bound + 1)}"] for i in range(calls)]
    # one hot scope set, and a different one-off set every 4th call
    return [[f"bench/once{i}"] if i % 4 == 3 else [READ_SCOPE] for i in range(calls)]


def run_scope_sets(calls: int = 400, distinct: int = 2000) -> dict[str, Any]:
    """The per-container bound on scope sets: token requests per pattern of scope sets, and the memory
    the cache holds after many distinct sets (``results["client"]["scope_sets"]``)."""
    import gc
    import tracemalloc

    from cognito_m2m_client import CognitoTokens
    from cognito_m2m_client.token_cache import MAX_ENTRIES

    factory = TokenFactory(new_signing_key())
    clients = {CLIENT_ID: CLIENT_SECRET}
    patterns: dict[str, Any] = {}
    with TokenEndpoint(clients, lambda c, s: factory.sign(factory.claims(c, s))) as endpoint:
        for pattern in ("bound", "bound+1", "hot+one-offs"):
            tokens = CognitoTokens(token_url=endpoint.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
            before = tokens.token_requests
            for scopes in _pattern_calls(pattern, calls, MAX_ENTRIES):
                tokens.token(scopes)
            requests = tokens.token_requests - before
            patterns[pattern] = {
                "calls": calls,
                "distinct_scope_sets": len({tuple(s) for s in _pattern_calls(pattern, calls, MAX_ENTRIES)}),
                "token_requests": requests,
                "cache_hits": calls - requests,
                "evictions": tokens.cache_evictions,
            }
        # memory: after many distinct scope sets the client holds what it held after a few hundred (the
        # cache keeps 16 tokens, the per-scope-set locks at most 64); traced: everything this process
        # allocates, the loopback endpoint's threads included
        tokens = CognitoTokens(token_url=endpoint.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        checkpoints = (MAX_ENTRIES, distinct // 2, distinct)
        entries: dict[str, int] = {}
        traced: dict[str, int] = {}
        tracemalloc.start()
        for i in range(distinct):
            tokens.token([f"bench/m{i}"])
            if i + 1 in checkpoints:
                gc.collect()
                entries[str(i + 1)] = len(tokens.source.tokens)
                traced[str(i + 1)] = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    return {
        "max_scope_sets": MAX_ENTRIES,
        "patterns": patterns,
        "distinct_scope_sets": distinct,
        "entries_after": entries,
        "traced_bytes_after": traced,
    }
