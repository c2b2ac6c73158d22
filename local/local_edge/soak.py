"""``python -m local_edge.soak``: a bounded load and soak run through the local stack.

N concurrent callers (``--concurrency``, default 16) send ``--requests`` requests (default 5,000) over
loopback to the local ALB, mixing ``GET /client`` (the client function: secret, cached token, API call)
with ``/api`` calls carrying valid, expired, forged and wrong-scope tokens, no token and a malformed
header. It runs only against 127.0.0.1/localhost, stops after ``--max-seconds`` whatever happens, and
then reports throughput, p50/p99 latency and status counts, and checks:

- zero unexpected statuses (every kind of request has exactly one right answer);
- zero accepted forgeries (no expired, forged or wrong-scope token ever gets a 2xx);
- one token request per client container per token lifetime: the token endpoint's own log
  (``token issued to client <id>`` in the edge log) counts the tokens issued to the demo client
  during the run; minus the soak's own requests, they must not exceed the number of client
  execution environments that served during the run (each fetches once, then reuses its token);
- the workers' memory stays flat: the RSS of every worker process (``/proc/<pid>/status``), taken after
  a warm-up and again at the end, grows by at most ``--rss-growth-kib`` (default 8 MiB);
- no client secret, access token or ``Authorization`` value in any log of the stack's state folder.

The stack is found through its state folder (``LOCAL_STATE_DIR``, default that of ``make local``):
``edge.json`` (ports, emulator endpoint), ``stack.json`` (Terraform outputs), ``edge.pid`` and ``logs/``.
Start it first with ``make local`` (``make soak`` does). Exit status 0 only when every check passes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import urllib3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from local_edge.signing import TokenSigner, b64url

READ_SCOPE = "rest-api/read"
DEFAULT_CONCURRENCY = 16
DEFAULT_REQUESTS = 5000
DEFAULT_MAX_SECONDS = 600.0
DEFAULT_RSS_GROWTH_KIB = 8 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# kind -> the statuses that are right for it (a 2xx for a *forged* kind is an accepted forgery)
EXPECTED: dict[str, frozenset[int]] = {
    "client": frozenset({200}),
    "api_valid": frozenset({200}),
    "api_expired": frozenset({401}),
    "api_forged_key": frozenset({401}),
    "api_forged_none": frozenset({401}),
    "api_forged_hs256": frozenset({401}),
    "api_wrong_scope": frozenset({403}),
    "api_no_token": frozenset({401}),
    "api_malformed": frozenset({400}),
}
FORGED_KINDS = frozenset(
    {"api_expired", "api_forged_key", "api_forged_none", "api_forged_hs256", "api_wrong_scope"}
)
# one cycle of the mix: about a third /client, a third valid /api, a third hostile
MIX: tuple[str, ...] = (
    "client",
    "api_valid",
    "api_expired",
    "client",
    "api_valid",
    "api_forged_key",
    "client",
    "api_wrong_scope",
    "api_forged_none",
    "client",
    "api_valid",
    "api_no_token",
    "api_forged_hs256",
    "api_malformed",
)
_TOKEN_ISSUED = re.compile(r"token issued to client (\S+) for scopes")
_COLD_START = re.compile(r"(\S+): cold start in \d+ ms \(pid (\d+)\)")


class SoakError(RuntimeError):
    """The soak cannot run (no stack, not loopback, ...)."""


@dataclass(frozen=True)
class Stack:
    """What the soak needs to know of a running local stack."""

    state_dir: Path
    alb_url: str
    token_url: str
    aws_endpoint: str
    region: str
    client_id: str
    client_secret: str
    client_function: str
    resource_function: str
    edge_pid: int

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"


def _require_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise SoakError(f"{url}: the soak only targets loopback (127.0.0.1/localhost)")


def discover(state_dir: Path, alb_url: str | None = None, token_url: str | None = None) -> Stack:
    """Read the running stack's ports, outputs and credentials from its state folder."""
    try:
        edge = json.loads((state_dir / "edge.json").read_text())
        outputs = json.loads((state_dir / "stack.json").read_text())["outputs"]
        edge_pid = int((state_dir / "edge.pid").read_text().strip())
    except (OSError, ValueError, KeyError) as exc:
        raise SoakError(f"no running local stack in {state_dir} ({exc}): run `make local` first") from None
    alb = alb_url or f"http://127.0.0.1:{edge['alb_port']}"
    tokens = token_url or f"http://127.0.0.1:{edge['auth_port']}/oauth2/token"
    for url in (alb, tokens, edge["aws_endpoint"]):
        _require_loopback(url)
    secrets = boto3.client(
        "secretsmanager",
        region_name=edge["region"],
        endpoint_url=edge["aws_endpoint"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
    )
    arn = next(iter(outputs["client_secret_arns"].values()))
    secret = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    return Stack(
        state_dir=state_dir,
        alb_url=alb.rstrip("/"),
        token_url=tokens,
        aws_endpoint=edge["aws_endpoint"],
        region=edge["region"],
        client_id=secret["client_id"],
        client_secret=secret["client_secret"],
        client_function=outputs["client_function_name"],
        resource_function=outputs["resource_function_name"],
        edge_pid=edge_pid,
    )


# ---- tokens -------------------------------------------------------------------------------------


@dataclass
class Tokens:
    """The tokens the callers send, built once before the run."""

    valid: str
    expired: str
    forged_key: str
    forged_none: str
    forged_hs256: str
    own_requests: int

    def secrets(self) -> list[str]:
        return [self.valid, self.expired, self.forged_key, self.forged_none, self.forged_hs256]


def request_token(http: urllib3.PoolManager, stack: Stack, scope: str) -> dict[str, Any]:
    basic = base64.b64encode(
        f"{urllib.parse.quote_plus(stack.client_id)}:{urllib.parse.quote_plus(stack.client_secret)}".encode()
    ).decode()
    answer = http.request(
        "POST",
        stack.token_url,
        body=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"},
    )
    if answer.status != 200:
        raise SoakError(f"the token endpoint answered {answer.status}")
    body: dict[str, Any] = json.loads(answer.data)
    return body


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
    )


