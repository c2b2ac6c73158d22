"""The rotation function's four steps, on moto's Secrets Manager and the local edge's Cognito emulation.

Secrets Manager is moto (in process); it starts each rotation with ``RotateSecret(RotateImmediately=
False)``, which registers the new ``AWSPENDING`` version as AWS does (moto's Lambda backend answers
its own invocation with a stub: Docker is not used). Cognito's three client-secret calls are not in
moto: they go to :class:`local_edge.client_secrets.ClientSecretStore`, the emulation the local stack
serves (its rules are tested in ``test_client_secrets_emulation.py``). The token check accepts
exactly the secrets the store holds, as the local token endpoint does.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cognito_m2m_rotation.credentials import StoredCredentials
from cognito_m2m_rotation.handler import token_check
from cognito_m2m_rotation.steps import RotationError, SecretRotation
from moto import mock_aws

from local_edge.client_secrets import ClientSecretStore, CognitoApiError
from tests.client.servers import Reply, ScriptedServer, token_endpoint

REGION = "us-east-1"
POOL, CLIENT, ORIGINAL = (
    "us-east-1_Example1",
    "1example23456789abcdefghij",
    "originalsecret0123456789abcdefghijklmnopqrstuvwxy",
)
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


class EmulatedCognito:
    """boto3's cognito-idp client for the three calls, answered by the emulation; ``fail`` injects errors."""

    def __init__(self, store: ClientSecretStore) -> None:
        self.store = store
        self.fail: dict[str, list[str]] = {}
        self.calls: list[str] = []

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(operation)
        if self.fail.get(operation):
            code = self.fail[operation].pop(0)
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)
        try:
            return self.store.call(f"AWSCognitoIdentityProviderService.{operation}", params)
        except CognitoApiError as exc:
            raise ClientError({"Error": {"Code": exc.code, "Message": exc.message}}, operation) from None

    def list_user_pool_client_secrets(self, **params: Any) -> dict[str, Any]:
        return self._call("ListUserPoolClientSecrets", params)

    def add_user_pool_client_secret(self, **params: Any) -> dict[str, Any]:
        return self._call("AddUserPoolClientSecret", params)

    def delete_user_pool_client_secret(self, **params: Any) -> dict[str, Any]:
        return self._call("DeleteUserPoolClientSecret", params)


