"""cognito_m2m_verifier._shared.log: the level comes from Lambda's setting, with safe fallbacks."""

from __future__ import annotations

import logging

import pytest

from cognito_m2m_verifier._shared.log import get_logger


@pytest.mark.parametrize(
    ("env", "level"),
    [
        ({"AWS_LAMBDA_LOG_LEVEL": "debug"}, logging.DEBUG),
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, logging.DEBUG),
        ({"LOG_LEVEL": "WARNING"}, logging.WARNING),
        ({"LOG_LEVEL": "loud"}, logging.INFO),
        ({}, logging.INFO),
    ],
)
def test_level_from_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], level: int) -> None:
    monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert get_logger(f"t.{level}.{sorted(env)}").level == level
