"""Strict single-pass parser of compact JWS access tokens, in front of any signature work.

Rules, in the order they run (each failure is a :class:`MalformedToken` or :class:`UnsupportedHeader`):

1. the token is a ``str`` of at most ``max_length`` characters (checked before anything else);
2. it is ASCII and has exactly three ``.``-separated segments (so JWE's five parts fail), each made of
   the base64url alphabet only: no padding ``=``, no ``+``/``/``, no whitespace or other characters;
3. each segment decodes canonically: a length of ``4k+1`` is impossible and the unused low bits of the
   last character must be zero (so every token has exactly one spelling);
4. header and payload are strict UTF-8 JSON objects without duplicate members or ``NaN``;
5. the header holds only ``alg``, ``kid`` and optionally ``typ``: ``alg`` is exactly ``"RS256"``
   (pinned by this module, never chosen by the token), ``kid`` a string of 1-256 printable ASCII
   characters without spaces, ``typ`` (Cognito sends none) ``JWT`` or ``at+jwt``. Anything else,
   notably ``jku``, ``x5u``, ``jwk``, ``x5c``, ``crit``, ``cty``, ``enc`` or ``zip``, is rejected.

Speed (the parse must cost a small fraction of one RSA verification): the token is encoded to
bytes and translated to the standard base64 alphabet in one C-level pass each (dots found with
``bytes.find``, no split, no regular expression over the token), and each segment is decoded once by
``pybase64.b64decode`` (SIMD; about 0.5 µs less than :func:`binascii.a2b_base64` for each of the
payload and the signature, measured by ``make bench``) in its non-validating mode. Input ``+``, ``/``
and ``=`` are translated to ``!``; the decoder skips every character outside the alphabet, so any
such character shortens its output, and a segment is accepted only when the output has exactly
``len(segment) * 3 // 4`` bytes (this is how foreign characters, padding and whitespace are
rejected). A valid header is the same string for every token signed by one key, so validated
headers are kept in a small bounded dictionary.
"""

from __future__ import annotations

import binascii
import re
from typing import Any, TypeGuard

from pybase64 import b64decode as _b64decode

from cognito_m2m_verifier import strict_json
from cognito_m2m_verifier.errors import MalformedToken, TokenTooLarge, UnsupportedHeader

MAX_TOKEN_LENGTH = 8192
"""Default size cap in characters. Cognito access tokens are about 1 KB; pre-token-generation
triggers can add claims, so the cap leaves a wide margin while bounding all later work."""

ALGORITHM = "RS256"
MAX_KID_LENGTH = 256
_HEADER_MEMBERS = frozenset({"alg", "kid", "typ"})
_TYPES = frozenset({"jwt", "at+jwt", "application/jwt", "application/at+jwt"})
_KID = re.compile(r"[\x21-\x7e]{1,%d}" % MAX_KID_LENGTH)  # noqa: UP031 - a regex, braces included
_HEADER_CACHE_SIZE = 32

# base64url -> standard base64. "+", "/" and "=" in the input become "!", which the decoder skips like
# every other character outside the alphabet (and the output-length check then rejects).
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
# value of each standard base64 character (others: 0; they are caught by the output-length check)
_SEXTET = bytearray(256)
for _i, _c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):
    _SEXTET[_c] = _i
_SEXTET_BYTES = bytes(_SEXTET)
_UNUSED_BITS = (0, 0, 0x0F, 0x03)  # by length % 4: the low bits of the last character that must be 0
_PADDING = (b"", b"", b"==", b"=")
_decode_b64 = _b64decode  # non-validating: skips characters outside the alphabet; the length check rejects
_B64_ERROR = binascii.Error  # pybase64 raises binascii.Error, as a2b_base64 does
_loads_utf8 = strict_json.loads_utf8
_StrictJsonError = strict_json.StrictJsonError
_decode_json = strict_json.decode_unchecked


def b64decode_standardized(segment: bytes) -> bytes:
    """Decode one segment already translated to the standard alphabet; canonical, unpadded, non-empty."""
    size = len(segment)
    rem = size & 3
    if rem == 1 or not size or _SEXTET_BYTES[segment[-1]] & _UNUSED_BITS[rem]:
        raise MalformedToken("segment is not canonical unpadded base64url")
    try:
        data = _decode_b64(segment + _PADDING[rem])
    except _B64_ERROR:
        raise MalformedToken("segment is not base64url") from None
    if len(data) != (size * 3) >> 2:
        raise MalformedToken("segment has characters outside base64url")
    return data


def is_valid_kid(kid: object) -> TypeGuard[str]:
    """A key id as accepted in headers and JWKS: 1-256 printable ASCII characters, no spaces."""
    return type(kid) is str and _KID.fullmatch(kid) is not None