def _encode(part: dict[str, Any]) -> str:
    return b64url(json.dumps(part, separators=(",", ":")).encode())


def build_tokens(http: urllib3.PoolManager, stack: Stack) -> Tokens:
    """A valid read token from the token endpoint, and hostile variants of it: the same claims expired
    (signed with the pool's own key, as moto serves it), signed by a stranger key, ``alg: none`` and
    HS256 keyed with the token's own header (an algorithm-confusion attempt)."""
    valid = request_token(http, stack, READ_SCOPE)["access_token"]
    header, claims = _segments(valid)
    now = int(time.time())
    expired_claims = {**claims, "iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600}
    expired_claims["jti"] = str(uuid.uuid4())
    expired = TokenSigner.from_moto().sign(expired_claims)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged_input = _encode(header) + "." + _encode({**claims, "jti": str(uuid.uuid4())})
    forged_sig = stranger.sign(forged_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    none_input = _encode({"alg": "none", "kid": header["kid"]}) + "." + _encode(claims)
    hs_input = _encode({"alg": "HS256", "kid": header["kid"]}) + "." + _encode(claims)
    hs_sig = hmac.new(header["kid"].encode(), hs_input.encode(), hashlib.sha256).digest()
    return Tokens(
        valid=valid,
        expired=expired,
        forged_key=forged_input + "." + b64url(forged_sig),
        forged_none=none_input + ".",
        forged_hs256=hs_input + "." + b64url(hs_sig),
        own_requests=1,
    )


# ---- workers and their memory ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB, from /proc/<pid>/status (None once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def workers(edge_pid: int) -> dict[int, str]:
    """Worker processes of the edge (pid -> function name), i.e. the live execution environments."""
    found = {}
    for pid in _children(edge_pid):
        name = _environ(pid).get("AWS_LAMBDA_FUNCTION_NAME")
        if name:
            found[pid] = name
    return found


class WorkerWatch(threading.Thread):
    """Samples the worker processes every ``interval`` seconds (distinct pids per function)."""

    def __init__(self, edge_pid: int, interval: float = 0.25) -> None:
        super().__init__(name="soak-worker-watch", daemon=True)
        self.edge_pid = edge_pid
        self.interval = interval
        self.seen: dict[int, str] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.seen.update(workers(self.edge_pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)
        self.seen.update(workers(self.edge_pid))


# ---- the run ----------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int
    seconds: float
    detail: str = ""


@dataclass
class Phase:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    stopped_early: bool = False


def one_request(http: urllib3.PoolManager, stack: Stack, tokens: Tokens, kind: str) -> Sample:
    url = f"{stack.alb_url}/api"
    method = "GET"
    headers: dict[str, str] = {}
    body: bytes | None = None
    if kind == "client":
        url = f"{stack.alb_url}/client"
    elif kind == "api_valid":
        headers["Authorization"] = f"Bearer {tokens.valid}"
    elif kind == "api_expired":
        headers["Authorization"] = f"Bearer {tokens.expired}"
    elif kind == "api_forged_key":
        headers["Authorization"] = f"Bearer {tokens.forged_key}"
    elif kind == "api_forged_none":
        headers["Authorization"] = f"Bearer {tokens.forged_none}"
    elif kind == "api_forged_hs256":
        headers["Authorization"] = f"Bearer {tokens.forged_hs256}"
    elif kind == "api_wrong_scope":  # a read token may not POST
        method = "POST"
        headers["Authorization"] = f"Bearer {tokens.valid}"
        headers["Content-Type"] = "application/json"
        body = b'{"soak":true}'
    elif kind == "api_malformed":
        headers["Authorization"] = "Bearer not a token!"
    started = time.perf_counter()
    try:
        answer = http.request(method, url, headers=headers, body=body)
        status, data = answer.status, answer.data
    except urllib3.exceptions.HTTPError as exc:
        return Sample(kind, 0, time.perf_counter() - started, f"transport error {type(exc).__name__}")
    seconds = time.perf_counter() - started
    detail = ""
    if kind == "client" and status == 200:
        try:
            api_status = json.loads(data)["api_status"]
        except (ValueError, KeyError, TypeError):
            api_status = None
        if api_status != 200:
            return Sample(kind, -1, seconds, f"GET /client answered 200 with api_status {api_status}")
    elif status not in EXPECTED[kind]:
        detail = data[:200].decode(errors="replace")
    return Sample(kind, status, seconds, detail)


def run_phase(
    stack: Stack,
    tokens: Tokens,
    *,
    requests: int,
    concurrency: int,
    deadline: float,
    mix: tuple[str, ...] = MIX,
) -> Phase:
    """Send ``requests`` requests from ``concurrency`` threads (stops at ``deadline``, monotonic)."""
    http = urllib3.PoolManager(
        num_pools=2,
        maxsize=concurrency,
        block=True,
        timeout=urllib3.Timeout(connect=2.0, read=30.0),
        retries=False,
    )
    counter = iter(range(requests))
    guard = threading.Lock()
    phase = Phase()

    def caller() -> None:
        mine: list[Sample] = []
        while True:
            with guard:
                index = next(counter, None)
            if index is None:
                break
            if time.monotonic() > deadline:
                phase.stopped_early = True
                break
            mine.append(one_request(http, stack, tokens, mix[index % len(mix)]))
        with guard:
            phase.samples.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=caller, name=f"soak-caller-{i}") for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    http.clear()
    return phase


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _log_lines(path: Path, offset: int) -> list[str]:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace").splitlines()
    except OSError:
        return []


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def scan_logs(logs: Path, secrets: Iterable[str]) -> dict[str, list[str]]:
    """Which secret-like values appear in which log file of the stack (file -> labels found)."""
    needles = [s for s in secrets if len(s) >= 12]
    found: dict[str, list[str]] = {}
    for path in sorted(logs.glob("*.log")):
        text = path.read_text(errors="replace")
        hits = [f"secret #{i}" for i, needle in enumerate(needles) if needle in text]
        if re.search(r"Authorization:\s*(Bearer|Basic)\s+\S", text, re.IGNORECASE):
            hits.append("Authorization header value")
        if re.search(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}", text):
            hits.append("a JWT")
        if hits:
            found[path.name] = hits
    return found


@dataclass
class Report:
    requests: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, dict[str, int]]
    unexpected: list[str]
    accepted_forgeries: int
    tokens_issued_to_containers: int
    client_containers: int
    client_cold_starts: int
    rss_kib: dict[str, tuple[int, int]]
    rss_growth_kib_max: int
    leaked: dict[str, list[str]]
    stopped_early: bool
    failures: list[str]

    def lines(self) -> list[str]:
        out = [
            f"requests     {self.requests} in {self.seconds:.1f} s: {self.throughput:.0f} req/s",
            f"latency      p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms",
        ]
        for kind, counts in sorted(self.statuses.items()):
            out.append(f"  {kind:18} " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())))
        out.append(f"unexpected   {len(self.unexpected)}")
        out.append(f"forgeries    {self.accepted_forgeries} accepted")
        out.append(
            f"tokens       {self.tokens_issued_to_containers} issued to client containers; "
            f"{self.client_containers} client containers served ({self.client_cold_starts} cold starts)"
        )
        for pid, (before, after) in sorted(self.rss_kib.items()):
            out.append(f"  worker {pid:>20}: RSS {before} KiB after warm-up, {after} KiB at the end")
        out.append(f"memory       max RSS growth {self.rss_growth_kib_max} KiB")
        out.append(f"logs         {'clean' if not self.leaked else self.leaked}")
        out.append("result       " + ("PASS" if not self.failures else "FAIL: " + "; ".join(self.failures)))
        return out

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def soak(
    stack: Stack,
    *,
    requests: int = DEFAULT_REQUESTS,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    warmup: int | None = None,
    rss_growth_kib: int = DEFAULT_RSS_GROWTH_KIB,
    token_lifetime: int = 3600,
    out: Callable[[str], None] = print,
) -> Report:
    """Warm up, measure, check; see the module docstring."""
    if not 1 <= concurrency <= 256 or not 1 <= requests <= 1_000_000:
        raise SoakError("concurrency must be 1-256 and requests 1-1,000,000")
    deadline = time.monotonic() + max_seconds
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=30.0), retries=False)
    edge_log = stack.logs / "edge.log"
    log_offset = _size(edge_log)
    tokens = build_tokens(http, stack)
    warm = warmup if warmup is not None else max(concurrency * 4, requests // 10)
    out(f"soak: warm-up of {warm} requests ({concurrency} callers) on {stack.alb_url}")
    watch = WorkerWatch(stack.edge_pid)
    watch.start()
    run_phase(stack, tokens, requests=warm, concurrency=concurrency, deadline=deadline)
    before = {pid: rss_kib(pid) for pid in workers(stack.edge_pid)}
    out(f"soak: {requests} requests, {concurrency} callers")
    phase = run_phase(stack, tokens, requests=requests, concurrency=concurrency, deadline=deadline)
    watch.stop()
    after = {pid: rss_kib(pid) for pid in workers(stack.edge_pid)}
    time.sleep(0.2)  # let the edge flush its log lines

    statuses: dict[str, Counter[int]] = {}
    unexpected: list[str] = []
    forgeries = 0
    for sample in phase.samples:
        statuses.setdefault(sample.kind, Counter())[sample.status] += 1
        if sample.status not in EXPECTED[sample.kind]:
            unexpected.append(f"{sample.kind}: {sample.status} {sample.detail}".strip())
        if sample.kind in FORGED_KINDS and 200 <= sample.status < 300:
            forgeries += 1
    latencies = [s.seconds for s in phase.samples]

    lines = _log_lines(edge_log, log_offset)
    issued = sum(1 for line in lines if (m := _TOKEN_ISSUED.search(line)) and m.group(1) == stack.client_id)
    cold = [m for line in lines if (m := _COLD_START.search(line))]
    client_cold = sum(1 for m in cold if m.group(1) == stack.client_function)
    client_pids = {pid for pid, name in watch.seen.items() if name == stack.client_function}
    client_pids |= {int(m.group(2)) for m in cold if m.group(1) == stack.client_function}
    by_containers = issued - tokens.own_requests

    rss = {pid: (b, a) for pid, b in before.items() if b is not None and (a := after.get(pid)) is not None}
    growth = max((a - b for b, a in rss.values()), default=0)
    leaked = scan_logs(stack.logs, [stack.client_secret, *tokens.secrets()])

    failures = []
    if phase.stopped_early:
        failures.append(f"stopped after {max_seconds:.0f} s before sending every request")
    if unexpected:
        failures.append(f"{len(unexpected)} unexpected statuses (first: {unexpected[0][:160]})")
    if forgeries:
        failures.append(f"{forgeries} forged, expired or wrong-scope tokens accepted")
    if phase.seconds > token_lifetime:
        failures.append("the run outlived a token lifetime: the token count check does not apply")
    if by_containers > len(client_pids):
        failures.append(
            f"{by_containers} tokens issued to {len(client_pids)} client containers (at most one each)"
        )
    if not client_pids:
        failures.append("no client execution environment was seen")
    if growth > rss_growth_kib:
        failures.append(f"a worker's RSS grew by {growth} KiB (bound {rss_growth_kib} KiB)")
    if not rss:
        failures.append("no worker lived through the run: memory could not be compared")
    if leaked:
        failures.append(f"secret material in logs: {leaked}")

    return Report(
        requests=len(phase.samples),
        seconds=phase.seconds,
        throughput=len(phase.samples) / phase.seconds if phase.seconds else 0.0,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        statuses={k: {str(s): n for s, n in sorted(v.items())} for k, v in sorted(statuses.items())},
        unexpected=unexpected[:20],
        accepted_forgeries=forgeries,
        tokens_issued_to_containers=by_containers,
        client_containers=len(client_pids),
        client_cold_starts=client_cold,
        rss_kib={f"{pid} ({watch.seen.get(pid, '?')})": v for pid, v in rss.items()},
        rss_growth_kib_max=growth,
        leaked=leaked,
        stopped_early=phase.stopped_early,
        failures=failures,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_edge.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="concurrent callers (16)"
    )
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help="requests to send (5000)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up requests (default: 10%%)")
    parser.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS, help="hard stop (600)")
    parser.add_argument("--rss-growth-kib", type=int, default=DEFAULT_RSS_GROWTH_KIB)
    parser.add_argument("--alb-url", help="the local ALB (default: from the state folder)")
    parser.add_argument("--token-url", help="the local token endpoint (default: from the state folder)")
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="the stack's state folder (default: as `make local`)"
    )
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--check", action="store_true", help="only check that a stack is running (exit 0)")
    args = parser.parse_args(argv)
    try:
        from local_edge.stack import Settings  # noqa: PLC0415 - the default state folder of `up`

        stack = discover(args.state_dir or Settings().state_dir, args.alb_url, args.token_url)
        if args.check:
            answer = urllib3.PoolManager(retries=False, timeout=5.0).request("GET", f"{stack.alb_url}/api")
            return 0 if answer.status == 401 else 2
        report = soak(
            stack,
            requests=args.requests,
            concurrency=args.concurrency,
            max_seconds=args.max_seconds,
            warmup=args.warmup,
            rss_growth_kib=args.rss_growth_kib,
        )
    except (SoakError, urllib3.exceptions.HTTPError) as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    return 0 if not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
