"""cognito_m2m_verifier.config: the environment contract; every bad variable is one ConfigError naming it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_m2m_verifier._shared.config import ConfigError
from cognito_m2m_verifier.config import cognito_issuer, load_config

ROUTES = {"GET /api": ["rest-api/read"], "POST /api": ["rest-api/read", "rest-api/write"]}


def env(**over: Any) -> dict[str, str]:
    base = {
        "USER_POOL_ID": "eu-west-1_AbC123xyz",
        "AWS_REGION": "eu-west-1",
        "ALLOWED_CLIENT_IDS": "1example23456789abcdefghij, 2other",
        "ROUTE_SCOPES": json.dumps(ROUTES),
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def test_reads_a_complete_configuration() -> None:
    config = load_config(env())
    assert config.user_pool_id == "eu-west-1_AbC123xyz"
    assert config.region == "eu-west-1"
    assert config.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz"
    assert config.jwks_url == config.issuer + "/.well-known/jwks.json"
    assert config.allowed_client_ids == ("1example23456789abcdefghij", "2other")
    assert config.route_scopes == {
        ("GET", "/api"): ("rest-api/read",),
        ("POST", "/api"): ("rest-api/read", "rest-api/write"),
    }
    assert config.clock_skew_seconds == 5


def test_issuer_comes_from_the_pool_id_never_from_jwks_url_or_aws_region() -> None:
    config = load_config(
        env(AWS_REGION="us-east-1", JWKS_URL="http://127.0.0.1:5000/pool/.well-known/jwks.json")
    )
    assert config.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz"
    assert config.jwks_url == "http://127.0.0.1:5000/pool/.well-known/jwks.json"
    gov = load_config(env(USER_POOL_ID="us-gov-west-1_Abc"))
    assert gov.issuer == "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Abc"
    with pytest.raises(ValueError, match="pool id"):
        cognito_issuer("nope")


@pytest.mark.parametrize(
    "url", ["http://localhost:4566/x", "http://[::1]:8080/jwks", "https://keys.example.com/jwks.json"]
)
def test_accepts_https_or_loopback_http_jwks_urls(url: str) -> None:
    assert load_config(env(JWKS_URL=url)).jwks_url == url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("USER_POOL_ID", None),
        ("USER_POOL_ID", ""),
        ("USER_POOL_ID", "   "),
        ("USER_POOL_ID", "eu-west-1"),
        ("USER_POOL_ID", "eu-west-1_"),
        ("USER_POOL_ID", "EU-WEST-1_abc"),
        ("USER_POOL_ID", "eu-west-1_abc!"),
        ("USER_POOL_ID", "eu-west-1_abc/../x"),
        ("JWKS_URL", "http://keys.example.com/jwks.json"),
        ("JWKS_URL", "ftp://127.0.0.1/jwks.json"),
        ("JWKS_URL", "https://"),
        ("JWKS_URL", "https://user:pw@keys.example.com/jwks.json"),
        ("JWKS_URL", "https://keys.example.com:99999/jwks.json"),
        ("JWKS_URL", "https://keys.example.com/a b"),
        ("JWKS_URL", "https://keys.example.com/jwks.json#frag"),
        ("JWKS_URL", "not a url"),
        ("ALLOWED_CLIENT_IDS", None),
        ("ALLOWED_CLIENT_IDS", ""),
        ("ALLOWED_CLIENT_IDS", "a,,b"),
        ("ALLOWED_CLIENT_IDS", "good,bad id"),
        ("ALLOWED_CLIENT_IDS", "x" * 129),
        ("ROUTE_SCOPES", None),
        ("ROUTE_SCOPES", "not json"),
        ("ROUTE_SCOPES", "[]"),
        ("ROUTE_SCOPES", "{}"),
        ("ROUTE_SCOPES", '{"GET /api": ["a"], "GET /api": ["b"]}'),
        ("ROUTE_SCOPES", '{"DELETE /api": ["a"]}'),
        ("ROUTE_SCOPES", '{"GET /other": ["a"]}'),
        ("ROUTE_SCOPES", '{"get /api": ["a"]}'),
        ("ROUTE_SCOPES", '{"GET  /api": ["a"]}'),
        ("ROUTE_SCOPES", '{"GET /api": "rest-api/read"}'),
        ("ROUTE_SCOPES", '{"GET /api": []}'),
        ("ROUTE_SCOPES", '{"GET /api": ["a b"]}'),
        ("ROUTE_SCOPES", '{"GET /api": [""]}'),
        ("ROUTE_SCOPES", '{"GET /api": [1]}'),
        ("ROUTE_SCOPES", '{"GET /api": ["a\\"b"]}'),
        ("ROUTE_SCOPES", '{"GET /api": ["a", "a"]}'),
        ("ROUTE_SCOPES", '{"GET /api": ["a"], "POST /api": null}'),
        ("CLOCK_SKEW_SECONDS", "abc"),
        ("CLOCK_SKEW_SECONDS", "-1"),
        ("CLOCK_SKEW_SECONDS", "301"),
        ("CLOCK_SKEW_SECONDS", "1.5"),
    ],
)
def test_rejects_bad_configuration_naming_the_variable(name: str, value: str | None) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(env(**{name: value}))
    assert caught.value.name == name
    assert name in str(caught.value)


def test_clock_skew_is_bounded_and_optional() -> None:
    assert load_config(env(CLOCK_SKEW_SECONDS="0")).clock_skew_seconds == 0
    assert load_config(env(CLOCK_SKEW_SECONDS="300")).clock_skew_seconds == 300
    assert load_config(env(CLOCK_SKEW_SECONDS="")).clock_skew_seconds == 5


def test_only_configured_routes_exist() -> None:
    config = load_config(env(ROUTE_SCOPES='{"GET /api": ["rest-api/read"]}'))
    assert config.route_scopes == {("GET", "/api"): ("rest-api/read",)}


def test_client_credentials_only_by_default_with_a_switch_for_user_tokens() -> None:
    assert load_config(env()).client_credentials_only is True
    assert load_config(env(CLIENT_CREDENTIALS_ONLY="false")).client_credentials_only is False
    assert load_config(env(CLIENT_CREDENTIALS_ONLY="TRUE")).client_credentials_only is True
    with pytest.raises(ConfigError, match="CLIENT_CREDENTIALS_ONLY"):
        load_config(env(CLIENT_CREDENTIALS_ONLY="yes"))
