"""Two Cognito settings that provider 5.100 cannot make, changed the way README tells you to in AWS.

``UpdateUserPool`` and ``UpdateUserPoolClient`` set every attribute the call leaves out to its default
(Cognito API reference: "If you don't provide a value for an attribute, Amazon Cognito sets it to its
default value"). So each change here reads the current settings, keeps those the update call accepts
(the members of its request shape, from botocore's service model), changes one and sends them all:

- :func:`set_issuer_format`: the pool's ``IssuerConfiguration`` (``ORIGINAL`` or ``UPDATED``);
- :func:`enable_client_token_auth`: ``ALLOW_CLIENT_TOKEN_AUTH`` as the app client's only auth flow, which
  GetClientToken requires ("It must be the only authentication flow that you configure for the app
  client").

``up`` applies them after ``terraform apply`` when ``LOCAL_ISSUER_FORMAT`` / ``LOCAL_TOKEN_SOURCE`` ask.
"""

from __future__ import annotations

from typing import Any

CLIENT_TOKEN_FLOW = "ALLOW_CLIENT_TOKEN_AUTH"  # noqa: S105 - an auth flow name, not a secret


def _settable(cognito: Any, operation: str, current: dict[str, Any]) -> dict[str, Any]:
    members = cognito.meta.service_model.operation_model(operation).input_shape.members
    return {key: value for key, value in current.items() if key in members}


def set_issuer_format(cognito: Any, user_pool_id: str, issuer_format: str) -> None:
    """Switch the pool to ``original`` or ``updated`` issuers, keeping every other setting."""
    kind = {"original": "ORIGINAL", "updated": "UPDATED"}[issuer_format]
    pool = cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
    if (pool.get("IssuerConfiguration") or {}).get("Type", "ORIGINAL") == kind:
        return
    request = _settable(cognito, "UpdateUserPool", pool)
    request.update(UserPoolId=user_pool_id, IssuerConfiguration={"Type": kind})
    cognito.update_user_pool(**request)


def enable_client_token_auth(cognito: Any, user_pool_id: str, client_id: str) -> None:
    """Make ``ALLOW_CLIENT_TOKEN_AUTH`` the app client's only auth flow, keeping every other setting."""
    client = cognito.describe_user_pool_client(UserPoolId=user_pool_id, ClientId=client_id)["UserPoolClient"]
    if client.get("ExplicitAuthFlows") == [CLIENT_TOKEN_FLOW]:
        return
    request = _settable(cognito, "UpdateUserPoolClient", client)
    request.update(UserPoolId=user_pool_id, ClientId=client_id, ExplicitAuthFlows=[CLIENT_TOKEN_FLOW])
    cognito.update_user_pool_client(**request)
