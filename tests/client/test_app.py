"""src/client/app.py: the Lambda entry point reads its configuration at import (the cold start).

``app.py`` is run with runpy rather than imported: both functions have a top-level ``app`` module.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from cognito_m2m_client._shared.config import ConfigError
from tests.client.support import FakeContext, alb_event, body_of

APP = Path(__file__).resolve().parents[2] / "src" / "client" / "app.py"
ENV = {
    "TOKEN_URL": "https://example.auth.us-east-1.amazoncognito.com/oauth2/token",
    "CLIENT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf",
    "SCOPES": "rest-api/read",
    "API_URL": "https://api.example.com/api",
}


def test_cold_start_builds_one_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    module = runpy.run_path(str(APP))
    result = module["handler"](alb_event("GET", "/elsewhere"), FakeContext())
    assert result["statusCode"] == 404
    assert body_of(result)["error"] == "not_found"
    assert module["HANDLER"].client.config.scopes == ("rest-api/read",)


def test_cold_start_fails_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOKEN_EXPIRY_SKEW_SECONDS", "soon")
    with pytest.raises(ConfigError, match="TOKEN_EXPIRY_SKEW_SECONDS"):
        runpy.run_path(str(APP))
