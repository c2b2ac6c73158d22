"""Produce the JSON plans that the security policies and the AWS contracts judge, derive the bad fixtures,
run terraform-compliance.

Plans are made without AWS: a moto server on 127.0.0.1 (a free port) stands in for every AWS API. Each target
root is first applied to moto and then planned again, so that the plan holds every value known (ARNs, policy
JSON built from ARNs, tags_all): a plan of never-created resources leaves exactly the values that the IAM
policies need "known after apply", and a policy cannot judge an unknown. The configuration is planned from a
temporary mirror of the repository (symlinks), so nothing (`.terraform/`, lock file, state) is written into
the working tree.

Usage (the Makefile's `plans` and `policy` targets do this):
    python tests/policy/policy_runner.py plans --out build/policy       # every target's <name>.json
    python tests/policy/policy_runner.py check --out build/policy       # compliance on plans + fixtures

Targets: `root` and `complete` are judged by the security policies and by the AWS contracts
(tests/contract); `minimal`, `own_api`, `edge` (every input at its longest or oddest) and `scale` (100
clients, 20 APIs, 99 listener rules) by the contracts only. `lifecycle` is a sequence rather than a plan:
it applies the root, changes its `apis` (one entry added before the others, one removed), rotates a
secret twice and lets Terraform forget the secret's first version, as the provider does once Secrets
Manager deletes it; `lifecycle.json` records what each step did (tests/contract/test_lifecycle.py).

The fixtures (tests/policy/fixtures/*.json) are small documented mutations of a good plan: each names the
base plan, the feature and the scenarios of it that must fail, and the edits. `check` applies them and
asserts that exactly those scenarios fail; tests/policy/test_policies.py asserts the same under pytest.

Mutations (each must match something): {"type": <resource type>, "address": <regex>, "set": {dotted.path:
value}, "delete": [dotted.path], "policy": {"append_statement": {...}} or {"where": {...}, "set": {...}}},
{"remove_resources": <type regex>}, {"add_resource": {"address", "type", "values"}}, {"output": name,
"value": <configuration output>}. A value "@attr(<address regex>)" is that attribute of a resource in the
good plan (e.g. the secret ARN that moto generated).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
# The configuration to plan: this project, or another checkout (POLICY_REPO) to try the policies on.
REPO = Path(os.environ.get("POLICY_REPO") or PROJECT)
POLICY_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = POLICY_DIR / "fixtures"
# Not under .local/: `make local-down` removes that folder whole. build/ is git-ignored too.
DEFAULT_OUT = PROJECT / "build" / "policy"
POLICY_VENV = Path(os.environ.get("POLICY_VENV", str(PROJECT / ".venv-policy")))
MAIN_VENV = Path(os.environ.get("VENV", str(PROJECT / ".venv")))
REGION = "us-east-1"
# Entries of the repository root that the Terraform configuration may need (never .git, venvs, state).
MIRROR_SKIP = {".git", ".local", ".terraform", ".venv", ".venv-policy", "tests", "bench", "node_modules"}

Json = dict[str, Any]


# ---- moto -----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configure_moto(url: str) -> None:
    """moto's Lambda backend without Docker (none here): RotateSecret, which Terraform's secret rotation
    calls, then gets a stub answer from the rotation function instead of failing the apply."""
    request = urllib.request.Request(
        f"{url}/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": False}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        answer.read()


@contextmanager
def moto_server(log_path: Path) -> Iterator[str]:
    """Start moto on 127.0.0.1 on a free port; yield its URL; stop it (by pid) afterwards."""
    port = free_port()
    exe = MAIN_VENV / "bin" / "moto_server"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(exe), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto did not start; see {log_path}") from None
                time.sleep(0.2)
        configure_moto(url)  # no Docker: RotateSecret's invocation of the rotation function gets a stub
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def aws_env(url: str) -> dict[str, str]:
    """Environment that points the AWS provider (and boto3) at moto, with fake credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL=url,
        AWS_EC2_METADATA_DISABLED="true",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
    )
    env.setdefault("TF_CLI_CONFIG_FILE", "/dev/null")
    return env