class FlakySecrets:
    """moto's Secrets Manager client; ``fail`` makes the next calls of an operation raise a code.

    Two switches give it behaviours of AWS that moto does not have and that AWS's documents leave open
    (mocked here because moto cannot show them; the rotation must be right either way):

    - ``empty_pending``: the AWSPENDING version of Secrets Manager's configuration test holds no value
      (RotateSecret: "This test creates an AWSPENDING version of the secret and then removes it"; AWS
      answers GetSecretValue on an empty version with ResourceNotFoundException, moto copies the
      current value into it);
    - ``move_takes_pending``: moving AWSCURRENT to a version also takes AWSPENDING off it, and removing a
      label that is not on the given version fails, as UpdateSecretVersionStage says ("If the label is
      attached and you either do not specify this parameter, or the version ID does not match, then
      the operation fails").
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.fail: dict[str, list[str]] = {}
        self.empty_pending = False
        self.move_takes_pending = False

    def _stages(self, arn: str) -> dict[str, list[str]]:
        return dict(self.client.describe_secret(SecretId=arn)["VersionIdsToStages"])

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(**params: Any) -> Any:
            if self.fail.get(name):
                raise ClientError({"Error": {"Code": self.fail[name].pop(0), "Message": "injected"}}, name)
            pending = params.get("VersionStage") == "AWSPENDING"
            if name == "get_secret_value" and self.empty_pending and pending:
                error = {"Code": "ResourceNotFoundException", "Message": "no value for AWSPENDING"}
                raise ClientError({"Error": error}, name)
            if name == "update_secret_version_stage" and self.move_takes_pending:
                stage, target = params["VersionStage"], params.get("MoveToVersionId")
                removed_from = params.get("RemoveFromVersionId")
                if target is None and stage not in self._stages(params["SecretId"]).get(removed_from, []):
                    error = {"Code": "InvalidParameterException", "Message": "label not attached"}
                    raise ClientError({"Error": error}, name)
                answer = method(**params)
                if stage == "AWSCURRENT" and "AWSPENDING" in self._stages(params["SecretId"]).get(target, []):
                    method(SecretId=params["SecretId"], VersionStage="AWSPENDING", RemoveFromVersionId=target)
                return answer
            return method(**params)

        return call


class World:
    def __init__(self, client: Any, function_arn: str) -> None:
        self.client = client
        self.secrets = FlakySecrets(client)
        # Secrets added in Cognito are dated a minute after the stored value was written, as a rotation
        # runs well after the value Terraform writes (a test sets ``cognito_ahead`` to 0 to add one at once)
        self.cognito_ahead = 60.0
        self.store = ClientSecretStore(
            lambda pool, cid: (
                {"ClientId": cid, "ClientSecret": ORIGINAL, "CreationDate": 1_700_000_000.0}
                if (pool, cid) == (POOL, CLIENT)
                else None
            ),
            clock=lambda: time.time() + self.cognito_ahead,
        )
        self.cognito = EmulatedCognito(self.store)
        self.checked: list[StoredCredentials] = []
        self.token_fails = False
        self.function_arn = function_arn
        self.arn = client.create_secret(
            Name="m2m/demo", SecretString=json.dumps({"client_id": CLIENT, "client_secret": ORIGINAL})
        )["ARN"]
        self.rotation = SecretRotation(
            secrets=self.secrets, cognito=self.cognito, user_pool_id=POOL, check_token=self.check
        )

    def check(self, credentials: StoredCredentials) -> None:
        """The token endpoint's rule: the client's secret must be one of its active secrets."""
        self.checked.append(credentials)
        if self.token_fails or credentials.client_secret not in self.store.active_secrets(
            POOL, CLIENT, ORIGINAL
        ):
            raise PermissionError("invalid_client")

    def start(self) -> str:
        """What RotateSecret does first: a new version id labelled AWSPENDING; returns it."""
        self.client.rotate_secret(
            SecretId=self.arn,
            RotationLambdaARN=self.function_arn,
            RotationRules={"AutomaticallyAfterDays": 30},
            RotateImmediately=False,
        )
        stages = self.client.describe_secret(SecretId=self.arn)["VersionIdsToStages"]
        return next(
            v for v, labels in stages.items() if "AWSPENDING" in labels and "AWSCURRENT" not in labels
        )

    def step(self, step: str, token: str) -> str:
        return self.rotation.run({"Step": step, "SecretId": self.arn, "ClientRequestToken": token})

    def rotate(self) -> str:
        token = self.start()
        for step in STEPS:
            self.step(step, token)
        return token

    def current(self) -> StoredCredentials:
        value = self.client.get_secret_value(SecretId=self.arn, VersionStage="AWSCURRENT")
        return StoredCredentials.from_json(value["SecretString"])


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws(config={"lambda": {"use_docker": False}}):
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("app.py", "def handler(event, context):\n    return None\n")
        function = boto3.client("lambda", region_name=REGION).create_function(
            FunctionName="rotation",
            Runtime="python3.13",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": code.getvalue()},
        )["FunctionArn"]
        yield World(boto3.client("secretsmanager", region_name=REGION), function)


def test_a_rotation_adds_a_secret_and_keeps_the_previous_one_valid(world: World) -> None:
    world.rotate()
    current = world.current()
    assert current.client_id == CLIENT
    assert current.client_secret != ORIGINAL
    assert current.client_secret_id is not None
    assert world.checked == [current]  # testSecret ran with the pending credentials
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (ORIGINAL, current.client_secret)
    previous = world.client.get_secret_value(SecretId=world.arn, VersionStage="AWSPREVIOUS")["SecretString"]
    assert json.loads(previous)["client_secret"] == ORIGINAL


def test_the_next_rotation_retires_the_previous_secret_and_client_id_never_changes(world: World) -> None:
    world.rotate()
    first = world.current()
    world.rotate()
    second = world.current()
    assert second.client_id == first.client_id == CLIENT
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (first.client_secret, second.client_secret)
    world.rotate()
    third = world.current()
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (second.client_secret, third.client_secret)
    assert ORIGINAL not in world.store.active_secrets(POOL, CLIENT, ORIGINAL)


@pytest.mark.parametrize("empty", [False, True], ids=["copy-of-current", "no-value"])
@pytest.mark.parametrize("rotated_before", [False, True], ids=["first-value", "rotated"])
def test_the_configuration_test_passes_and_creates_nothing(
    world: World, empty: bool, rotated_before: bool
) -> None:
    """Terraform's rotation (rotate_immediately = false) makes Secrets Manager run testSecret alone, on
    a new AWSPENDING version that holds no value (AWS) or a copy of the current one (moto): the setup
    is checked, no secret is created, no token is bought, nothing fails."""
    if rotated_before:
        world.rotate()
    before = world.current()
    secrets_before = world.store.list(POOL, CLIENT)
    world.checked.clear()
    world.secrets.empty_pending = empty
    token = world.start()
    done = world.step("testSecret", token)
    assert "rotation configuration checked" in done
    assert world.checked == []  # no token request: nothing new to test
    assert world.store.list(POOL, CLIENT) == secrets_before
    assert world.current() == before


def test_the_configuration_test_fails_when_cognito_refuses_the_function(world: World) -> None:
    token = world.start()
    world.cognito.fail["ListUserPoolClientSecrets"] = ["AccessDeniedException"]
    with pytest.raises(ClientError, match="AccessDenied"):
        world.step("testSecret", token)


def test_finish_refuses_a_pending_version_that_holds_no_new_secret(world: World) -> None:
    token = world.start()  # the configuration test's version: a copy of the current value
    with pytest.raises(RotationError, match="holds no new secret"):
        world.step("finishSecret", token)
    assert world.current().client_secret == ORIGINAL
    stages = world.client.describe_secret(SecretId=world.arn)["VersionIdsToStages"]
    assert "AWSCURRENT" not in stages[token]


@pytest.mark.parametrize("move_takes_pending", [False, True], ids=["label-stays", "label-goes-with-move"])
def test_finish_ends_without_awspending_whatever_secrets_manager_does_with_it(
    world: World, move_takes_pending: bool
) -> None:
    world.secrets.move_takes_pending = move_takes_pending
    token = world.rotate()
    stages = world.client.describe_secret(SecretId=world.arn)["VersionIdsToStages"]
    assert stages[token] == ["AWSCURRENT"]
    assert world.step("finishSecret", token) == "already current"  # and a retry is no failure


def test_a_finish_that_failed_after_the_move_is_tidied_by_its_retry(world: World) -> None:
    token = world.start()
    for step in STEPS[:3]:
        world.step(step, token)
    real = world.secrets.client.update_secret_version_stage
    calls: list[dict[str, Any]] = []

    def second_call_throttled(**params: Any) -> Any:
        calls.append(params)
        if len(calls) == 2:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "injected"}}, "x")
        return real(**params)

    world.secrets.client.update_secret_version_stage = second_call_throttled
    with pytest.raises(ClientError):
        world.step("finishSecret", token)
    stages = world.client.describe_secret(SecretId=world.arn)["VersionIdsToStages"]
    assert set(stages[token]) == {"AWSCURRENT", "AWSPENDING"}  # moved, label still there
    assert world.step("finishSecret", token) == "already current"
    stages = world.client.describe_secret(SecretId=world.arn)["VersionIdsToStages"]
    assert stages[token] == ["AWSCURRENT"]


def test_every_step_can_be_retried(world: World) -> None:
    token = world.start()
    for step in STEPS:
        world.step(step, token)
        world.step(step, token)  # Secrets Manager retries any step
    assert world.cognito.calls.count("AddUserPoolClientSecret") == 1
    assert world.step("finishSecret", token) == "already current"
    assert len(world.store.list(POOL, CLIENT)) == 2


def test_a_create_that_failed_after_adding_is_cleaned_up_by_its_retry(world: World) -> None:
    token = world.start()
    world.secrets.fail["put_secret_value"] = ["ThrottlingException"]
    with pytest.raises(ClientError):
        world.step("createSecret", token)
    assert len(world.store.list(POOL, CLIENT)) == 2  # Cognito holds a secret nobody stored
    for step in STEPS:
        world.step(step, token)
    current = world.current()
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (ORIGINAL, current.client_secret)


@pytest.mark.parametrize("operation", ["ListUserPoolClientSecrets", "AddUserPoolClientSecret"])
def test_throttling_fails_the_step_and_leaves_the_current_secret_working(
    world: World, operation: str
) -> None:
    token = world.start()
    world.cognito.fail[operation] = ["TooManyRequestsException"]
    with pytest.raises(ClientError):
        world.step("createSecret", token)
    assert world.current().client_secret == ORIGINAL
    world.check(world.current())  # still accepted
    for step in STEPS:  # Secrets Manager's retry then completes the rotation
        world.step(step, token)
    assert world.current().client_secret != ORIGINAL


def test_a_failing_token_test_leaves_the_current_secret_current(world: World) -> None:
    token = world.start()
    world.step("createSecret", token)
    world.step("setSecret", token)
    world.token_fails = True
    with pytest.raises(RotationError, match="obtains no token"):
        world.step("testSecret", token)
    assert world.current().client_secret == ORIGINAL


def test_two_secrets_already_present_the_one_not_current_goes(world: World) -> None:
    world.store.add(POOL, CLIENT)  # someone added one by hand: the stored value (the original) is current
    world.rotate()
    current = world.current()
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (ORIGINAL, current.client_secret)


def test_a_newer_secret_stored_by_hand_is_never_deleted_as_not_the_oldest(world: World) -> None:
    """Someone added a secret and stored it (without its id) before the first rotation: both secrets
    existed when the value was written, so which one it holds cannot be told by id or by time. The
    rotation stops, saying how to resolve it; "the oldest is current" would delete the secret in use."""
    world.cognito_ahead = 0.0
    added = world.store.add(POOL, CLIENT)
    world.client.put_secret_value(
        SecretId=world.arn,
        SecretString=json.dumps({"client_id": CLIENT, "client_secret": added["ClientSecretValue"]}),
    )
    token = world.start()
    with pytest.raises(RotationError, match="does not say which one it holds"):
        world.step("createSecret", token)
    with pytest.raises(RotationError, match="does not say which one it holds"):
        world.step("testSecret", token)  # the configuration test says so too
    assert "DeleteUserPoolClientSecret" not in world.cognito.calls
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (ORIGINAL, added["ClientSecretValue"])
    world.check(world.current())  # callers keep working
    # resolved as the message says (the secret id added to the stored value): the original goes
    world.client.put_secret_value(
        SecretId=world.arn,
        SecretString=json.dumps(
            {
                "client_id": CLIENT,
                "client_secret": added["ClientSecretValue"],
                "client_secret_id": added["ClientSecretId"],
            }
        ),
    )
    world.rotate()
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (
        added["ClientSecretValue"],
        world.current().client_secret,
    )


def test_the_only_secret_listed_is_the_current_one_whatever_its_age(world: World) -> None:
    """The original was replaced by hand (added, stored, original deleted): one secret, so it is the one."""
    added = world.store.add(POOL, CLIENT)
    original_id = next(
        d["ClientSecretId"]
        for d in world.store.list(POOL, CLIENT)
        if d["ClientSecretId"] != added["ClientSecretId"]
    )
    world.store.delete(POOL, CLIENT, original_id)
    world.client.put_secret_value(
        SecretId=world.arn,
        SecretString=json.dumps({"client_id": CLIENT, "client_secret": added["ClientSecretValue"]}),
    )
    world.rotate()
    assert "DeleteUserPoolClientSecret" not in world.cognito.calls
    assert world.store.active_secrets(POOL, CLIENT, ORIGINAL) == (
        added["ClientSecretValue"],
        world.current().client_secret,
    )


def test_two_secrets_without_dates_are_not_guessed_at(world: World) -> None:
    world.store.add(POOL, CLIENT)
    listed = world.store.list

    def undated(pool: Any, client: Any) -> list[dict[str, Any]]:
        return [{k: v for k, v in d.items() if k != "ClientSecretCreateDate"} for d in listed(pool, client)]

    world.store.list = undated  # type: ignore[method-assign]  # a Cognito answer without dates
    token = world.start()
    with pytest.raises(RotationError, match="does not say which one it holds"):
        world.step("createSecret", token)
    assert "DeleteUserPoolClientSecret" not in world.cognito.calls


def test_a_current_secret_deleted_in_cognito_by_hand_stops_the_rotation(world: World) -> None:
    world.rotate()
    first = world.current()
    world.rotate()
    second_id = world.current().client_secret_id
    world.store.delete(POOL, CLIENT, second_id)
    token = world.start()
    with pytest.raises(RotationError, match="no longer one of the app client's secrets"):
        world.step("createSecret", token)
    assert first.client_secret in world.store.active_secrets(POOL, CLIENT, ORIGINAL)


def test_a_secret_deleted_by_hand_fails_every_step(world: World) -> None:
    token = world.start()
    world.client.delete_secret(SecretId=world.arn, ForceDeleteWithoutRecovery=True)
    with pytest.raises(ClientError) as info:
        world.step("createSecret", token)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_events_that_are_not_a_rotation_of_this_secret(world: World) -> None:
    token = world.start()
    with pytest.raises(RotationError, match="unknown step"):
        world.rotation.run({"Step": "dropSecret", "SecretId": world.arn, "ClientRequestToken": token})
    with pytest.raises(RotationError, match="no stage"):
        world.step("createSecret", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(RotationError, match="not an object"):
        world.rotation.run(["createSecret"])
    with pytest.raises(RotationError, match="needs SecretId"):
        world.rotation.run({"Step": "createSecret"})


def test_rotation_must_be_enabled(world: World) -> None:
    other = world.client.create_secret(
        Name="m2m/other", SecretString=json.dumps({"client_id": CLIENT, "client_secret": ORIGINAL})
    )["ARN"]
    version = world.client.describe_secret(SecretId=other)["VersionIdsToStages"]
    with pytest.raises(RotationError, match="not enabled"):
        world.rotation.run(
            {"Step": "createSecret", "SecretId": other, "ClientRequestToken": next(iter(version))}
        )


def test_a_current_value_that_is_not_credentials_is_named_never_shown(world: World) -> None:
    world.client.put_secret_value(
        SecretId=world.arn, SecretString='{"client_id": "x y", "client_secret": "hunter2"}'
    )
    token = world.start()
    with pytest.raises(RotationError) as info:
        world.step("createSecret", token)
    assert "client_id" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_the_token_client_reads_the_rotated_secret(world: World) -> None:
    from cognito_m2m_client.secret_cache import SecretCache

    world.rotate()
    cache = SecretCache(world.arn, max_age=0, clock=lambda: 0.0, client_factory=lambda: world.client)
    credentials, _ = cache.get()
    assert credentials.client_secret == world.current().client_secret != ORIGINAL


# ---- testSecret's token request, over HTTP ------------------------------------------------------------


def test_the_token_check_obtains_a_token_over_http() -> None:
    server = ScriptedServer(token_endpoint())
    try:
        token_check(server.url("/oauth2/token"))(StoredCredentials(CLIENT, ORIGINAL, "id-1"))
        assert len(server.requests) == 1
        assert "grant_type=client_credentials" in server.requests[0].body.decode()
    finally:
        server.stop()


def test_the_token_check_fails_on_invalid_client() -> None:
    server = ScriptedServer(Reply(400, {"error": "invalid_client"}))
    try:
        with pytest.raises(Exception, match="invalid_client"):
            token_check(server.url("/oauth2/token"))(StoredCredentials(CLIENT, "wrong" * 6, "id-1"))
    finally:
        server.stop()


# ---- the Lambda handler -------------------------------------------------------------------------------


TOKEN_URL = "https://m2m.auth.us-east-1.amazoncognito.com/oauth2/token"
BAD_SETTINGS = [
    ({"TOKEN_URL": TOKEN_URL}, "USER_POOL_ID is not set"),
    ({"USER_POOL_ID": POOL}, "TOKEN_URL is not set"),
    ({"USER_POOL_ID": POOL, "TOKEN_URL": "ftp://x"}, "TOKEN_URL must be an https"),
    # Round 3: accepted until now, then failing in the middle of a rotation, after Cognito added a secret.
    (
        {"USER_POOL_ID": POOL, "TOKEN_URL": "https:///oauth2/token"},
        "TOKEN_URL must be an https:// URL with a host",
    ),
    (
        {"USER_POOL_ID": POOL, "TOKEN_URL": "https://x/oauth2 token"},
        "TOKEN_URL must be an https:// URL without",
    ),
    ({"USER_POOL_ID": POOL, "TOKEN_URL": "http://auth.example.com/oauth2/token"}, "TOKEN_URL must use https"),
    ({"USER_POOL_ID": "not a pool", "TOKEN_URL": TOKEN_URL}, "USER_POOL_ID is not a Cognito user pool id"),
    ({"USER_POOL_ID": "us-east-1_", "TOKEN_URL": TOKEN_URL}, "USER_POOL_ID is not a Cognito user pool id"),
    (
        {"USER_POOL_ID": "us-east-1_" + "a" * 50, "TOKEN_URL": TOKEN_URL},
        "USER_POOL_ID is not a Cognito user pool id",
    ),
]


@pytest.mark.parametrize(("env", "message"), BAD_SETTINGS)
def test_a_missing_or_malformed_variable_fails_naming_it(env: dict[str, str], message: str) -> None:
    from cognito_m2m_rotation.handler import ConfigError, build_rotation, rotation_settings

    with pytest.raises(ConfigError, match=message):
        rotation_settings(env)
    with pytest.raises(ConfigError, match=message):
        build_rotation(env)


@pytest.mark.parametrize(("env", "message"), BAD_SETTINGS[3:5])
def test_the_cold_start_fails_before_any_event(env: dict[str, str], message: str) -> None:
    """app.py reads the settings on import: a malformed one fails the cold start (Lambda's init), so no
    rotation starts with it."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src"
    code = "import app"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root / "rotation",
        env={"PATH": "", "PYTHONPATH": f"{root / 'rotation'}:{root / 'client'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert message.split(" must", maxsplit=1)[0] in done.stderr
    assert "ConfigError" in done.stderr


def test_the_handler_logs_each_step_and_never_a_secret(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from cognito_m2m_rotation import handler as module

    monkeypatch.setattr(module, "_ROTATION", world.rotation)
    caplog.set_level(logging.DEBUG)
    token = world.start()
    for step in STEPS:
        module.handler({"Step": step, "SecretId": world.arn, "ClientRequestToken": token}, None)
    world.token_fails = True
    token = world.start()
    module.handler({"Step": "createSecret", "SecretId": world.arn, "ClientRequestToken": token}, None)
    with pytest.raises(RotationError):
        module.handler({"Step": "testSecret", "SecretId": world.arn, "ClientRequestToken": token}, None)
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "rotation step done" in text
    assert "rotation step failed" in text
    for value in {ORIGINAL, *(c.client_secret for c in world.checked)}:
        assert value not in text


def test_every_step_writes_one_metrics_record_and_a_failure_counts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json

    from cognito_m2m_rotation import handler as module
    from cognito_m2m_rotation._shared.emf import MetricsConfig

    from tests.emf_schema import check_record, dimension_values

    metrics = module.StepMetrics(MetricsConfig("CognitoM2MTest", "demo-rotation"))
    metrics.stream = io.StringIO()
    monkeypatch.setattr(module, "METRICS", metrics)
    monkeypatch.setattr(module, "_ROTATION", world.rotation)
    token = world.start()
    for step in STEPS:
        module.handler({"Step": step, "SecretId": world.arn, "ClientRequestToken": token}, None)
    world.token_fails = True
    second = world.start()
    module.handler({"Step": "createSecret", "SecretId": world.arn, "ClientRequestToken": second}, None)
    with pytest.raises(RotationError):
        module.handler({"Step": "testSecret", "SecretId": world.arn, "ClientRequestToken": second}, None)
    with pytest.raises(RotationError):
        module.handler({"Step": "dropTables", "SecretId": world.arn, "ClientRequestToken": token}, None)
    records = [json.loads(line) for line in metrics.stream.getvalue().splitlines()]
    assert [(r["Step"], r["RotationFailures"]) for r in records] == [
        *((step, 0) for step in STEPS),
        ("createSecret", 0),
        ("testSecret", 1),
        ("unknown", 1),  # a step name from the event never becomes a dimension value
    ]
    for record in records:
        assert check_record(record) == []
        assert set(dimension_values(record)) == {"Function", "Step"}
        assert record["RotationSteps"] == 1
        for value in {ORIGINAL, *(c.client_secret for c in world.checked)}:
            assert value not in json.dumps(record)


def test_a_bad_namespace_turns_the_rotation_metrics_off_not_the_rotation() -> None:
    from cognito_m2m_rotation.handler import step_metrics

    assert step_metrics({"METRICS_NAMESPACE": "AWS/Nope"}) is None
    assert step_metrics({}) is None
    made = step_metrics({"METRICS_NAMESPACE": "N", "AWS_LAMBDA_FUNCTION_NAME": "rot", "LOG_LEVEL": "ERROR"})
    assert made is not None
    assert (made.config.function, made.level) == ("rot", "ERROR")


@pytest.mark.parametrize(
    ("descriptor", "message"),
    [
        ({"ClientSecretValue": "n" * 51}, "no ClientSecretId"),
        ({"ClientSecretId": "id-9", "ClientSecretValue": "has space " * 3}, "client_secret"),
        ({"ClientSecretId": "id-9"}, "client_secret"),
    ],
)
def test_a_malformed_answer_of_cognito_stops_create_and_keeps_the_current_secret(
    world: World, monkeypatch: pytest.MonkeyPatch, descriptor: dict[str, Any], message: str
) -> None:
    monkeypatch.setattr(
        world.cognito, "add_user_pool_client_secret", lambda **_: {"ClientSecretDescriptor": descriptor}
    )
    token = world.start()
    with pytest.raises(RotationError, match=message):
        world.step("createSecret", token)
    assert world.current().client_secret == ORIGINAL


class _Model:
    def __init__(self, operations: list[str]) -> None:
        self.operation_names = operations


class _Meta:
    def __init__(self, operations: list[str]) -> None:
        self.service_model = _Model(operations)


class OldCognitoClient:
    """A Cognito client of an SDK from before the two-secret API (botocore < 1.42.59), as a runtime may
    bring: its model lists the other calls only (a stand-in: that SDK is not installed here)."""

    def __init__(self) -> None:
        self.meta = _Meta(["DescribeUserPoolClient", "ListUserPoolClients"])


def test_an_sdk_without_the_two_secret_api_fails_every_step_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    import boto3
    from cognito_m2m_rotation import handler as module
    from cognito_m2m_rotation._shared.emf import MetricsConfig

    metrics = module.StepMetrics(MetricsConfig("CognitoM2MTest", "demo-rotation"))
    metrics.stream = io.StringIO()
    monkeypatch.setattr(module, "METRICS", metrics)
    monkeypatch.setattr(module, "_ROTATION", None)
    monkeypatch.setattr(boto3, "client", lambda service, **_: OldCognitoClient())
    monkeypatch.setenv("USER_POOL_ID", POOL)
    monkeypatch.setenv("TOKEN_URL", "https://example.auth.us-east-1.amazoncognito.com/oauth2/token")
    for step in ("testSecret", "createSecret"):
        with pytest.raises(module.ConfigError) as info:
            module.handler({"Step": step, "SecretId": "arn", "ClientRequestToken": "t"}, None)
        message = str(info.value)
        assert "AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret" in message
        assert "botocore 1.42.59" in message
        assert "make build" in message
    records = [json.loads(line) for line in metrics.stream.getvalue().splitlines()]
    assert [r["RotationFailures"] for r in records] == [1, 1]  # the rotation-failure alarm sees each


def test_the_sdk_here_has_the_two_secret_api() -> None:
    from cognito_m2m_rotation.handler import check_cognito_sdk

    check_cognito_sdk(boto3.client("cognito-idp", region_name=REGION))
