"""local_edge.stack: ports from the environment, pid files, and stopping exactly what was started."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from local_edge.stack import (
    Settings,
    _env_port,
    down,
    running_pid,
    start_process,
    stop_process,
    terraform_vars,
)


def settings_in(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", aws_port=45999, alb_port=48999, auth_port=48998)


def test_ports_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_ALB_PORT", "9090")
    monkeypatch.delenv("LOCAL_AUTH_PORT", raising=False)
    assert _env_port("LOCAL_ALB_PORT", 8080) == 9090
    assert _env_port("LOCAL_AUTH_PORT", 8081) == 8081
    monkeypatch.setenv("LOCAL_ALB_PORT", "70000")
    with pytest.raises(ValueError, match="LOCAL_ALB_PORT"):
        _env_port("LOCAL_ALB_PORT", 8080)


def test_default_settings_keep_the_state_under_local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_STATE_DIR", raising=False)
    settings = Settings()
    assert settings.state_dir.parts[-2:] == (".local", "stack")
    assert settings.token_url == f"http://127.0.0.1:{settings.auth_port}/oauth2/token"


def test_terraform_vars_point_the_root_at_the_emulator_and_the_edge(tmp_path: Path) -> None:
    args = terraform_vars(settings_in(tmp_path))
    values = dict(arg.split("=", 1) for arg in args if arg != "-var")
    assert values["aws_endpoint"] == "http://127.0.0.1:45999"
    assert values["alb_port"] == "48999"
    assert values["auth_port"] == "48998"
    assert values["lambda_runtime"] == "python{}.{}".format(*sys.version_info[:2])
    assert values["lambda_architecture"] in ("x86_64", "arm64")
    assert values["resource_zip_path"].endswith("state/zips/resource.zip")


def test_start_and_stop_a_process_by_its_pid(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    settings.state_dir.mkdir()
    marker = f"local-stack-test-{time.monotonic_ns()}"
    pid = start_process(
        settings, "sleeper", [sys.executable, "-c", "import time, sys; time.sleep(60)", marker]
    )
    assert running_pid(settings, "sleeper", marker) == pid
    assert running_pid(settings, "sleeper", "something-else") is None  # a recycled pid is not ours
    assert stop_process(settings, "sleeper", marker, timeout=5) is True
    assert running_pid(settings, "sleeper", marker) is None
    assert not settings.pidfile("sleeper").exists()
    assert stop_process(settings, "sleeper", marker) is False  # idempotent


def test_a_stale_pid_file_is_ignored(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    settings.state_dir.mkdir()
    settings.pidfile("moto").write_text("999999999\n")
    assert running_pid(settings, "moto", "moto_server") is None
    settings.pidfile("moto").write_text("not a pid\n")
    assert running_pid(settings, "moto", "moto_server") is None


def test_down_removes_only_the_stack_state(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    (settings.state_dir / "logs").mkdir(parents=True)
    (settings.state_dir / "terraform.tfstate").write_text("{}")
    neighbour = tmp_path / "policy"
    neighbour.mkdir()
    lines: list[str] = []
    down(settings, out=lines.append)
    assert not settings.state_dir.exists()
    assert neighbour.is_dir()
    down(settings, out=lines.append)  # a second down is harmless


def test_processes_tied_to_their_parent_stop_when_it_dies(tmp_path: Path) -> None:
    """A starter that is SIGKILLed leaves nothing behind when die_with_parent is set."""
    import os
    import signal
    import subprocess
    import textwrap

    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux-only")
    state = tmp_path / "state"
    marker = f"tied-child-{time.monotonic_ns()}"
    starter = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from local_edge.stack import Settings, start_process
        s = Settings(state_dir=Path({str(state)!r}), die_with_parent=True)
        s.state_dir.mkdir(parents=True, exist_ok=True)
        start_process(s, "child", [sys.executable, "-c", "import time; time.sleep(60)", {marker!r}])
        print("started", flush=True)
        time.sleep(60)
        """
    )
    local_dir = Path(__file__).resolve().parents[2] / "local"
    parent = subprocess.Popen(
        [sys.executable, "-c", starter],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(local_dir)},
    )
    assert parent.stdout is not None
    assert parent.stdout.readline().strip() == b"started"
    settings = Settings(state_dir=state)
    child = running_pid(settings, "child", marker)
    assert child is not None
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while running_pid(settings, "child", marker) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running_pid(settings, "child", marker) is None


def test_a_relative_state_dir_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # terraform runs with -chdir=examples/local: a relative -state path would land there
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOCAL_STATE_DIR", "rel/state")
    assert Settings().state_dir == tmp_path / "rel" / "state"