# ---- Terraform --------------------------------------------------------------------------------------------
@dataclass
class Target:
    """One root to plan: its folder in the repository and how to make its inputs exist in moto."""

    name: str
    directory: str
    # Scenarios tagged for the other branch (with or without a certificate) do not apply to this root.
    skip_tag: str
    prepare: Callable[[str], dict[str, Any]] = field(default=lambda _url: {})
    # Judged by terraform-compliance (else by the AWS contracts only).
    policies: bool = True
    # What to run instead of apply-and-plan (the lifecycle sequence).
    run: Callable[[Target, str, Path, Path], Path] | None = None


def mirror_repo(dest: Path, real_dirs: list[str]) -> None:
    """Symlink the repository's entries into dest; the target folders are real folders of symlinked files."""
    dest.mkdir(parents=True, exist_ok=True)
    keep_real = {Path(d).parts[0] for d in real_dirs if d != "."}
    for entry in REPO.iterdir():
        if entry.name in MIRROR_SKIP or entry.name.startswith((".venv", ".terraform")):
            continue
        if entry.name in keep_real:
            continue
        (dest / entry.name).symlink_to(entry)
    for rel in real_dirs:
        if rel == ".":
            continue
        _mirror_path(REPO, dest, Path(rel))


def _mirror_path(src_root: Path, dest_root: Path, rel: Path) -> None:
    """Make dest_root/rel a real folder whose files link to src_root/rel, siblings on the way linked."""
    parts = rel.parts
    for depth in range(1, len(parts) + 1):
        src = src_root.joinpath(*parts[:depth])
        dst = dest_root.joinpath(*parts[:depth])
        dst.mkdir(exist_ok=True)
        for entry in src.iterdir():
            if depth < len(parts) and entry.name == parts[depth]:
                continue
            if entry.name.startswith(".terraform") or entry.name.endswith((".tfstate", ".tfstate.backup")):
                continue
            link = dst / entry.name
            if not link.exists():
                link.symlink_to(entry)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so that a concurrent reader never sees half a plan."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def run(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise RuntimeError(
            f"{' '.join(cmd[:2])} failed in {cwd} (exit {done.returncode}); log {log}:\n{tail}"
        )


