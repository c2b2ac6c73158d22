"""Cognito's two-secret API for app clients, emulated: moto 5.2 implements none of its three calls.

What is emulated, from the Cognito API reference (``AddUserPoolClientSecret``,
``ListUserPoolClientSecrets``, ``DeleteUserPoolClientSecret``):

- an app client has **at most two** active secrets; adding a third is ``LimitExceededException``;
- the **last** secret cannot be deleted (``InvalidParameterException``); an unknown secret id, pool or
  client is ``ResourceNotFoundException``; a client without a secret (a public client) cannot get one;
- a secret given by the caller is 24-64 characters of ``[\\w+]``; one that Cognito generates is returned
  once, in ``ClientSecretDescriptor.ClientSecretValue`` (51 lowercase letters and digits, the shape of
  the secrets Cognito generates for app clients);
- ``ListUserPoolClientSecrets`` returns every secret's id and creation date, never its value.

The app client's original secret (what ``DescribeUserPoolClient`` reports, and what Terraform stored)
is its first secret, created with the client. The token endpoint accepts any active secret
(:meth:`ClientSecretStore.active_secrets`). State lives in the edge process, like the signing key.
"""

from __future__ import annotations

import re
import secrets as random_secrets
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_SECRETS_PER_CLIENT = 2
GENERATED_LENGTH = 51
_ALPHABET = string.ascii_lowercase + string.digits
_GIVEN_SECRET = re.compile(r"[\w+]{24,64}", re.ASCII)

Describe = Callable[[str, str], Mapping[str, Any] | None]
"""``(user_pool_id, client_id)`` -> the emulator's DescribeUserPoolClient ``UserPoolClient``, or None."""


class CognitoApiError(Exception):
    """An error answer of the Cognito API: its code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class _Secret:
    secret_id: str
    value: str
    created: float

    def descriptor(self, *, with_value: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"ClientSecretId": self.secret_id, "ClientSecretCreateDate": self.created}
        if with_value:
            out["ClientSecretValue"] = self.value
        return out


def _created(description: Mapping[str, Any]) -> float:
    value = description.get("CreationDate")
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return 0.0


class ClientSecretStore:
    """The secrets of every app client the edge has seen; thread-safe."""

    def __init__(self, describe: Describe, *, clock: Callable[[], float] = time.time) -> None:
        self._describe = describe
        self._clock = clock
        self._secrets: dict[tuple[str, str], list[_Secret]] = {}
        self._counter = 0
        self._lock = threading.Lock()

    def _client(self, pool: Any, client: Any) -> list[_Secret]:
        """The client's secrets, seeded with its original one on first use (caller holds the lock)."""
        if not isinstance(pool, str) or not isinstance(client, str) or not pool or not client:
            raise CognitoApiError("InvalidParameterException", "UserPoolId and ClientId are required")
        key = (pool, client)
        if key not in self._secrets:
            description = self._describe(pool, client)
            if description is None:
                raise CognitoApiError(
                    "ResourceNotFoundException", f"User pool client {client} does not exist."
                )
            original = description.get("ClientSecret")
            if not isinstance(original, str) or not original:
                raise CognitoApiError(
                    "InvalidParameterException", "The app client has no secret: it is a public client."
                )
            self._secrets[key] = [_Secret(self._new_id(), original, _created(description))]
        return self._secrets[key]

    def _new_id(self) -> str:
        self._counter += 1
        return f"{self._counter:04d}-{random_secrets.token_hex(8)}"

    def list(self, pool: Any, client: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [s.descriptor(with_value=False) for s in self._client(pool, client)]

    def add(self, pool: Any, client: Any, secret: Any = None) -> dict[str, Any]:
        with self._lock:
            held = self._client(pool, client)
            if secret is not None and (not isinstance(secret, str) or not _GIVEN_SECRET.fullmatch(secret)):
                raise CognitoApiError(
                    "InvalidParameterException", "ClientSecret must be 24-64 characters of [\\w+]."
                )
            if len(held) >= MAX_SECRETS_PER_CLIENT:
                raise CognitoApiError(
                    "LimitExceededException", "The app client already has the maximum of 2 client secrets."
                )
            value = secret or "".join(random_secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))
            added = _Secret(self._new_id(), value, max(self._clock(), held[-1].created if held else 0.0))
            held.append(added)
            return added.descriptor(with_value=True)

    def delete(self, pool: Any, client: Any, secret_id: Any) -> None:
        with self._lock:
            held = self._client(pool, client)
            match = [s for s in held if s.secret_id == secret_id]
            if not match:
                raise CognitoApiError("ResourceNotFoundException", "The client secret does not exist.")
            if len(held) == 1:
                raise CognitoApiError(
                    "InvalidParameterException", "The last client secret of an app client cannot be deleted."
                )
            held.remove(match[0])

    def active_secrets(self, pool: str, client: str, original: str | None) -> tuple[str, ...]:
        """What the token endpoint accepts: every active secret, or the original one if never touched."""
        with self._lock:
            held = self._secrets.get((pool, client))
            if held is None:
                return (original,) if original else ()
            return tuple(s.value for s in held)

    # ---- the JSON API (X-Amz-Target) ---------------------------------------------------------------

    TARGETS = frozenset(
        {
            "AWSCognitoIdentityProviderService.AddUserPoolClientSecret",
            "AWSCognitoIdentityProviderService.ListUserPoolClientSecrets",
            "AWSCognitoIdentityProviderService.DeleteUserPoolClientSecret",
        }
    )

    def call(self, target: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer one of :attr:`TARGETS` (its JSON request); raise :class:`CognitoApiError`."""
        operation = target.rpartition(".")[2]
        pool, client = body.get("UserPoolId"), body.get("ClientId")
        if operation == "AddUserPoolClientSecret":
            return {"ClientSecretDescriptor": self.add(pool, client, body.get("ClientSecret"))}
        if operation == "ListUserPoolClientSecrets":
            return {"ClientSecrets": self.list(pool, client)}
        if operation == "DeleteUserPoolClientSecret":
            self.delete(pool, client, body.get("ClientSecretId"))
            return {}
        raise CognitoApiError("UnknownOperationException", f"{operation} is not emulated")
