"""Cognito-shaped RS256 access tokens for the benchmarks: one RSA-2048 key, one kid, one pool.

Every token is signed with ``cryptography`` exactly as Cognito's client-credentials access tokens look
(header ``{"kid", "alg"}``, claims ``sub token_use scope auth_time iss exp iat version jti client_id``),
so every verifier under test accepts them for real.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

REGION = "us-east-1"
USER_POOL_ID = "us-east-1_BenchPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"
# Real Cognito app client ids are 26 lowercase alphanumerics.
CLIENT_IDS = ("1benchclient0aaaaaaaaaaaaa", "2benchclient0bbbbbbbbbbbbb", "3benchclient0ccccccccccccc")
READ_SCOPE = "rest-api/read"
WRITE_SCOPE = "rest-api/write"
# The scope sets the bench's clients were granted; every one holds READ_SCOPE (what GET /api requires).
GRANTED_SCOPES = (f"{READ_SCOPE} {WRITE_SCOPE}", READ_SCOPE, f"{WRITE_SCOPE} {READ_SCOPE}")
ROUTE_SCOPES = {"GET /api": [READ_SCOPE], "POST /api": [WRITE_SCOPE]}
REQUIRED_SCOPES = (READ_SCOPE,)
LEEWAY_SECONDS = 30
LIFETIME_SECONDS = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _uint_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """The pool's access-token key pair and its JWKS entry."""

    private_key: rsa.RSAPrivateKey
    kid: str

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict[str, str]:
        numbers = self.public_key.public_numbers()
        return {
            "alg": "RS256",
            "e": _uint_b64url(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _uint_b64url(numbers.n),
            "use": "sig",
        }

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.jwk()]}


def new_signing_key() -> SigningKey:
    # A Cognito kid is a 44-character standard base64 string (it may hold "+" and "/", ends with "=").
    kid = base64.b64encode(os.urandom(32)).decode("ascii")
    return SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid)


@dataclass
class TokenFactory:
    """Signs access tokens as the bench pool's authorization server would."""

    key: SigningKey
    now: int = field(default_factory=lambda: int(time.time()))
    _header: str = ""

    def __post_init__(self) -> None:
        header = {"kid": self.key.kid, "alg": "RS256"}
        self._header = b64url(json.dumps(header, separators=(",", ":")).encode())

    def claims(self, client_id: str, scope: str) -> dict[str, object]:
        iat = self.now - 5
        return {
            "sub": client_id,
            "token_use": "access",
            "scope": scope,
            "auth_time": iat,
            "iss": ISSUER,
            "exp": iat + LIFETIME_SECONDS,
            "iat": iat,
            "version": 2,
            "jti": str(uuid.uuid4()),
            "client_id": client_id,
        }

    def sign(self, claims: dict[str, object]) -> str:
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{self._header}.{payload}"
        signature = self.key.private_key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{signing_input}.{b64url(signature)}"

    def access_token(self, index: int, **extra_claims: object) -> str:
        """The ``index``-th distinct token (client and scope rotate; ``jti`` is always fresh)."""
        claims = self.claims(CLIENT_IDS[index % len(CLIENT_IDS)], GRANTED_SCOPES[index % len(GRANTED_SCOPES)])
        claims.update(extra_claims)
        return self.sign(claims)

    def distinct_tokens(self, count: int) -> list[str]:
        return [self.access_token(i) for i in range(count)]


def reuse_sequence(tokens: list[str], reuses: int) -> list[str]:
    """``len(tokens)`` clients each presenting its own token ``reuses`` times, their calls interleaved."""
    return [token for _ in range(reuses) for token in tokens]
