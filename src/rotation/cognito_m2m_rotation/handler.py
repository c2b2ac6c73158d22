"""The Lambda handler: the rotation's clients and configuration from the environment, one step per event.

``USER_POOL_ID`` (the pool whose app clients' secrets rotate) and ``TOKEN_URL`` (its
``/oauth2/token`` endpoint, for ``testSecret``) are required; a missing one fails the invocation with
a message naming it, and Secrets Manager then reports the rotation as failed. boto3 comes from the
Lambda runtime. A failing step raises (Secrets Manager retries the rotation); nothing a step logs holds
a secret's value.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from cognito_m2m_client import CognitoTokens
from cognito_m2m_rotation._shared.log import get_logger
from cognito_m2m_rotation.credentials import StoredCredentials
from cognito_m2m_rotation.steps import RotationError, SecretRotation

log = get_logger("cognito_m2m_rotation")

TOKEN_TIMEOUT_SECONDS = 5.0


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


def build_rotation(env: Mapping[str, str]) -> SecretRotation:
    import boto3  # noqa: PLC0415 - the runtime's; imported when the first event arrives, not at import

    user_pool_id = _required(env, "USER_POOL_ID")
    token_url = _required(env, "TOKEN_URL")
    if not token_url.startswith(("https://", "http://")):
        raise ConfigError("TOKEN_URL is not an http(s) URL")
    return SecretRotation(
        secrets=boto3.client("secretsmanager"),
        cognito=boto3.client("cognito-idp"),
        user_pool_id=user_pool_id,
        check_token=token_check(token_url),
    )


_ROTATION: SecretRotation | None = None


def handler(event: Any, context: Any) -> str:
    """Lambda entry point: run the event's step; raise when it fails."""
    global _ROTATION  # noqa: PLW0603 - one set of clients per container
    if _ROTATION is None:
        _ROTATION = build_rotation(os.environ)
    step = event.get("Step") if isinstance(event, Mapping) else None
    fields = {
        "step": str(step)[:20],
        "secret": str(event.get("SecretId", ""))[:256] if isinstance(event, Mapping) else "",
    }
    try:
        done = _ROTATION.run(event)
    except Exception as exc:
        log.error("rotation step failed", extra={**fields, "problem": f"{type(exc).__name__}: {exc}"[:500]})
        raise
    log.info("rotation step done", extra={**fields, "result": done})
    return done
