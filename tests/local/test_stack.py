"""local_edge.stack: ports from the environment, pid files, and stopping exactly what was started."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local_edge.stack import (
    REPO_ROOT,
    Settings,
    StackError,
    _env_port,
    apply_fingerprint,
    demo_call_problem,
    down,
    running_pid,
    start_process,
    stop_process,
    summary_lines,
    terraform_vars,
    up,
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


# ---- what `make local` prints, early port checks, local-token's errors, the apply fingerprint -------

OUTPUTS = {
    "client_ids": {"demo": "1demo0000000000000000000aa", "batch": "2batch000000000000000000bb"},
    "client_secret_arns": {
        "demo": "arn:aws:secretsmanager:us-east-1:123456789012:secret:m2m-local-demo-Aa",
        "batch": "arn:aws:secretsmanager:us-east-1:123456789012:secret:m2m-local-batch-Bb",
    },
    "client_function_client": "demo",
}


def test_summary_names_every_client_by_key_and_marks_the_one_get_client_uses(tmp_path: Path) -> None:
    lines = summary_lines(settings_in(tmp_path), OUTPUTS, 200, '{"api_status":200}')
    text = "\n".join(lines)
    (demo,) = [line for line in lines if "1demo0000000000000000000aa" in line]
    (batch,) = [line for line in lines if "2batch000000000000000000bb" in line]
    assert "demo" in demo
    assert "GET /client uses this one" in demo
    assert "batch" in batch
    assert "GET /client" not in batch
    assert lines.index(batch) < lines.index(demo)  # sorted by key
    for arn in OUTPUTS["client_secret_arns"].values():
        assert arn in text
    assert "make -s local-token [CLIENT=<key>]" in text
    assert "make local-down" in text


def test_summary_names_each_clients_tenant_when_the_token_trigger_is_on(tmp_path: Path) -> None:
    assert not [
        line for line in summary_lines(settings_in(tmp_path), OUTPUTS, 200, "{}") if "Tenants" in line
    ]
    outputs = {**OUTPUTS, "token_tenants": {"demo": "globex", "batch": "acme"}}
    (line,) = [line for line in summary_lines(settings_in(tmp_path), outputs, 200, "{}") if "Tenants" in line]
    assert line == "Tenants    batch -> acme, demo -> globex (the token trigger's tenant claim)"


API_OUTPUTS = {
    **OUTPUTS,
    "client_scopes": {"demo": ["rest-api/read"], "batch": ["rest-api/read", "rest-api/write"]},
    "api_functions": {
        "orders": {
            "function_name": "m2m-local-orders",
            "routes": {
                "GET /orders": ["rest-api/read"],
                "POST /orders": ["rest-api/write"],
                "GET /orders/*": ["rest-api/read"],
                "DELETE /orders/*": ["rest-api/admin"],  # no client has it: no line
            },
        }
    },
}


def test_summary_lists_the_apis_and_a_curl_line_per_route_with_a_client_that_may_call_it(
    tmp_path: Path,
) -> None:
    lines = summary_lines(settings_in(tmp_path), API_OUTPUTS, 200, "{}")
    (apis,) = [line for line in lines if line.startswith("APIs")]
    assert apis.split() == [
        "APIs",
        "orders",
        "DELETE",
        "/orders/*,",
        "GET",
        "/orders,",
        "GET",
        "/orders/*,",
        "POST",
        "/orders",
    ]
    curls = [
        line.split(None, 1)[1] if line.startswith("Try") else line.strip()
        for line in lines
        if "curl " in line
    ]
    base = settings_in(tmp_path).alb_url
    assert curls == [
        'curl -s -X POST -H "Authorization: Bearer $(make -s local-token CLIENT=batch)" '
        f"-H 'Content-Type: application/json' -d '{{\"item\": \"tea\"}}' {base}/orders",
        f'curl -s -H "Authorization: Bearer $(make -s local-token CLIENT=demo)" {base}/orders',
        f'curl -s -H "Authorization: Bearer $(make -s local-token CLIENT=demo)" {base}/orders/$ID',
    ]
    assert not [line for line in curls if "<" in line or ">" in line]  # pasted into a shell as is
    assert any(line.strip().startswith("(set ID first") for line in lines)  # no made-up id that 404s


def _listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize("attribute", ["aws_port", "alb_port", "auth_port"])
def test_a_taken_port_fails_before_anything_starts(tmp_path: Path, attribute: str) -> None:
    with _listener() as taken:
        port = taken.getsockname()[1]
        settings = Settings(
            state_dir=tmp_path / "state",
            **{**{"aws_port": 45997, "alb_port": 48997, "auth_port": 48996}, attribute: port},
        )
        lines: list[str] = []
        with pytest.raises(StackError) as caught:
            up(settings, out=lines.append)
    message = str(caught.value)
    variable = {"aws_port": "LOCAL_AWS_PORT", "alb_port": "LOCAL_ALB_PORT", "auth_port": "LOCAL_AUTH_PORT"}[
        attribute
    ]
    assert f"port {port} ({variable}) is taken by python" in message  # this test process holds it
    assert f"{variable}={port + 10} make local" in message
    assert lines == []  # no step started
    assert not settings.state_dir.exists()  # nothing written, nothing running
    assert running_pid(settings, "moto", "moto_server") is None


def _token_cli(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOCAL_STATE_DIR": str(state_dir), "PYTHONPATH": str(REPO_ROOT / "local")}
    return subprocess.run(
        [sys.executable, "-m", "local_edge", "token", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_local_token_with_the_stack_down_is_one_line_on_stderr_and_nothing_on_stdout(tmp_path: Path) -> None:
    result = _token_cli(tmp_path / "nothing-here")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "make local" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_token_for_an_unknown_client_names_the_clients(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "stack.json").write_text(json.dumps({"outputs": OUTPUTS, "timings": {}}))
    result = _token_cli(state, "--client", "nightly")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    for words in ("'nightly'", "batch, demo", "stack.auto.tfvars"):
        assert words in result.stderr


def test_apply_fingerprint_follows_the_inputs_and_the_zips(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    zips = settings.state_dir / "zips"
    zips.mkdir(parents=True)
    (zips / "resource.zip").write_bytes(b"one")
    first = apply_fingerprint(settings)
    assert apply_fingerprint(settings) == first
    (zips / "resource.zip").write_bytes(b"two")
    second = apply_fingerprint(settings)
    assert second != first
    moved = Settings(state_dir=settings.state_dir, aws_port=45999, alb_port=48990, auth_port=48998)
    assert apply_fingerprint(moved) != second  # another port is another variable


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "token"),
        (["CLIENT=batch"], 'token --client "batch"'),
        (["CLIENT=batch", "SCOPE=rest-api/read"], 'token --client "batch" --scope "rest-api/read"'),
    ],
)
def test_make_local_token_passes_client_and_scope(args: list[str], expected: str) -> None:
    """`make -s local-token CLIENT=batch` used to print a demo token: the Makefile dropped CLIENT."""
    shown = subprocess.run(
        ["make", "-n", "-s", "local-token", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip().endswith(f"-m local_edge {expected}"), shown


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (200, '{"api_status":200,"api_body":{"message":"hi"}}', None),
        (
            200,
            '{"api_status":403,"api_body":{"error":"insufficient_scope","error_description":'
            '"The access token lacks a required scope","scope":"rest-api/read rest-api/write"}}',
            "the demo call reached the API, which answered 403 insufficient_scope: The access token lacks a "
            "required scope; the route requires rest-api/read rest-api/write (the demo client's scopes are "
            "in stack.auto.tfvars)",
        ),
        (502, '{"error":"upstream_error","message":"the token endpoint failed"}', "GET /client answered 502"),
        (504, "gateway timeout", "GET /client answered 504"),
    ],
)
def test_the_summary_says_plainly_when_the_demo_call_did_not_succeed(
    tmp_path: Path, status: int, body: str, problem: str | None
) -> None:
    found = demo_call_problem(status, body)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)
    lines = summary_lines(settings_in(tmp_path), OUTPUTS, status, body)
    assert any(line.startswith("NOT OK") for line in lines) == (problem is not None)
