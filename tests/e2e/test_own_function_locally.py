"""Your own function in the local stack, as README's "Your own function, locally" walks through it: a
folder next to examples/local/orders/, an `apis` entry naming `<folder>.zip`, `make local` (here `up`),
a call; then an edit of the function and `make local` again, which applies and serves the new code.
The Makefile is not touched: `up` zips every function folder of examples/local itself.

The stack is a second one (its own moto, ports and state) over a copy of examples/local in a mirror of
the repository (symlinks for everything else), so the session's stack and the working tree stay as
they are.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from local_edge.stack import REPO_ROOT, Settings, demo_token, down, up
from tests.conftest import free_port

pytestmark = pytest.mark.e2e
HTTP = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=30), retries=False)

GREETER = '''"""A function of your own: one route, the verifier layer's public API only."""

from cognito_m2m_verifier import ProtectedApi

api = ProtectedApi.from_environment()


@api.route("GET /greetings")
def greet(request, claims):
    return {"greeting": "hello", "client": claims.client_id}


handler = api.handler
'''

ENTRY = """  greeter = {
    zip_path = "greeter.zip"
    handler  = "greeter.handler"
    routes   = { "GET /greetings" = ["rest-api/read"] }
  }
"""


def mirror_repository(into: Path) -> Path:
    """The repository as symlinks, except examples/local, which is a copy that the test may change."""
    into.mkdir()
    for entry in REPO_ROOT.iterdir():
        if entry.name not in (".git", ".local", "examples", "build", "bench"):
            (into / entry.name).symlink_to(entry)
    (into / "examples").mkdir()
    for example in (REPO_ROOT / "examples").iterdir():
        if example.name != "local":
            (into / "examples" / example.name).symlink_to(example)
    shutil.copytree(
        REPO_ROOT / "examples" / "local",
        into / "examples" / "local",
        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "__pycache__"),
    )
    return into


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[Settings]:
    root = mirror_repository(tmp_path / "repo")
    settings = Settings(
        root=root,
        state_dir=tmp_path / "state",
        aws_port=free_port(),
        alb_port=free_port(),
        auth_port=free_port(),
        zip_dir=REPO_ROOT / "dist" / "host",
        die_with_parent=True,
    )
    try:
        yield settings
    finally:
        down(settings, out=lambda _line: None)


def greet(settings: Settings) -> tuple[int, dict[str, object]]:
    token = demo_token(settings, "rest-api/read")["access_token"]
    answer = HTTP.request(
        "GET", f"{settings.alb_url}/greetings", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status, json.loads(answer.data)


def test_a_function_of_your_own_is_zipped_deployed_and_redeployed_when_you_edit_it(
    own_stack: Settings,
) -> None:
    settings = own_stack
    folder = settings.example_dir / "greeter"
    folder.mkdir()
    (folder / "greeter.py").write_text(GREETER)
    tfvars = settings.example_dir / "stack.auto.tfvars"
    text = tfvars.read_text()
    assert "\napis = {\n" in text
    tfvars.write_text(text.replace("\napis = {\n", "\napis = {\n" + ENTRY, 1))

    lines: list[str] = []
    info = up(settings, out=lines.append)
    assert any("greeter.zip" in line and "your functions" in line for line in lines), lines
    assert "greeter" in info.outputs["api_functions"]
    assert greet(settings) == (200, {"greeting": "hello", "client": info.outputs["client_ids"]["demo"]})

    (folder / "greeter.py").write_text(GREETER.replace('"hello"', '"hello again"'))
    lines.clear()
    up(settings, out=lines.append)
    assert not any("apply of examples/local: skipped" in line for line in lines), lines
    status, body = greet(settings)
    assert (status, body["greeting"]) == (200, "hello again")

    lines.clear()
    up(settings, out=lines.append)  # nothing edited: nothing to apply
    assert any("apply of examples/local: skipped" in line for line in lines), lines
