"""Cold paths, end to end: what a new execution environment costs before and while it answers.

Each sample is a new process (Lambda bills INIT since August 2025): the interpreter starts, the handler
module is imported (INIT), the first request is answered, then a second request with another token.
Python variants run the Lambda runtime's Python with ``-I -S -B`` and ``sys.path`` set as Lambda sets it
(the task's folder, the layer's ``python/``, the runtime's boto3), as in :mod:`bench.coldstart`. The JWKS
comes from a loopback server that waits ``jwks_delay`` (30 ms) before answering, as the network would.
Times are wall-clock milliseconds from the parent's spawn to each point; variants are interleaved sample
by sample and the medians reported, so load from other work on the machine spreads over all of them.

Resource side, the same work each (verify a Cognito access token: RS256, issuer, ``token_use``, client,
scope): our resource function (``app.handler``); your own function on the verifier layer
(examples/local/orders); PyJWT with ``PyJWKClient`` in a minimal handler; Powertools' ALB resolver with
PyJWT; aws-jwt-verify in Node, with and without ``hydrate()`` during INIT.

Client side: our client function (secret from Secrets Manager on a loopback moto, token from a loopback
token endpoint, then the API), against the usual way: boto3's ``get_secret_value``, a token POST with
urllib3, then the call, at every invocation.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from bench import paths, trees
from bench.coldstart import LAMBDA_ENV, find_target_python
from bench.loopback import ApiServer, JwksServer, TokenEndpoint
from bench.stats import median
from bench.tokens import CLIENT_IDS, ISSUER, USER_POOL_ID, TokenFactory, new_signing_key

CHILD = r"""
import json, sys, time
start = time.time()
config = json.loads(open(sys.argv[1]).read())
sys.path[:0] = config["path"]
namespace = {}
exec(config["init"], namespace)
init = time.time()
call = namespace["call"]
first_status = call(config["tokens"][0])
first = time.time()
second_status = call(config["tokens"][1])
second = time.time()
statuses = [first_status, second_status]
print(json.dumps({"start": start * 1000, "init": init * 1000, "first": first * 1000,
                  "second": second * 1000, "ok": statuses == [200, 200], "statuses": statuses}))
"""

ALB_EVENT = r"""
def alb_event(path, token):
    return {"requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/r/1"}},
            "httpMethod": "GET", "path": path, "queryStringParameters": {}, "isBase64Encoded": False,
            "body": "", "headers": {"host": "api.example.com", "authorization": "Bearer " + token}}
"""

OURS = (
    ALB_EVENT
    + r"""
import app
def call(token):
    return app.handler(alb_event("/api", token), None)["statusCode"]
"""
)

OWN_ON_LAYER = (
    ALB_EVENT
    + r"""
import orders
def call(token):
    return orders.handler(alb_event("/orders", token), None)["statusCode"]
"""
)

# PyJWT as its documentation shows it: a PyJWKClient created at INIT, the signing key looked up by the
# token's kid (one JWKS fetch, then its cache), jwt.decode with the algorithm pinned and the issuer, then
# Cognito's claims checked by hand. ``verify(authorization)`` answers a status code; both PyJWT variants
# (a minimal handler, Powertools' resolver) call it.
PYJWT_VERIFY = r"""
import os
import jwt
from jwt import PyJWKClient
ISSUER = os.environ["ISSUER"]; CLIENTS = os.environ["ALLOWED_CLIENT_IDS"].split(",")
jwks_client = PyJWKClient(os.environ["JWKS_URL"])
def verify(auth):
    if not auth.startswith("Bearer "):
        return 401
    token = auth[7:]
    try:
        key = jwks_client.get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=ISSUER,
                            options={"require": ["exp", "iat", "iss"], "verify_aud": False})
    except jwt.PyJWTError:
        return 401
    if claims.get("token_use") != "access" or claims.get("client_id") not in CLIENTS:
        return 401
    if "rest-api/read" not in str(claims.get("scope", "")).split(" "):
        return 403
    return 200
"""

PYJWT = (
    ALB_EVENT
    + PYJWT_VERIFY
    + r"""
