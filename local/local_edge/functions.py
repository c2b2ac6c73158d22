"""Lambda functions as the emulator knows them, run in long-lived worker processes.

The function's handler, runtime, timeout, memory and environment come from the emulator's Lambda API;
its code is the zip that Terraform deployed, found among the candidate zips by the ``CodeSha256`` that
Lambda reports (the base64 SHA-256 Terraform uploaded), and unpacked once per code version. Each
function has a small pool of worker processes (one per concurrent request, like execution
environments): a worker stays warm between invocations; one that crashes or times out is killed, and
the next invocation starts a new one (a cold start).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from local_edge.alb import wildcard_match
from local_edge.worker import write_message

LOG = logging.getLogger("local_edge.functions")
WORKER_SCRIPT = Path(__file__).with_name("worker.py")
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class FunctionError(Exception):
    """The function failed (unhandled error, failed init, crash): the ALB answers 502."""


class FunctionTimeout(Exception):
    """The function ran past its timeout: the ALB answers 504."""


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    name: str
    arn: str
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: Mapping[str, str]
    code_sha256: str
    log_group: str
    log_format: str
    layers: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, config: Mapping[str, Any]) -> FunctionConfig:
        logging_config = config.get("LoggingConfig") or {}
        return cls(
            name=config["FunctionName"],
            arn=config["FunctionArn"],
            handler=config.get("Handler") or "",
            runtime=config.get("Runtime") or "",
            timeout=int(config.get("Timeout") or 3),
            memory=int(config.get("MemorySize") or 128),
            environment=dict((config.get("Environment") or {}).get("Variables") or {}),
            code_sha256=config.get("CodeSha256") or "",
            log_group=logging_config.get("LogGroup") or f"/aws/lambda/{config['FunctionName']}",
            log_format=logging_config.get("LogFormat") or "Text",
            layers=tuple(layer["Arn"] for layer in config.get("Layers") or () if layer.get("Arn")),
        )


ALB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_allows(policy: Mapping[str, Any], principal: str, source_arn: str) -> bool:
    """Whether a function's resource policy lets ``principal`` invoke it for ``source_arn``.

    Evaluated like Lambda does for a service principal: an Allow of ``lambda:InvokeFunction`` (or
    ``lambda:*``) for the service, whose ``AWS:SourceArn`` condition (ArnLike/ArnEquals/StringEquals/
    StringLike), if any, matches; an explicit Deny wins.
    """
    allowed = False
    for statement in _as_list(policy.get("Statement", [])):
        if not isinstance(statement, Mapping):
            continue
        actions = _as_list(statement.get("Action", []))
        if not any(a in ("lambda:InvokeFunction", "lambda:*", "*") for a in actions):
            continue
        principals = statement.get("Principal", {})
        services = (
            _as_list(principals.get("Service", [])) if isinstance(principals, Mapping) else [principals]
        )
        if principal not in services and "*" not in services:
            continue
        if not _condition_matches(statement.get("Condition") or {}, source_arn):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _condition_matches(condition: Mapping[str, Any], source_arn: str) -> bool:
    for operator, pairs in condition.items():
        for key, values in (pairs or {}).items():
            if key.lower() != "aws:sourcearn":
                continue
            candidates = _as_list(values)
            if operator in ("ArnLike", "StringLike"):
                if not any(wildcard_match(str(v), source_arn) for v in candidates):
                    return False
            elif operator in ("ArnEquals", "StringEquals"):
                if source_arn not in candidates:
                    return False
            else:
                return False
    return True


def code_sha256(path: Path) -> str:
    """What Lambda reports as ``CodeSha256``: the base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode("ascii")


def runtime_matches_host(runtime: str) -> bool:
    return runtime == "python{}.{}".format(*sys.version_info[:2])


