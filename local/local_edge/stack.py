"""``up`` and ``down`` of the local stack: moto, ``terraform apply`` of examples/local, the edge.

Every process is started in its own session with its pid and log under the state folder (``.local/stack``
by default, ``LOCAL_STATE_DIR`` to move it) and stopped by that pid. ``up`` first checks that the three
ports are free (or held by this stack's own processes) and starts nothing otherwise. On a running stack
it reuses the emulator and skips the apply when nothing that goes into it changed (the example's and
module's ``.tf`` and ``.tfvars`` files, the variables, the zips): a fingerprint of them is kept next to
the state. Otherwise it applies again: against moto that updates ``logging_config`` of both functions
every time (moto does not keep it), which costs about 20 s. Then it restarts the edge. ``down`` stops
what ``up`` started and removes the state, so the next ``up`` starts clean.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from local_edge.cognito_settings import enable_client_token_auth, set_issuer_format
from local_edge.edge import EdgeConfig, emulator_client

REPO_ROOT = Path(__file__).resolve().parents[2]
Printer = Callable[[str], None]

REQUIRED_ZIPS = ("resource.zip", "client.zip", "rotation.zip", "verifier-layer.zip", "token-trigger.zip")


def _env_port(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    port = int(value) if value.isascii() and value.isdigit() else -1
    if not 0 < port < 65536:
        raise ValueError(f"{name} must be a TCP port (1-65535), not {value!r}")
    return port


def host_architecture() -> str:
    machine = platform.machine().lower()
    return "arm64" if machine in ("aarch64", "arm64") else "x86_64"


ISSUER_FORMATS = ("original", "updated")
TOKEN_SOURCES = ("token_endpoint", "get_client_token")


def _env_choice(name: str, choices: tuple[str, ...]) -> str:
    """``name`` from the environment, one of ``choices`` (the first when unset)."""
    value = os.environ.get(name, "").strip() or choices[0]
    if value not in choices:
        raise SystemExit(f"{name} must be one of {', '.join(choices)}, got {value[:40]!r}")
    return value


@dataclass(frozen=True)
class Settings:
    root: Path = REPO_ROOT
    # .local/ is git-ignored and shared with other tools (e.g. .local/policy): the stack owns .local/stack.
    state_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("LOCAL_STATE_DIR") or REPO_ROOT / ".local" / "stack"
        ).resolve()
    )
    aws_port: int = field(default_factory=lambda: _env_port("LOCAL_AWS_PORT", 4566))
    alb_port: int = field(default_factory=lambda: _env_port("LOCAL_ALB_PORT", 8080))
    auth_port: int = field(default_factory=lambda: _env_port("LOCAL_AUTH_PORT", 8081))
    region: str = "us-east-1"
    # The pool's issuer format and the demo client's token source (README, "The local stack in detail").
    issuer_format: str = field(default_factory=lambda: _env_choice("LOCAL_ISSUER_FORMAT", ISSUER_FORMATS))
    token_source: str = field(default_factory=lambda: _env_choice("LOCAL_TOKEN_SOURCE", TOKEN_SOURCES))
    zip_dir: Path = field(default_factory=lambda: REPO_ROOT / "dist" / "host")
    # Tests: the stack's processes get SIGTERM when the process that started them dies, even by SIGKILL.
    die_with_parent: bool = False

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    @property
    def alb_url(self) -> str:
        return f"http://127.0.0.1:{self.alb_port}"

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.auth_port}/oauth2/token"

    @property
    def example_dir(self) -> Path:
        return self.root / "examples" / "local"

    @property
    def tfstate(self) -> Path:
        return self.state_dir / "terraform.tfstate"

    @property
    def logs(self) -> Path:
        return self.state_dir / "logs"

    def pidfile(self, name: str) -> Path:
        return self.state_dir / f"{name}.pid"


class StackError(RuntimeError):
    """A step of ``up`` failed; the message says what to look at."""


# ---- processes ---------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def running_pid(settings: Settings, name: str, marker: str) -> int | None:
    """The pid recorded for ``name`` if that process still runs and is what we started."""
    try:
        pid = int(settings.pidfile(name).read_text().strip())
    except (OSError, ValueError):
        return None
    if _pid_alive(pid) and (not Path("/proc").is_dir() or marker in _cmdline(pid)):
        return pid
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_process(
    settings: Settings, name: str, argv: Sequence[str], env: dict[str, str] | None = None
) -> int:
    settings.logs.mkdir(parents=True, exist_ok=True)
    tie = settings.die_with_parent and sys.platform.startswith("linux")
    with (settings.logs / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=settings.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped by pid, untouched by ^C of make
            preexec_fn=_die_with_parent if tie else None,  # noqa: PLW1509 - no threads run the stack's start
        )
    settings.pidfile(name).write_text(f"{process.pid}\n")
    return process.pid


def stop_process(settings: Settings, name: str, marker: str, timeout: float = 10.0) -> bool:
    """Stop the process group we started as ``name`` (SIGTERM, then SIGKILL); True if one ran."""
    pid = running_pid(settings, name, marker)
    settings.pidfile(name).unlink(missing_ok=True)
    if pid is None:
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:  # reap it if it is our child (tests start the stack in-process)
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return True
            except ChildProcessError:
                pass
            if not _pid_alive(pid):
                return True
            time.sleep(0.05)
    return True


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


PORT_VARIABLES = {"aws_port": "LOCAL_AWS_PORT", "alb_port": "LOCAL_ALB_PORT", "auth_port": "LOCAL_AUTH_PORT"}


def port_holder(port: int) -> str | None:
    """``"<program> (pid N)"`` listening on the TCP port, when /proc says (Linux), else None."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])  # state 0A: LISTEN
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    name = (proc / "comm").read_text().strip()
                    return f"{name} (pid {proc.name})"
        except OSError:
            continue
    return None