def handler(event, context):
    status = verify(event["headers"].get("authorization", ""))
    return {"statusCode": status, "body": "{}"}
def call(token):
    return handler(alb_event("/api", token), None)["statusCode"]
"""
)

POWERTOOLS = (
    ALB_EVENT
    + PYJWT_VERIFY
    + r"""
from aws_lambda_powertools.event_handler import ALBResolver, Response
app = ALBResolver()
@app.get("/api")
def api():
    status = verify(app.current_event.headers.get("authorization", ""))
    if status != 200:
        return Response(status_code=status, content_type="application/json", body="{}")
    return {"ok": True}
class Context:
    function_name = "bench"; memory_limit_in_mb = 256; aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    def get_remaining_time_in_millis(self): return 30000
def call(token):
    return app.resolve(alb_event("/api", token), Context())["statusCode"]
"""
)

CLIENT_EVENT = r"""
EVENT = {"requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/c/1"}},
         "httpMethod": "GET", "path": "/client", "queryStringParameters": {}, "isBase64Encoded": False,
         "body": "", "headers": {"host": "bench.local"}}
class Context:
    aws_request_id = "bench"
    def get_remaining_time_in_millis(self): return 30000
"""

OURS_CLIENT = (
    CLIENT_EVENT
    + r"""
import app
def call(_token):
    answer = app.handler(EVENT, Context())
    return answer["statusCode"]
"""
)

# The usual way: a boto3 client at INIT, then at every invocation the secret, a token, the call.
USUAL_CLIENT = (
    CLIENT_EVENT
    + r"""
import base64, json, os
import boto3
import urllib3
secrets = boto3.client("secretsmanager")
http = urllib3.PoolManager()
def handler(event, context):
    secret = json.loads(secrets.get_secret_value(SecretId=os.environ["CLIENT_SECRET_ARN"])["SecretString"])
    basic = base64.b64encode(f"{secret['client_id']}:{secret['client_secret']}".encode()).decode()
    form = "grant_type=client_credentials&scope=rest-api%2Fread"
    token = http.request("POST", os.environ["TOKEN_URL"], body=form,
                         headers={"Authorization": "Basic " + basic,
                                  "Content-Type": "application/x-www-form-urlencoded"})
    access = json.loads(token.data)["access_token"]
    api = http.request("GET", os.environ["API_URL"], headers={"Authorization": "Bearer " + access})
    return {"statusCode": 200 if api.status == 200 else 502}
def call(_token):
    return handler(EVENT, Context())["statusCode"]
"""
)


class DelayedJwksServer(JwksServer):
    """The pool's JWKS, answered after ``delay`` seconds (the network's round trips and Cognito's time)."""

    def __init__(self, jwks: Mapping[str, object], user_pool_id: str, delay: float) -> None:
        super().__init__(jwks, user_pool_id)
        self.delay = delay

    def respond(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, Mapping[str, object]]:
        time.sleep(self.delay)
        return super().respond(request, body)


@dataclass
class Variant:
    name: str
    label: str
    side: str  # "resource" or "client"
    command: list[str]  # the process, given the config file as its last argument (or before extra args)
    config: dict[str, Any]
    env: dict[str, str]
    extra: list[str] = field(default_factory=list)
    samples: list[dict[str, float]] = field(default_factory=list)
    error: str | None = None


