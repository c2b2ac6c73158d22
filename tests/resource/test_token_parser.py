"""cognito_m2m_verifier.token_parser: the strict single-pass parse, rule by rule."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from resource_testkit import KID, TokenFactory, b64url

from cognito_m2m_verifier.errors import MalformedToken, TokenTooLarge, UnsupportedHeader
from cognito_m2m_verifier.token_parser import TokenParser, b64url_decode, parse_header

HEADER = {"kid": KID, "alg": "RS256"}
SIG = b64url(b"\x01" * 256)


def token_of(header: object, payload: object, signature: str = SIG) -> str:
    def enc(part: object) -> str:
        raw = part if isinstance(part, bytes) else json.dumps(part).encode()
        return b64url(raw)

    return f"{enc(header)}.{enc(payload)}.{signature}"


@pytest.fixture
def parser() -> TokenParser:
    return TokenParser()


def test_parses_a_cognito_shaped_token(parser: TokenParser, tokens: TokenFactory) -> None:
    token = tokens.make()
    parsed = parser.parse(token)
    assert parsed.kid == KID
    assert parsed.payload["token_use"] == "access"
    assert parsed.signing_input == token.rsplit(".", 1)[0].encode()
    assert len(parsed.signature) == 256
    # the header is cached: a second parse of another token with the same header gives the same kid
    assert parser.parse(tokens.make()).kid == KID


def test_header_cache_stays_bounded(parser: TokenParser) -> None:
    for i in range(100):
        parser.parse(token_of({"kid": f"k{i}", "alg": "RS256"}, {"a": 1}))
    assert len(parser._headers) <= 32


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",  # JWE compact form
        "..",
    ],
)
def test_rejects_wrong_segment_count(parser: TokenParser, token: str) -> None:
    with pytest.raises(MalformedToken):
        parser.parse(token)


def test_rejects_empty_segments(parser: TokenParser) -> None:
    h, p, s = token_of(HEADER, {"a": 1}).split(".")
    for bad in (f"{h}..{s}", f".{p}.{s}", f"{h}.{p}.", f"{h}.{p}.{s}."):
        with pytest.raises(MalformedToken):
            parser.parse(bad)


def test_rejects_padding(parser: TokenParser) -> None:
    token = token_of(HEADER, {"a": 1})
    h, p, s = token.split(".")
    padded = base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode()
    assert padded.endswith("=")
    for bad in (f"{h}.{padded}.{s}", f"{h}.{p}.{s}==", f"{h}=.{p}.{s}"):
        with pytest.raises(MalformedToken):
            parser.parse(bad)


@pytest.mark.parametrize("char", ["+", "/", "=", " ", "\n", "\t", "!", "%", "*", "\x00"])
def test_rejects_foreign_characters_anywhere(parser: TokenParser, char: str) -> None:
    token = token_of(HEADER, {"a": 1})
    h, p, s = token.split(".")
    for bad in (f"{h}.{p[:4]}{char}{p[4:]}.{s}", f"{h}.{p}.{s[:8]}{char}{s[8:]}", f"{char}{h}.{p}.{s}"):
        with pytest.raises(MalformedToken):
            parser.parse(bad)


def test_rejects_non_ascii(parser: TokenParser) -> None:
    token = token_of(HEADER, {"a": 1})
    with pytest.raises(MalformedToken):
        parser.parse(token[:10] + "é" + token[10:])
    with pytest.raises(MalformedToken):
        parser.parse(token + "\u0660")


def test_rejects_non_canonical_trailing_bits(parser: TokenParser) -> None:
    # "QQ" is canonical for b"A"; "QR" decodes to the same byte in lenient decoders
    assert b64url_decode("QQ") == b"A"
    with pytest.raises(MalformedToken):
        b64url_decode("QR")
    assert b64url_decode("QUI") == b"AB"
    with pytest.raises(MalformedToken):
        b64url_decode("QUJ")
    token = token_of(HEADER, {"a": 1}, signature="QR")
    with pytest.raises(MalformedToken):
        parser.parse(token)


def test_rejects_impossible_base64_length(parser: TokenParser) -> None:
    with pytest.raises(MalformedToken):
        b64url_decode("QUJDR")
    with pytest.raises(MalformedToken):
        b64url_decode("")
    with pytest.raises(MalformedToken):
        b64url_decode("Q\u00e9")
    with pytest.raises(MalformedToken):
        parser.parse(token_of(HEADER, {"a": 1}, signature="QUJDR"))


def test_size_cap_comes_first(parser: TokenParser) -> None:
    with pytest.raises(TokenTooLarge):
        parser.parse("a" * 8193)
    big = token_of(HEADER, {"pad": "x" * 9000})
    with pytest.raises(TokenTooLarge):
        parser.parse(big)
    assert TokenParser(max_length=20_000).parse(big).payload["pad"] == "x" * 9000
    with pytest.raises(ValueError, match="max_length"):
        TokenParser(max_length=10)


def test_rejects_non_string(parser: TokenParser) -> None:
    with pytest.raises(MalformedToken):
        parser.parse(b"a.b.c")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xfe",  # not UTF-8
        b'{"a": "\xed\xa0\x80"}',  # UTF-8-encoded surrogate
        b"[1, 2]",
        b'"string"',
        b"null",
        b'{"exp": 1, "exp": 2}',
        b'{"exp": NaN}',
        b'{"exp": Infinity}',
        b"{",
        b"\xef\xbb\xbf{}",
    ],
)
def test_rejects_payload_that_is_not_a_strict_json_object(parser: TokenParser, payload: bytes) -> None:
    with pytest.raises(MalformedToken):
        parser.parse(token_of(HEADER, payload))


@pytest.mark.parametrize(
    "header",
    [
        b"[]",
        b'{"kid": "a", "alg": "RS256", "kid": "b"}',
        b"\xff",
    ],
)
def test_rejects_header_that_is_not_a_strict_json_object(parser: TokenParser, header: bytes) -> None:
    with pytest.raises(MalformedToken):
        parser.parse(token_of(header, {"a": 1}))


@pytest.mark.parametrize(
    "header",
    [
        {"kid": KID},  # no alg
        {"kid": KID, "alg": "none"},
        {"kid": KID, "alg": "None"},
        {"kid": KID, "alg": "HS256"},
        {"kid": KID, "alg": "RS384"},
        {"kid": KID, "alg": "rs256"},
        {"kid": KID, "alg": "PS256"},
        {"kid": KID, "alg": "ES256"},
        {"kid": KID, "alg": ["RS256"]},
        {"alg": "RS256"},  # no kid
        {"kid": "", "alg": "RS256"},
        {"kid": 7, "alg": "RS256"},
        {"kid": "a b", "alg": "RS256"},
        {"kid": "a\nb", "alg": "RS256"},
        {"kid": "k\u00e9", "alg": "RS256"},
        {"kid": "k" * 257, "alg": "RS256"},
        {"kid": "../../etc/passwd\u0000", "alg": "RS256"},
        {"kid": KID, "alg": "RS256", "jku": "https://evil.example/jwks.json"},
        {"kid": KID, "alg": "RS256", "x5u": "https://evil.example/cert.pem"},
        {"kid": KID, "alg": "RS256", "jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}},
        {"kid": KID, "alg": "RS256", "x5c": ["MIIB"]},
        {"kid": KID, "alg": "RS256", "crit": ["b64"]},
        {"kid": KID, "alg": "RS256", "b64": False, "crit": ["b64"]},
        {"kid": KID, "alg": "RS256", "cty": "JWT"},
        {"kid": KID, "alg": "RS256", "enc": "A256GCM"},
        {"kid": KID, "alg": "RS256", "zip": "DEF"},
        {"kid": KID, "alg": "RS256", "x5t": "abc"},
        {"kid": KID, "alg": "RS256", "typ": "JOSE"},
        {"kid": KID, "alg": "RS256", "typ": 1},
    ],
)
def test_rejects_headers_cognito_never_sends(parser: TokenParser, header: dict[str, object]) -> None:
    with pytest.raises(UnsupportedHeader):
        parser.parse(token_of(header, {"a": 1}))


@pytest.mark.parametrize("typ", ["JWT", "jwt", "at+jwt", "application/at+JWT"])
def test_accepts_typ_jwt(parser: TokenParser, typ: str) -> None:
    assert parse_header({"kid": KID, "alg": "RS256", "typ": typ}) == KID
    assert parser.parse(token_of({"typ": typ, "kid": "x", "alg": "RS256"}, {"a": 1})).kid == "x"


def test_kid_is_opaque_printable_ascii(parser: TokenParser) -> None:
    for kid in (KID, "a", "k" * 256, "!~{}[]\"'\\"):
        assert parser.parse(token_of({"kid": kid, "alg": "RS256"}, {"a": 1})).kid == kid


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=64),
    position=st.integers(min_value=0),
    char=st.sampled_from([c for c in (chr(i) for i in range(128)) if not (c.isalnum() or c in "-_")]),
    replace=st.booleans(),
)
def test_b64url_decode_is_exact_and_rejects_any_foreign_character(
    data: bytes, position: int, char: str, replace: bool
) -> None:
    text = b64url(data)
    assert b64url_decode(text) == data
    position %= len(text) + (0 if replace else 1)
    mutated = text[:position] + char + text[position + (1 if replace else 0) :]
    with pytest.raises(MalformedToken):
        b64url_decode(mutated)


def test_unsupported_header_detail_escapes_member_names(parser: TokenParser) -> None:
    with pytest.raises(UnsupportedHeader) as caught:
        parser.parse(token_of({"kid": KID, "alg": "RS256", "x\nINFO forged": 1}, {"a": 1}))
    assert "\n" not in caught.value.detail


def test_foreign_characters_that_keep_the_length_valid_are_caught_by_the_output_length(
    parser: TokenParser,
) -> None:
    # four skipped characters leave a multiple of four: the decoder would succeed, the length check won't
    assert b64url_decode("QUJD") == b"ABC"
    for bad in ("QUJD!!!!", "QU  JD  ", "Q+U/J=D!", "QUJD\n\n\n\n"):
        with pytest.raises(MalformedToken):
            b64url_decode(bad)
    h, p, s = token_of(HEADER, {"a": 1}).split(".")
    for bad in (f"{h}.{p[:4]}!!!!{p[4:]}.{s}", f"{h}.{p}.{s[:4]}    {s[4:]}"):
        with pytest.raises(MalformedToken):
            parser.parse(bad)


def test_parse_header_requires_an_object() -> None:
    with pytest.raises(MalformedToken):
        parse_header(["alg", "RS256"])