def check_ports(settings: Settings) -> None:
    """Raise :class:`StackError` naming the first taken port, who holds it and how to move it, unless
    it is this stack's own emulator or edge (``up`` on a running stack reuses or restarts those)."""
    ours = {
        "aws_port": running_pid(settings, "moto", "moto_server"),
        "alb_port": running_pid(settings, "edge", "local_edge"),
        "auth_port": running_pid(settings, "edge", "local_edge"),
    }
    for attribute, variable in PORT_VARIABLES.items():
        port = getattr(settings, attribute)
        if ours[attribute] is not None or not port_open(port):
            continue
        holder = port_holder(port)
        held = f" by {holder}" if holder else " by another program"
        raise StackError(
            f"port {port} ({variable}) is taken{held}: stop it, or move the stack, "
            f"e.g. `{variable}={port + 10} make local` (nothing was started)"
        )


def wait_until(check: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    hint = f"; see {log}" if log else ""
    raise StackError(f"{what} did not come up within {timeout:.0f} s{hint}")


def http_get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - loopback only
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def moto_ready(settings: Settings) -> bool:
    try:
        return http_get(f"{settings.aws_endpoint}/moto-api/", timeout=2.0)[0] == 200
    except OSError:
        return False


# ---- steps -------------------------------------------------------------------------------------


@contextmanager
def step(out: Printer, title: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    out(f"==> {title} ...")
    yield
    elapsed = time.perf_counter() - started
    timings[title] = elapsed
    out(f"    done in {elapsed:.1f} s")


def configure_moto(endpoint: str) -> None:
    """Tell moto's Lambda backend not to use Docker (there is none here). Terraform's secret rotation
    calls RotateSecret, which makes moto invoke the rotation function (its testSecret step even with
    rotate_immediately = false); without Docker the invocation gets moto's stub answer and the apply
    goes on. The local edge runs the rotation function itself (its zip, in a worker)."""
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{endpoint}/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": False}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback only
        answer.read()


def start_moto(settings: Settings, out: Printer) -> bool:
    """Start moto (or reuse ours); True when it was started now (its state is empty)."""
    pid = running_pid(settings, "moto", "moto_server")
    if pid is not None and moto_ready(settings):
        configure_moto(settings.aws_endpoint)
        out(f"    moto already running on {settings.aws_endpoint} (pid {pid})")
        return False
    stop_process(settings, "moto", "moto_server")
    if port_open(settings.aws_port):
        raise StackError(f"port {settings.aws_port} is taken by another program: set LOCAL_AWS_PORT")
    moto_server = Path(sys.executable).with_name("moto_server")
    pid = start_process(settings, "moto", [str(moto_server), "-H", "127.0.0.1", "-p", str(settings.aws_port)])
    wait_until(lambda: moto_ready(settings), 30, "moto", settings.logs / "moto.log")
    configure_moto(settings.aws_endpoint)
    out(f"    moto started on {settings.aws_endpoint} (pid {pid}, log {settings.logs / 'moto.log'})")
    return True


def _terraform_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["TF_DATA_DIR"] = str(settings.state_dir / "terraform")
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"  # offline: no version check against checkpoint-api.hashicorp.com
    env.setdefault("TF_CLI_CONFIG_FILE", "/dev/null")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)  # never reach for real credentials
    return env


def plugin_dir(settings: Settings) -> str | None:
    """The hashicorp/aws filesystem mirror (``TF_PLUGIN_DIR``, else scripts/find-tf-plugins.sh), or None:
    then ``terraform init`` downloads the provider from the registry as usual."""
    if "TF_PLUGIN_DIR" in os.environ:
        return os.environ["TF_PLUGIN_DIR"].strip() or None
    found = subprocess.run(
        [str(settings.root / "scripts" / "find-tf-plugins.sh")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return found or None


def terraform(settings: Settings, args: Sequence[str], log_name: str, *, log_stdout: bool = True) -> str:
    """Run terraform in examples/local; its output goes to ``logs/<log_name>.log``.

    ``log_stdout=False`` keeps standard output (for example ``show -json``, which holds the secret
    values of the state) out of the log file and only returns it.
    """
    settings.logs.mkdir(parents=True, exist_ok=True)
    if shutil.which("terraform") is None:
        raise StackError("terraform is not on PATH: install Terraform >= 1.7 (see README)")
    argv = ["terraform", f"-chdir={settings.example_dir}", *args]
    result = subprocess.run(argv, env=_terraform_env(settings), capture_output=True, text=True, check=False)
    logged = result.stdout if log_stdout else "(standard output not logged)\n"
    (settings.logs / f"{log_name}.log").write_text(logged + result.stderr)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise StackError(f"terraform {args[0]} failed (log {settings.logs / (log_name + '.log')}):\n{tail}")
    return result.stdout


def terraform_vars(settings: Settings) -> list[str]:
    runtime = "python{}.{}".format(*sys.version_info[:2])
    values = {
        "aws_endpoint": settings.aws_endpoint,
        "region": settings.region,
        "alb_port": str(settings.alb_port),
        "auth_port": str(settings.auth_port),
        "resource_zip_path": str(settings.state_dir / "zips" / "resource.zip"),
        "client_zip_path": str(settings.state_dir / "zips" / "client.zip"),
        "verifier_layer_zip_path": str(settings.state_dir / "zips" / "verifier-layer.zip"),
        "rotation_zip_path": str(settings.state_dir / "zips" / "rotation.zip"),
        "zip_dir": str(settings.state_dir / "zips"),
        "lambda_runtime": runtime,
        "lambda_architecture": host_architecture(),
        "client_token_source": settings.token_source,
    }
    return [arg for key, value in values.items() for arg in ("-var", f"{key}={value}")]


def init(settings: Settings) -> str:
    """``terraform init`` of examples/local; says where the provider came from."""
    mirror = plugin_dir(settings)
    args = ["init", "-input=false", "-no-color"] + ([f"-plugin-dir={mirror}"] if mirror else [])
    terraform(settings, args, "terraform-init")
    return f"provider mirror {mirror}" if mirror else "provider from the registry (no mirror found)"


def apply_fingerprint(settings: Settings) -> str:
    """SHA-256 of everything an apply of examples/local depends on: the variables, every ``.tf`` and
    ``.tfvars`` file of the example and of the module (root and submodules), and the deployed zips."""
    digest = hashlib.sha256()
    digest.update("\0".join(terraform_vars(settings)).encode())
    files = [
        *settings.example_dir.glob("*.tf"),
        *settings.example_dir.glob("*.tfvars"),
        *settings.example_dir.glob("*.tfvars.json"),
        *settings.root.glob("*.tf"),
        *settings.root.glob("modules/*/*.tf"),
        *(settings.state_dir / "zips").glob("*"),
    ]
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def apply(settings: Settings) -> dict[str, Any]:
    terraform(
        settings,
        [
            "apply",
            "-input=false",
            "-auto-approve",
            "-no-color",
            f"-state={settings.tfstate}",
            *terraform_vars(settings),
        ],
        "terraform-apply",
    )
    raw = json.loads(
        terraform(settings, ["output", "-json", f"-state={settings.tfstate}"], "terraform-output")
    )
    return {name: value["value"] for name, value in raw.items()}


def start_edge(settings: Settings, outputs: dict[str, Any]) -> int:
    stop_process(settings, "edge", "local_edge")
    for port in (settings.alb_port, settings.auth_port):
        if port_open(port):
            raise StackError(f"port {port} is taken by another program: set LOCAL_ALB_PORT / LOCAL_AUTH_PORT")
    config = EdgeConfig(
        region=outputs.get("region", settings.region),
        aws_endpoint=settings.aws_endpoint,
        load_balancer_arn=outputs["alb_arn"],
        zips=tuple(str(z) for z in sorted((settings.state_dir / "zips").glob("*.zip"))),
        state_dir=str(settings.state_dir),
        alb_port=settings.alb_port,
        auth_port=settings.auth_port,
    )
    config_path = settings.state_dir / "edge.json"
    config.dump(config_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    pid = start_process(
        settings, "edge", [sys.executable, "-m", "local_edge", "edge", "--config", str(config_path)], env
    )
    wait_until(
        lambda: (
            running_pid(settings, "edge", "local_edge") is not None
            and port_open(settings.alb_port)
            and port_open(settings.auth_port)
        ),
        20,
        "the local edge",
        settings.logs / "edge.log",
    )
    return pid


@dataclass
class StackInfo:
    outputs: dict[str, Any]
    timings: dict[str, float]
    client_status: int
    client_body: str


def own_function_folders(settings: Settings) -> list[Path]:
    """Your functions: each folder of examples/local that holds a ``.py`` file at its top (``orders/``).
    ``up`` zips each into ``<folder name>.zip``, which an ``apis`` entry names as its ``zip_path``."""
    return sorted(
        folder
        for folder in settings.example_dir.iterdir()
        if folder.is_dir() and not folder.name.startswith((".", "_")) and any(folder.glob("*.py"))
    )


def build_own_function(settings: Settings, folder: Path, into: Path) -> Path:
    """Zip ``folder`` as scripts/build_zip.py --source does for AWS (sorted entries, fixed timestamps,
    .pyc of this interpreter, the manifest the module checks), for this machine. The same sources give
    the same bytes, so an unchanged function leaves the apply fingerprint as it was, and an edited one
    changes it: the next ``up`` applies and the edge serves the new code."""
    out = into / f"{folder.name}.zip"
    version = "{}.{}".format(*sys.version_info[:2])
    command = [
        sys.executable,
        str(settings.root / "scripts" / "build_zip.py"),
        "--source",
        str(folder),
        "--arch",
        host_architecture(),
        "--python-version",
        version,
        "--pyc-python",
        sys.executable,
        "--out",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
        raise StackError(f"zipping your function {folder} failed:\n{tail}")
    return out


def up(settings: Settings, out: Printer = print) -> StackInfo:
    check_ports(settings)  # before anything starts: a taken port leaves nothing running
    timings: dict[str, float] = {}
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    # Deploy a snapshot of the host zips, so that a rebuild of dist/host while the stack runs does not
    # pull the code from under the deployed functions; the next `up` deploys the rebuilt zips.
    # Every zip there is deployable (apis entries name theirs by file name); the edge finds each function's
    # and layer's code among them by its SHA-256.
    snapshot = settings.state_dir / "zips"
    snapshot.mkdir(exist_ok=True)
    for name in REQUIRED_ZIPS:
        if not (settings.zip_dir / name).is_file():
            raise StackError(f"{settings.zip_dir / name} is missing: run `make build-host`")
    for stale in snapshot.glob("*"):
        if not (settings.zip_dir / stale.name).is_file():
            stale.unlink()
    for bundle in sorted(settings.zip_dir.glob("*.zip")):
        shutil.copyfile(bundle, snapshot / bundle.name)
        manifest = settings.zip_dir / f"{bundle.name}.manifest.json"  # the module checks it at plan
        if manifest.is_file():
            shutil.copyfile(manifest, snapshot / manifest.name)
    own = own_function_folders(settings)
    if own:
        zipped = ", ".join(f"{folder.name}.zip" for folder in own)
        with step(out, f"your functions: examples/local/<name>/ zipped ({zipped})", timings):
            for folder in own:
                build_own_function(settings, folder, snapshot)
    fingerprint_file = settings.state_dir / "apply.fingerprint"
    with step(out, "local AWS emulator (moto)", timings):
        if start_moto(settings, out):
            fingerprint_file.unlink(missing_ok=True)  # a fresh emulator holds nothing of the old state
            if settings.tfstate.exists():
                settings.tfstate.unlink()
                Path(str(settings.tfstate) + ".backup").unlink(missing_ok=True)
    with step(out, "terraform init", timings):
        out(f"    {init(settings)}")
    fingerprint = apply_fingerprint(settings)
    previous = _previous_outputs(settings)
    if previous is not None and fingerprint_file.is_file() and fingerprint_file.read_text() == fingerprint:
        with step(out, "terraform apply of examples/local: skipped", timings):
            out("    nothing changed since the last apply (inputs, .tf files, zips)")
            outputs = previous
    else:
        fingerprint_file.unlink(missing_ok=True)
        with step(out, "terraform apply of examples/local", timings):
            outputs = apply(settings)
        fingerprint_file.write_text(fingerprint)
    with step(
        out,
        f"Cognito: {settings.issuer_format} issuer, demo client's tokens from the {settings.token_source}",
        timings,
    ):
        cognito_settings(settings, outputs)
    with step(out, "local edge (ALB + Cognito token endpoint)", timings):
        pid = start_edge(settings, outputs)
        out(f"    edge pid {pid}, log {settings.logs / 'edge.log'}")
        apis = outputs.get("api_functions") or {}
        names = [apis[k].get("function_name") for k in sorted(apis)] + [outputs.get("client_function_name")]
        logs = ", ".join(str(settings.logs / f"{name}.log") for name in names if name)
        out(f"    function logs (requests as JSON lines; other records text here, JSON in AWS): {logs}")
    with step(out, "GET /client (cold start of both functions)", timings):
        status, body = http_get(f"{settings.alb_url}/client")
    info = StackInfo(outputs, timings, status, body.decode("utf-8", "replace"))
    (settings.state_dir / "stack.json").write_text(
        json.dumps({"outputs": outputs, "timings": timings}, indent=2) + "\n"
    )
    out("")
    shared = shared_secret_lines(settings, outputs)
    for line in summary_lines(settings, outputs, status, info.client_body, shared=shared):
        out(line)
    return info


def shared_secret_lines(settings: Settings, outputs: dict[str, Any]) -> list[str]:
    """For each client shared with other accounts (its ``consumers``): whom its secret's resource policy
    lets read it, as the emulator holds that policy. moto stores the policy and enforces nothing; what
    AWS would enforce is checked in tests/contract/test_consumer_access.py."""
    shared: dict[str, Any] = outputs.get("consumer_access") or {}
    if not shared:
        return []
    secrets = _emulator(settings, "secretsmanager")
    lines = []
    for index, key in enumerate(sorted(shared)):
        label = "Shared    " if index == 0 else "          "
        try:
            text = secrets.get_resource_policy(SecretId=shared[key]["secret_arn"]).get("ResourcePolicy")
            statements = json.loads(text or "{}").get("Statement") or []
        except Exception as exc:  # a summary line, never a failed `make local`
            lines.append(f"{label} {key}: its secret's policy could not be read ({type(exc).__name__})")
            continue
        for statement in statements:
            roles = ", ".join(_as_strings((statement.get("Principal") or {}).get("AWS")))
            actions = " and ".join(
                a.removeprefix("secretsmanager:") for a in _as_strings(statement.get("Action"))
            )
            lines.append(f"{label} {key}: its secret's resource policy lets {roles} {actions}")
    lines.append(
        "           (what those callers and the KMS key's owner add: consumer_access in "
        f"{settings.state_dir / 'stack.json'}; README, Callers in other accounts)"
    )
    return lines


def _as_strings(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value] if value else [])]


def cognito_settings(settings: Settings, outputs: dict[str, Any]) -> None:
    """What provider 5.100 cannot set, done as README says to in AWS: the pool's issuer format, and
    ALLOW_CLIENT_TOKEN_AUTH on the demo client when its tokens come from GetClientToken. After every
    apply: an update of the pool by Terraform sends no IssuerConfiguration, which resets it."""
    cognito = emulator_client("cognito-idp", settings.region, settings.aws_endpoint)
    pool = str(outputs["user_pool_id"])
    set_issuer_format(cognito, pool, settings.issuer_format)
    if settings.token_source == TOKEN_SOURCES[1]:  # get_client_token
        demo = str(outputs["client_function_client"])
        enable_client_token_auth(cognito, pool, str(outputs["client_ids"][demo]))


def _previous_outputs(settings: Settings) -> dict[str, Any] | None:
    try:
        outputs = json.loads((settings.state_dir / "stack.json").read_text())["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return outputs if isinstance(outputs, dict) else None


def summary_lines(
    settings: Settings, outputs: dict[str, Any], status: int, body: str, shared: Sequence[str] = ()
) -> list[str]:
    """What ``up`` prints at the end: the endpoints, every client by key (the one ``GET /client`` uses
    marked) and, in ``shared``, whom the secrets shared with other accounts let read them, the demo
    call's answer, and what keeps running."""
    ids: dict[str, str] = outputs.get("client_ids") or {}
    arns: dict[str, str] = outputs.get("client_secret_arns") or {}
    demo = outputs.get("client_function_client")
    width = max((len(key) for key in ids), default=0)
    apis: dict[str, Any] = outputs.get("api_functions") or {}
    lines = [f"ALB        {settings.alb_url}   (GET /client and the APIs below)"]
    api_width = max((len(key) for key in apis), default=0)
    for index, key in enumerate(sorted(apis)):
        label = "APIs      " if index == 0 else "          "
        routes = ", ".join(sorted(apis[key].get("routes") or {}))
        lines.append(f"{label} {key:<{api_width}}  {routes}")
    lines.append(f"Token URL  {settings.token_url}")
    for index, key in enumerate(sorted(ids)):
        label = "Clients   " if index == 0 else "          "
        mark = "   <- GET /client uses this one" if key == demo else ""
        lines.append(f"{label} {key:<{width}}  {ids[key]}{mark}")
        lines.append(f"           {'':<{width}}  secret: {arns.get(key, '?')}")
    lines += shared
    tenants: dict[str, str] = outputs.get("token_tenants") or {}
    if tenants:  # the example token trigger adds each client's tenant claim
        named = ", ".join(f"{key} -> {tenants[key]}" for key in sorted(tenants))
        lines.append(f"Tenants    {named} (the token trigger's tenant claim)")
    lines.append(f"GET {settings.alb_url}/client -> {status} {body}")
    problem = demo_call_problem(status, body)
    if problem:
        lines.append(f"NOT OK     {problem}")
    lines += try_lines(settings, apis, outputs.get("client_scopes") or {}, demo)
    lines += [
        "Token      make -s local-token [CLIENT=<key>] [SCOPE=...]",
        f"Logs       {settings.logs}/ (<function name>.log, edge.log, moto.log, terraform-*.log)",
        "Metrics    make local-metrics (the functions' metrics from their logs, and a chart)",
        "Running    moto and the local edge, until `make local-down` stops them and removes "
        f"{settings.state_dir}",
    ]
    return lines


def demo_call_problem(status: int, body: str) -> str | None:
    """Why the demo call did not succeed, in plain words; None when it did (200, and the API's 200)."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return None if status == 200 else f"GET /client answered {status}: see the client function's log"
    api_status, api_body = answer.get("api_status"), answer.get("api_body")
    if status == 200 and api_status in (None, 200):
        return None
    if status != 200:
        error = answer.get("error") or answer.get("message") or "an error"
        return f"GET /client answered {status} ({str(error)[:80]}): see the client function's log"
    detail = api_body if isinstance(api_body, dict) else {}
    error = str(detail.get("error") or "an error")[:60]
    why = str(detail.get("error_description") or "")[:120]
    scope = f"; the route requires {str(detail['scope'])[:120]}" if detail.get("scope") else ""
    return (
        f"the demo call reached the API, which answered {api_status} {error}"
        f"{(': ' + why) if why else ''}{scope} (the demo client's scopes are in stack.auto.tfvars)"
    )


MAX_TRY_LINES = 8


def try_lines(
    settings: Settings, apis: dict[str, Any], client_scopes: dict[str, list[str]], demo: str | None
) -> list[str]:
    """A curl line per route of the APIs (at most :data:`MAX_TRY_LINES`), each with a token of a client
    whose scopes cover the route's (the demo endpoint's client first); routes no client may call are left
    out. A ``/*`` route is shown with ``$ID`` as its last segment, and a note says what to set it to (an id
    that the API's answers give, such as the ``id`` of a POST's answer): no line prints a made-up id that
    would answer 404."""
    order = sorted(client_scopes, key=lambda key: (key != demo, key))
    lines = []
    for api in sorted(apis):
        routes = [
            (*key.partition(" ")[::2], scopes) for key, scopes in (apis[api].get("routes") or {}).items()
        ]
        # create before read, a collection before its items
        for method, path, scopes in sorted(routes, key=lambda r: (r[1].endswith("/*"), r[1], r[0] != "POST")):
            caller = next((c for c in order if set(scopes) <= set(client_scopes[c])), None)
            if caller is None or method in {"HEAD", "OPTIONS"}:
                continue
            url = settings.alb_url + (path[:-1] + "$ID" if path.endswith("/*") else path)
            token = f'-H "Authorization: Bearer $(make -s local-token CLIENT={caller})"'
            if method in {"POST", "PUT", "PATCH"}:
                body = "-H 'Content-Type: application/json' -d '{\"item\": \"tea\"}' "
                lines.append(f"curl -s -X {method} {token} {body}{url}")
            elif method == "GET":
                lines.append(f"curl -s {token} {url}")
            else:
                lines.append(f"curl -s -X {method} {token} {url}")
    shown = lines[:MAX_TRY_LINES]
    if any("$ID" in line for line in shown):
        shown.append(
            "(set ID first to what the route's last segment names: an id from a POST's answer, a tenant...)"
        )
    return [("Try        " if i == 0 else "           ") + line for i, line in enumerate(shown)]


def demo_token(settings: Settings, scope: str | None = None, client: str = "demo") -> dict[str, Any]:
    """A token response from the local token endpoint for ``client``, whose secret is read from the
    emulator's Secrets Manager (as the client function does); for trying the API by hand."""
    outputs = _previous_outputs(settings)
    if outputs is None:
        raise StackError("the local stack is not running: start it with `make local`")
    arns: dict[str, str] = outputs.get("client_secret_arns") or {}
    if client not in arns:
        known = ", ".join(sorted(arns)) or "none"
        raise StackError(
            f"no client {client!r} in the local stack (its clients: {known}); "
            "add one in examples/local/stack.auto.tfvars and run `make local`"
        )
    if running_pid(settings, "moto", "moto_server") is None:
        raise StackError("the local stack is not running: start it with `make local`")
    arn = arns[client]
    secrets = boto3.client(
        "secretsmanager",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
    )
    try:
        secret = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    except Exception as err:  # botocore's connection and client errors alike
        raise StackError(
            f"the local emulator did not give the secret of {client!r} ({type(err).__name__}): "
            "restart the stack with `make local-down` and `make local`"
        ) from None
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    basic = base64.b64encode(f"{secret['client_id']}:{secret['client_secret']}".encode()).decode()
    token_request = urllib.request.Request(  # noqa: S310 - loopback only
        settings.token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"},
    )
    try:
        with urllib.request.urlopen(token_request, timeout=10) as answer:  # noqa: S310 - loopback only
            body: dict[str, Any] = json.loads(answer.read())
    except urllib.error.HTTPError as err:
        raise StackError(
            f"the token endpoint answered {err.code} {err.read().decode(errors='replace')[:200]}"
        ) from None
    except (OSError, ValueError) as err:
        raise StackError(
            f"the local token endpoint {settings.token_url} did not answer ({type(err).__name__}): "
            "restart the stack with `make local`"
        ) from None
    return body


ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
ROTATION_STEP_DONE = {
    "createSecret": "Cognito generated a new secret of the client (the oldest one deleted first if it had "
    "two); stored as AWSPENDING",
    "setSecret": "nothing to set: Cognito already holds the new secret",
    "testSecret": "the pending secret got an access token from the token endpoint",
    "finishSecret": "AWSCURRENT moved to the new secret (the previous one, AWSPREVIOUS, still works until "
    "the next rotation)",
}
"""What each rotation step did, as ``make local-rotate`` prints it (the function answers nothing)."""


def _emulator(settings: Settings, service: str, endpoint: str | None = None) -> Any:
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=endpoint or settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
    )


def rotate_client_secret(settings: Settings, client: str = "demo", out: Printer = print) -> dict[str, Any]:
    """Rotate one client's secret now, the way Secrets Manager does it in AWS.

    ``RotateSecret`` on the emulator registers the new ``AWSPENDING`` version (moto's own invocation of
    the rotation function gets a stub answer: no Docker); then the deployed rotation function's zip runs
    in a worker of the edge, once per step, with Secrets Manager's events. The function's Cognito calls
    reach the edge's emulation of the two-secret API. Returns what changed (never a secret's value).
    """
    outputs = _previous_outputs(settings)
    if outputs is None or running_pid(settings, "edge", "local_edge") is None:
        raise StackError("the local stack is not running: start it with `make local`")
    arns: dict[str, str] = outputs.get("client_secret_arns") or {}
    rotation = outputs.get("secret_rotation")
    if client not in arns:
        known = ", ".join(sorted(arns)) or "none"
        raise StackError(f"no client {client!r} in the local stack (its clients: {known})")
    if not isinstance(rotation, dict):
        raise StackError("secret rotation is off (secret_rotation_days = null in examples/local)")
    arn = arns[client]
    secrets = _emulator(settings, "secretsmanager")
    described = secrets.describe_secret(SecretId=arn)
    before = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    secrets.rotate_secret(
        SecretId=arn,
        RotationLambdaARN=described.get("RotationLambdaARN") or rotation["function_arn"],
        RotationRules={"AutomaticallyAfterDays": int(rotation["days"])},
        RotateImmediately=False,  # moto's immediate path would move AWSCURRENT to an empty version
    )
    stages = secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
    pending = [v for v, labels in stages.items() if "AWSPENDING" in labels and "AWSCURRENT" not in labels]
    if len(pending) != 1:
        raise StackError(f"RotateSecret left {len(pending)} pending versions of {arn}")
    token = pending[0]
    edge_lambda = _emulator(settings, "lambda", f"http://127.0.0.1:{settings.auth_port}")
    for step_name in ROTATION_STEPS:
        event = {"Step": step_name, "SecretId": arn, "ClientRequestToken": token}
        answer = edge_lambda.invoke(
            FunctionName=rotation["function_name"], Payload=json.dumps(event).encode()
        )
        payload = answer["Payload"].read().decode(errors="replace")
        if answer.get("FunctionError"):
            raise StackError(f"{step_name} failed: {payload[:500]} (log: {settings.state_dir / 'logs'})")
        out(f"    {step_name}: {ROTATION_STEP_DONE[step_name]}")
    after = json.loads(secrets.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
    if after.get("client_id") != before.get("client_id") or after.get("client_secret") == before.get(
        "client_secret"
    ):
        raise StackError("the rotation finished but AWSCURRENT does not hold a new secret of the same client")
    return {
        "client": client,
        "client_id": after["client_id"],
        "client_secret_id": after.get("client_secret_id"),
    }


def down(settings: Settings, out: Printer = print) -> None:
    for name, marker in (("edge", "local_edge"), ("moto", "moto_server")):
        if stop_process(settings, name, marker):
            out(f"stopped {name}")
    if settings.state_dir.exists():
        shutil.rmtree(settings.state_dir)
        out(f"removed {settings.state_dir}")