def plugin_dir_args() -> list[str]:
    """``-plugin-dir=<mirror>`` when a hashicorp/aws filesystem mirror is found, else nothing (then
    ``terraform init`` downloads the provider as usual)."""
    found = (
        os.environ.get("TF_PLUGIN_DIR")
        or subprocess.run(
            [str(PROJECT / "scripts" / "find-tf-plugins.sh")], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    return [f"-plugin-dir={found}"] if found else []


@dataclass
class Workspace:
    """A target's mirrored root, its environment, log and state: terraform runs in it step by step."""

    target: Target
    root: Path
    env: dict[str, str]
    log: Path
    state: Path
    work: Path

    def terraform(self, *args: str) -> None:
        run(["terraform", *args], self.root, self.env, self.log)

    def apply(self, *extra: str) -> None:
        self.terraform(
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            f"-state={self.state}",
            "-parallelism=20",
            *extra,
        )

    def show_plan(self, label: str, *extra: str) -> Json:
        """``terraform plan`` to a file and its JSON (the plan holds the values of the state it read)."""
        planfile = self.work / f"{self.target.name}-{label}.tfplan"
        self.terraform(
            "plan",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            "-parallelism=20",
            f"-out={planfile}",
            *extra,
        )
        with self.log.open("ab") as err:
            shown = subprocess.run(
                ["terraform", "show", "-json", str(planfile)],
                cwd=self.root,
                env=self.env,
                capture_output=True,
                check=False,
            )
            err.write(shown.stderr)
        if shown.returncode != 0:
            raise RuntimeError(f"terraform show failed for {self.target.name}; log {self.log}")
        loaded: Json = json.loads(shown.stdout)
        return loaded

    def write_inputs(self, variables: dict[str, Any]) -> None:
        (self.root / "policy_inputs.auto.tfvars.json").write_text(json.dumps(variables))


def workspace(target: Target, url: str, work: Path, out: Path) -> Workspace:
    """Mirror the target's root, write its inputs (``prepare``) and ``terraform init`` it."""
    mirror = work / target.name
    mirror_repo(mirror, [target.directory])
    env = aws_env(url)
    env["TF_DATA_DIR"] = str(work / f"{target.name}.terraform")
    log = out / f"{target.name}.log"
    log.write_text("")
    space = Workspace(target, mirror / target.directory, env, log, work / f"{target.name}.tfstate", work)
    space.write_inputs(target.prepare(url))
    space.terraform("init", "-input=false", "-no-color", "-backend=false", *plugin_dir_args())
    return space


def plan_target(target: Target, url: str, work: Path, out: Path) -> Path:
    """Apply the target root to moto, plan it again, and write <out>/<name>.json; returns that path."""
    space = workspace(target, url, work, out)
    space.apply()
    plan = space.show_plan("plan")
    dest = out / f"{target.name}.json"
    # one line: terraform-compliance reads only the first line (or the second, if there are more)
    write_atomically(dest, json.dumps(plan, sort_keys=True))
    return dest


def prepare_complete(url: str) -> dict[str, Any]:
    """examples/complete needs an existing VPC and subnets, an ACM certificate and a KMS key.

    They are created in moto, and the example's inputs point at them (its example.tfvars holds placeholders
    of the right shape, which an apply cannot use). The region is ours, not the example's default.
    """
    import boto3  # the main venv has it; imported here so `check` runs without it

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    ec2 = session.client("ec2", endpoint_url=url)
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = []
    for i, az in enumerate("ab"):
        subnet = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{REGION}{az}"
        )
        subnet_ids.append(subnet["Subnet"]["SubnetId"])
    domain = "api.example.com"
    acm = session.client("acm", endpoint_url=url)
    certificate = acm.request_certificate(DomainName=domain, ValidationMethod="DNS")["CertificateArn"]
    kms = session.client("kms", endpoint_url=url)
    key_arn = kms.create_key(Description="policy tests")["KeyMetadata"]["Arn"]
    candidates: dict[str, Any] = {
        "region": REGION,
        "vpc_id": vpc_id,
        "subnet_ids": subnet_ids,
        "certificate_arn": certificate,
        "domain_name": domain,
        # moto's hosted zone ids do not start with Z as AWS's do (the module validates that): no alias record.
        "route53_zone_id": None,
        "kms_key_arn": key_arn,
        # a role in another account reads the reporting client's secret (its resource policy)
        "reporting_consumers": ["arn:aws:iam::210987654321:role/reports-exporter"],
        "token_trigger_zip_path": str(REPO / "dist" / "token-trigger.zip"),
        "deletion_protection": False,  # so that a later destroy of the emulator's copy would work
    }
    names = complete_variable_names()
    return {name: value for name, value in candidates.items() if name in names}


def complete_variable_names() -> set[str]:
    names: set[str] = set()
    for tf_file in (REPO / "examples" / "complete").glob("*.tf"):
        names.update(re.findall(r'^variable\s+"([^"]+)"', tf_file.read_text(), flags=re.MULTILINE))
    return names


def _session(url: str) -> Any:
    import boto3  # the main venv has it; imported here so `check` runs without it

    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ), url


# The most consumers a client may have (25), each role ARN at its longest: the longest partition name in
# use, a 512-character path and a 64-character role name (the secret's policy must stay within 20,480).
EDGE_CONSUMERS = [
    f"arn:aws-us-gov:iam::{100000000000 + i:012d}:role/{'/'.join(['abcdefghi'] * 51)}x/r{i:063d}"
    for i in range(25)
]


