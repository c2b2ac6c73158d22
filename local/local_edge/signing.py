"""Cognito-shaped access tokens, signed with the key whose public half the emulator serves.

moto signs its own Cognito tokens with a private RSA key shipped inside the moto package and serves the
public half at every pool's ``/.well-known/jwks.json``. Signing with that same key lets the resource
function verify our tokens exactly as in AWS: through the JWKS URL, with no shortcut in its code.
"""

from __future__ import annotations

import base64
import gzip
import importlib.resources
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

MOTO_PRIVATE_JWK = ("moto.cognitoidp", "resources/jwks-private.json.gz")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_moto_private_jwk() -> dict[str, Any]:
    """The private JWK moto signs its Cognito tokens with (``kid`` included)."""
    package, name = MOTO_PRIVATE_JWK
    raw = importlib.resources.files(package).joinpath(name).read_bytes()
    jwk: dict[str, Any] = json.loads(gzip.decompress(raw))
    return jwk


class TokenSigner:
    """RS256 signer with a fixed ``kid``: the header is exactly Cognito's ``{"kid", "alg"}``."""

    def __init__(self, private_key: rsa.RSAPrivateKey, kid: str) -> None:
        self._key = private_key
        self.kid = kid

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> TokenSigner:
        key = RSAAlgorithm.from_jwk(dict(jwk))
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the JWK is not an RSA private key")
        return cls(key, str(jwk["kid"]))

    @classmethod
    def from_moto(cls) -> TokenSigner:
        return cls.from_jwk(load_moto_private_jwk())

    def public_numbers(self) -> rsa.RSAPublicNumbers:
        return self._key.public_key().public_numbers()

    def sign(self, claims: Mapping[str, Any]) -> str:
        header = {"kid": self.kid, "alg": "RS256"}
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = self._key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)


def issuer(region: str, pool_id: str, issuer_format: str = "original") -> str:
    """The pool's ``iss`` (``IssuerConfigurationType``): ``https://cognito-idp.<region>.amazonaws.com/<pool>``
    for ORIGINAL, ``https://issuer-cognito-idp.<region>.amazonaws.com/<pool>`` for UPDATED."""
    host = "issuer-cognito-idp" if issuer_format == "updated" else "cognito-idp"
    return f"https://{host}.{region}.amazonaws.com/{pool_id}"


def access_token_claims(
    *,
    client_id: str,
    scopes: Sequence[str],
    region: str,
    pool_id: str,
    now: int,
    lifetime: int,
    issuer_format: str = "original",
) -> dict[str, Any]:
    """The claims of a client-credentials access token, in Cognito's member order (reference §2.2)."""
    return {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": issuer(region, pool_id, issuer_format),
        "exp": now + lifetime,
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client_id,
    }


def jwk_matches(signer: TokenSigner, jwks: Mapping[str, Any]) -> bool:
    """True when ``jwks`` (as the emulator serves it) holds the public half of ``signer``'s key."""
    numbers = signer.public_numbers()
    for key in jwks.get("keys", []):
        if not isinstance(key, Mapping) or key.get("kid") != signer.kid or key.get("kty") != "RSA":
            continue
        n = int.from_bytes(base64.urlsafe_b64decode(str(key["n"]) + "=="), "big")
        e = int.from_bytes(base64.urlsafe_b64decode(str(key["e"]) + "=="), "big")
        if (n, e) == (numbers.n, numbers.e):
            return True
    return False
