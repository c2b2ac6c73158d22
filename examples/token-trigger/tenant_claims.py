"""Pre token generation trigger (event ``V3_0``): a ``tenant`` claim in each app client's access tokens.

Handler ``tenant_claims.handler``. For a client-credentials token (``triggerSource``
``TokenGeneration_ClientCredentials``) it adds, through ``claimsAndScopeOverrideDetails.
accessTokenGeneration``:

- ``tenant``: the tenant of the calling app client, found by the client's *name* (Cognito's
  ``ClientName``; the Terraform module names clients ``<name>-<client key>``), since the event names the
  client by id only (``callerContext.clientId``);
- the client metadata keys listed in ``METADATA_CLAIMS``, as claims of the same name, when the caller
  sent them (``aws_client_metadata`` at the token endpoint, ``ClientMetadata`` of GetClientToken);
- ``scopesToSuppress``: the scopes ``SUPPRESS_SCOPES`` lists for the client.

Any other event is returned unchanged.

What Cognito forbids a trigger to change (developer guide, "Pre token generation Lambda trigger", "Claims
and scopes reference": "Can add? No, Can modify? No, Can suppress? No"): ``cognito:username`` and "any
other claim with a ``cognito:`` prefix", ``username``, ``sub``, ``identities``, ``aud`` ("You can add an
``aud`` claim to access tokens, but its value must match the app client ID of the current session"),
``client_id``, ``event_id``, ``device_key``, ``version``, ``acr``, ``amr``, ``at_hash``, ``auth_time``,
``azp``, ``exp``, ``iat``, ``iss``, ``jti``, ``nbf``, ``nonce``, ``origin_jti``, ``token_use``; ``scope``
changes only through ``scopesToAdd`` and ``scopesToSuppress`` ("You can't add scope values that contain
one or more blank-space characters"). This function never names any of them: ``METADATA_CLAIMS`` may not.

Configuration (environment variables, read and checked once, at cold start: a bad value fails the import
with a message naming the variable, so no token is issued until it is fixed):

``TENANTS`` (required)
    JSON object: app client name -> tenant, 1-64 characters of ``[A-Za-z0-9._-]``.
    ``{"orders-prod-billing": "acme"}``.
``SUPPRESS_SCOPES`` (optional)
    JSON object: app client name -> list of scopes to remove from its tokens.
``METADATA_CLAIMS`` (optional, default ``purpose``; empty: none)
    Comma-separated client-metadata keys passed through as claims when their value is 1-64 characters of
    ``[A-Za-z0-9._-]``; another value is dropped, and the log names the key, never the value.

Client names are read with ``cognito-idp:ListUserPoolClients`` (the only Cognito permission the module
gives the trigger: it returns ids and names, never secrets) and kept per client id for the life of the
execution environment (at most :data:`CACHE_SIZE`). Consequences: a renamed client keeps its old name
here until the environment is recycled, and whoever may create or rename app clients in the pool may
choose a name that ``TENANTS`` maps to a tenant (that is the pool administrator's trust, as for scopes).

Failing safe: a client the pool does not list, or whose name ``TENANTS`` does not map, gets **no** tenant
claim (never a default, never another client's). When the listing itself fails (throttling, access
denied) the function raises, so Cognito refuses the token and the caller retries: a client that has a
tenant never receives a token without it.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import boto3  # the Lambda runtime's

LOG = logging.getLogger("tenant_claims")
LOG.setLevel(logging.INFO)

M2M_TRIGGER_SOURCE: Final = "TokenGeneration_ClientCredentials"
TENANT_CLAIM: Final = "tenant"
CACHE_SIZE: Final = 256
VALUE: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""A tenant, and a client-metadata value passed through as a claim."""
CLAIM_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
PROTECTED_CLAIMS: Final = frozenset(
    {
        "acr", "amr", "at_hash", "aud", "auth_time", "azp", "client_id", "device_key", "event_id", "exp",
        "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "scope", "sub", "token_use",
        "username", "version",
    }
)  # fmt: skip
"""Claims Cognito does not let a trigger add (with every ``cognito:`` one: see the module docstring)."""


class ConfigError(ValueError):
    """The function's configuration is invalid (raised at import: the message names the variable)."""


@dataclass(frozen=True, slots=True)
class Config:
    tenants: Mapping[str, str]
    suppress_scopes: Mapping[str, tuple[str, ...]]
    metadata_claims: tuple[str, ...]

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Config:
        return cls(
            tenants=_tenants(env.get("TENANTS")),
            suppress_scopes=_suppress_scopes(env.get("SUPPRESS_SCOPES")),
            metadata_claims=_metadata_claims(env.get("METADATA_CLAIMS", "purpose")),
        )


