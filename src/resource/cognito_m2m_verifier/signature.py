"""RS256 signature check: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3, RFC 8017 §8.2.2).

The RFC's verification encodes the expected value and compares it whole: ``EM' = 00 01 FF..FF 00 ||
DigestInfo(SHA-256, H(M))``, with at least 8 ``FF`` bytes, against ``EM = s^e mod n``. Here
``cryptography`` (OpenSSL) applies the public key and checks the padding layer (``00 01``, ``FF``
bytes only, at least 8 of them, then ``00``) in ``recover_data_from_signature(..., NoDigestInfo())``,
and what it returns must be byte for byte the DER ``DigestInfo`` prefix of SHA-256 followed by the
:mod:`hashlib` (OpenSSL) digest of the signing input. A different hash, a ``DigestInfo`` without its
``NULL`` parameter, a short digest or trailing bytes therefore fail, as they fail
``verify(signature, data, PKCS1v15(), SHA256())``; ``tests/resource/test_signature.py`` crafts such
encodings with real private-key operations and checks that both answer the same.

Why not ``verify`` itself: with OpenSSL 3 each ``verify`` fetches a digest method for the context, and
this path costs about 1.2 µs less per token (``make bench``; 6 % of one RSA-2048 verification).
"""

from __future__ import annotations

from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo

SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
"""DER of ``DigestInfo{AlgorithmIdentifier{id-sha256, NULL}, OCTET STRING(32)}`` up to the digest
(RFC 8017 §9.2, note 1)."""

_PADDING = PKCS1v15()
_NO_DIGEST_INFO = NoDigestInfo()


def signature_matches(
    key: RSAPublicKey, signing_input: bytes, signature: bytes, modulus_octets: int | None = None
) -> bool:
    """True when ``signature`` is ``key``'s RS256 signature of exactly ``signing_input``.

    Step 1 of RFC 8017 §8.2.2 comes first: the signature must have exactly the modulus' length in
    octets (``modulus_octets``, computed from the key when not given; the JWKS cache keeps it beside
    each key). ``recover_data_from_signature`` reads a shorter one as the same number, so without this
    a genuine signature that starts with a zero byte would also verify with that byte dropped: two
    spellings of one token (``verify`` rejects the short one).
    """
    if len(signature) != (modulus_octets or (key.key_size + 7) >> 3):
        return False
    try:
        recovered = key.recover_data_from_signature(signature, _PADDING, _NO_DIGEST_INFO)
    except InvalidSignature:  # value not below n, or a bad padding layer
        return False
    return recovered == SHA256_DIGEST_INFO_PREFIX + sha256(signing_input).digest()
