"""Part 1: warm token verification, every case in this process, rounds interleaved.

Workloads (tokens signed by :mod:`bench.tokens`, all valid, keys already cached in every case):

- ``distinct``: N different access tokens, each verified once per round;
- ``reused``: 20 clients each presenting its own token 500 times (calls interleaved), the shape of
  machine-to-machine traffic.

Cases: the floor (``cryptography`` RSA PKCS#1 v1.5 SHA-256 ``verify`` alone on pre-split signing input
and pre-decoded signature), our verifier exactly as the resource function builds and calls it, PyJWT
``decode`` with a pre-loaded key plus the same claim checks, PyJWT ``PyJWKClient`` + ``decode`` per
token, Powertools for AWS Lambda's alpha ``JWTVerifier`` (Cognito preset) and aws-jwt-verify in Node
(``hydrate()`` + ``verifySync``), with Node's own ``crypto.verify`` floor for context. After one
untimed warm-up round, the median of the timed rounds is reported, with the throughput ratio of each
case to the Python floor. Rates use the CPU time of the verifying thread (Node: of its process), so
that other work on a shared machine moves them less; wall times are recorded beside them.
"""

from __future__ import annotations

import contextlib
import gc
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bench import ours, paths
from bench.loopback import JwksServer
from bench.stats import median
from bench.tokens import (
    CLIENT_IDS,
    ISSUER,
    LEEWAY_SECONDS,
    READ_SCOPE,
    REQUIRED_SCOPES,
    USER_POOL_ID,
    SigningKey,
    TokenFactory,
    b64url_decode,
    new_signing_key,
    reuse_sequence,
)

POWERTOOLS_AUDIENCE = "https://api.bench.example"


@dataclass
class Case:
    name: str
    label: str
    workload: str  # "distinct" | "reused"
    run: Callable[[], tuple[float, float, int]] | None  # one round: (cpu s, wall s, tokens accepted)
    count: int
    skipped: str | None = None
    note: str | None = None
    seconds: list[float] = field(default_factory=list)  # CPU time of the verifying thread
    wall: list[float] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)


def timed(loop: Callable[[], int]) -> Callable[[], tuple[float, float, int]]:
    """One round of ``loop``: CPU time of this thread (what the rates use: robust to other processes
    sharing the machine, and the loops are CPU-bound in this one thread), wall time, tokens accepted."""

    def run() -> tuple[float, float, int]:
        gc.collect()
        wall, cpu = time.perf_counter(), time.thread_time()
        ok = loop()
        return time.thread_time() - cpu, time.perf_counter() - wall, ok

    return run


def split(tokens: list[str]) -> list[tuple[bytes, bytes]]:
    """Pre-split signing input and pre-decoded signature: all the floor is left to do is RSA."""
    out = []
    for token in tokens:
        signing_input, _, signature = token.rpartition(".")
        out.append((signing_input.encode("ascii"), b64url_decode(signature)))
    return out


def floor_loop(key: SigningKey, items: list[tuple[bytes, bytes]]) -> Callable[[], int]:
    public_key = key.public_key
    pad = padding.PKCS1v15()
    sha256 = hashes.SHA256()

    def loop() -> int:
        verify = public_key.verify
        for signing_input, signature in items:
            verify(signature, signing_input, pad, sha256)
        return len(items)

    return loop


def signature_step_loop(key: SigningKey, items: list[tuple[bytes, bytes]]) -> Callable[[], int]:
    """Our verifier's signature step alone (``cognito_m2m_verifier.signature.signature_matches``: RSA
    recover through ``cryptography`` and a DigestInfo compare), on the floor's pre-split items."""
    from cognito_m2m_verifier.signature import signature_matches

    public_key = key.public_key

    def loop() -> int:
        ok = 0
        for signing_input, signature in items:
            ok += signature_matches(public_key, signing_input, signature)
        return ok

    return loop


def check_claims_like_ours(claims: dict[str, Any]) -> None:
    """The claim rules our verifier applies that PyJWT does not (PyJWT checks exp/iat/iss itself)."""
    for name in ("exp", "iat"):
        if type(claims.get(name)) is not int:
            raise ValueError(f"{name} is not an integer")
    if "nbf" in claims and type(claims["nbf"]) is not int:
        raise ValueError("nbf is not an integer")
    if claims.get("token_use") != "access":
        raise ValueError("token_use")
    if claims.get("client_id") not in CLIENT_IDS:
        raise ValueError("client_id")
    scope = claims.get("scope")
    scopes = scope.split(" ") if isinstance(scope, str) else []
    if not all(s in scopes for s in REQUIRED_SCOPES):
        raise ValueError("scope")


