"""local_edge.functions and local_edge.worker: deployed zips run in warm, restartable worker processes.

The functions are created in moto (in-process) from small handler zips written by the tests; the
worker processes are real subprocesses of the interpreter running the tests.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_edge.functions import FunctionError, FunctionRunner, FunctionTimeout, code_sha256

HANDLER = """
import json, os, time
COUNT = 0
NAMES = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "GREETING", "LAMBDA_TASK_ROOT")
def handler(event, context):
    global COUNT
    COUNT += 1
    action = event.get("action")
    if action == "raise":
        raise ValueError("boom")
    if action == "exit":
        os._exit(3)
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "unserialisable":
        return {"statusCode": 200, "body": object()}
    return {
        "count": COUNT,
        "pid": os.getpid(),
        "remaining": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "env": {k: os.environ.get(k) for k in NAMES},
        "cwd": os.getcwd(),
        "sys_path_0": __import__("sys").path[0],
    }
"""
RUNTIME = "python{}.{}".format(*sys.version_info[:2])


def make_zip(path: Path, source: str) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        yield {"lambda": boto3.client("lambda", region_name="us-east-1"), "role": role}


def create(
    aws: dict[str, Any], name: str, zip_path: Path, *, timeout: int = 3, runtime: str = RUNTIME
) -> str:
    arn: str = aws["lambda"].create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=aws["role"],
        Handler="app.handler",
        Code={"ZipFile": zip_path.read_bytes()},
        Timeout=timeout,
        Environment={"Variables": {"GREETING": "hi"}},
    )["FunctionArn"]
    return arn


@pytest.fixture
def runner_factory(aws: dict[str, Any], tmp_path: Path) -> Iterator[Any]:
    runners: list[FunctionRunner] = []

    def make(*zips: Path, **kw: Any) -> FunctionRunner:
        runner = FunctionRunner(
            aws["lambda"],
            region="us-east-1",
            endpoint_url="http://127.0.0.1:1",
            zips=list(zips),
            state_dir=tmp_path / "state",
            config_ttl=0.0,
            **kw,
        )
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()


def test_warm_invocations_share_module_state_and_get_lambdas_context(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    code = make_zip(tmp_path / "fn.zip", HANDLER)
    arn = create(aws, "fn", code)
    runner = runner_factory(code)
    first = runner.invoke(arn, {})
    second = runner.invoke(arn, {})
    assert (first["count"], second["count"]) == (1, 2)
    assert first["pid"] == second["pid"]
    assert first["request_id"] != second["request_id"]
    assert 0 < first["remaining"] <= 3000
    assert first["function_name"] == "fn"
    assert first["env"]["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert first["env"]["AWS_REGION"] == "us-east-1"
    assert first["env"]["GREETING"] == "hi"
    assert first["cwd"] == first["sys_path_0"] == first["env"]["LAMBDA_TASK_ROOT"]
    assert code_sha256(code) == aws["lambda"].get_function_configuration(FunctionName="fn")["CodeSha256"]


def test_an_unhandled_error_is_a_function_error_and_the_environment_stays_warm(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    code = make_zip(tmp_path / "fn.zip", HANDLER)
    arn = create(aws, "fn", code)
    runner = runner_factory(code)
    runner.invoke(arn, {})
    with pytest.raises(FunctionError, match="ValueError: boom"):
        runner.invoke(arn, {"action": "raise"})
    with pytest.raises(FunctionError):
        runner.invoke(arn, {"action": "unserialisable"})
    assert runner.invoke(arn, {})["count"] == 4


def test_a_crash_restarts_the_worker_as_a_cold_start(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    code = make_zip(tmp_path / "fn.zip", HANDLER)
    arn = create(aws, "fn", code)
    runner = runner_factory(code)
    before = runner.invoke(arn, {})
    with pytest.raises(FunctionError, match="exited"):
        runner.invoke(arn, {"action": "exit"})
    after = runner.invoke(arn, {})
    assert after["count"] == 1
    assert after["pid"] != before["pid"]


def test_a_timeout_kills_the_environment(aws: dict[str, Any], runner_factory: Any, tmp_path: Path) -> None:
    code = make_zip(tmp_path / "fn.zip", HANDLER)
    arn = create(aws, "fn", code, timeout=1)
    runner = runner_factory(code)
    before = runner.invoke(arn, {})
    with pytest.raises(FunctionTimeout):
        runner.invoke(arn, {"action": "sleep", "seconds": 5})
    after = runner.invoke(arn, {})
    assert after["count"] == 1
    assert after["pid"] != before["pid"]


def test_a_failing_init_is_a_function_error(aws: dict[str, Any], runner_factory: Any, tmp_path: Path) -> None:
    code = make_zip(tmp_path / "fn.zip", "raise RuntimeError('bad config: X is required')\n")
    arn = create(aws, "fn", code)
    with pytest.raises(FunctionError, match="bad config"):
        runner_factory(code).invoke(arn, {})


def test_deployed_code_must_be_one_of_the_known_zips(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    deployed = make_zip(tmp_path / "deployed.zip", HANDLER)
    other = make_zip(tmp_path / "other.zip", HANDLER + "\n# changed\n")
    arn = create(aws, "fn", deployed)
    with pytest.raises(FunctionError, match="none of"):
        runner_factory(other).invoke(arn, {})


def test_a_runtime_other_than_this_interpreter_is_refused(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    code = make_zip(tmp_path / "fn.zip", HANDLER)
    other = "python3.12" if RUNTIME != "python3.12" else "python3.13"
    arn = create(aws, "fn", code, runtime=other)
    with pytest.raises(FunctionError, match="runtime"):
        runner_factory(code).invoke(arn, {})


def test_a_redeployment_starts_fresh_environments_with_the_new_code(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    old = make_zip(tmp_path / "old.zip", HANDLER)
    new = make_zip(tmp_path / "new.zip", "def handler(event, context):\n    return {'version': 2}\n")
    arn = create(aws, "fn", old)
    runner = runner_factory(old, new)
    assert runner.invoke(arn, {})["count"] == 1
    aws["lambda"].update_function_code(FunctionName="fn", ZipFile=new.read_bytes())
    assert runner.invoke(arn, {}) == {"version": 2}


# ---- the load balancer's permission to invoke ------------------------------------------------

TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/fn/0123456789abcdef"
ALB = "elasticloadbalancing.amazonaws.com"


def statement(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Principal": {"Service": ALB},
        "Condition": {"ArnLike": {"AWS:SourceArn": TG_ARN}},
    }
    values.update(over)
    return values


@pytest.mark.parametrize(
    ("statements", "allowed"),
    [
        ([statement()], True),
        ([statement(Condition={})], True),
        (
            [
                statement(
                    Condition={
                        "ArnLike": {"AWS:SourceArn": "arn:aws:elasticloadbalancing:*:targetgroup/fn/*"}
                    }
                )
            ],
            True,
        ),
        ([statement(Condition={"ArnEquals": {"AWS:SourceArn": TG_ARN + "0"}})], False),
        ([statement(Principal={"Service": "apigateway.amazonaws.com"})], False),
        ([statement(Action="lambda:GetFunction")], False),
        ([statement(), statement(Effect="Deny")], False),
        ([], False),
    ],
)
def test_policy_allows(statements: list[dict[str, Any]], allowed: bool) -> None:
    from local_edge.functions import policy_allows

    assert policy_allows({"Version": "2012-10-17", "Statement": statements}, ALB, TG_ARN) is allowed


def test_check_permission_reads_the_functions_policy(
    aws: dict[str, Any], runner_factory: Any, tmp_path: Path
) -> None:
    code = make_zip(tmp_path / "fn.zip", HANDLER)
    arn = create(aws, "fn", code)
    runner = runner_factory(code)
    with pytest.raises(FunctionError, match="resource policy"):
        runner.check_permission(arn, ALB, TG_ARN)
    aws["lambda"].add_permission(
        FunctionName="fn", StatementId="alb", Action="lambda:InvokeFunction", Principal=ALB, SourceArn=TG_ARN
    )
    runner.check_permission(arn, ALB, TG_ARN)
    with pytest.raises(FunctionError):
        runner.check_permission(arn, ALB, TG_ARN.replace("fn/", "other/"))