def lambda_environment(
    config: FunctionConfig, *, region: str, endpoint_url: str, task_root: Path
) -> dict[str, str]:
    """The environment of an execution environment: the function's variables, then Lambda's own."""
    env = dict(config.environment)
    env.update(FAKE_CREDENTIALS)
    env.update(
        {
            "_HANDLER": config.handler,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(Path(sys.executable).parent),
            "LOCAL_EDGE_FUNCTION_ARN": config.arn,
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
    )
    if config.log_format == "JSON":
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
    return env


class Worker:
    """One worker process and its two pipes."""

    def __init__(
        self,
        config: FunctionConfig,
        task_root: Path,
        env: Mapping[str, str],
        log: IO[bytes],
        layer_paths: Sequence[Path] = (),
    ) -> None:
        self.config = config
        req_read, self._req_write = os.pipe()
        self._resp_read, resp_write = os.pipe()
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-B",
                str(WORKER_SCRIPT),
                str(task_root),
                config.handler,
                str(req_read),
                str(resp_write),
                os.pathsep.join(str(p) for p in layer_paths),
            ],
            env=dict(env),
            cwd=task_root,
            pass_fds=(req_read, resp_write),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=False,
        )
        os.close(req_read)
        os.close(resp_write)
        self.invocations = 0
        self._closed = False
        self._closed_by_worker = False
        ready = self._read(time.monotonic() + max(config.timeout, 10))  # init has its own 10 s budget
        if "error" in ready:
            self.kill()
            raise FunctionError(
                f"init failed: {ready['error'].get('errorType')}: {ready['error'].get('errorMessage')}"
            )
        self.init_ms = (time.perf_counter() - started) * 1000
        LOG.info("%s: cold start in %.0f ms (pid %d)", config.name, self.init_ms, self.process.pid)

    def _read_exact(self, size: int, deadline: float) -> bytes:
        chunks = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FunctionTimeout(self.config.name)
            readable, _, _ = select.select([self._resp_read], [], [], remaining)
            if not readable:
                raise FunctionTimeout(self.config.name)
            chunk = os.read(self._resp_read, size)
            if not chunk:
                self._closed_by_worker = True
                raise FunctionError(f"{self.config.name}: the worker exited (code {self.process.poll()})")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _read(self, deadline: float) -> dict[str, Any]:
        size = struct.unpack(">I", self._read_exact(4, deadline))[0]
        message: dict[str, Any] = json.loads(self._read_exact(size, deadline))
        return message

    def invoke(self, event: Any, trace_id: str = "") -> Any:
        request_id = str(uuid.uuid4())
        deadline = time.monotonic() + self.config.timeout
        deadline_ms = int(time.time() * 1000) + self.config.timeout * 1000
        try:
            write_message(
                self._req_write,
                {"event": event, "request_id": request_id, "deadline_ms": deadline_ms, "trace_id": trace_id},
            )
        except OSError as exc:
            self._closed_by_worker = True
            raise FunctionError(f"{self.config.name}: the worker is gone") from exc
        answer = self._read(deadline)
        self.invocations += 1
        if "error" in answer:
            err = answer["error"]
            raise FunctionError(f"{err.get('errorType')}: {err.get('errorMessage')}")
        return answer.get("result")

    def alive(self) -> bool:
        return not self._closed_by_worker and self.process.poll() is None

    def kill(self) -> None:
        if not self._closed:
            self._closed = True
            for fd in (self._req_write, self._resp_read):
                with contextlib.suppress(OSError):
                    os.close(fd)
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            LOG.warning("worker %d did not exit", self.process.pid)


@dataclass
class _Pool:
    config: FunctionConfig
    task_root: Path
    layer_paths: tuple[Path, ...] = ()
    idle: list[Worker] = field(default_factory=list)
    busy: int = 0


