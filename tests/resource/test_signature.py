"""cognito_m2m_verifier.signature: the RS256 check answers exactly as ``cryptography``'s own ``verify``.

Every signature here is a real RSA private-key operation (``pow(EM, d, n)`` with a generated key's
private exponent) over an encoded message ``EM`` built by hand, so that malformed encodings that no
signing API would produce can be tested: a different hash, ``DigestInfo`` without its ``NULL``, a bare
digest, a short or non-``FF`` padding string, block type 2, trailing bytes. For each, the answer of
:func:`signature_matches` is compared with ``verify(signature, data, PKCS1v15(), SHA256())``.
Nothing is mocked.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognito_m2m_verifier.signature import SHA256_DIGEST_INFO_PREFIX, signature_matches

MESSAGE = b"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJleHAiOjF9"
SHA512_DIGEST_INFO_PREFIX = bytes.fromhex("3051300d060960864801650304020305000440")
SHA256_DIGEST_INFO_NO_NULL = bytes.fromhex("302f300b0609608648016503040201") + bytes.fromhex("0420")


@pytest.fixture(scope="module", params=[2048, 3072])
def key(request: pytest.FixtureRequest) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=request.param)


def size_of(key: rsa.RSAPrivateKey) -> int:
    return (key.key_size + 7) // 8


def raw_sign(key: rsa.RSAPrivateKey, encoded: bytes) -> bytes:
    """The RSA private-key operation on an encoded message of the modulus' length (RFC 8017 RSASP1)."""
    numbers = key.private_numbers()
    k = size_of(key)
    assert len(encoded) == k
    value = int.from_bytes(encoded, "big")
    assert value < numbers.public_numbers.n
    return pow(value, numbers.d, numbers.public_numbers.n).to_bytes(k, "big")


def emsa(key: rsa.RSAPrivateKey, t: bytes, *, block_type: int = 1, fill: int = 0xFF) -> bytes:
    """``00 || block_type || PS || 00 || T`` of the modulus' length, PS made of ``fill``."""
    return bytes([0, block_type]) + bytes([fill]) * (size_of(key) - 3 - len(t)) + b"\x00" + t


def zero_at(encoded: bytes, index: int) -> bytes:
    return encoded[:index] + b"\x00" + encoded[index + 1 :]


def cryptography_verifies(key: rsa.RSAPrivateKey, message: bytes, signature: bytes) -> bool:
    try:
        key.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def digest_info(message: bytes) -> bytes:
    return SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(message).digest()