def b64url_decode(text: str) -> bytes:
    """Strict base64url (RFC 7515 §2: no padding, canonical) of a ``str``; raise MalformedToken."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedToken("not ASCII") from None
    return b64decode_standardized(raw.translate(_TO_STANDARD))


class ParsedToken:
    """The parts of a token that passed the strict parse (signature not yet checked)."""

    __slots__ = ("kid", "payload", "signature", "signing_input")

    def __init__(self, kid: str, payload: dict[str, Any], signing_input: bytes, signature: bytes) -> None:
        self.kid = kid
        self.payload = payload
        self.signing_input = signing_input
        self.signature = signature


def parse_header(header: Any) -> str:
    """Validate a decoded JOSE header against what Cognito sends; return its ``kid``."""
    if type(header) is not dict:
        raise MalformedToken("header is not a JSON object")
    extra = header.keys() - _HEADER_MEMBERS
    if extra:
        names = ",".join(repr(name)[:40] for name in sorted(extra)[:5])  # repr: no control characters
        raise UnsupportedHeader(f"header member not allowed: {names}")
    if header.get("alg") != ALGORITHM:
        raise UnsupportedHeader("alg is not RS256")
    kid = header.get("kid")
    if not is_valid_kid(kid):
        raise UnsupportedHeader("kid is missing or not 1-256 printable ASCII characters")
    if "typ" in header:
        typ = header["typ"]
        if type(typ) is not str or typ.lower() not in _TYPES:
            raise UnsupportedHeader("typ is not JWT")
    return kid


class TokenParser:
    """Parses tokens strictly; keeps the few distinct valid headers it has seen (bounded)."""

    __slots__ = ("_headers", "max_length")

    def __init__(self, max_length: int = MAX_TOKEN_LENGTH) -> None:
        if not 64 <= max_length <= 1 << 20:
            raise ValueError("max_length must be between 64 and 1 MiB")
        self.max_length = max_length
        self._headers: dict[bytes, str] = {}

    def parse(self, token: str) -> ParsedToken:
        """Split, decode and check a token; raise a :class:`MalformedToken` or UnsupportedHeader."""
        return ParsedToken(*self.split(token))

    def split(self, token: str) -> tuple[str, dict[str, Any], bytes, bytes]:
        """:meth:`parse` as a plain tuple ``(kid, payload, signing_input, signature)`` (hot path)."""
        if type(token) is not str:
            raise MalformedToken("token is not a string")
        if len(token) > self.max_length:
            raise TokenTooLarge(f"token longer than {self.max_length} characters")
        try:
            raw = token.encode("ascii")
        except UnicodeEncodeError:
            raise MalformedToken("token is not ASCII") from None
        dot1 = raw.find(b".")
        dot2 = raw.find(b".", dot1 + 1)
        if dot1 < 0 or dot2 < 0 or raw.find(b".", dot2 + 1) >= 0:
            raise MalformedToken("token does not have three segments")
        standard = raw.translate(_TO_STANDARD)
        header_seg = standard[:dot1]
        kid = self._headers.get(header_seg)
        if kid is None:
            kid = parse_header(strict_json_object(b64decode_standardized(header_seg), "header"))
            headers = self._headers
            if len(headers) >= _HEADER_CACHE_SIZE:
                headers.clear()
            headers[header_seg] = kid
        # payload and signature: b64decode_standardized and strict_json_object, inlined (hot path)
        payload_seg = standard[dot1 + 1 : dot2]
        signature_seg = standard[dot2 + 1 :]
        p_size = len(payload_seg)
        s_size = len(signature_seg)
        p_rem = p_size & 3
        s_rem = s_size & 3
        if (
            p_rem == 1
            or s_rem == 1
            or not p_size
            or not s_size
            or _SEXTET_BYTES[payload_seg[-1]] & _UNUSED_BITS[p_rem]
            or _SEXTET_BYTES[signature_seg[-1]] & _UNUSED_BITS[s_rem]
        ):
            raise MalformedToken("segment is not canonical unpadded base64url")
        try:
            payload_bytes = _decode_b64(payload_seg + _PADDING[p_rem])
            signature = _decode_b64(signature_seg + _PADDING[s_rem])
        except _B64_ERROR:
            raise MalformedToken("segment is not base64url") from None
        if len(payload_bytes) != (p_size * 3) >> 2 or len(signature) != (s_size * 3) >> 2:
            raise MalformedToken("segment has characters outside base64url")
        try:
            payload = _decode_json(payload_bytes)
        except (ValueError, RecursionError):  # StrictJsonError, JSONDecodeError, UnicodeDecodeError
            raise MalformedToken("payload is not strict JSON") from None
        if type(payload) is not dict:
            raise MalformedToken("payload is not a JSON object")
        return kid, payload, raw[:dot2], signature


def strict_json_object(data: bytes, what: str) -> dict[str, Any]:
    """Decode a segment's bytes as a strict UTF-8 JSON object; raise :class:`MalformedToken`."""
    try:
        value = _loads_utf8(data)
    except _StrictJsonError as exc:
        raise MalformedToken(f"{what}: {exc}") from None
    if type(value) is not dict:
        raise MalformedToken(f"{what} is not a JSON object")
    return value
