"""The client zip bundles urllib3 but not boto3: the Lambda runtime's botocore then runs on *our* urllib3.

Lambda puts the task root (``/var/task``, the zip) before the runtime's own packages on ``sys.path``, so
``import urllib3`` inside botocore finds the bundled copy. We keep boto3 out of the zip (it is part of
the runtime and large) and prove instead that the pair works:

- the bundled urllib3's version satisfies the urllib3 requirement that botocore declares (its
  ``Requires-Dist``, as installed here: the boto3 we pin, of the same line as the runtime's);
- in a fresh interpreter whose path is the unzipped bundle first and then the installed boto3 (the
  layout of ``/var/task`` + ``/var/runtime``), botocore really imports the bundled urllib3 and reads a
  secret from a real Secrets Manager API (moto's server on 127.0.0.1).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "host" / "client.zip"


def bundled_version(bundle: Path, dist: str) -> str:
    with zipfile.ZipFile(bundle) as zf:
        (metadata,) = [
            n for n in zf.namelist() if n.startswith(f"{dist}-") and n.endswith(".dist-info/METADATA")
        ]
        for line in zf.read(metadata).decode().splitlines():
            if line.startswith("Version: "):
                return line.removeprefix("Version: ").strip()
    raise AssertionError(f"no version of {dist} in {bundle}")


def botocore_urllib3_requirement() -> Requirement:
    for raw in importlib.metadata.requires("botocore") or []:
        req = Requirement(raw)
        if req.name == "urllib3" and (req.marker is None or req.marker.evaluate({"python_version": "3.13"})):
            return req
    raise AssertionError("botocore declares no urllib3 requirement for Python 3.13")


def test_bundled_urllib3_satisfies_botocores_declared_requirement() -> None:
    assert BUNDLE.is_file(), f"{BUNDLE} is missing: run `make build-host` (make pytest does)"
    version = bundled_version(BUNDLE, "urllib3")
    requirement = botocore_urllib3_requirement()
    assert requirement.specifier.contains(version), (
        f"botocore needs urllib3{requirement.specifier}, zip has {version}"
    )


@pytest.fixture
def secrets_api() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


PROBE = """
import json, sys
task_root, runtime_site, endpoint = sys.argv[1:4]
sys.path[:0] = [task_root, runtime_site]  # /var/task first, then the runtime's packages
import boto3, botocore, urllib3
assert urllib3.__file__.startswith(task_root), urllib3.__file__
assert not botocore.__file__.startswith(task_root), "boto3/botocore must come from the runtime, not the zip"
client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=endpoint,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
secret = json.dumps({"client_id": "a", "client_secret": "b"})
arn = client.create_secret(Name="probe", SecretString=secret)["ARN"]
from cognito_m2m_client.secret_cache import SecretCache
cache = SecretCache(arn, max_age=60, clock=lambda: 0.0, client_factory=lambda: client)
credentials, fresh = cache.get()
print(json.dumps({"urllib3": urllib3.__version__, "botocore": botocore.__version__,
                  "client_id": credentials.client_id, "fresh": fresh}))
"""


def test_runtime_botocore_reads_a_secret_over_the_bundled_urllib3(tmp_path: Path, secrets_api: str) -> None:
    assert BUNDLE.is_file(), f"{BUNDLE} is missing: run `make build-host` (make pytest does)"
    task_root = tmp_path / "task"
    with zipfile.ZipFile(BUNDLE) as zf:
        zf.extractall(task_root)
    runtime_site = sysconfig.get_paths()["purelib"]  # where the pinned boto3/botocore are installed
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(task_root), runtime_site, secrets_api],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "AWS_EC2_METADATA_DISABLED": "true"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "urllib3": bundled_version(BUNDLE, "urllib3"),
        "botocore": importlib.metadata.version("botocore"),
        "client_id": "a",
        "fresh": True,
    }