def test_prefix_is_the_der_of_sha256_digest_info() -> None:
    # SEQUENCE(49){ SEQUENCE(13){ OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING(32) }
    expected = bytes(
        [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
    ) + bytes([0x05, 0x00, 0x04, 0x20])
    assert expected == SHA256_DIGEST_INFO_PREFIX


def test_a_library_signature_matches(key: rsa.RSAPrivateKey) -> None:
    signature = key.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    assert signature_matches(key.public_key(), MESSAGE, signature)
    assert raw_sign(key, emsa(key, digest_info(MESSAGE))) == signature  # the hand encoding is the standard


def test_another_message_or_key_does_not_match(key: rsa.RSAPrivateKey) -> None:
    signature = key.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    assert not signature_matches(key.public_key(), MESSAGE + b"x", signature)
    assert not signature_matches(key.public_key(), MESSAGE[:-1], signature)
    other = rsa.generate_private_key(public_exponent=65537, key_size=key.key_size)
    assert not signature_matches(other.public_key(), MESSAGE, signature)


CRAFTED = {
    "standard": lambda k, m: emsa(k, digest_info(m)),
    "sha512 DigestInfo": lambda k, m: emsa(k, SHA512_DIGEST_INFO_PREFIX + hashlib.sha512(m).digest()),
    "sha256 of another message": lambda k, m: emsa(k, digest_info(m + b".")),
    "DigestInfo without NULL": lambda k, m: emsa(k, SHA256_DIGEST_INFO_NO_NULL + hashlib.sha256(m).digest()),
    "bare digest, no DigestInfo": lambda k, m: emsa(k, hashlib.sha256(m).digest()),
    "digest one byte short": lambda k, m: emsa(k, digest_info(m)[:-1]),
    "trailing zero byte": lambda k, m: emsa(k, digest_info(m) + b"\x00"),
    "trailing garbage": lambda k, m: emsa(k, digest_info(m) + b"\x01\x02\x03"),
    "leading garbage in T": lambda k, m: emsa(k, b"\xff\x00" + digest_info(m)),
    "padding byte not FF": lambda k, m: emsa(k, digest_info(m), fill=0xFE),
    "block type 2": lambda k, m: emsa(k, digest_info(m), block_type=2),
    "block type 0": lambda k, m: emsa(k, digest_info(m), block_type=0, fill=0),
    "one FF replaced by 00 early": lambda k, m: zero_at(emsa(k, digest_info(m)), 5),
    "padding string of 7 bytes": lambda k, m: (
        b"\x00\x01" + b"\xff" * 7 + b"\x00" + b"\x00" * (size_of(k) - 10 - 51) + digest_info(m)
    ),
    "no zero separator": lambda k, m: b"\x00\x01" + b"\xff" * (size_of(k) - 2 - 51) + digest_info(m),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_encodings_answer_like_cryptography_verify(key: rsa.RSAPrivateKey, case: str) -> None:
    signature = raw_sign(key, CRAFTED[case](key, MESSAGE))
    expected = case == "standard"
    assert cryptography_verifies(key, MESSAGE, signature) is expected
    assert signature_matches(key.public_key(), MESSAGE, signature) is expected


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda k, s: b"", id="empty"),
        pytest.param(lambda k, s: s[1:], id="one byte short"),
        pytest.param(lambda k, s: s + b"\x00", id="one byte long"),
        pytest.param(lambda k, s: b"\x00" + s, id="leading zero added"),
        pytest.param(lambda k, s: b"\x00" * len(s), id="zero"),
        pytest.param(lambda k, s: (1).to_bytes(len(s), "big"), id="one"),
        pytest.param(lambda k, s: k.public_key().public_numbers().n.to_bytes(len(s), "big"), id="n itself"),
        pytest.param(lambda k, s: b"\xff" * len(s), id="above n"),
    ],
)
def test_out_of_range_signatures_are_false_not_errors(key: rsa.RSAPrivateKey, make: object) -> None:
    signature = key.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    bad = make(key, signature)  # type: ignore[operator]
    assert cryptography_verifies(key, MESSAGE, bad) is False
    assert signature_matches(key.public_key(), MESSAGE, bad) is False


@pytest.fixture(scope="module")
def key_2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    message=st.binary(max_size=64),
    flips=st.lists(st.tuples(st.integers(0, 255), st.integers(1, 255)), min_size=0, max_size=3),
)
def test_mutated_signatures_answer_like_cryptography_verify(
    key_2048: rsa.RSAPrivateKey, message: bytes, flips: list[tuple[int, int]]
) -> None:
    signature = bytearray(key_2048.sign(message, padding.PKCS1v15(), hashes.SHA256()))
    for index, mask in flips:
        signature[index] ^= mask
    mutated = bytes(signature)
    assert signature_matches(key_2048.public_key(), message, mutated) is cryptography_verifies(
        key_2048, message, mutated
    )


def test_signature_shorter_than_the_modulus_is_rejected_like_verify_does() -> None:
    """RFC 8017 §8.2.2 step 1: a signature whose length is not the modulus' length is invalid.

    About 1 in 256 genuine signatures starts with a zero byte; the same number written without that byte
    is a second spelling of the token, which ``recover_data_from_signature`` accepts and ``verify`` does
    not. Many real tokens are signed until 8 such signatures turn up; each must keep one spelling only.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    found = 0
    for index in range(20_000):
        message = MESSAGE + b"." + str(index).encode()
        signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        if signature[0] != 0:
            continue
        found += 1
        short = signature[1:]
        assert signature_matches(public, message, signature)
        assert cryptography_verifies(key, message, signature)
        assert not cryptography_verifies(key, message, short)
        assert not signature_matches(public, message, short), "a 255-byte spelling of a genuine signature"
        assert not signature_matches(public, message, b"\x00" + signature), "one byte longer than n"
        if found == 8:
            break
    assert found == 8, "expected 8 signatures with a leading zero byte among 20,000"