PYJWT_OPTIONS = {"require": ["exp", "iat", "iss", "token_use", "client_id"]}


def pyjwt_loop(key: SigningKey, tokens: list[str]) -> Callable[[], int]:
    import jwt

    public_key = key.public_key

    def loop() -> int:
        decode = jwt.decode
        for token in tokens:
            claims = decode(
                token,
                public_key,
                algorithms=["RS256"],
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options=PYJWT_OPTIONS,  # type: ignore[arg-type]
            )
            check_claims_like_ours(claims)
        return len(tokens)

    return loop


def pyjwk_client_loop(jwks_url: str, tokens: list[str]) -> Callable[[], int]:
    import jwt

    client = jwt.PyJWKClient(jwks_url, timeout=3)  # defaults otherwise: what a naive Lambda does

    def loop() -> int:
        for token in tokens:
            signing_key = client.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options=PYJWT_OPTIONS,  # type: ignore[arg-type]
            )
            check_claims_like_ours(claims)
        return len(tokens)

    return loop


def ours_loop(function: ours.ResourceFunction, tokens: list[str]) -> Callable[[], int]:
    def loop() -> int:
        authorize = function.authorizer()  # a fresh app per round: no round profits from another's cache
        for token in tokens:
            authorize(token)
        return len(tokens)

    return loop


def claims_loop(function: ours.ResourceFunction, tokens: list[str], *, decode: bool) -> Callable[[], int]:
    """Verify and read the ``tenant`` claim a trigger added: from ``claims.custom`` (decoded once per token,
    kept with it), or with ``decode`` from ``claims.claims`` (the payload decoded on each access)."""

    def loop() -> int:
        authorize = function.authorizer()  # a fresh app per round: no round profits from another's cache
        found = 0
        for token in tokens:
            claims: Any = authorize(token)
            tenant = claims.claims["tenant"] if decode else claims.custom["tenant"]
            found += tenant is not None
        return found

    return loop


CUSTOM_CLAIMS: dict[str, Any] = {
    "entitlements": ["export", "audit"],
    "limits": {"rps": 10, "regions": ["eu-west-1"]},
}
"""What a V3_0 trigger adds besides the tenant: an array and a JSON object (examples/token-trigger adds
less: a tenant and a metadata value)."""


def event_loop(
    new_handler: Callable[[], Callable[..., dict[str, Any]]], tokens: list[str]
) -> Callable[[], int]:
    """ALB events with ``tokens``, each answered by a handler that ``new_handler`` builds per round
    (a fresh app: no round profits from another's verified-token cache)."""
    events = [ours.alb_event(token) for token in tokens]

    def loop() -> int:
        handle = new_handler()
        ok = 0
        for event in events:
            ok += handle(event, None)["statusCode"] == 200
        return ok

    return loop


def handler_loop(function: ours.ResourceFunction, tokens: list[str]) -> Callable[[], int]:
    """The demo function's handler."""
    return event_loop(function.handler, tokens)


def wrapper_loop(
    function: ours.ResourceFunction, tokens: list[str], *, metrics: bool = True
) -> Callable[[], int]:
    """``ProtectedApi``, what a function of your own runs (with its metrics record unless told not)."""
    return event_loop(lambda: function.wrapper(metrics=metrics), tokens)


def powertools_resolver(key: SigningKey) -> Callable[[], Callable[..., dict[str, Any]]]:
    """Powertools' ALB resolver routing ``GET /api`` to a function that verifies the token with PyJWT
    (the key pre-loaded, as a JWKS client's cache holds it) and checks Cognito's claims and the scope:
    the same routing and verification as our wrapper, written the Powertools way."""
    import jwt
    from aws_lambda_powertools.event_handler import ALBResolver, Response

    public_key = key.private_key.public_key()

    class Context:
        function_name = "bench"
        memory_limit_in_mb = 256
        aws_request_id = "bench"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"

        def get_remaining_time_in_millis(self) -> int:
            return 30_000

    def new_handler() -> Callable[..., dict[str, Any]]:
        app = ALBResolver()

        @app.get("/api")
        def api() -> Any:
            auth = app.current_event.headers.get("authorization") or ""
            try:
                claims = jwt.decode(
                    auth.removeprefix("Bearer "),
                    public_key,
                    algorithms=["RS256"],
                    issuer=ISSUER,
                    options={"require": ["exp", "iat", "iss"], "verify_aud": False},
                )
            except jwt.PyJWTError:
                return Response(status_code=401, content_type="application/json", body="{}")
            check_claims_like_ours(claims)
            return {"message": "hello", "client_id": claims["client_id"]}

        context = Context()
        return lambda event, _context: app.resolve(event, context)

    return new_handler


