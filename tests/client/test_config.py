"""cognito_m2m_client.config: the environment contract, each problem named by its variable."""

from __future__ import annotations

import pytest

from cognito_m2m_client._shared.config import ConfigError
from cognito_m2m_client.config import ClientConfig, load_config
from cognito_m2m_client.handler import build_handler

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m/client-AbCdEf"
BASE = {
    "TOKEN_URL": "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token",
    "CLIENT_SECRET_ARN": ARN,
    "SCOPES": "rest-api/write  rest-api/read rest-api/read",
    "API_URL": "http://internal-alb-1.eu-west-1.elb.amazonaws.com:8080/api?x=1",
}


def test_valid_configuration_with_defaults() -> None:
    config = load_config(BASE)
    assert config == ClientConfig(
        token_url=BASE["TOKEN_URL"],
        secret_arn=ARN,
        scopes=("rest-api/read", "rest-api/write"),
        api_url=BASE["API_URL"],
        token_expiry_skew_seconds=60,
        http_timeout_seconds=5.0,
        secret_max_age_seconds=300,
    )
    assert config.secret_region == "eu-west-1"
    assert config.connect_timeout_seconds == 2.0


def test_optional_values_are_read() -> None:
    config = load_config(
        {
            **BASE,
            "TOKEN_EXPIRY_SKEW_SECONDS": "120",
            "HTTP_TIMEOUT_SECONDS": "1.5",
            "SECRET_MAX_AGE_SECONDS": "0",
        }
    )
    assert config.token_expiry_skew_seconds == 120
    assert config.http_timeout_seconds == 1.5
    assert config.connect_timeout_seconds == 1.5
    assert config.secret_max_age_seconds == 0


def test_blank_scopes_ask_for_every_enabled_scope() -> None:
    assert load_config({**BASE, "SCOPES": "  "}).scopes == ()


@pytest.mark.parametrize("name", ["TOKEN_URL", "CLIENT_SECRET_ARN", "SCOPES", "API_URL"])
def test_missing_required_variable_is_named(name: str) -> None:
    env = {k: v for k, v in BASE.items() if k != name}
    with pytest.raises(ConfigError) as info:
        load_config(env)
    assert info.value.name == name
    assert name in str(info.value)


@pytest.mark.parametrize("name", ["TOKEN_URL", "CLIENT_SECRET_ARN", "API_URL"])
def test_empty_required_variable_is_named(name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({**BASE, name: "   "})


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/token",
        "example.com/oauth2/token",
        "https:///oauth2/token",
        "https://user:pw@example.com/oauth2/token",
        "https://example.com:99999/oauth2/token",
        "https://example.com:port/oauth2/token",
        "https://example.com/oauth2/token#frag",
        "https://exa mple.com/oauth2/token",
        "http://[::1/x",
    ],
)
@pytest.mark.parametrize("name", ["TOKEN_URL", "API_URL"])
def test_malformed_urls_are_rejected(name: str, url: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config({**BASE, name: url})
    assert info.value.name == name


@pytest.mark.parametrize(
    "arn",
    [
        "m2m/client",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/x",
        "arn:aws:secretsmanager:eu-west-1:1234:secret:x",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:",
    ],
)
def test_malformed_secret_arn_is_rejected(arn: str) -> None:
    with pytest.raises(ConfigError, match="CLIENT_SECRET_ARN"):
        load_config({**BASE, "CLIENT_SECRET_ARN": arn})


def test_other_partitions_are_accepted() -> None:
    arn = "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf"
    assert load_config({**BASE, "CLIENT_SECRET_ARN": arn}).secret_region == "us-gov-west-1"


@pytest.mark.parametrize("scopes", ['rest-api/"read"', "rest-api\\read", "caf\u00e9/read"])
def test_malformed_scope_is_rejected(scopes: str) -> None:
    with pytest.raises(ConfigError, match="SCOPES"):
        load_config({**BASE, "SCOPES": scopes})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOKEN_EXPIRY_SKEW_SECONDS", "-1"),
        ("TOKEN_EXPIRY_SKEW_SECONDS", "sixty"),
        ("TOKEN_EXPIRY_SKEW_SECONDS", "3601"),
        ("HTTP_TIMEOUT_SECONDS", "0"),
        ("HTTP_TIMEOUT_SECONDS", "nan"),
        ("HTTP_TIMEOUT_SECONDS", "61"),
        ("SECRET_MAX_AGE_SECONDS", "1.5"),
        ("SECRET_MAX_AGE_SECONDS", "86401"),
    ],
)
def test_malformed_optional_values_are_named(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config({**BASE, name: value})
    assert info.value.name == name


def test_build_handler_fails_with_one_config_error() -> None:
    with pytest.raises(ConfigError, match="API_URL"):
        build_handler({k: v for k, v in BASE.items() if k != "API_URL"})
