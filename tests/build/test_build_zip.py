"""scripts/build_zip.py: reproducible, clean and complete Lambda bundles.

The host bundles (dist/host/, built by `make build-host`, which `make pytest` depends on) are imported
in a fresh interpreter whose sys.path holds only the unzipped package and the standard library, to
prove each zip carries everything its function imports.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "scripts" / "build_zip.py"
PACKAGES = {"resource": "cognito_m2m_verifier", "client": "cognito_m2m_client"}
TARGET_VERSION = "3.13"


def build(function: str, out: Path, *extra: str) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(BUILD),
            "--function",
            function,
            "--arch",
            "arm64",
            "--python-version",
            TARGET_VERSION,
            "--out",
            str(out),
            *extra,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def lambda_zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each function built twice for the Lambda target (arm64, Python 3.13) into separate folders."""
    base = tmp_path_factory.mktemp("zips")
    zips = {
        fn: (build(fn, base / "one" / f"{fn}.zip"), build(fn, base / "two" / f"{fn}.zip"))
        for fn in ("resource", "client")
    }
    zips["layer"] = tuple(  # type: ignore[assignment]
        build("resource", base / where / "verifier-layer.zip", "--layer") for where in ("one", "two")
    )
    return zips


@pytest.mark.parametrize("function", ["resource", "client"])
def test_two_builds_are_byte_identical(lambda_zips: dict[str, tuple[Path, Path]], function: str) -> None:
    one, two = lambda_zips[function]
    assert sha256(one) == sha256(two)


@pytest.mark.parametrize("function", ["resource", "client"])
def test_zip_entries_are_sorted_fixed_and_free_of_noise(
    lambda_zips: dict[str, tuple[Path, Path]], function: str
) -> None:
    with zipfile.ZipFile(lambda_zips[function][0]) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert "app.py" in names
    assert f"{PACKAGES[function]}/_shared/alb.py" in names  # a copy, not the link
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert not [n for n in names if n.startswith("bin/") or n.endswith(("/RECORD", "/INSTALLER"))]
    assert not [n for n in names if n.startswith(("tests/", "src/", "cffi/", "pycparser/"))]
    pycs = [n for n in names if n.endswith(".pyc")]
    # Only .pyc compiled by the target interpreter, never by the build interpreter.
    assert all(".cpython-313." in n for n in pycs)
    bundled_urllib3 = [i for i in infos if i.file_size and i.filename == "urllib3/__init__.py"]
    # the client's HTTP stack; the verifier downloads its JWKS with the standard library
    assert bool(bundled_urllib3) == (function == "client")


def test_pyc_are_shipped_for_the_target_version(lambda_zips: dict[str, tuple[Path, Path]]) -> None:
    find = subprocess.run(
        [str(ROOT / "scripts" / "find-python.sh"), TARGET_VERSION], capture_output=True, text=True, check=True
    )
    if f"no python{TARGET_VERSION}" in find.stderr:
        pytest.skip(f"no Python {TARGET_VERSION} on this machine: the build ships sources only (and says so)")
    with zipfile.ZipFile(lambda_zips["resource"][0]) as zf:
        names = set(zf.namelist())
        assert "__pycache__/app.cpython-313.pyc" in names
        # unchecked-hash pyc: flags word (bytes 4-8) == 0b01 (hash-based, not checked against the source)
        assert int.from_bytes(zf.read("__pycache__/app.cpython-313.pyc")[4:8], "little") == 1


def test_no_pyc_flag_ships_sources_only(tmp_path: Path) -> None:
    out = build("client", tmp_path / "client.zip", "--no-pyc")
    with zipfile.ZipFile(out) as zf:
        assert not [n for n in zf.namelist() if n.endswith(".pyc")]


IMPORT_ENV = {
    "resource": {
        "USER_POOL_ID": "us-east-1_Example1",
        "ALLOWED_CLIENT_IDS": "1example23456789abcdefghij",
        "ROUTE_SCOPES": json.dumps({"GET /api": ["rest-api/read"]}),
    },
    "client": {
        "TOKEN_URL": "https://example.auth.us-east-1.amazoncognito.com/oauth2/token",
        "CLIENT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf",
        "SCOPES": "rest-api/read",
        "API_URL": "https://api.example.com/api",
    },
}

# Runs in `python -I -S`: no site-packages, so only the bundle and the standard library are importable.
PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app
assert callable(app.handler)
bad = sorted(m for m, mod in sys.modules.items()
             if getattr(mod, "__file__", None) and not mod.__file__.startswith(sys.argv[1])
             and "site-packages" in mod.__file__)
if sys.argv[2] == "resource":  # the hot path's native code: orjson, pybase64, cryptography (+ _cffi_backend)
    import base64
    import pybase64
    assert "C extension active" in pybase64.get_version(), pybase64.get_version()  # not its pure fallback
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cognito_m2m_verifier.token_parser import TokenParser
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_input = b64(b'{"alg":"RS256","kid":"k"}') + "." + b64(b'{"exp":1,"iat":1}')
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    parsed = TokenParser().parse(signing_input + "." + b64(sig))
    assert parsed.payload == {"exp": 1, "iat": 1}
    key.public_key().verify(parsed.signature, parsed.signing_input, padding.PKCS1v15(), hashes.SHA256())
    from cognito_m2m_verifier.verifier import signature_matches
    assert signature_matches(key.public_key(), parsed.signing_input, parsed.signature)
    assert not signature_matches(key.public_key(), parsed.signing_input + b"x", parsed.signature)
