"""Secrets Manager's four rotation steps for one Cognito app client's secret.

Secrets Manager starts a rotation by giving the secret a new version id (``ClientRequestToken``) labelled
``AWSPENDING`` and then invokes the function once per step with ``{"SecretId", "ClientRequestToken",
"Step"}``. Every step may be retried (a timeout, a throttled call), so each one first looks at what is
already done and does only the rest:

- ``createSecret``: the pending version already holds a secret that Cognito lists and that differs
  from the current one: nothing to do. Otherwise, when the app client already has two secrets, the one
  that is not ``AWSCURRENT`` (the previous secret, valid since the last rotation, or one this step
  added before it failed) is deleted; then Cognito generates a new secret
  (``AddUserPoolClientSecret``) and the pending version gets ``{"client_id", "client_secret",
  "client_secret_id"}``;
- ``setSecret``: nothing to do: Cognito generated the secret, so it already holds it;
- ``testSecret``: the pending credentials obtain a client-credentials token from the token endpoint.
  A pending version that holds no secret of its own (no value, or a copy of the current one) is
  Secrets Manager's test of the rotation's *configuration*: ``RotateSecret`` with
  ``RotateImmediately=false`` "tests the rotation configuration by running the testSecret step [...]
  This test creates an AWSPENDING version of the secret and then removes it" (API reference,
  RotateSecret). AWS does not say whether that version holds a value (AWS answers
  ``ResourceNotFoundException`` for an empty one; moto copies the current value into it), so both are
  the configuration test: it checks what a rotation will need (the current value is readable, Cognito
  lists the app client's secrets) and creates nothing;
- ``finishSecret``: ``AWSCURRENT`` moves to the pending version, once that version holds a secret this
  rotation created (Secrets Manager labels the former current version ``AWSPREVIOUS``); then
  ``AWSPENDING`` leaves it. The user guide's wording suggests that moving ``AWSCURRENT`` may already
  remove ``AWSPENDING``; the API reference calls both ends a success ("the AWSPENDING staging label
  might be attached to the same version as the AWSCURRENT version, or it might not be attached to any
  version"). So the label is removed only while it is still there, a label already gone is no error,
  and a retried ``finishSecret`` on a version that is already current only tidies that label.

The previous secret is deleted only at the start of the *next* rotation, so a container that cached it
keeps working for a whole rotation period. A failure at any step leaves ``AWSCURRENT`` and its secret
untouched: callers keep working, and Secrets Manager retries the rotation.

Which secret is current: the stored value carries Cognito's ``client_secret_id`` from the first
rotation on, and the secret with that id is current. The value Terraform writes first has none (the
provider does not know the id), and Cognito never lists a secret's value, so the first rotation matches
by time: the ``AWSCURRENT`` value, written at its version's ``CreatedDate``, can hold only a secret that
existed then. When exactly one listed secret was created by then (within a second: either timestamp may
be cut to whole seconds), it is current, and one created later (added by hand, or by a ``createSecret``
that failed before storing it) is deleted. When both were, the
rotation stops and says how to resolve it, rather than guess: never "the oldest", which deletes the
secret callers use when someone stored the newer one by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from cognito_m2m_rotation._shared.aws_sdk import error_code as _error_code
from cognito_m2m_rotation._shared.aws_sdk import quiet_sdk_debug_logs
from cognito_m2m_rotation._shared.log import get_logger
from cognito_m2m_rotation.credentials import CredentialsError, StoredCredentials

log = get_logger("cognito_m2m_rotation")

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"
TIMESTAMP_MARGIN_SECONDS = 1.0  # a timestamp cut to whole seconds is up to 1 s early


class RotationError(Exception):
    """A rotation step cannot be done; the message says why (never a secret's value)."""


class SecretsManager(Protocol):
    def describe_secret(self, *, SecretId: str) -> Mapping[str, Any]: ...
    def get_secret_value(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def put_secret_value(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def update_secret_version_stage(self, **kwargs: Any) -> Mapping[str, Any]: ...


class CognitoSecrets(Protocol):
    def list_user_pool_client_secrets(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def add_user_pool_client_secret(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def delete_user_pool_client_secret(self, **kwargs: Any) -> Mapping[str, Any]: ...


TokenCheck = Callable[[StoredCredentials], None]
"""Obtains a client-credentials token with the given credentials; raises when the endpoint refuses."""


class SecretRotation:
    """Runs the rotation steps for the app clients of one user pool."""

    def __init__(
        self,
        *,
        secrets: SecretsManager,
        cognito: CognitoSecrets,
        user_pool_id: str,
        check_token: TokenCheck,
    ) -> None:
        self.secrets = secrets
        self.cognito = cognito
        self.user_pool_id = user_pool_id
        self.check_token = check_token
        quiet_sdk_debug_logs()

    def run(self, event: Any) -> str:
        """Run the step an event asks for; return what was done (for the log). Raise on failure."""
        if not isinstance(event, Mapping):
            raise RotationError("the event is not an object")
        step, arn, token = event.get("Step"), event.get("SecretId"), event.get("ClientRequestToken")
        if step not in STEPS:
            raise RotationError(f"unknown step {str(step)[:40]!r}")
        if not isinstance(arn, str) or not arn or not isinstance(token, str) or not token:
            raise RotationError("the event needs SecretId and ClientRequestToken")
        metadata = self.secrets.describe_secret(SecretId=arn)
        if not metadata.get("RotationEnabled"):
            raise RotationError("rotation is not enabled for this secret")
        stages = metadata.get("VersionIdsToStages") or {}
        if token not in stages:
            raise RotationError("the rotation's version has no stage on this secret")
        if CURRENT in stages[token]:  # a retried finishSecret, or a rotation that is over
            if step == "finishSecret" and PENDING in stages[token]:
                self._drop_pending_label(arn, token)
            return "already current"
        if PENDING not in stages[token]:
            raise RotationError("the rotation's version is not AWSPENDING")
        if step == "createSecret":
            return self.create(arn, token)
        if step == "setSecret":
            return "nothing to set: Cognito generated the secret and holds it"
        if step == "testSecret":
            return self.test(arn, token)
        return self.finish(arn, token, stages)

    # ---- reading the secret ------------------------------------------------------------------------

    def _read(self, arn: str, *, stage: str, version: str | None = None) -> StoredCredentials:
        return self._read_dated(arn, stage=stage, version=version)[0]

    def _read_dated(
        self, arn: str, *, stage: str, version: str | None = None
    ) -> tuple[StoredCredentials, float | None]:
        """The version's credentials, and when the version was written (epoch seconds; None if unknown)."""
        kwargs: dict[str, str] = {"SecretId": arn, "VersionStage": stage}
        if version is not None:
            kwargs["VersionId"] = version
        value = self.secrets.get_secret_value(**kwargs)
        try:
            credentials = StoredCredentials.from_json(value.get("SecretString"))
        except CredentialsError as exc:
            raise RotationError(f"the {stage} value: {exc}") from None
        return credentials, _epoch(value.get("CreatedDate"))

    def _pending(self, arn: str, token: str) -> StoredCredentials | None:
        """The pending version's credentials, or None when it holds none yet."""
        try:
            return self._read(arn, stage=PENDING, version=token)
        except RotationError:
            return None  # empty, or not credentials: it is written below
        except Exception as exc:
            if _error_code(exc) == "ResourceNotFoundException":  # the version has no value yet
                return None
            raise

    # ---- the steps ---------------------------------------------------------------------------------

    def _client_secrets(self, client_id: str) -> list[Mapping[str, Any]]:
        answer = self.cognito.list_user_pool_client_secrets(UserPoolId=self.user_pool_id, ClientId=client_id)
        listed = answer.get("ClientSecrets")
        if not isinstance(listed, list) or not all(
            isinstance(d, Mapping) and isinstance(d.get("ClientSecretId"), str) for d in listed
        ):
            raise RotationError("ListUserPoolClientSecrets answered no list of secrets")
        return listed

    @staticmethod
    def _current_id(
        current: StoredCredentials, written_at: float | None, listed: list[Mapping[str, Any]]
    ) -> str:
        """The id of the secret that AWSCURRENT's value holds (matched by id; see the module's docstring)."""
        ids = [d["ClientSecretId"] for d in listed]
        if current.client_secret_id is not None:
            if current.client_secret_id not in ids:
                raise RotationError(
                    "the current secret is no longer one of the app client's secrets (deleted by hand?): "
                    "put a working secret into AWSCURRENT before rotating again"
                )
            return current.client_secret_id
        if not listed:
            raise RotationError("the app client has no secret")
        if len(listed) == 1:
            return str(ids[0])
        # The first rotation with two secrets: the stored value can hold only one that existed when it
        # was written.
        created = {d["ClientSecretId"]: _epoch(d.get("ClientSecretCreateDate")) for d in listed}
        if written_at is None or any(at is None for at in created.values()):
            candidates = ids
        else:
            candidates = [i for i in ids if (created[i] or 0.0) <= written_at + TIMESTAMP_MARGIN_SECONDS]
        if len(candidates) != 1:
            raise RotationError(
                "the app client has two secrets and the AWSCURRENT value does not say which one it holds "
                "(no client_secret_id, and both existed when it was written): delete the one callers do "
                "not use (aws cognito-idp delete-user-pool-client-secret), or add its "
                '"client_secret_id" to the AWSCURRENT value, then rotate again'
            )
        return str(candidates[0])

    def create(self, arn: str, token: str) -> str:
        current, written_at = self._read_dated(arn, stage=CURRENT)
        client_id = current.client_id
        listed = self._client_secrets(client_id)
        pending = self._pending(arn, token)
        # Ours is a pending value with a secret id of its own; anything else there (AWS leaves the
        # version empty; moto copies an earlier value into it) is written over below.
        if pending is not None and pending.client_secret_id not in (None, current.client_secret_id):
            if pending.client_id != client_id:
                raise RotationError("the pending version belongs to another app client")
            if pending.client_secret_id in {d["ClientSecretId"] for d in listed}:
                return "pending secret already created"
            raise RotationError(
                "the pending version holds a secret Cognito no longer lists: cancel this rotation "
                "(aws secretsmanager cancel-rotate-secret) and rotate again"
            )
        current_id = self._current_id(current, written_at, listed)
        for descriptor in listed:
            if descriptor["ClientSecretId"] != current_id:  # the previous one, or a leftover of a retry
                self.cognito.delete_user_pool_client_secret(
                    UserPoolId=self.user_pool_id,
                    ClientId=client_id,
                    ClientSecretId=descriptor["ClientSecretId"],
                )
                log.info(
                    "previous client secret deleted", extra={"client_secret_id": descriptor["ClientSecretId"]}
                )
        added = self.cognito.add_user_pool_client_secret(UserPoolId=self.user_pool_id, ClientId=client_id)
        created = added.get("ClientSecretDescriptor")
        if not isinstance(created, Mapping):
            raise RotationError("AddUserPoolClientSecret answered no ClientSecretDescriptor")
        secret_id = created.get("ClientSecretId")
        if not isinstance(secret_id, str):
            raise RotationError("AddUserPoolClientSecret answered no ClientSecretId")
        try:  # the same shape checks as a stored value
            new = StoredCredentials.checked(client_id, created.get("ClientSecretValue"), secret_id)
        except CredentialsError as exc:
            raise RotationError(f"AddUserPoolClientSecret: {exc}") from None
        if current.client_secret_id is None:  # the first rotation: matched by when the value was written
            log.info("current client secret identified", extra={"client_secret_id": current_id})
        self.secrets.put_secret_value(
            SecretId=arn, ClientRequestToken=token, SecretString=new.to_json(), VersionStages=[PENDING]
        )
        return "new client secret added and stored as AWSPENDING"

    def _created(self, arn: str, token: str, current: StoredCredentials) -> StoredCredentials | None:
        """The pending version's credentials when it holds a secret of its own (one createSecret stored
        for this app client), else None: no value, or a copy of the current one."""
        pending = self._pending(arn, token)
        if pending is None or pending.client_secret_id in (None, current.client_secret_id):
            return None
        return pending if pending.client_id == current.client_id else None

    def test(self, arn: str, token: str) -> str:
        current, written_at = self._read_dated(arn, stage=CURRENT)
        pending = self._created(arn, token, current)
        if pending is None:
            # Secrets Manager's test of the rotation configuration: nothing was created to test.
            self._current_id(current, written_at, self._client_secrets(current.client_id))
            return (
                "rotation configuration checked: the current value is readable and Cognito lists the app "
                "client's secrets (the pending version holds no new secret; nothing was created)"
            )
        try:
            self.check_token(pending)
        except Exception as exc:
            raise RotationError(f"the pending secret obtains no token: {type(exc).__name__}: {exc}") from None
        return "the pending secret obtains a token"

    def finish(self, arn: str, token: str, stages: Mapping[str, Any]) -> str:
        current = self._read(arn, stage=CURRENT)
        if self._created(arn, token, current) is None:
            raise RotationError(
                "the pending version holds no new secret of this app client: AWSCURRENT stays where it is"
            )
        move: dict[str, str] = {"SecretId": arn, "VersionStage": CURRENT, "MoveToVersionId": token}
        current_version = next((v for v, labels in stages.items() if CURRENT in labels), None)
        if current_version is not None:
            move["RemoveFromVersionId"] = current_version
        self.secrets.update_secret_version_stage(**move)
        self._drop_pending_label(arn, token)
        return "AWSCURRENT moved to the new secret"

    def _drop_pending_label(self, arn: str, token: str) -> None:
        """Take AWSPENDING off the finished version if it is still there (Secrets Manager may have done
        so already; both ends are a successful rotation)."""
        stages = self.secrets.describe_secret(SecretId=arn).get("VersionIdsToStages") or {}
        if PENDING not in stages.get(token, ()):
            return
        try:
            self.secrets.update_secret_version_stage(
                SecretId=arn, VersionStage=PENDING, RemoveFromVersionId=token
            )
        except Exception as exc:
            # Gone between the two calls ("If the label is attached and [...] the version ID does not
            # match, then the operation fails"): what this step wanted.
            if _error_code(exc) not in ("InvalidParameterException", "ResourceNotFoundException"):
                raise
            log.info("AWSPENDING was already gone", extra={"problem": _error_code(exc)})


def _epoch(value: object) -> float | None:
    """A timestamp as epoch seconds: boto3 gives a datetime, the wire (and the local edge) a number."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
