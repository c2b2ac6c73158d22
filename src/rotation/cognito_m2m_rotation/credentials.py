"""The secret's value: ``{"client_id", "client_secret"}``, plus ``client_secret_id`` once rotated.

``client_secret_id`` is Cognito's id of that secret (``ClientSecretId``, not itself secret): it tells the
next rotation which of the app client's two secrets is the current one. The value Terraform writes
first has none; it is the app client's original secret, the oldest of its secrets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Cognito's identifier shapes (API reference: ClientId, ClientSecretId). A secret is any printable ASCII
# without blanks, at most 64 characters: Cognito's are [\w+]+, but the secret Terraform stored first is
# whatever the app client was created with (moto's are UUIDs, with hyphens).
_CLIENT_ID = re.compile(r"[\w+]{1,128}", re.ASCII)
_CLIENT_SECRET = re.compile(r"[\x21-\x7e]{1,64}")
_SECRET_ID = re.compile(r"[\x21-\x7e]{1,128}")
MAX_SECRET_CHARS = 65536


class CredentialsError(ValueError):
    """The stored value is not the app client's credentials (the message never holds the value)."""


@dataclass(frozen=True)
class StoredCredentials:
    client_id: str
    client_secret: str
    client_secret_id: str | None = None

    def __repr__(self) -> str:  # never the secret
        return f"StoredCredentials(client_id={self.client_id!r}, client_secret_id={self.client_secret_id!r})"

    def to_json(self) -> str:
        value: dict[str, str] = {"client_id": self.client_id, "client_secret": self.client_secret}
        if self.client_secret_id is not None:
            value["client_secret_id"] = self.client_secret_id
        return json.dumps(value, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: Any) -> StoredCredentials:
        if not isinstance(text, str) or len(text) > MAX_SECRET_CHARS:
            raise CredentialsError("the secret string is missing or too large")
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise CredentialsError("the secret string is not JSON") from None
        if not isinstance(value, dict):
            raise CredentialsError("the secret string is not a JSON object")
        return cls.checked(value.get("client_id"), value.get("client_secret"), value.get("client_secret_id"))

    @classmethod
    def checked(cls, client_id: Any, secret: Any, secret_id: Any = None) -> StoredCredentials:
        """Credentials from values of any type, each checked for its shape; raise CredentialsError."""
        if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
            raise CredentialsError("client_id is missing or not a Cognito client id")
        if not isinstance(secret, str) or not _CLIENT_SECRET.fullmatch(secret):
            raise CredentialsError("client_secret is missing or not 1-64 printable ASCII characters")
        if secret_id is not None and (not isinstance(secret_id, str) or not _SECRET_ID.fullmatch(secret_id)):
            raise CredentialsError("client_secret_id is not a Cognito secret id")
        return cls(client_id, secret, secret_id)
