"""Fixtures shared across suites: the local stack (moto + terraform apply + local edge), once per session,
and a bare moto server on loopback for tests that talk to AWS APIs over HTTP.

The end-to-end tests (tests/e2e) and the short soak (tests/reliability) run against the same stack,
brought up on free ports with its own state folder and torn down at the end of the session, even when
tests fail. Its processes die with the test run (PR_SET_PDEATHSIG) if pytest itself is killed.
"""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import Iterator

import pytest

from local_edge.stack import REPO_ROOT, Settings, StackInfo, down, up

# What the functions' app.py does at cold start: the packages log at INFO (the libraries set no level).
for _package in ("cognito_m2m_verifier", "cognito_m2m_client", "cognito_m2m_rotation"):
    logging.getLogger(_package).setLevel(logging.INFO)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """A moto server (in a thread, 127.0.0.1, free port) for the session; tests name what they create."""
    from bench.fleet import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, StackInfo]]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not installed: the local stack needs it")
    zip_dir = REPO_ROOT / "dist" / "host"
    needed = ("resource.zip", "client.zip", "verifier-layer.zip")  # up zips examples/local/orders/ itself
    missing = [n for n in needed if not (zip_dir / n).is_file()]
    assert not missing, f"{missing} missing in {zip_dir}: run `make build-host` (the pytest target does)"
    settings = Settings(
        state_dir=tmp_path_factory.mktemp("local-stack"),
        aws_port=free_port(),
        alb_port=free_port(),
        auth_port=free_port(),
        zip_dir=zip_dir,
        die_with_parent=True,  # no stray moto/edge even if the test run itself is killed
    )
    lines: list[str] = []
    try:
        info = up(settings, out=lines.append)
        print("\n".join(lines))
        yield settings, info
    finally:
        logs = settings.logs
        if logs.is_dir():  # keep the logs of a failed run next to the report
            for log in sorted(logs.glob("*.log")):
                print(
                    f"---- {log.name} (tail)\n"
                    + "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                )
        down(settings, out=lines.append)