print(json.dumps({"outside": bad, "modules": len(sys.modules)}))
"""


@pytest.mark.parametrize("function", ["resource", "client"])
def test_host_zip_imports_with_nothing_but_itself(tmp_path: Path, function: str) -> None:
    bundle = ROOT / "dist" / "host" / f"{function}.zip"
    assert bundle.is_file(), f"{bundle} is missing: run `make build-host` (make pytest does)"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "task")
    env = {"PATH": os.environ.get("PATH", ""), "AWS_REGION": "us-east-1", **IMPORT_ENV[function]}
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(tmp_path / "task"), function],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outside"] == []


@pytest.mark.parametrize("function", ["resource", "client"])
def test_manifest_records_what_the_zip_was_built_for(
    lambda_zips: dict[str, tuple[Path, Path]], function: str
) -> None:
    bundle = lambda_zips[function][0]
    manifest = json.loads(bundle.with_name(bundle.name + ".manifest.json").read_text())
    assert manifest["function"] == function
    assert manifest["architecture"] == "arm64"
    assert manifest["runtime"] == f"python{TARGET_VERSION}"
    assert manifest["platform"] == "manylinux2014_aarch64"
    assert manifest["zip_sha256"] == sha256(bundle)  # Terraform checks this to spot a replaced zip


def test_the_layer_is_reproducible_and_all_under_python(lambda_zips: dict[str, tuple[Path, Path]]) -> None:
    one, two = lambda_zips["layer"]
    assert sha256(one) == sha256(two)
    with zipfile.ZipFile(one) as zf:
        names = zf.namelist()
    assert names == sorted(names)
    assert all(n.startswith("python/") for n in names)
    assert "python/cognito_m2m_verifier/__init__.py" in names
    assert "python/cognito_m2m_verifier/_shared/alb.py" in names
    assert "python/cognito_m2m_verifier/py.typed" in names
    assert any(n.startswith("python/cryptography/") for n in names)
    assert not [n for n in names if n in ("python/app.py", "app.py") or "/cffi/" in n]
    manifest = json.loads(one.with_name(one.name + ".manifest.json").read_text())
    assert (manifest["kind"], manifest["architecture"], manifest["runtime"]) == (
        "layer",
        "arm64",
        "python3.13",
    )
    assert manifest["zip_sha256"] == sha256(one)
    if any(n.endswith(".cpython-313.pyc") for n in names):  # compiled for where Lambda mounts it
        with zipfile.ZipFile(one) as zf:
            pyc = zf.read("python/cognito_m2m_verifier/__pycache__/__init__.cpython-313.pyc")
        assert b"/opt/python/cognito_m2m_verifier/__init__.py" in pyc


USER_FUNCTION = """
from cognito_m2m_verifier import ProtectedApi

api = ProtectedApi.from_environment()


@api.route("GET /orders/*")
def get_order(request, claims):
    return {"order": request.path.rsplit("/", 1)[1]}


handler = api.handler
"""

# `python -I -S`: the user's folder and the layer's python/ folder, as Lambda orders them, and nothing else.
LAYER_PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import orders
group = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1"
event = {"requestContext": {"elb": {"targetGroupArn": group}},
         "httpMethod": "GET", "path": "/orders/7", "queryStringParameters": {}, "headers": {}, "body": "",
         "isBase64Encoded": False}
answer = orders.handler(event, None)
import cognito_m2m_verifier
print(json.dumps({"status": answer["statusCode"], "auth": answer["headers"].get("www-authenticate"),
                  "from": cognito_m2m_verifier.__file__}))
"""


def test_a_function_of_your_own_runs_on_the_host_layer(tmp_path: Path) -> None:
    layer = ROOT / "dist" / "host" / "verifier-layer.zip"
    assert layer.is_file(), f"{layer} is missing: run `make build-host` (make pytest does)"
    with zipfile.ZipFile(layer) as zf:
        zf.extractall(tmp_path / "opt")
    (tmp_path / "task").mkdir()
    (tmp_path / "task" / "orders.py").write_text(USER_FUNCTION)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        **IMPORT_ENV["resource"],
        "ROUTE_SCOPES": json.dumps({"GET /orders/*": ["rest-api/read"]}),
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAYER_PROBE, str(tmp_path / "task"), str(tmp_path / "opt/python")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    *access, last = result.stdout.splitlines()  # the request's access line, then the probe's answer
    answer = json.loads(last)
    assert [(line["status"], line["outcome"]) for line in map(json.loads, access)] == [
        (401, "no_credentials")
    ]
    assert answer["status"] == 401
    assert answer["auth"] == 'Bearer realm="api"'
    assert answer["from"].startswith(str(tmp_path / "opt" / "python"))
