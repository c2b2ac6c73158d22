"""The rotation zip brings its own boto3: Cognito's two-secret API is in botocore 1.42.59 and later, and
the SDK of a Lambda runtime depends on the runtime's version and the Region.

- the zip holds boto3 and botocore at the versions ``src/rotation/requirements.txt`` pins, with botocore's
  models of exactly the two services the function calls (scripts/build_zip.py trims the others: about
  17 MB of a zip that stays near 1.5 MB);
- in a fresh interpreter whose path is the unzipped zip and the standard library only, the function
  builds its clients from the zip's SDK, finds the three Cognito calls, and reads a secret from a real
  Secrets Manager API (moto's server on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "host" / "rotation.zip"


def pinned(name: str) -> str:
    for line in (ROOT / "src" / "rotation" / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"src/rotation/requirements.txt pins no {name}")


def test_the_zip_bundles_the_pinned_sdk_with_two_service_models() -> None:
    assert BUNDLE.is_file(), f"{BUNDLE} is missing: run `make build-host` (make pytest does)"
    with zipfile.ZipFile(BUNDLE) as zf:
        names = zf.namelist()
    services = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") >= 3}
    assert services == {"cognito-idp", "secretsmanager"}
    assert "botocore/data/endpoints.json" in names
    assert "botocore/data/partitions.json" in names
    for dist in ("boto3", "botocore"):
        assert f"{dist}-{pinned(dist)}.dist-info/METADATA" in names, f"{dist} is not at its pinned version"
    assert BUNDLE.stat().st_size < 6_000_000  # with .pyc; without the trim, over 20 MB


PROBE = """
import json, os, sys
task_root = sys.argv[1]
sys.path[:0] = [task_root]  # /var/task: nothing else but the standard library
from cognito_m2m_rotation.handler import build_rotation
rotation = build_rotation(os.environ)
import boto3, botocore
assert boto3.__file__.startswith(task_root) and botocore.__file__.startswith(task_root)
import uuid
arn = rotation.secrets.create_secret(Name=f"probe-{uuid.uuid4().hex}", SecretString="{}")["ARN"]
model = rotation.cognito.meta.service_model.operation_model("AddUserPoolClientSecret")
print(json.dumps({"botocore": botocore.__version__, "described": rotation.secrets.describe_secret(
    SecretId=arn)["ARN"] == arn, "add_input": sorted(model.input_shape.members)}))
"""


def test_the_function_runs_on_its_own_sdk_alone(tmp_path: Path, moto_url: str) -> None:
    assert BUNDLE.is_file(), f"{BUNDLE} is missing: run `make build-host` (make pytest does)"
    task_root = tmp_path / "task"
    with zipfile.ZipFile(BUNDLE) as zf:
        zf.extractall(task_root)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": moto_url,
        "USER_POOL_ID": "us-east-1_Example1",
        "TOKEN_URL": "http://127.0.0.1:9/oauth2/token",
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(task_root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "botocore": pinned("botocore"),
        "described": True,
        "add_input": ["ClientId", "ClientSecret", "UserPoolId"],
    }