def _json_object(name: str, raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object of app client names")
    for client_name in value:
        if not 1 <= len(client_name) <= 128:
            raise ConfigError(f"{name}: an app client name has 1-128 characters")
    return value


def _tenants(raw: str | None) -> dict[str, str]:
    if raw is None:
        raise ConfigError("TENANTS is not set: a JSON object of app client name to tenant")
    tenants = _json_object("TENANTS", raw)
    for client_name, tenant in tenants.items():
        if not isinstance(tenant, str) or not VALUE.fullmatch(tenant):
            raise ConfigError(
                f"TENANTS: the tenant of {client_name!r} must be 1-64 characters of [A-Za-z0-9._-]"
            )
    return tenants


def _suppress_scopes(raw: str | None) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    scopes = _json_object("SUPPRESS_SCOPES", raw)
    for client_name, listed in scopes.items():
        if not isinstance(listed, list) or not all(
            isinstance(s, str) and s and not s.isspace() for s in listed
        ):
            raise ConfigError(f"SUPPRESS_SCOPES: the value of {client_name!r} must be a list of scope names")
    return {client_name: tuple(listed) for client_name, listed in scopes.items()}


def _metadata_claims(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    for name in names:
        if not CLAIM_NAME.fullmatch(name) or name in PROTECTED_CLAIMS or name == TENANT_CLAIM:
            raise ConfigError(
                f"METADATA_CLAIMS: {name!r} cannot be a claim (a letter then letters, digits or _, at most"
                f" 64; not {TENANT_CLAIM} and none of the claims Cognito protects)"
            )
    return names


CONFIG: Final = Config.from_environment(os.environ)  # at cold start: a bad configuration fails the import

_cognito: Any = None
_client_names: dict[tuple[str, str], str] = {}
"""(pool id, client id) -> client name, oldest first (at most CACHE_SIZE)."""


def _cognito_client() -> Any:
    global _cognito  # noqa: PLW0603 - one client per execution environment, created on first use
    if _cognito is None:
        _cognito = boto3.client("cognito-idp")
    return _cognito


def _remember(key: tuple[str, str], client_name: str) -> None:
    _client_names.pop(key, None)
    _client_names[key] = client_name
    while len(_client_names) > CACHE_SIZE:
        del _client_names[next(iter(_client_names))]


def client_name(pool_id: str, client_id: str) -> str | None:
    """The app client's name; None when the pool has no such client. Raises when Cognito cannot be read."""
    key = (pool_id, client_id)
    if key in _client_names:
        return _client_names[key]
    found: str | None = None
    pages = (
        _cognito_client().get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60)
    )
    for page in pages:  # one listing names every client: remembered, the next ones cost no call
        for client in page["UserPoolClients"]:
            _remember((pool_id, client["ClientId"]), client["ClientName"])
            if client["ClientId"] == client_id:
                found = client["ClientName"]
    return found


def _metadata_claims_of(metadata: Mapping[str, Any]) -> dict[str, str]:
    claims: dict[str, str] = {}
    for name in CONFIG.metadata_claims:
        if name not in metadata:
            continue
        value = metadata[name]
        if isinstance(value, str) and VALUE.fullmatch(value):
            claims[name] = value
        else:
            LOG.warning("client metadata %s dropped: not 1-64 characters of [A-Za-z0-9._-]", name)
    return claims


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Cognito's pre token generation handler: the event, with the access token's changes in its response."""
    if event.get("triggerSource") != M2M_TRIGGER_SOURCE:
        return event
    client_id = event["callerContext"]["clientId"]
    request = event.get("request") or {}
    name = client_name(event["userPoolId"], client_id)
    claims = _metadata_claims_of(request.get("clientMetadata") or {})
    tenant = CONFIG.tenants.get(name) if name is not None else None
    if tenant is not None:
        claims[TENANT_CLAIM] = tenant
    else:
        LOG.warning("client %s (%s) has no tenant: the token carries no tenant claim", client_id, name)
    suppress = CONFIG.suppress_scopes.get(name, ()) if name is not None else ()
    access: dict[str, Any] = {}
    if claims:
        access["claimsToAddOrOverride"] = claims
    if suppress:
        access["scopesToSuppress"] = list(suppress)
    if access:
        event["response"] = {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": access}}
    return event
