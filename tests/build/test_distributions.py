"""The two distributions: `pip install ./src/resource` and `pip install ./src/client` in a fresh
virtualenv, imported and used with the repository nowhere on sys.path (python -I, another cwd).

The fresh venv gets its build backend (hatchling) and the dependencies from the package index, as a
user's would. The script run inside it verifies a token signed with a generated RSA key against a JWKS
served on loopback, and fetches a token from a loopback token endpoint, using only the public API.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = {
    "resource": ("cognito-m2m-verifier", "cognito_m2m_verifier"),
    "client": ("cognito-m2m-client", "cognito_m2m_client"),
}

USE_BOTH = r"""
import base64, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import cognito_m2m_client, cognito_m2m_verifier
from cognito_m2m_client import CognitoTokens
from cognito_m2m_verifier import InsufficientScope, ProtectedApi, cognito_verifier
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

repo = sys.argv[1]
assert not any(p.startswith(repo) for p in sys.path if p), sys.path
packages = ((cognito_m2m_verifier, "cognito-m2m-verifier"), (cognito_m2m_client, "cognito-m2m-client"))
for module, dist in packages:
    folder = Path(module.__file__).parent
    assert "site-packages" in str(folder) and not str(folder).startswith(repo), folder
    assert (folder / "py.typed").is_file()
    assert (folder / "_shared" / "alb.py").is_file() and not (folder / "_shared").is_symlink()
    assert metadata.version(dist) == module.__version__

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
numbers = key.public_key().public_numbers()
jwks = {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
                  "n": b64(numbers.n.to_bytes(256, "big")), "e": b64(numbers.e.to_bytes(3, "big"))}]}
pool = "eu-west-1_AbC123xyz"
client_id = "1example23456789abcdefghij"
now = int(time.time())
claims = {"sub": client_id, "client_id": client_id, "token_use": "access", "scope": "orders/read",
          "iss": f"https://cognito-idp.eu-west-1.amazonaws.com/{pool}", "exp": now + 600, "iat": now,
          "auth_time": now, "jti": "j", "version": 2}
header = {"alg": "RS256", "kid": "k1"}
signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
token = signing_input + "." + b64(signature)

class Upstream(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        self.answer(jwks)
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.answer({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"

tokens = CognitoTokens(token_url=base + "/oauth2/token", client_id=client_id, client_secret="s3cret",
                       scopes=["orders/read"])
bearer = tokens.token()
verifier = cognito_verifier(user_pool_id=pool, client_ids=[client_id], jwks_url=base + "/jwks.json")
assert verifier.authorize(bearer, ("orders/read",)).client_id == client_id
try:
    verifier.authorize(bearer, ("orders/write",))
except InsufficientScope:
    pass
else:
    raise AssertionError("a missing scope was accepted")

api = ProtectedApi(verifier)

@api.route("GET /orders/*", scopes=["orders/read"])
def get_order(request, verified):
    return {"order": request.path.rsplit("/", 1)[1]}

group = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1"
event = {"requestContext": {"elb": {"targetGroupArn": group}},
         "httpMethod": "GET", "path": "/orders/42", "queryStringParameters": {},
         "headers": {"authorization": f"Bearer {bearer}", "host": "api.example.com"}, "body": "",
         "isBase64Encoded": False}
answer = api.handler(event, None)
assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"order": "42"}, answer
server.shutdown()
print("ok")
"""


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv (of the interpreter running the tests) with both distributions installed from
    their folders, as a user would: `pip install ./src/resource ./src/client`."""
    where = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    python = where / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(ROOT / "src" / "resource"), str(ROOT / "src" / "client")],
        check=True, cwd=where, timeout=600,
    )  # fmt: skip
    return python


def run_isolated(python: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -I`` from a folder outside the repository: neither cwd nor PYTHONPATH is on sys.path."""
    return subprocess.run(
        [str(python), "-I", "-c", code, *args],
        capture_output=True, text=True, cwd=python.parent, timeout=120, check=False,
    )  # fmt: skip


def test_installed_packages_work_with_the_repository_off_sys_path(fresh_venv: Path) -> None:
    done = run_isolated(fresh_venv, USE_BOTH, str(ROOT))
    assert done.returncode == 0, done.stderr[-3000:]
    *access, last = done.stdout.splitlines()  # the wrapper's access line for its request, then ours
    assert last == "ok"
    assert [(line["status"], line["path"]) for line in map(json.loads, access)] == [(200, "/orders/42")]


def test_each_distribution_owns_only_its_package(fresh_venv: Path) -> None:
    listing = run_isolated(
        fresh_venv,
        "import json; from importlib import metadata\n"
        "print(json.dumps({d: sorted({str(f).split('/')[0] for f in metadata.files(d)})"
        " for d in ('cognito-m2m-verifier', 'cognito-m2m-client')}))",
    )
    assert listing.returncode == 0, listing.stderr
    tops = json.loads(listing.stdout)
    assert tops["cognito-m2m-verifier"] == ["cognito_m2m_verifier", "cognito_m2m_verifier-0.2.0.dist-info"]
    assert tops["cognito-m2m-client"] == ["cognito_m2m_client", "cognito_m2m_client-0.2.0.dist-info"]


def test_removing_one_distribution_leaves_the_other_whole(fresh_venv: Path) -> None:
    # Runs last in this module (it uninstalls): the shared code is in each, so nothing of the other goes.
    subprocess.run(
        [str(fresh_venv), "-m", "pip", "uninstall", "--quiet", "--yes", "cognito-m2m-verifier"],
        check=True, timeout=120,
    )  # fmt: skip
    done = run_isolated(
        fresh_venv,
        "import cognito_m2m_client._shared.alb, cognito_m2m_client; print(cognito_m2m_client.__version__)",
    )
    assert done.returncode == 0, done.stderr
    gone = run_isolated(fresh_venv, "import cognito_m2m_verifier")
    assert "ModuleNotFoundError" in gone.stderr


@pytest.mark.parametrize("folder", sorted(DISTRIBUTIONS))
def test_zip_pins_satisfy_the_distribution_ranges(folder: str) -> None:
    """What the zip ships (requirements.txt pins) is what the wheel declares it works with."""
    project = tomllib.loads((ROOT / "src" / folder / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTIONS[folder][0]
    ranges = {Requirement(r).name: Requirement(r).specifier for r in project["dependencies"]}
    pins = {}
    for line in (ROOT / "src" / folder / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pin = Requirement(line)
            pins[pin.name] = next(iter(pin.specifier)).version
    assert set(pins) == set(ranges)
    for name, version in pins.items():
        assert ranges[name].contains(version), (name, version, str(ranges[name]))


def test_the_shared_code_is_a_link_in_the_source_tree() -> None:
    for folder, (_, package) in DISTRIBUTIONS.items():
        link = ROOT / "src" / folder / package / "_shared"
        assert link.is_symlink()
        assert link.resolve() == (ROOT / "src" / "common").resolve()
