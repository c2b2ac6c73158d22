"""Shared helpers of the reliability suite: keys, hostile-token builders, ALB events, response checks.

Everything here is real: RSA/EC keys generated in the test session, tokens signed with
``cryptography`` (and PyJWT for the HMAC/"none" forgeries), the resource function's own
``build_app``. Constants come from the resource tests' kit so both suites speak of the same pool.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.resource.resource_testkit import (
    CLIENT_ID,
    ISSUER,
    KID,
    KID2,
    NOW,
    OTHER_CLIENT_ID,
    POOL_ID,
    jwk_for,
)

__all__ = [
    "CLIENT_ID",
    "ISSUER",
    "KID",
    "KID2",
    "NOW",
    "OTHER_CLIENT_ID",
    "POOL_ID",
]

READ = "rest-api/read"
WRITE = "rest-api/write"
ROUTE_SCOPES = {"GET /api": [READ], "POST /api": [WRITE]}
SECOND_CLIENT_ID = "3secondallowed456789abcdef"
WEAK_KID = "weak-1024-bit-key"
EC_KID = "ec-p256-key"
ENC_KID = "encryption-use-key"
DUP_KID = "duplicated-kid"
RESOURCE_ENV = {
    "USER_POOL_ID": POOL_ID,
    "ALLOWED_CLIENT_IDS": f"{CLIENT_ID},{SECOND_CLIENT_ID}",
    "ROUTE_SCOPES": json.dumps(ROUTE_SCOPES),
    "CLOCK_SKEW_SECONDS": "5",
}
LEEWAY = 5


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass
class KeyRing:
    """Keys of the suite: ``main`` and ``second`` are the pool's; the others are attackers' or bad."""

    main: rsa.RSAPrivateKey
    second: rsa.RSAPrivateKey
    stranger: rsa.RSAPrivateKey
    weak: rsa.RSAPrivateKey
    ec: ec.EllipticCurvePrivateKey
    rotated: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> KeyRing:
        def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
            return rsa.generate_private_key(public_exponent=65537, key_size=bits)

        return cls(
            main=rsa_key(),
            second=rsa_key(),
            stranger=rsa_key(),
            weak=rsa_key(1024),
            ec=ec.generate_private_key(ec.SECP256R1()),
            rotated=rsa_key(),
        )


def rsa_jwk(key: rsa.RSAPrivateKey | rsa.RSAPublicKey, kid: str, **extra: Any) -> dict[str, Any]:
    """A JWKS entry for ``key`` (the resource suite's helper; ``None`` values drop a member)."""
    return jwk_for(key, kid, **extra)


def ec_jwk(key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "kid": kid,
        "use": "sig",
        "alg": "ES256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def jwks_bytes(*keys: Mapping[str, Any]) -> bytes:
    return json.dumps({"keys": list(keys)}).encode()


def pool_jwks(ring: KeyRing) -> bytes:
    """The JWKS the suite's pool serves: two good keys plus keys the cache must drop."""
    return jwks_bytes(
        rsa_jwk(ring.main, KID),
        rsa_jwk(ring.second, KID2),
        rsa_jwk(ring.weak, WEAK_KID),
        ec_jwk(ring.ec, EC_KID),
        rsa_jwk(ring.stranger, ENC_KID, use="enc"),
        rsa_jwk(ring.stranger, DUP_KID),
        rsa_jwk(ring.rotated, DUP_KID),
    )


def claims(now: int = NOW, **over: Any) -> dict[str, Any]:
    """Cognito access-token claims (``None`` removes a claim)."""
    base: dict[str, Any] = {
        "sub": CLIENT_ID,
        "token_use": "access",
        "scope": f"{READ} {WRITE}",
        "auth_time": now,
        "iss": ISSUER,
        "exp": now + 3600,
        "iat": now,
        "version": 2,
        "jti": "8f1c0000-0000-4000-8000-000000000001",
        "client_id": CLIENT_ID,
    }
    if "client_id" in over and "sub" not in over:  # a client-credentials token: sub == client_id
        base["sub"] = over["client_id"]
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def signing_input(header: Any, payload: Any) -> str:
    def enc(part: Any) -> str:
        if isinstance(part, bytes):
            return b64url(part)
        if isinstance(part, str):
            return b64url(part.encode())
        return b64url(compact_json(part))

    return enc(header) + "." + enc(payload)


def rs_sign(data: str, key: rsa.RSAPrivateKey, hash_alg: hashes.HashAlgorithm | None = None) -> str:
    return b64url(key.sign(data.encode("ascii"), padding.PKCS1v15(), hash_alg or hashes.SHA256()))


def ps_sign(data: str, key: rsa.RSAPrivateKey) -> str:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return b64url(key.sign(data.encode("ascii"), pss, hashes.SHA256()))


def es_sign(data: str, key: ec.EllipticCurvePrivateKey) -> str:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    der = key.sign(data.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def hs_sign(data: str, secret: bytes) -> str:
    return b64url(hmac.new(secret, data.encode("ascii"), hashlib.sha256).digest())


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def token(
    key: rsa.RSAPrivateKey,
    *,
    kid: str | None = KID,
    header: Any = None,
    payload: Any = None,
    **over: Any,
) -> str:
    """An RS256 token signed by ``key``; ``header``/``payload`` replace the defaults entirely."""
    hdr = {"kid": kid, "alg": "RS256"} if header is None else header
    if isinstance(hdr, dict):
        hdr = {k: v for k, v in hdr.items() if v is not None}
    body = claims(**over) if payload is None else payload
    data = signing_input(hdr, body)
    return data + "." + rs_sign(data, key)


# ---- ALB events -------------------------------------------------------------------------------


def alb_event(
    method: str = "GET",
    path: str = "/api",
    *,
    authorization: str | list[str] | None = None,
    multi: bool = False,
    query: Mapping[str, str | list[str]] | None = None,
    body: str | None = None,
    base64_body: bool = False,
    extra_headers: Mapping[str, str | list[str]] | None = None,
) -> dict[str, Any]:
    """An ALB Lambda target event (single- or multi-value header mode)."""
    headers: dict[str, list[str]] = {"host": ["api.example.com"], "user-agent": ["reliability"]}
    if authorization is not None:
        headers["authorization"] = [authorization] if isinstance(authorization, str) else list(authorization)
    for name, value in (extra_headers or {}).items():
        headers[name] = [value] if isinstance(value, str) else list(value)
    params = {k: ([v] if isinstance(v, str) else list(v)) for k, v in (query or {}).items()}
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:tg/r/1"}},
        "httpMethod": method,
        "path": path,
        "body": body if body is not None else "",
        "isBase64Encoded": base64_body,
    }
    if multi:
        event["multiValueHeaders"] = headers
        event["multiValueQueryStringParameters"] = params
    else:
        event["headers"] = {k: v[-1] for k, v in headers.items()}
        event["queryStringParameters"] = {k: v[-1] for k, v in params.items()}
    return event


# ---- response checks --------------------------------------------------------------------------


def header_of(answer: Mapping[str, Any], name: str) -> str | None:
    name = name.lower()
    if "multiValueHeaders" in answer:
        for key, values in answer["multiValueHeaders"].items():
            if key.lower() == name:
                return str(values[0]) if values else None
        return None
    for key, value in answer.get("headers", {}).items():
        if key.lower() == name:
            return str(value)
    return None


def bearer_error(answer: Mapping[str, Any]) -> str | None:
    """The ``error`` attribute of WWW-Authenticate (None when the header has no error code)."""
    value = header_of(answer, "www-authenticate")
    assert value is not None, "a 400/401/403 of the resource server must carry WWW-Authenticate"
    assert value.startswith('Bearer realm="'), value
    for part in value[len("Bearer ") :].split(", "):
        name, _, quoted = part.partition("=")
        if name == "error":
            return quoted.strip('"')
    return None


def assert_valid_alb_response(answer: Any, *, multi: bool) -> Any:
    """Check an ALB response's shape (in the request's header mode); return the decoded JSON body."""
    assert isinstance(answer, dict), type(answer)
    status = answer.get("statusCode")
    assert type(status) is int, status
    assert 100 <= status <= 599
    description = answer.get("statusDescription")
    assert isinstance(description, str)
    assert description.startswith(str(status)), description
    assert answer.get("isBase64Encoded") is False
    if multi:
        assert "headers" not in answer
        headers = answer.get("multiValueHeaders")
        assert isinstance(headers, dict)
        for key, values in headers.items():
            assert isinstance(key, str)
            assert isinstance(values, list)
            assert values
            assert all(isinstance(v, str) for v in values)
    else:
        assert "multiValueHeaders" not in answer
        headers = answer.get("headers")
        assert isinstance(headers, dict)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    body = answer.get("body")
    assert isinstance(body, str)
    decoded = json.loads(body)
    assert decoded is not None
    assert isinstance(decoded, dict)
    content_type = header_of(answer, "content-type")
    assert content_type is not None
    assert content_type.startswith("application/json")
    return decoded


def retry_after_seconds(answer: Mapping[str, Any]) -> int:
    value = header_of(answer, "retry-after")
    assert value is not None
    assert value.isdigit()
    seconds = int(value)
    assert 1 <= seconds <= 3600
    assert math.isfinite(seconds)
    return seconds