def resolver_case(name: str, label: str, workload: str, key: SigningKey, tokens: list[str]) -> Case:
    """Powertools' resolver on ``tokens``, or a skipped case when Powertools is not installed."""
    try:
        new_handler = powertools_resolver(key)
    except ImportError as exc:
        return Case(name, label, workload, None, len(tokens), skipped=f"not installed ({exc})")
    return Case(name, label, workload, timed(event_loop(new_handler, tokens)), len(tokens))


def powertools_case(key: SigningKey, factory: TokenFactory, count: int, cognito_token: str) -> Case:
    label = "Powertools JWTVerifier.cognito (alpha)"
    try:
        from aws_lambda_powertools.utilities.auth_alpha.jwt import JWTVerifier
    except ImportError as exc:
        return Case("powertools", label, "distinct", None, count, skipped=f"not installed ({exc})")
    verifier = JWTVerifier.cognito(
        user_pool_id=USER_POOL_ID,
        client_id=CLIENT_IDS[0],
        audience=POWERTOOLS_AUDIENCE,
        jwks=key.jwks(),  # static keys: its jwks_uri must be https, and this machine has no network
        clock_skew_seconds=LEEWAY_SECONDS,
    )
    note = "its Cognito preset requires `aud` and a single client_id"
    try:
        verifier.verify(cognito_token)
    except Exception as exc:
        note += (
            f"; it rejects real client-credentials tokens (no `aud`: {type(exc).__name__}), "
            "so it is timed on the same tokens plus an `aud` claim and one client_id"
        )
    tokens = [
        factory.sign(
            {**factory.claims(CLIENT_IDS[0], f"{READ_SCOPE} rest-api/write"), "aud": POWERTOOLS_AUDIENCE}
        )
        for _ in range(count)
    ]

    def loop() -> int:
        verify = verifier.verify
        for token in tokens:
            claims = verify(token)
            scope = claims.get("scope")
            scopes = scope.split(" ") if isinstance(scope, str) else []
            if not all(s in scopes for s in REQUIRED_SCOPES):
                raise ValueError("scope")
        return len(tokens)

    return Case("powertools", label, "distinct", timed(loop), count, note=note)


