"""What every package needs around boto3 without importing it: error codes, and quiet debug logs."""

from __future__ import annotations

import logging
from collections.abc import Mapping


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (read from its ``response``), else None."""
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        error = response.get("Error")
        if isinstance(error, Mapping) and isinstance(error.get("Code"), str):
            return str(error["Code"])
    return None


def quiet_sdk_debug_logs() -> None:
    """Keep botocore at INFO or above: at DEBUG it logs every call's parameters and answers, and those of
    GetSecretValue, PutSecretValue and AddUserPoolClientSecret hold secrets."""
    sdk = logging.getLogger("botocore")
    if sdk.level == logging.NOTSET or sdk.level < logging.INFO:
        # pinned on botocore itself: a root logger lowered to DEBUG later must not reach it
        sdk.setLevel(max(logging.INFO, sdk.getEffectiveLevel()))