def prepare_edge(url: str) -> dict[str, Any]:
    """The root with every input at its longest or oddest that the module accepts: a 16-character name, a
    namespace with spaces, '#' and ':', a 63-character client key, a resource server identifier that is a
    URL, a 12-character apis key with 12 paths (three listener rules) of every character ALB allows and
    one of 128 characters, three source CIDR blocks on /client, a customer managed key, an SNS topic, and a
    client shared with 25 consumers whose role ARNs are as long as IAM allows."""
    session, url = _session(url)
    key_arn = session.client("kms", endpoint_url=url).create_key(Description="edge")["KeyMetadata"]["Arn"]
    topic = session.client("sns", endpoint_url=url).create_topic(Name="m2m-edge-on-call")["TopicArn"]
    long_key = "c" + "0123456789" * 6 + "ab"  # 63 characters
    identifier = "https://api.example.com/v1"
    long_path = "/" + "p" * 125 + "/*"  # 128 characters
    paths = [f"/orders/{c}" for c in ("a-z_A.Z~0$9", "x'y\"z", "at@colon:plus+", "tilde~")]
    paths += [f"/orders/{i}" for i in range(7)] + [long_path]
    return {
        "name": "m2m-edge-abcdefg",
        "metrics_namespace": "Team A #1: m2m/prod",
        # the example trigger, as token_customization deploys it (V3_0, Essentials, its permission)
        "token_customization": {
            "zip_path": str(REPO / "dist" / "token-trigger.zip"),
            "handler": "tenant_claims.handler",
            "environment": {"TENANTS": json.dumps({f"m2m-edge-abcdefg-{long_key}": "acme"})},
        },
        "kms_key_arn": key_arn,
        "enable_client_endpoint": True,
        "shared_token_cache": True,
        "client_endpoint_source_cidrs": ["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"],
        "resource_servers": {
            identifier: {"name": "Orders API v1", "scopes": {"read": "Read orders", "write": "Write orders"}}
        },
        "clients": {
            "demo": {"scopes": [f"{identifier}/read"]},
            long_key: {
                "scopes": [f"{identifier}/read", f"{identifier}/write"],
                "access_token_validity_minutes": 5,
                "consumers": EDGE_CONSUMERS,
            },
        },
        "apis": {
            "resource": {
                "routes": {"GET /api": [f"{identifier}/read"], "POST /api": [f"{identifier}/write"]}
            },
            "orders-a1234": {
                "zip_path": str(REPO / "examples" / "own-api" / "orders.zip"),
                "handler": "orders.handler",
                "routes": {f"GET {p}": [f"{identifier}/read"] for p in paths},
                "clients": [long_key],
            },
        },
        "alarms": {"sns_topic_arn": topic},
        "secret_rotation_days": 1,
        "log_retention_days": 3653,
    }


def prepare_scale(_url: str) -> dict[str, Any]:
    """The root at the scale README promises: 100 clients, 20 protected APIs with 98 listener rules (25
    paths each for 18 of them, 20 for two) and the demo endpoint's rule: 99 rules, one below the load
    balancer's default quota of 100. Each API names the ten clients that call it (Lambda's 4 KB of
    environment)."""
    clients = {"demo": {"scopes": ["rest-api/read"]}}
    clients.update({f"svc-{i:03d}": {"scopes": ["rest-api/read"]} for i in range(1, 100)})
    keys = sorted(clients)
    apis = {}
    for n in range(1, 21):
        count = 25 if n <= 18 else 20
        apis[f"api-{n:02d}"] = {
            "zip_path": str(REPO / "examples" / "own-api" / "orders.zip"),
            "handler": "orders.handler",
            "routes": {f"GET /api-{n:02d}/p{i:02d}/*": ["rest-api/read"] for i in range(count)},
            "clients": keys[(n - 1) * 5 : (n - 1) * 5 + 10],
        }
    return {
        "name": "m2m-scale",
        "enable_client_endpoint": True,
        "shared_token_cache": True,
        "clients": clients,
        "apis": apis,
    }


LIFECYCLE_APIS = {
    "orders": {"routes": {"GET /orders": ["rest-api/read"], "GET /orders/*": ["rest-api/read"]}},
    "zeta": {"routes": {"GET /zeta": ["rest-api/read"]}},
}


def lifecycle_inputs(apis: dict[str, Any]) -> dict[str, Any]:
    zip_path = str(REPO / "examples" / "own-api" / "orders.zip")
    with_code = {k: {**a, "zip_path": zip_path, "handler": "orders.handler"} for k, a in apis.items()}
    return {"name": "m2m-life", "enable_client_endpoint": True, "apis": with_code}