class NodeRunner:
    """aws-jwt-verify in a Node process that verifies the whole token list on each command."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.version = ""

    def command(self, name: str) -> tuple[float, float, int]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the aws-jwt-verify runner exited")
        answer = json.loads(line)
        return float(answer["cpu_seconds"]), float(answer["seconds"]), int(answer["ok"])


def node_skip_reason() -> str | None:
    if not shutil.which("node"):
        return "node not found"
    if not (paths.NODE_MODULES / "aws-jwt-verify" / "package.json").exists():
        return "aws-jwt-verify not installed (`make bench` runs npm ci in bench/ when npm exists)"
    return None


@contextlib.contextmanager
def node_runner(config: dict[str, Any]) -> Iterator[NodeRunner]:
    paths.WORK.mkdir(parents=True, exist_ok=True)
    config_path = paths.WORK / "node-verify-config.json"
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        ["node", str(paths.BENCH / "node" / "aws_jwt_verify_runner.mjs"), str(config_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    runner = NodeRunner(process)
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline() or "{}")
        if not ready.get("ready"):
            raise RuntimeError("the aws-jwt-verify runner did not start")
        runner.version = str(ready.get("node", ""))
        yield runner
    finally:
        if process.stdin:
            with contextlib.suppress(OSError):
                process.stdin.write("quit\n")
                process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def summarize(case: Case, floors: dict[str, Case]) -> dict[str, Any]:
    out: dict[str, Any] = {"label": case.label, "workload": case.workload, "tokens_per_round": case.count}
    if case.skipped:
        out["skipped"] = case.skipped
        return out
    secs = median(case.seconds)
    per_token = secs / case.count
    out.update(
        {
            "rounds_cpu_seconds": [round(s, 6) for s in case.seconds],
            "median_cpu_seconds": round(secs, 6),
            "median_wall_seconds": round(median(case.wall), 6),
            "verifications_per_second": round(1 / per_token, 1),
            "us_per_token": round(per_token * 1e6, 2),
            "all_accepted": all(a == case.count for a in case.accepted),
        }
    )
    # Ratio to the floor: the median over rounds of the ratio within each round (the floor and the case
    # ran moments apart there), so that load from other work on a shared machine, which drifts between
    # rounds, cancels out better than in a ratio of two medians. Both cases verify the same token count.
    best = min(case.seconds) / case.count
    out["best_us_per_token"] = round(best * 1e6, 2)
    floor = floors.get(case.workload)
    if floor is not None and len(floor.seconds) == len(case.seconds):
        per_round = [f / c for f, c in zip(floor.seconds, case.seconds, strict=True)]
        out["ratio_to_floor"] = round(median(per_round), 3)
        out["ratio_to_floor_per_round"] = [round(r, 3) for r in per_round]
        out["ratio_of_medians"] = round(median(floor.seconds) / secs, 3)
        # the best round of each: noise from other work only ever adds time
        out["best_ratio_to_floor"] = round(min(floor.seconds) / min(case.seconds), 3)
    if case.note:
        out["note"] = case.note
    return out


def run(distinct: int = 5000, clients: int = 20, reuses: int = 500, rounds: int = 5) -> dict[str, Any]:
    """Measure every case; returns the ``verification`` section of results.json."""
    t0 = time.perf_counter()
    key = new_signing_key()
    factory = TokenFactory(key)
    tokens = factory.distinct_tokens(distinct)
    client_tokens = factory.distinct_tokens(clients)
    reused = reuse_sequence(client_tokens, reuses)
    customized = [
        factory.access_token(i, tenant=f"tenant-{i % clients}", **CUSTOM_CLAIMS) for i in range(distinct)
    ]
    reused_customized = reuse_sequence(customized[:clients], reuses)
    log(f"signed {2 * distinct + clients} tokens in {time.perf_counter() - t0:.1f}s")

    with JwksServer(key.jwks(), USER_POOL_ID) as jwks_server:
        function = ours.ResourceFunction(jwks_server.url, key.kid)
        cases = [
            Case(
                "floor",
                "floor: cryptography RSA verify",
                "distinct",
                timed(floor_loop(key, split(tokens))),
                distinct,
            ),
            Case(
                "signature_step",
                "our signature step alone (context)",
                "distinct",
                timed(signature_step_loop(key, split(tokens))),
                distinct,
            ),
            Case(
                "ours",
                "our verifier (resource function)",
                "distinct",
                timed(ours_loop(function, tokens)),
                distinct,
            ),
            Case(
                "pyjwt_decode",
                "PyJWT decode, key pre-loaded",
                "distinct",
                timed(pyjwt_loop(key, tokens)),
                distinct,
            ),
            Case(
                "pyjwt_jwk_client",
                "PyJWT PyJWKClient + decode",
                "distinct",
                timed(pyjwk_client_loop(jwks_server.url, tokens)),
                distinct,
            ),
            Case(
                "ours_customized",
                "our verifier, customized tokens (a trigger's tenant, array and object claims), tenant read",
                "distinct",
                timed(claims_loop(function, customized, decode=False)),
                distinct,
            ),
            powertools_case(key, factory, distinct, tokens[0]),
            Case(
                "ours_handler",
                "our handler, ALB event to response (context)",
                "distinct",
                timed(handler_loop(function, tokens)),
                distinct,
            ),
            Case(
                "wrapper",
                "our wrapper (ProtectedApi), ALB event to response",
                "distinct",
                timed(wrapper_loop(function, tokens)),
                distinct,
            ),
            Case(
                "wrapper_no_metrics",
                "our wrapper without its metrics record (METRICS_NAMESPACE unset)",
                "distinct",
                timed(wrapper_loop(function, tokens, metrics=False)),
                distinct,
            ),
            resolver_case(
                "powertools_resolver",
                "Powertools ALB resolver + PyJWT, ALB event to response (context)",
                "distinct",
                key,
                tokens,
            ),
            Case(
                "reused_floor",
                "floor: cryptography RSA verify",
                "reused",
                timed(floor_loop(key, split(reused))),
                len(reused),
            ),
            Case(
                "reused_ours",
                "our verifier (resource function)",
                "reused",
                timed(ours_loop(function, reused)),
                len(reused),
            ),
            Case(
                "reused_ours_customized",
                "our verifier, customized tokens, tenant read from claims.custom",
                "reused",
                timed(claims_loop(function, reused_customized, decode=False)),
                len(reused_customized),
            ),
            Case(
                "reused_ours_claims_decode",
                "our verifier, customized tokens, tenant read from claims.claims (decoded each time)",
                "reused",
                timed(claims_loop(function, reused_customized, decode=True)),
                len(reused_customized),
            ),
            resolver_case(
                "reused_powertools_resolver",
                "Powertools ALB resolver + PyJWT, ALB event to response",
                "reused",
                key,
                reused,
            ),
            Case(
                "reused_wrapper",
                "our wrapper (ProtectedApi), ALB event to response",
                "reused",
                timed(wrapper_loop(function, reused)),
                len(reused),
            ),
            Case(
                "reused_wrapper_no_metrics",
                "our wrapper without its metrics record (METRICS_NAMESPACE unset)",
                "reused",
                timed(wrapper_loop(function, reused, metrics=False)),
                len(reused),
            ),
        ]
        skip = node_skip_reason()
        node_config = {
            "user_pool_id": USER_POOL_ID,
            "client_ids": list(CLIENT_IDS),
            "scope": list(REQUIRED_SCOPES),
            "grace_seconds": LEEWAY_SECONDS,
            "jwks_url": jwks_server.url,
            "tokens": tokens,
            "signing_inputs": [t.rpartition(".")[0] for t in tokens],
            "signatures_b64url": [t.rpartition(".")[2] for t in tokens],
            "jwk": key.jwk(),
        }
        with contextlib.ExitStack() as stack:
            node_version = ""
            if skip is None:
                try:
                    runner = stack.enter_context(node_runner(node_config))
                    node_version = runner.version
                    cases.append(
                        Case(
                            "aws_jwt_verify",
                            "aws-jwt-verify (Node) verifySync",
                            "distinct",
                            lambda: runner.command("verify"),
                            distinct,
                        )
                    )
                    cases.append(
                        Case(
                            "node_floor",
                            "Node crypto.verify alone (context)",
                            "distinct",
                            lambda: runner.command("floor"),
                            distinct,
                        )
                    )
                except (OSError, RuntimeError, ValueError) as exc:
                    skip = f"runner failed: {exc}"
            if skip is not None:
                cases.append(
                    Case(
                        "aws_jwt_verify",
                        "aws-jwt-verify (Node) verifySync",
                        "distinct",
                        None,
                        distinct,
                        skipped=skip,
                    )
                )
            for case in cases:
                if case.skipped:
                    log(f"{case.name} skipped: {case.skipped}")
            active = [c for c in cases if c.run is not None]
            for case in active:  # one untimed warm-up round: first-use costs are not "warm" verification
                assert case.run is not None
                case.run()
            log("warm-up round done")
            # Each floor runs right next to our verifier on the same workload (the pair's order alternates),
            # so that their per-round ratio sees the same load; the units rotate round by round.
            partner = {"floor": "ours", "reused_floor": "reused_ours"}
            by_name = {c.name: c for c in active}
            paired = set(partner) | set(partner.values())
            units = [[by_name[f], by_name[o]] for f, o in partner.items() if f in by_name and o in by_name]
            units += [[c] for c in active if c.name not in paired]
            for r in range(rounds):
                shift = r % len(units)
                order = [c for unit in units[shift:] + units[:shift] for c in (unit if r % 2 else unit[::-1])]
                for case in order:
                    assert case.run is not None
                    cpu, wall, ok = case.run()
                    case.seconds.append(cpu)
                    case.wall.append(wall)
                    case.accepted.append(ok)
                log(f"round {r + 1}/{rounds} done")
        jwks_fetches = jwks_server.requests

    by_name = {c.name: c for c in cases}
    floors = {"distinct": by_name["floor"], "reused": by_name["reused_floor"]}
    return {
        "tokens": {"distinct": distinct, "clients": clients, "reuses_per_client": reuses, "rounds": rounds},
        "key": "RSA-2048, RS256, one kid",
        "node": node_version or None,
        "jwks_requests_served": jwks_fetches,
        "cases": {c.name: summarize(c, floors) for c in cases},
        "seconds_total": round(time.perf_counter() - t0, 1),
    }


def log(message: str) -> None:
    print(f"bench[verify]: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