class FunctionRunner:
    """Invokes functions by ARN: reads their configuration from the emulator, runs their zip."""

    def __init__(
        self,
        lambda_client: Any,
        *,
        region: str,
        endpoint_url: str,
        zips: Sequence[Path],
        state_dir: Path,
        max_concurrency: int = 4,
        config_ttl: float = 2.0,
        extra_environment: Mapping[str, str] | None = None,
    ) -> None:
        self._lambda = lambda_client
        self._extra_environment = dict(extra_environment or {})
        self._region = region
        self._endpoint_url = endpoint_url
        self._zips = [Path(z) for z in zips]
        self._state_dir = state_dir
        self._max = max_concurrency
        self._ttl = config_ttl
        self._lock = threading.Condition()
        self._pools: dict[str, _Pool] = {}
        self._configs: dict[str, tuple[float, FunctionConfig]] = {}
        self._permissions: dict[str, tuple[float, bool]] = {}
        self._logs: dict[str, IO[bytes]] = {}
        self._closed = False

    # -- configuration and code ------------------------------------------------------------------
    def _config(self, arn: str) -> FunctionConfig:
        now = time.monotonic()
        cached = self._configs.get(arn)
        if cached and now - cached[0] <= self._ttl:
            return cached[1]
        config = FunctionConfig.from_api(self._lambda.get_function_configuration(FunctionName=arn))
        self._configs[arn] = (now, config)
        return config

    def _task_root(self, config: FunctionConfig) -> Path:
        digest = base64.b64decode(config.code_sha256).hex()[:16]
        return self._unpacked(
            config.name, config.code_sha256, self._state_dir / "tasks" / f"{config.name}-{digest}"
        )

    def _unpacked(self, what: str, sha: str, into: Path) -> Path:
        """The candidate zip whose CodeSha256 is ``sha``, unpacked once into ``into``."""
        if into.is_dir():
            return into
        for candidate in self._zips:
            if candidate.is_file() and code_sha256(candidate) == sha:
                tmp = into.with_name(into.name + ".tmp")
                shutil.rmtree(tmp, ignore_errors=True)
                with zipfile.ZipFile(candidate) as archive:
                    archive.extractall(tmp)
                tmp.rename(into)
                LOG.info("%s: unpacked %s into %s", what, candidate, into)
                return into
        raise FunctionError(
            f"{what}: its deployed code (CodeSha256 {sha}) is none of "
            + ", ".join(str(z) for z in self._zips)
        )

    def _layer_paths(self, config: FunctionConfig) -> tuple[Path, ...]:
        """Each layer's ``python/`` folder, in the function's order (what Lambda mounts at /opt)."""
        paths = []
        for arn in config.layers:
            parts = arn.split(":")  # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
            if len(parts) != 8 or parts[5] != "layer" or not parts[7].isdigit():
                raise FunctionError(f"{config.name}: {arn} is not a layer version ARN")
            version = self._lambda.get_layer_version(LayerName=parts[6], VersionNumber=int(parts[7]))
            sha = version["Content"]["CodeSha256"]
            digest = base64.b64decode(sha).hex()[:16]
            root = self._unpacked(f"layer {parts[6]}:{parts[7]}", sha, self._state_dir / "layers" / digest)
            paths.append(root / "python")
        return tuple(paths)

    def _log(self, name: str) -> IO[bytes]:
        if name not in self._logs:
            logs = self._state_dir / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            self._logs[name] = (logs / f"{name}.log").open("ab", buffering=0)
        return self._logs[name]

    # -- pool --------------------------------------------------------------------------------------
    def _acquire(self, arn: str) -> tuple[_Pool, Worker | None]:
        config = self._config(arn)
        if not runtime_matches_host(config.runtime):
            raise FunctionError(
                f"{config.name}: runtime {config.runtime} is not this interpreter's "
                f"(python{sys.version_info[0]}.{sys.version_info[1]}); apply with the host's runtime"
            )
        with self._lock:
            pool = self._pools.get(arn)
            if pool is not None and pool.config != config:  # redeployed: retire the old environments
                for old in pool.idle:
                    old.kill()
                pool = None
            if pool is None:
                pool = _Pool(config, self._task_root(config), self._layer_paths(config))
                self._pools[arn] = pool
            deadline = time.monotonic() + config.timeout
            while not pool.idle and pool.busy >= self._max:
                if not self._lock.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise FunctionTimeout(f"{config.name}: no free execution environment")
            pool.busy += 1
            worker: Worker | None = None
            while pool.idle and worker is None:
                candidate = pool.idle.pop()
                if candidate.alive():
                    worker = candidate
                else:
                    candidate.kill()
            return pool, worker

    def _release(self, arn: str, pool: _Pool, worker: Worker | None, keep: bool) -> None:
        with self._lock:
            pool.busy -= 1
            if worker is not None:
                if keep and not self._closed and self._pools.get(arn) is pool:
                    pool.idle.append(worker)
                else:
                    worker.kill()
            self._lock.notify()

    def check_permission(self, arn: str, principal: str, source_arn: str) -> None:
        """Raise :class:`FunctionError` unless the function's policy lets ``principal`` invoke it."""
        now = time.monotonic()
        key = f"{arn}|{principal}|{source_arn}"
        cached = self._permissions.get(key)
        if cached is None or now - cached[0] > self._ttl:
            try:
                policy = json.loads(self._lambda.get_policy(FunctionName=arn)["Policy"])
            except self._lambda.exceptions.ResourceNotFoundException:
                policy = {}
            cached = (now, policy_allows(policy, principal, source_arn))
            self._permissions[key] = cached
        if not cached[1]:
            raise FunctionError(
                f"{arn}: its resource policy does not let {principal} invoke it from {source_arn}"
            )

    def invoke(self, arn: str, event: Any, trace_id: str = "") -> Any:
        pool, worker = self._acquire(arn)
        keep = False
        try:
            if worker is None:
                env = lambda_environment(
                    pool.config,
                    region=self._region,
                    endpoint_url=self._endpoint_url,
                    task_root=pool.task_root,
                )
                env.update(self._extra_environment)
                worker = Worker(
                    pool.config, pool.task_root, env, self._log(pool.config.name), pool.layer_paths
                )
            try:
                result = worker.invoke(event, trace_id)
            except FunctionTimeout:
                LOG.warning(
                    "%s: timed out after %d s; its environment is discarded",
                    pool.config.name,
                    pool.config.timeout,
                )
                raise
            except FunctionError:
                keep = worker.alive()
                raise
            keep = True
            return result
        finally:
            self._release(arn, pool, worker, keep)

    def stats(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                pool.config.name: {"idle": len(pool.idle), "busy": pool.busy} for pool in self._pools.values()
            }

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for pool in self._pools.values():
                for worker in pool.idle:
                    worker.kill()
                pool.idle.clear()
            for log in self._logs.values():
                log.close()
