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

Speed: the whole token is translated to the standard base64 alphabet in one C-level pass (dots found with
``bytes.find``, no split) and each
segment decoded once by :func:`binascii.a2b_base64` in strict mode; characters outside the alphabet
(and ``+``, ``/``, ``=`` in the input, which are mapped to an invalid character) make that decoder
fail, so no regular expression runs over the token. A valid header is the same string for every
token signed by one key, so validated headers are kept in a small bounded dictionary.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from resource_server import strict_json
from resource_server.errors import MalformedToken, TokenTooLarge, UnsupportedHeader

MAX_TOKEN_LENGTH = 8192
"""Default size cap in characters. Cognito access tokens are about 1 KB; pre-token-generation
triggers can add claims, so the cap leaves a wide margin while bounding all later work."""

ALGORITHM = "RS256"
MAX_KID_LENGTH = 256
_HEADER_MEMBERS = frozenset({"alg", "kid", "typ"})
_TYPES = frozenset({"jwt", "at+jwt", "application/jwt", "application/at+jwt"})
_KID = re.compile(r"[\x21-\x7e]{1,256}")
_HEADER_CACHE_SIZE = 32

# base64url -> standard base64. "+", "/" and "=" in the input become "!", which the strict decoder
# rejects like every other character outside the alphabet.
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
# value of each standard base64 character (others: 0; they fail decoding anyway)
_SEXTET = bytearray(256)
for _i, _c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):
    _SEXTET[_c] = _i
_SEXTET_BYTES = bytes(_SEXTET)
_a2b = binascii.a2b_base64
_B64_ERROR = binascii.Error
_loads_utf8 = strict_json.loads_utf8
_StrictJsonError = strict_json.StrictJsonError


def b64decode_standardized(segment: bytes) -> bytes:
    """Decode one segment already translated to the standard alphabet; canonical, unpadded, non-empty."""
    rem = len(segment) & 3
    if rem:
        if rem == 1:
            raise MalformedToken("base64url segment has an impossible length")
        if _SEXTET_BYTES[segment[-1]] & (0x0F if rem == 2 else 0x03):
            raise MalformedToken("base64url segment is not canonical")
        segment += b"==" if rem == 2 else b"="
    elif not segment:
        raise MalformedToken("empty segment")
    try:
        return _a2b(segment, strict_mode=True)
    except _B64_ERROR:
        raise MalformedToken("segment is not base64url") from None


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
        raise UnsupportedHeader("header member not allowed: " + ",".join(sorted(extra))[:100])
    if header.get("alg") != ALGORITHM:
        raise UnsupportedHeader("alg is not RS256")
    kid = header.get("kid")
    if type(kid) is not str or not _KID.fullmatch(kid):
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
        payload = strict_json_object(b64decode_standardized(standard[dot1 + 1 : dot2]), "payload")
        return ParsedToken(kid, payload, raw[:dot2], b64decode_standardized(standard[dot2 + 1 :]))


def strict_json_object(data: bytes, what: str) -> dict[str, Any]:
    """Decode a segment's bytes as a strict UTF-8 JSON object; raise :class:`MalformedToken`."""
    try:
        value = _loads_utf8(data)
    except _StrictJsonError as exc:
        raise MalformedToken(f"{what}: {exc}") from None
    if type(value) is not dict:
        raise MalformedToken(f"{what} is not a JSON object")
    return value
