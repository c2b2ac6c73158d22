"""Part 3 (and the Powertools part of 5): cold import times in fresh interpreters.

Each sample is a new interpreter of the Lambda runtime's Python version (``scripts/find-python.sh``;
the bench's own interpreter when that version is missing, said in the results) started with
``-I -S -B``: no site-packages, no user paths, nothing written to ``__pycache__`` (Lambda's task
directory is read-only), ``sys.path`` = the unzipped package first, then (where named) the runtime's
boto3, then the standard library. The time of the import statement alone is taken inside the process
as the process's CPU time (robust to other load on a shared machine; the imports read files that
the page cache already holds) and as wall time; variants are interleaved sample by sample and the
medians are reported (``median_ms`` is CPU time, ``median_wall_ms`` wall time).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import paths, trees
from bench.stats import median, percentile

PROBE = (
    "import sys, time\n"
    "n = int(sys.argv[1]); sys.path[:0] = sys.argv[2:2 + n]; stmt = sys.argv[2 + n]\n"
    "t, c = time.perf_counter(), time.process_time(); exec(stmt)\n"
    "print(repr(time.perf_counter() - t), repr(time.process_time() - c))\n"
)

BASELINE_IMPORT = "import jwt; from cryptography.hazmat.primitives.asymmetric import rsa; import urllib3"

FUNCTION_ENV = {
    "resource": {
        "USER_POOL_ID": "us-east-1_BenchPool1",
        "ALLOWED_CLIENT_IDS": "1benchclient0aaaaaaaaaaaaa",
        "ROUTE_SCOPES": '{"GET /api": ["rest-api/read"], "POST /api": ["rest-api/write"]}',
        "JWKS_URL": "http://127.0.0.1:9/us-east-1_BenchPool1/.well-known/jwks.json",
    },
    "client": {
        "TOKEN_URL": "http://127.0.0.1:9/oauth2/token",
        "CLIENT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf",
        "SCOPES": "rest-api/read",
        "API_URL": "http://127.0.0.1:9/api",
    },
}
LAMBDA_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "LANG": "C.UTF-8",
}


@dataclass
class Variant:
    name: str
    label: str
    statement: str
    path: list[Path]
    env: dict[str, str]


def find_target_python(version: str) -> tuple[str, str | None]:
    """(interpreter, note): the Lambda runtime's version if found, else the bench's own interpreter."""
    mine = "{}.{}".format(*sys.version_info[:2])
    try:
        found = subprocess.run(
            [str(paths.ROOT / "scripts" / "find-python.sh"), version],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        got = subprocess.run(
            [found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found, got = "", ""
    if got == version == mine:
        return found, None
    note = f"python{version} not found (or the host bundles are for {mine}): using {sys.executable} ({mine})"
    return sys.executable, note


def sample(python: str, variant: Variant) -> tuple[float, float]:
    """(wall, CPU) seconds of the variant's import statement in a fresh interpreter."""
    out = subprocess.run(
        [
            python,
            "-I",
            "-S",
            "-B",
            "-c",
            PROBE,
            str(len(variant.path)),
            *map(str, variant.path),
            variant.statement,
        ],
        capture_output=True,
        text=True,
        env={**LAMBDA_ENV, **variant.env},
        timeout=60,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{variant.name}: import failed: {out.stderr.strip()[-800:]}")
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def measure(python: str, variants: list[Variant], samples: int) -> dict[str, dict[str, Any]]:
    times: dict[str, list[tuple[float, float]]] = {v.name: [] for v in variants}
    errors: dict[str, str] = {}
    for _ in range(samples):
        for v in variants:
            if v.name in errors:
                continue
            try:
                times[v.name].append(sample(python, v))
            except RuntimeError as exc:
                errors[v.name] = str(exc)
    out: dict[str, dict[str, Any]] = {}
    for v in variants:
        if v.name in errors:
            out[v.name] = {"label": v.label, "error": errors[v.name]}
            continue
        cpu = [c * 1000 for _, c in times[v.name]]
        wall = [w * 1000 for w, _ in times[v.name]]
        out[v.name] = {
            "label": v.label,
            "statement": v.statement,
            "median_ms": round(median(cpu), 2),
            "p90_ms": round(percentile(cpu, 90), 2),
            "median_wall_ms": round(median(wall), 2),
            "samples": len(cpu),
        }
    return out


def function_variants(functions: list[str], host_dist: Path, runtime: Path) -> list[Variant]:
    variants = []
    for fn in functions:
        bundle = host_dist / f"{fn}.zip"
        if not bundle.exists():
            raise FileNotFoundError(f"{bundle} is missing: run `make build-host`")
        shipped = trees.unzip(bundle, f"host-{fn}")
        bare = trees.without_pyc(shipped)
        env = FUNCTION_ENV[fn]
        variants += [
            Variant(f"{fn}_pyc", f"{fn} app, shipped .pyc", "import app", [shipped, runtime], env),
            Variant(f"{fn}_nopyc", f"{fn} app, no .pyc", "import app", [bare, runtime], env),
        ]
    return variants


ORDERS_ENV = {
    **FUNCTION_ENV["resource"],
    "ROUTE_SCOPES": '{"GET /orders": ["rest-api/read"], "POST /orders": ["rest-api/write"],'
    ' "GET /orders/*": ["rest-api/read"], "GET /tenants/*": ["rest-api/read"]}',
}


def layer_variants(host_dist: Path, runtime: Path) -> list[Variant]:
    """Your function (examples/local's orders.py) with the verifier library from the layer (its
    ``python/`` folder after the task root, as Lambda orders ``/var/task`` and ``/opt/python``), and the
    same function with the library copied into its own zip: what the layer costs at a cold start."""
    layer_zip, orders_zip = host_dist / "verifier-layer.zip", host_dist / "orders.zip"
    if not (layer_zip.exists() and orders_zip.exists()):
        raise FileNotFoundError(f"{layer_zip} or {orders_zip} is missing: run `make build-host`")
    layer = trees.unzip(layer_zip, "host-layer") / "python"
    task = trees.unzip(orders_zip, "host-orders")
    both = trees.merged([layer, task], "host-orders-in-zip")
    return [
        Variant(
            "own_layer",
            "your function on the verifier layer",
            "import orders",
            [task, layer, runtime],
            ORDERS_ENV,
        ),
        Variant("own_zip", "your function, library in its zip", "import orders", [both, runtime], ORDERS_ENV),
    ]


# The rotation function's first event: its package imports, then boto3 builds the Secrets Manager and
# Cognito clients (and checks the two-secret API). Its own SDK (the zip as built: boto3 pinned, botocore's
# models trimmed to two services) against the runtime's (the same zip without the SDK, the runtime's
# boto3 after it on the path, as the function was before it bundled one).
ROTATION_FIRST_EVENT = "\n".join(
    [
        "import app",
        "import os",
        "from cognito_m2m_rotation.handler import build_rotation",
        "build_rotation(os.environ)",
    ]
)
ROTATION_ENV = {
    "USER_POOL_ID": "us-east-1_BenchPool1",
    "TOKEN_URL": "http://127.0.0.1:9/oauth2/token",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}
SDK_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six")


def rotation_variants(host_dist: Path, runtime: Path) -> list[Variant]:
    bundle = host_dist / "rotation.zip"
    if not bundle.exists():
        raise FileNotFoundError(f"{bundle} is missing: run `make build-host`")
    own = trees.unzip(bundle, "host-rotation")
    without = trees.merged([own], "host-rotation-no-sdk")
    for entry in list(without.iterdir()):
        if entry.name.split("-")[0].split(".")[0] in SDK_DISTRIBUTIONS or entry.name == "six.py":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return [
        Variant(
            "rotation_own_sdk",
            "rotation first event, its own boto3",
            ROTATION_FIRST_EVENT,
            [own],
            ROTATION_ENV,
        ),
        Variant(
            "rotation_runtime_sdk",
            "rotation first event, the runtime's boto3",
            ROTATION_FIRST_EVENT,
            [without, runtime],
            ROTATION_ENV,
        ),
    ]


def run(
    samples: int = 21,
    functions: tuple[str, ...] = ("resource", "client"),
    host_dist: Path = paths.DIST / "host",
    powertools: bool = True,
    python_version: str = "3.13",
) -> dict[str, Any]:
    python, note = find_target_python(python_version)
    if note:
        print(f"bench[coldstart]: {note}", file=sys.stderr, flush=True)
    paths.WORK.mkdir(parents=True, exist_ok=True)
    baseline = trees.pip_target("baseline", trees.baseline_requirements(), python)
    baseline_bare = trees.without_pyc(baseline)
    runtime = trees.pip_target("runtime", trees.runtime_requirements(), python)
    variants = [
        Variant("baseline_pyc", "jwt + cryptography rsa + urllib3, .pyc", BASELINE_IMPORT, [baseline], {}),
        Variant(
            "baseline_nopyc",
            "jwt + cryptography rsa + urllib3, no .pyc",
            BASELINE_IMPORT,
            [baseline_bare],
            {},
        ),
        *function_variants(list(functions), host_dist, runtime),
        *layer_variants(host_dist, runtime),
        *rotation_variants(host_dist, runtime),
    ]
    if powertools:
        tree = trees.pip_target("powertools", [trees.POWERTOOLS_REQUIREMENT], python)
        pt = [tree, runtime]
        variants += [
            Variant(
                "powertools_logger", "Powertools Logger", "from aws_lambda_powertools import Logger", pt, {}
            ),
            Variant(
                "powertools_metrics",
                "Powertools Metrics (EMF)",
                "from aws_lambda_powertools import Metrics",
                pt,
                {},
            ),
            Variant(
                "powertools_alb_resolver",
                "Powertools event_handler.ALBResolver",
                "from aws_lambda_powertools.event_handler import ALBResolver",
                pt,
                {},
            ),
            Variant(
                "powertools_get_secret",
                "Powertools parameters.get_secret (imports boto3)",
                "from aws_lambda_powertools.utilities.parameters import get_secret",
                pt,
                {},
            ),
            Variant(
                "powertools_all_three",
                "Powertools Logger + ALBResolver + get_secret",
                "from aws_lambda_powertools import Logger\n"
                "from aws_lambda_powertools.event_handler import ALBResolver\n"
                "from aws_lambda_powertools.utilities.parameters import get_secret",
                pt,
                {},
            ),
            Variant(
                "boto3",
                "boto3 alone (the runtime's; client's first secret read)",
                "import boto3",
                [runtime],
                {},
            ),
        ]
    results = measure(python, variants, samples)
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    out: dict[str, Any] = {
        "python": python,
        "python_version": version,
        "fallback_note": note,
        "samples": samples,
        "flags": "-I -S -B; sys.path = package dir, then the runtime's boto3, then the stdlib",
        "imports": results,
    }
    base = results.get("baseline_pyc", {}).get("median_ms")
    if base:
        for r in results.values():
            if "median_ms" in r:
                r["ratio_to_baseline_pyc"] = round(r["median_ms"] / base, 3)
    return out