def sample(variant: Variant, config_file: Path) -> dict[str, float]:
    spawned = time.time() * 1000
    out = subprocess.run(
        [*variant.command, str(config_file), *variant.extra],
        capture_output=True,
        text=True,
        env=variant.env,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{variant.name}: exit {out.returncode}: {out.stderr.strip()[-800:]}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if not got.get("ok"):
        raise RuntimeError(f"{variant.name}: requests not answered 200: {got}")
    return {
        "interpreter": got["start"] - spawned,
        "init": got["init"] - got["start"],
        "first_request": got["first"] - got["init"],
        "to_first_answer": got["first"] - spawned,
        "second_request": got["second"] - got["first"],
    }


def summarize(variant: Variant) -> dict[str, Any]:
    if variant.error:
        return {"label": variant.label, "side": variant.side, "error": variant.error}
    out: dict[str, Any] = {"label": variant.label, "side": variant.side, "samples": len(variant.samples)}
    for part in ("interpreter", "init", "first_request", "to_first_answer", "second_request"):
        out[f"{part}_ms"] = round(median([s[part] for s in variant.samples]), 1)
    return out


@contextmanager
def client_upstreams(factory: TokenFactory) -> Iterator[dict[str, str]]:
    """moto's Secrets Manager (the client's secret), a token endpoint and the API, all on loopback."""
    import boto3

    from bench.fleet import moto_server

    client_id, secret = CLIENT_IDS[0], "bench0secret0bench0secret0bench0"
    with ExitStack() as stack:
        moto_url = stack.enter_context(moto_server())
        token_endpoint = stack.enter_context(
            TokenEndpoint(
                {client_id: secret}, lambda c, s: factory.sign(factory.claims(c, s or "rest-api/read"))
            )
        )
        api = stack.enter_context(ApiServer())
        secrets = boto3.client(
            "secretsmanager",
            region_name="us-east-1",
            endpoint_url=moto_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        arn = secrets.create_secret(
            Name="bench-cold-path", SecretString=json.dumps({"client_id": client_id, "client_secret": secret})
        )["ARN"]
        yield {
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "CLIENT_SECRET_ARN": arn,
            "TOKEN_URL": token_endpoint.url,
            "API_URL": f"{api.base_url}/api",
            "SCOPES": "rest-api/read",
        }


def run(samples: int = 9, jwks_delay: float = 0.03, python_version: str = "3.13") -> dict[str, Any]:
    python, note = find_target_python(python_version)
    host = paths.DIST / "host"
    for bundle in ("resource.zip", "client.zip", "orders.zip", "verifier-layer.zip"):
        if not (host / bundle).exists():
            raise FileNotFoundError(f"{host / bundle} is missing: run `make build-host`")
    resource = trees.unzip(host / "resource.zip", "cold-resource")
    client = trees.unzip(host / "client.zip", "cold-client")
    orders = trees.unzip(host / "orders.zip", "cold-orders")
    layer = trees.unzip(host / "verifier-layer.zip", "cold-layer") / "python"
    baseline = trees.pip_target("baseline", trees.baseline_requirements(), python)
    runtime = trees.pip_target("runtime", trees.runtime_requirements(), python)
    powertools = trees.pip_target("powertools", [trees.POWERTOOLS_REQUIREMENT], python)

    key = new_signing_key()
    factory = TokenFactory(key)
    python_command = [python, "-I", "-S", "-B", "-c", CHILD]
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="cold-path-") as tmp:
        jwks = stack.enter_context(DelayedJwksServer(key.jwks(), USER_POOL_ID, jwks_delay))
        upstreams = stack.enter_context(client_upstreams(factory))
        verifier_env = {
            **LAMBDA_ENV,
            "USER_POOL_ID": USER_POOL_ID,
            "ALLOWED_CLIENT_IDS": ",".join(CLIENT_IDS),
            "JWKS_URL": jwks.url,
            "ISSUER": ISSUER,
            "CLOCK_SKEW_SECONDS": "5",
        }
        api_env = {
            **verifier_env,
            "ROUTE_SCOPES": '{"GET /api": ["rest-api/read"], "POST /api": ["rest-api/write"]}',
        }
        orders_env = {
            **verifier_env,
            "ROUTE_SCOPES": json.dumps(
                {
                    "GET /orders": ["rest-api/read"],
                    "POST /orders": ["rest-api/write"],
                    "GET /orders/*": ["rest-api/read"],
                    "GET /tenants/*": ["rest-api/read"],
                }
            ),
        }
        client_env = {**LAMBDA_ENV, **upstreams}
        variants = [
            Variant("ours", "our resource function", "resource", python_command,
                    {"path": [str(resource), str(runtime)], "init": OURS}, api_env),
            Variant("own_layer", "your function on the verifier layer", "resource", python_command,
                    {"path": [str(orders), str(layer), str(runtime)], "init": OWN_ON_LAYER}, orders_env),
            Variant("pyjwt", "PyJWT + PyJWKClient, minimal handler", "resource", python_command,
                    {"path": [str(baseline), str(runtime)], "init": PYJWT}, api_env),
            Variant("powertools", "Powertools ALB resolver + PyJWT", "resource", python_command,
                    {"path": [str(powertools), str(baseline), str(runtime)], "init": POWERTOOLS}, api_env),
            Variant("client_ours", "our client function", "client", python_command,
                    {"path": [str(client), str(runtime)], "init": OURS_CLIENT}, client_env),
            Variant("client_usual", "the usual way: boto3, then urllib3", "client", python_command,
                    {"path": [str(baseline), str(runtime)], "init": USUAL_CLIENT}, client_env),
        ]  # fmt: skip
        node = shutil.which("node")
        node_ready = node and (paths.NODE_MODULES / "aws-jwt-verify" / "package.json").exists()
        if node_ready:
            node_config = {
                "user_pool_id": USER_POOL_ID,
                "client_ids": list(CLIENT_IDS),
                "scope": ["rest-api/read"],
                "jwks_url": jwks.url,
            }
            script = str(paths.BENCH / "node" / "cold_path.mjs")
            env = {"PATH": "/usr/bin:/bin", "HOME": tmp}
            variants += [
                Variant("aws_jwt_verify", "aws-jwt-verify (Node), JWKS at the first request", "resource",
                        [str(node), script], dict(node_config), env, ["0"]),
                Variant("aws_jwt_verify_hydrated", "aws-jwt-verify (Node), hydrate() during INIT", "resource",
                        [str(node), script], dict(node_config), env, ["1"]),
            ]  # fmt: skip
        for round_number in range(samples):
            for variant in variants:
                if variant.error:
                    continue
                index = round_number * len(variants) + variants.index(variant)
                tokens = [
                    factory.sign(factory.claims(CLIENT_IDS[(index + n) % len(CLIENT_IDS)], "rest-api/read"))
                    for n in (0, 1)
                ]
                config_file = Path(tmp) / f"{variant.name}.json"
                config_file.write_text(json.dumps({**variant.config, "tokens": tokens}))
                try:
                    variant.samples.append(sample(variant, config_file))
                except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
                    variant.error = str(exc)[-800:]
        jwks_requests = jwks.requests
    results = {v.name: summarize(v) for v in variants}
    return {
        "python": python,
        "python_note": note,
        "jwks_delay_ms": round(jwks_delay * 1000),
        "samples": samples,
        "node": None if node_ready else "aws-jwt-verify not installed or node missing",
        "jwks_requests_served": jwks_requests,
        "variants": results,
        "ratios": ratios(results),
    }


def ratios(results: Mapping[str, Mapping[str, Any]]) -> dict[str, float | None]:
    """Ours over theirs, on the time to the first answer (interpreter, INIT, first request)."""

    def first(name: str) -> float | None:
        value = results.get(name, {}).get("to_first_answer_ms")
        return float(value) if value else None

    def ratio(ours: str, theirs: str | list[str]) -> float | None:
        others = [first(t) for t in ([theirs] if isinstance(theirs, str) else theirs)]
        best = min((o for o in others if o), default=None)
        mine = first(ours)
        return round(mine / best, 3) if mine and best else None

    return {
        "ours_vs_pyjwt": ratio("ours", "pyjwt"),
        "ours_vs_powertools": ratio("ours", "powertools"),
        "ours_vs_aws_jwt_verify": ratio("ours", ["aws_jwt_verify", "aws_jwt_verify_hydrated"]),
        "own_layer_vs_pyjwt": ratio("own_layer", "pyjwt"),
        "client_ours_vs_usual": ratio("client_ours", "client_usual"),
    }


def main() -> None:  # python -m bench.cold_path: print one run
    print(json.dumps(run(samples=int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))


if __name__ == "__main__":
    main()