def lifecycle_target(target: Target, url: str, work: Path, out: Path) -> Path:
    """What happens to a deployment over time, step by step; each step's outcome goes to lifecycle.json
    (a failing step is recorded, not raised: the tests judge it)."""
    space = workspace(target, url, work, out)
    record: dict[str, Any] = {}

    def rules() -> dict[str, Any]:
        state = json.loads(space.state.read_text())
        found = {}
        for resource in state.get("resources", []):
            if resource.get("type") == "aws_lb_listener_rule":
                for instance in resource.get("instances", []):
                    found[str(instance.get("index_key"))] = {
                        "arn": instance["attributes"].get("arn"),
                        "priority": instance["attributes"].get("priority"),
                    }
        return found

    space.apply()
    record["first_rules"] = rules()
    # An entry that sorts before the others arrives, and one of them goes.
    changed = {k: a for k, a in LIFECYCLE_APIS.items() if k != "zeta"}
    changed["alpha"] = {"routes": {"GET /alpha": ["rest-api/read"]}}
    space.write_inputs(lifecycle_inputs(changed))
    try:
        space.apply()
        record["second_apply"] = {"ok": True}
    except RuntimeError as exc:
        record["second_apply"] = {"ok": False, "error": str(exc)[-3000:]}
    record["second_rules"] = rules()
    # Two rotations later the first version has no label; once Secrets Manager deletes it, the provider
    # finds it gone and drops it from the state (terraform state rm does the same).
    session, _ = _session(url)
    secrets = session.client("secretsmanager", endpoint_url=url)
    outputs = json.loads(space.state.read_text())["outputs"]
    arn = outputs["client_secret_arns"]["value"]["demo"]
    first = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    for n in (1, 2):
        rotated = {
            "client_id": first["client_id"],
            "client_secret": f"rotated{n}" * 4,
            "client_secret_id": f"x--{n}",
        }
        secrets.put_secret_value(SecretId=arn, SecretString=json.dumps(rotated), VersionStages=["AWSCURRENT"])
    record["original_secret_sha256"] = hashlib.sha256(first["client_secret"].encode()).hexdigest()
    record["no_change_plan"] = _changes(space.show_plan("unchanged"))
    space.terraform(
        "state",
        "rm",
        f"-state={space.state}",
        'module.cognito.aws_secretsmanager_secret_version.client["demo"]',
    )
    record["after_version_gone_plan"] = _changes(space.show_plan("version-gone"))
    # Customized tokens are turned on, then off: the user pool (its clients, their secrets, the tokens
    # callers hold) must be updated in place each time, as the real provider plans it.
    trigger = {
        "zip_path": str(REPO / "dist" / "token-trigger.zip"),
        "handler": "tenant_claims.handler",
        "environment": {"TENANTS": "{}"},
    }
    space.write_inputs({**lifecycle_inputs(changed), "token_customization": trigger})
    record["trigger_on_plan"] = _changes(space.show_plan("trigger-on"))
    try:
        space.apply()
        record["trigger_on_apply"] = {"ok": True}
    except RuntimeError as exc:
        record["trigger_on_apply"] = {"ok": False, "error": str(exc)[-3000:]}
    space.write_inputs(lifecycle_inputs(changed))
    record["trigger_off_plan"] = _changes(space.show_plan("trigger-off"))
    dest = out / f"{target.name}.json"
    write_atomically(dest, json.dumps(record, sort_keys=True))
    return dest


def _changes(plan: Json) -> list[Json]:
    """The plan's resource changes that are not no-ops: address, actions, and the values after."""
    return [
        {"address": c["address"], "actions": c["change"]["actions"], "after": c["change"].get("after")}
        for c in plan.get("resource_changes", [])
        if c["change"]["actions"] not in (["no-op"], ["read"])
    ]


TARGETS = [
    # The root with the module's defaults plus the opt-in demo endpoint and its shared token cache.
    Target(
        "root",
        ".",
        "with_certificate",
        lambda _url: {"enable_client_endpoint": True, "shared_token_cache": True},
    ),
    Target("complete", "examples/complete", "without_certificate", prepare_complete),
    Target(
        "minimal", "examples/minimal", "with_certificate", lambda _url: {"region": REGION}, policies=False
    ),
    Target(
        "own_api",
        "examples/own-api",
        "with_certificate",
        lambda _url: {"region": REGION, "orders_zip_path": str(REPO / "examples" / "own-api" / "orders.zip")},
        policies=False,
    ),
    Target("edge", ".", "with_certificate", prepare_edge, policies=False),
    Target("scale", ".", "with_certificate", prepare_scale, policies=False),
    Target(
        "lifecycle",
        ".",
        "with_certificate",
        lambda _url: lifecycle_inputs(LIFECYCLE_APIS),
        policies=False,
        run=lifecycle_target,
    ),
]
TARGET_BY_NAME = {t.name: t for t in TARGETS}
POLICY_TARGETS = [t for t in TARGETS if t.policies]
CONTRACT_TARGETS = [t for t in TARGETS if t.run is None]


