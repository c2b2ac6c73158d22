"""The Lambda handler: the rotation's clients and configuration from the environment, one step per event.

``USER_POOL_ID`` (the pool whose app clients' secrets rotate) and ``TOKEN_URL`` (its
``/oauth2/token`` endpoint, for ``testSecret``: https, or plain http to a loopback host) are required and
checked at cold start (``app.py`` reads them on import): a missing or malformed one fails the cold start
with a message naming it, before any rotation could add a Cognito secret it then cannot test. boto3 is
the zip's own (pinned; the runtime's may predate Cognito's two-secret API), and the first event checks
that its Cognito client has the three calls a rotation makes: an SDK without them fails every step with
a message saying so (and the rotation-failure and errors alarms fire) instead of failing half-way. A
failing step raises (Secrets Manager retries the rotation); nothing a step logs holds a secret's value.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from cognito_m2m_client import CognitoTokens
from cognito_m2m_rotation._shared.config import ConfigError as SettingError
from cognito_m2m_rotation._shared.emf import MetricsConfig, directive, emf_record, record_level, write_record
from cognito_m2m_rotation._shared.hosts import checked_url
from cognito_m2m_rotation._shared.log import get_logger
from cognito_m2m_rotation.credentials import StoredCredentials
from cognito_m2m_rotation.steps import RotationError, SecretRotation

log = get_logger("cognito_m2m_rotation")

TOKEN_TIMEOUT_SECONDS = 5.0
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# Cognito's two-secret API, in botocore 1.42.59 and later.
COGNITO_OPERATIONS = ("AddUserPoolClientSecret", "ListUserPoolClientSecrets", "DeleteUserPoolClientSecret")


class ConfigError(RotationError):
    """A variable of the function's environment is missing or malformed."""


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def token_check(token_url: str) -> Callable[[StoredCredentials], None]:
    """``testSecret``'s check: one client-credentials token for the credentials, by the token client
    (bundled in the zip: its bounded, retried request and strict reading of the answer)."""

    def check(credentials: StoredCredentials) -> None:
        tokens = CognitoTokens(
            token_url=token_url,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            timeout=TOKEN_TIMEOUT_SECONDS,
        )
        tokens.token()

    return check


def check_cognito_sdk(cognito: Any) -> None:
    """Raise :class:`ConfigError` when the Cognito client lacks a call of the two-secret API."""
    operations = set(cognito.meta.service_model.operation_names)
    missing = [name for name in COGNITO_OPERATIONS if name not in operations]
    if missing:
        import botocore  # noqa: PLC0415 - only to name its version

        raise ConfigError(
            f"the AWS SDK this function runs (botocore {botocore.__version__}) lacks Cognito's "
            f"{', '.join(missing)}, which botocore 1.42.59 and later have: deploy the zip that "
            "`make build` writes (it bundles its own boto3)"
        )


# Cognito's UserPoolIdType: [\w-]+_[0-9a-zA-Z]+, at most 55 characters ("eu-west-1_AbC123").
USER_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)


def rotation_settings(env: Mapping[str, str]) -> tuple[str, str]:
    """``(USER_POOL_ID, TOKEN_URL)``, each checked; :class:`ConfigError` names the one that is wrong."""
    user_pool_id = _required(env, "USER_POOL_ID")
    if len(user_pool_id) > 55 or not USER_POOL_ID.fullmatch(user_pool_id):
        raise ConfigError('USER_POOL_ID is not a Cognito user pool id (such as "eu-west-1_AbC123")')
    try:
        token_url = checked_url("TOKEN_URL", _required(env, "TOKEN_URL"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return user_pool_id, token_url


def build_rotation(env: Mapping[str, str]) -> SecretRotation:
    import boto3  # noqa: PLC0415 - the zip's own; imported when the first event arrives, not at import

    user_pool_id, token_url = rotation_settings(env)
    cognito = boto3.client("cognito-idp")
    check_cognito_sdk(cognito)
    return SecretRotation(
        secrets=boto3.client("secretsmanager"),
        cognito=cognito,
        user_pool_id=user_pool_id,
        check_token=token_check(token_url),
    )


class StepMetrics:
    """One embedded-metric-format record per step, in ``METRICS_NAMESPACE``: ``RotationSteps`` (1) and
    ``RotationFailures`` (1 when the step raised, else 0) by ``Function`` and ``Step``, and by
    ``Function`` alone (what the rotation-failure alarm watches). ``Step`` is one of :data:`STEPS`, or
    ``unknown`` for an event that names none of them."""

    def __init__(self, config: MetricsConfig, level: str = "INFO") -> None:
        self.config = config
        self.level = level
        self.stream: Any = None  # standard output
        metrics = [("RotationSteps", "Count"), ("RotationFailures", "Count")]
        self._directives = [directive(config.namespace, [["Function", "Step"], ["Function"]], metrics)]

    def write(self, step: object, failed: bool) -> str:
        record = emf_record(
            self._directives,
            int(time.time() * 1000),
            level=self.level,
            message="metrics",
            Function=self.config.function,
            Step=step if step in STEPS else "unknown",
            RotationSteps=1,
            RotationFailures=int(failed),
        )
        return write_record(record, self.stream)


def step_metrics(env: Mapping[str, str]) -> StepMetrics | None:
    """The rotation's metrics, or None without ``METRICS_NAMESPACE`` (a bad one: none, and a warning:
    a rotation never fails for its metrics)."""
    try:
        config = MetricsConfig.from_env(env, default_function="cognito-m2m-rotation")
    except SettingError as exc:  # a malformed METRICS_NAMESPACE
        log.warning("no metrics: %s", exc)
        return None
    return StepMetrics(config, record_level(env)) if config is not None else None


_ROTATION: SecretRotation | None = None
METRICS = step_metrics(os.environ)


def handler(event: Any, context: Any) -> str:
    """Lambda entry point: run the event's step; raise when it fails. Every event, a failed
    configuration too, writes one metrics record."""
    global _ROTATION  # noqa: PLW0603 - one set of clients per container
    step = event.get("Step") if isinstance(event, Mapping) else None
    fields = {
        "step": str(step)[:20],
        "secret": str(event.get("SecretId", ""))[:256] if isinstance(event, Mapping) else "",
    }
    try:
        if _ROTATION is None:
            _ROTATION = build_rotation(os.environ)
        done = _ROTATION.run(event)
    except Exception as exc:
        log.error("rotation step failed", extra={**fields, "problem": f"{type(exc).__name__}: {exc}"[:500]})
        if METRICS is not None:
            METRICS.write(step, failed=True)
        raise
    log.info("rotation step done", extra={**fields, "result": done})
    if METRICS is not None:
        METRICS.write(step, failed=False)
    return done