def make_plans(out: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Plan the chosen targets side by side (each with its own moto): most of an apply is provider waiters.

    The largest target starts first. A target whose apply fails is tried once more from scratch, with a
    new emulator: under load a moto server sometimes answers a call with an error after doing it (a
    subnet created, then "conflicts with another subnet" on the provider's retry); the first log is kept.
    """
    out.mkdir(parents=True, exist_ok=True)
    chosen = [t for t in TARGETS if names is None or t.name in names]
    chosen.sort(key=lambda t: t.name != "scale")

    def attempt(target: Target, tmp: Path) -> Path:
        with moto_server(out / f"{target.name}.moto.log") as url:
            return (target.run or plan_target)(target, url, tmp, out)

    def one(target: Target, tmp: Path) -> Path:
        started = time.monotonic()
        try:
            path = attempt(target, tmp / "1")
        except RuntimeError as exc:
            failed = out / f"{target.name}.failed.log"
            (out / f"{target.name}.log").replace(failed)
            print(
                f"policy: plan {target.name} failed once ({str(exc)[-300:]}); log {failed}; again", flush=True
            )
            path = attempt(target, tmp / "2")
        print(f"policy: plan {target.name}: {time.monotonic() - started:.1f}s -> {path}", flush=True)
        return path

    with (
        tempfile.TemporaryDirectory(prefix="policy-plans-") as tmp,
        ThreadPoolExecutor(min(len(chosen), 5)) as pool,
    ):
        for n in ("1", "2"):
            (Path(tmp) / n).mkdir()
        futures = {t.name: pool.submit(one, t, Path(tmp)) for t in chosen}
        return {name: future.result() for name, future in futures.items()}


# ---- Fixtures: documented mutations of a good plan ---------------------------------------------------------
@dataclass
class Fixture:
    """A bad plan: good plan `base` with `mutations` applied; exactly `scenarios` of `feature` must fail."""

    name: str
    base: str
    feature: str
    scenarios: list[str]
    description: str
    mutations: list[Json]

    @property
    def expected_failures(self) -> set[str]:
        """``<feature> / <scenario>`` for each scenario; one already written so names another feature's."""
        return {s if " / " in s else f"{self.feature} / {s}" for s in self.scenarios}


def load_fixtures() -> list[Fixture]:
    fixtures = []
    for path in sorted(FIXTURES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        fixtures.append(
            Fixture(
                path.stem,
                data["base"],
                data["feature"],
                data["scenarios"],
                data["description"],
                data["mutations"],
            )
        )
    return fixtures


def _resource_views(plan: Json) -> Iterator[tuple[str, str, Json]]:
    """(address, type, values dict) for every resource in planned_values and in resource_changes.after."""

    def walk(module: Json) -> Iterator[Json]:
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    for res in walk(plan.get("planned_values", {}).get("root_module", {})):
        if res.get("mode") == "managed":
            yield res["address"], res["type"], res.setdefault("values", {})
    for change in plan.get("resource_changes", []):
        if change.get("mode") == "managed" and change["change"].get("after") is not None:
            yield change["address"], change["type"], change["change"]["after"]


def _set_path(values: Json, path: str, value: Any) -> None:
    """Set a dotted path (list indexes as numbers) inside values, creating dicts on the way."""
    keys = path.split(".")
    node: Any = values
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _del_path(values: Json, path: str) -> None:
    keys = path.split(".")
    node: Any = values
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.get(key, {})
    if isinstance(node, dict):
        node.pop(keys[-1], None)


def _edit_policy(document: str, edit: Json) -> str:
    """Edit a JSON policy string: append a statement, or replace a key in the statements that match."""
    policy = json.loads(document)
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    if "append_statement" in edit:
        statements.append(edit["append_statement"])
    for statement in statements:
        if all(statement.get(k) == v for k, v in edit.get("where", {}).items()):
            statement.update(edit.get("set", {}))
    policy["Statement"] = statements
    return json.dumps(policy)


def _matches(address: str, rtype: str, mutation: Json) -> bool:
    if mutation.get("type") and rtype != mutation["type"]:
        return False
    return not (mutation.get("address") and re.search(mutation["address"], address) is None)


_PLACEHOLDER = re.compile(r"^@(\w+)\((.+)\)$")


def _resolve(plan: Json, value: Any) -> Any:
    """Replace "@<attribute>(<address regex>)" strings by that attribute of the first matching resource."""
    if isinstance(value, dict):
        return {k: _resolve(plan, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(plan, v) for v in value]
    if isinstance(value, str) and (found := _PLACEHOLDER.match(value)):
        attribute, pattern = found.groups()
        for address, _rtype, values in _resource_views(plan):
            if re.search(pattern, address) and attribute in values:
                return values[attribute]
        raise ValueError(f"placeholder {value} matched no resource")
    return value


def apply_mutations(plan: Json, mutations: list[Json]) -> Json:
    """Return a copy of plan with each mutation applied; each mutation must change at least one thing."""
    bad = copy.deepcopy(plan)
    for raw in mutations:
        mutation = _resolve(plan, raw)
        hits = 0
        if "add_resource" in mutation:  # a resource the good plan does not have, e.g. an extra SG rule
            new = mutation["add_resource"]
            module, _, _rest = new["address"].rpartition(".aws_")
            change = {
                "address": new["address"],
                "mode": "managed",
                "type": new["type"],
                "name": new["address"].rsplit(".", 1)[-1],
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": new["values"],
                    "after_unknown": {},
                },
            }
            if module:
                change["module_address"] = module
            bad["resource_changes"].append(change)
            hits += 1
        if "configuration_resource" in mutation:  # edit a resource of the root module's configuration
            for resource in bad["configuration"]["root_module"].get("resources", []):
                if resource.get("address") == mutation["configuration_resource"]:
                    resource.update(mutation.get("set", {}))
                    hits += 1
        if "output" in mutation:  # add or edit an output in the root module's configuration
            outputs = bad["configuration"]["root_module"].setdefault("outputs", {})
            outputs[mutation["output"]] = mutation["value"]
            hits += 1
        for address, rtype, values in list(_resource_views(bad)):
            if ("type" not in mutation and "address" not in mutation) or not _matches(
                address, rtype, mutation
            ):
                continue
            hits += 1
            for path, value in mutation.get("set", {}).items():
                _set_path(values, path, value)
            for path in mutation.get("delete", []):
                _del_path(values, path)
            if "policy" in mutation:
                attr = mutation["policy"].get("attribute", "policy")
                values[attr] = _edit_policy(values[attr], mutation["policy"])
        if "remove_resources" in mutation:
            pattern = re.compile(mutation["remove_resources"])
            before = len(bad.get("resource_changes", []))
            bad["resource_changes"] = [c for c in bad["resource_changes"] if not pattern.search(c["type"])]
            _drop_planned(bad["planned_values"]["root_module"], pattern)
            hits += before - len(bad["resource_changes"])
        if hits == 0:
            raise ValueError(f"mutation matched nothing: {raw}")
    return bad


def _drop_planned(module: Json, pattern: re.Pattern[str]) -> None:
    module["resources"] = [r for r in module.get("resources", []) if not pattern.search(r["type"])]
    for child in module.get("child_modules", []):
        _drop_planned(child, pattern)


# ---- terraform-compliance ------------------------------------------------------------------------------
@dataclass
class Result:
    exit_code: int
    failed_features: set[str]
    failed_scenarios: set[str]
    passed_scenarios: set[str]
    skipped_scenarios: set[str]
    output: str


def features_digest() -> str:
    digest = hashlib.sha256()
    for path in [*sorted(POLICY_DIR.glob("*.feature")), *sorted((POLICY_DIR / "steps").glob("*.py"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update((PROJECT / "requirements-policy.txt").read_bytes())
    return digest.hexdigest()


def run_compliance(plan_path: Path, skip_tag: str, cache_dir: Path | None = None) -> Result:
    """Run terraform-compliance on one plan; parse its cucumber JSON for which features/scenarios failed.

    Results are cached by the digest of the plan, the features and the pinned requirements (the run is a pure
    function of those), so that `make policy` followed by pytest does not judge the same plan twice.
    """
    exe = POLICY_VENV / "bin" / "terraform-compliance"
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: run `make policy` (it creates .venv-policy)")
    key = hashlib.sha256(plan_path.read_bytes() + features_digest().encode() + skip_tag.encode()).hexdigest()[
        :32
    ]
    if cache_dir is not None:
        cached = cache_dir / f"{key}.json"
        if cached.exists():
            data = json.loads(cached.read_text())
            return Result(
                data["exit_code"],
                set(data["failed_features"]),
                set(data["failed_scenarios"]),
                set(data["passed_scenarios"]),
                set(data["skipped_scenarios"]),
                data["output"],
            )
    with tempfile.TemporaryDirectory(prefix="policy-run-") as tmp:
        report = Path(tmp) / "cucumber.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["HOME"] = tmp  # its cache lives under the home folder; keep it out of the user's
        done = subprocess.run(
            [
                str(exe),
                "-p",
                str(plan_path),
                "-f",
                str(POLICY_DIR),
                "--no-ansi",
                f"--basedir={POLICY_DIR / 'steps'}",
                f"--cucumber-json={report}",
                f"--tags=not {skip_tag}",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
            check=False,
        )
        output = done.stdout + done.stderr
        if not report.exists():
            raise RuntimeError(
                f"terraform-compliance wrote no report (exit {done.returncode}):\n{output[-4000:]}"
            )
        features = json.loads(report.read_text())
    result = Result(done.returncode, set(), set(), set(), set(), output)
    for feature in features:
        feature_name = feature["name"]
        for scenario in feature.get("elements", []):
            statuses = {step.get("result", {}).get("status") for step in scenario.get("steps", [])}
            label = f"{feature_name} / {scenario['name']}"
            if "failed" in statuses:
                result.failed_features.add(feature_name)
                result.failed_scenarios.add(label)
            elif statuses <= {"skipped"} or "skipped" in statuses:
                result.skipped_scenarios.add(label)
            else:
                result.passed_scenarios.add(label)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(
            cache_dir / f"{key}.json",
            json.dumps(
                {
                    "exit_code": result.exit_code,
                    "failed_features": sorted(result.failed_features),
                    "failed_scenarios": sorted(result.failed_scenarios),
                    "passed_scenarios": sorted(result.passed_scenarios),
                    "skipped_scenarios": sorted(result.skipped_scenarios),
                    "output": result.output,
                }
            ),
        )
    return result


def write_fixture_plans(out: Path, bases: list[str] | None = None) -> dict[str, tuple[Fixture, Path]]:
    written: dict[str, tuple[Fixture, Path]] = {}
    fixture_dir = out / "fixtures"
    fixture_dir.mkdir(parents=True, exist_ok=True)
    plans: dict[str, Json] = {}
    for fixture in load_fixtures():
        if bases is not None and fixture.base not in bases:
            continue
        if fixture.base not in plans:
            plans[fixture.base] = json.loads((out / f"{fixture.base}.json").read_text())
        bad = apply_mutations(plans[fixture.base], fixture.mutations)
        path = fixture_dir / f"{fixture.name}.json"
        text = json.dumps(bad, sort_keys=True)
        if not path.exists() or path.read_text() != text:
            write_atomically(path, text)
        written[fixture.name] = (fixture, path)
    return written


def check(out: Path, names: list[str] | None = None) -> int:
    """Good plans pass every feature; each fixture fails exactly its own scenarios. Returns an exit code."""
    cache = out / "results"
    problems: list[str] = []
    chosen = [t for t in POLICY_TARGETS if names is None or t.name in names]
    with ThreadPoolExecutor(2) as pool:
        good = {
            t.name: pool.submit(run_compliance, out / f"{t.name}.json", t.skip_tag, cache) for t in chosen
        }
        fixtures = write_fixture_plans(out, [t.name for t in chosen])
        bad = {
            name: pool.submit(run_compliance, path, TARGET_BY_NAME[fixture.base].skip_tag, cache)
            for name, (fixture, path) in fixtures.items()
        }
        for name, future in good.items():
            result = future.result()
            ok = result.exit_code == 0 and not result.failed_scenarios
            print(
                f"policy: {name} plan: {'ok' if ok else 'FAILED'} ({len(result.passed_scenarios)} scenarios "
                f"passed, {len(result.skipped_scenarios)} not applicable)"
            )
            if not ok:
                problems.append(f"{name}: failed {sorted(result.failed_scenarios)}\n{result.output[-3000:]}")
        for name, future in bad.items():
            fixture = fixtures[name][0]
            result = future.result()
            ok = result.exit_code != 0 and result.failed_scenarios == fixture.expected_failures
            print(f"policy: fixture {name}: {'fails as expected' if ok else 'WRONG'}")
            if not ok:
                problems.append(
                    f"fixture {name}: expected exactly {sorted(fixture.expected_failures)} to fail, got "
                    f"{sorted(result.failed_scenarios)} (exit {result.exit_code})"
                )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["plans", "check", "all"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for plans and results")
    parser.add_argument("--target", action="append", help=f"only this target ({', '.join(TARGET_BY_NAME)})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if args.command in ("plans", "all"):
        make_plans(out, args.target)
    if args.command in ("check", "all"):
        return check(out, args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
