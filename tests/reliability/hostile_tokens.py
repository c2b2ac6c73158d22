"""A named corpus of hostile tokens and Authorization headers, derived from RFC 6750 §2-3, RFC 8725,
RFC 7515/7519 and the Cognito reference (sections 5-10: aws-jwt-verify's checks and gaps, PyJWT's
pitfalls, the resource-server checklist).

Each :class:`Case` builds its request from the suite's keys and says the exact status and the
``WWW-Authenticate`` ``error`` expected (``None``: the header carries no error code, as RFC 6750 §3.1
wants for a request without Bearer credentials).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes

from tests.reliability.support import (
    CLIENT_ID,
    DUP_KID,
    EC_KID,
    ENC_KID,
    ISSUER,
    KID,
    KID2,
    NOW,
    OTHER_CLIENT_ID,
    POOL_ID,
    READ,
    WEAK_KID,
    WRITE,
    KeyRing,
    b64url,
    claims,
    compact_json,
    es_sign,
    hs_sign,
    ps_sign,
    public_pem,
    rs_sign,
    signing_input,
    token,
)

INVALID_REQUEST = (400, "invalid_request")
INVALID_TOKEN = (401, "invalid_token")
NO_CREDENTIALS = (401, None)
INSUFFICIENT = (403, "insufficient_scope")


@dataclass(frozen=True)
class Request:
    authorization: str | list[str] | None
    method: str = "GET"
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[KeyRing], Request]
    expect: tuple[int, str | None]
    source: str  # the rule it attacks


def bearer(value: str) -> Request:
    return Request(f"Bearer {value}")


def _signed(header: Any, payload: Any, ring: KeyRing) -> str:
    data = signing_input(header, payload)
    return data + "." + rs_sign(data, ring.main)


def _raw(header_json: bytes, payload_json: bytes, ring: KeyRing) -> str:
    data = b64url(header_json) + "." + b64url(payload_json)
    return data + "." + rs_sign(data, ring.main)


def _good(ring: KeyRing) -> str:
    return token(ring.main)


def _flip_payload_char(ring: KeyRing) -> str:
    head, payload, sig = _good(ring).split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    return f"{head}.{payload[:middle]}{swapped}{payload[middle + 1 :]}.{sig}"


def _edited_payload_same_signature(ring: KeyRing) -> str:
    head, _, sig = _good(ring).split(".")
    payload = b64url(compact_json(claims(jti="8f1c0000-0000-4000-8000-0000000000ff")))
    return f"{head}.{payload}.{sig}"


def _flip_sig_char(ring: KeyRing) -> str:
    head, payload, sig = _good(ring).split(".")
    swapped = "A" if sig[10] != "A" else "B"
    return f"{head}.{payload}.{sig[:10]}{swapped}{sig[11:]}"


def _noncanonical_sig(ring: KeyRing) -> str:
    # 256-byte signature -> 342 characters, 2 bits unused in the last one: set them.
    head, payload, sig = _good(ring).split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    return f"{head}.{payload}.{sig[:-1]}{alphabet[last | 1 if last & 3 == 0 else last]}"


def _padded_sig(ring: KeyRing) -> str:
    head, payload, sig = _good(ring).split(".")
    return f"{head}.{payload}.{sig}=="


def _standard_alphabet(ring: KeyRing) -> str:
    # the same token with its signature in the standard alphabet (+ and / instead of - and _)
    head, payload, sig = _good(ring).split(".")
    raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    std = base64.b64encode(raw).decode().rstrip("=")
    if std == sig:  # no - or _ in this signature: force a '+'
        std = "+" + std[1:]
    return f"{head}.{payload}.{std}"


def _other_tokens_sig(ring: KeyRing) -> str:
    head, payload, _ = token(ring.main, scope=READ).split(".")
    sig = token(ring.main, scope=WRITE).split(".")[2]
    return f"{head}.{payload}.{sig}"


def _truncated_sig(ring: KeyRing) -> str:
    head, payload, sig = _good(ring).split(".")
    return f"{head}.{payload}.{sig[:-4]}"


def _hs256_pem(ring: KeyRing) -> str:
    data = signing_input({"alg": "HS256", "kid": KID}, claims())
    return data + "." + hs_sign(data, public_pem(ring.main))


def _hs256_jwk_n(ring: KeyRing) -> str:
    n = ring.main.public_key().public_numbers().n
    data = signing_input({"alg": "HS256", "kid": KID}, claims())
    return data + "." + hs_sign(data, n.to_bytes(256, "big"))


def _alg(name: str, sign: str = "none") -> Callable[[KeyRing], str]:
    def build(ring: KeyRing) -> str:
        data = signing_input({"alg": name, "kid": KID}, claims())
        if sign == "none":
            return data + "."
        if sign == "rs512":
            return data + "." + rs_sign(data, ring.main, hashes.SHA512())
        if sign == "ps256":
            return data + "." + ps_sign(data, ring.main)
        if sign == "es256":
            return data + "." + es_sign(data, ring.ec)
        return data + "." + rs_sign(data, ring.main)

    return build


def _rs256_header_ps256_sig(ring: KeyRing) -> str:
    data = signing_input({"alg": "RS256", "kid": KID}, claims())
    return data + "." + ps_sign(data, ring.main)


def _header(**hdr: Any) -> Callable[[KeyRing], str]:
    def build(ring: KeyRing) -> str:
        return token(ring.main, header={"alg": "RS256", "kid": KID, **hdr})

    return build


def _header_only(hdr: Any) -> Callable[[KeyRing], str]:
    return lambda ring: token(ring.main, header=hdr)


def _embedded_jwk(ring: KeyRing) -> str:
    numbers = ring.stranger.public_key().public_numbers()
    jwk = {"kty": "RSA", "n": b64url(numbers.n.to_bytes(256, "big")), "e": "AQAB", "kid": KID}
    return token(ring.stranger, header={"alg": "RS256", "kid": KID, "jwk": jwk})


def _claims(**over: Any) -> Callable[[KeyRing], str]:
    return lambda ring: token(ring.main, **over)


def _payload(value: Any) -> Callable[[KeyRing], str]:
    return lambda ring: token(ring.main, payload=value)


def _raw_payload(payload: bytes) -> Callable[[KeyRing], str]:
    return lambda ring: _raw(compact_json({"alg": "RS256", "kid": KID}), payload, ring)


def _raw_header(header: bytes) -> Callable[[KeyRing], str]:
    return lambda ring: _raw(header, compact_json(claims()), ring)


def _good_payload_text() -> str:
    return json.dumps(claims(), separators=(",", ":"))


def _b(build: Callable[[KeyRing], str]) -> Callable[[KeyRing], Request]:
    return lambda ring: bearer(build(ring))


def _post(build: Callable[[KeyRing], str]) -> Callable[[KeyRing], Request]:
    return lambda ring: Request(f"Bearer {build(ring)}", method="POST")


_DEEP = ("[" * 2000 + "]" * 2000).encode()  # deeper than json can recurse, under the size cap
_BIG_EXP = ('{"exp":' + "9" * 5000 + "}").encode()


def _shadowed_client_id() -> bytes:
    """Claims with a second ``client_id`` member naming another client (strict JSON refuses duplicates)."""
    return compact_json(claims())[:-1] + b',"client_id":"' + OTHER_CLIENT_ID.encode() + b'"}'


def _nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"n": value}
    return value


CASES: list[Case] = [
    # ---- the Authorization header itself (RFC 6750 §2.1, §3; RFC 7235) ----------------------------
    Case("no_authorization_header", lambda r: Request(None), NO_CREDENTIALS, "6750 §3.1"),
    Case("basic_scheme", lambda r: Request("Basic dXNlcjpwYXNzd29yZA=="), NO_CREDENTIALS, "6750 §3.1"),
    Case("digest_scheme", lambda r: Request('Digest username="x"'), NO_CREDENTIALS, "6750 §3.1"),
    Case("bearer_without_token", lambda r: Request("Bearer"), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_space_only", lambda r: Request("Bearer    "), INVALID_REQUEST, "6750 §2.1"),
    Case("empty_authorization", lambda r: Request(""), INVALID_REQUEST, "6750 §3.1"),
    Case("bearer_tab_separator", lambda r: Request("Bearer\t" + _good(r)), NO_CREDENTIALS, "6750 §2.1"),
    Case("bearer_two_tokens", lambda r: bearer(_good(r) + " " + _good(r)), INVALID_REQUEST, "6750 §3.1"),
    Case("bearer_comma_list", lambda r: bearer(_good(r) + "," + _good(r)), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_quoted_token", lambda r: bearer('"' + _good(r) + '"'), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_non_ascii", lambda r: bearer(_good(r) + "é"), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_lone_surrogate", lambda r: bearer(_good(r)[:40] + "\ud800"), INVALID_REQUEST, "8725 §3.7"),
    Case("bearer_nul_byte", lambda r: bearer(_good(r) + "\x00"), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_crlf_injection", lambda r: bearer("abc\r\nX-Injected: 1"), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_equals_first", lambda r: bearer("=abc.def.ghi"), INVALID_REQUEST, "6750 §2.1"),
    Case("bearer_padding_mid_token", lambda r: bearer("eyJ=.eyJ.sig"), INVALID_REQUEST, "6750 §2.1"),
    Case(
        "authorization_over_16k",
        lambda r: bearer("A" * 17000),
        INVALID_REQUEST,
        "size cap (checklist 10)",
    ),
    Case(
        "two_authorization_headers",
        lambda r: Request([f"Bearer {_good(r)}", f"Bearer {_good(r)}"]),
        INVALID_REQUEST,
        "6750 §3.1 (several tokens)",
    ),
    Case(
        "token_in_header_and_query",
        lambda r: Request(f"Bearer {_good(r)}", query={"access_token": _good(r)}),
        INVALID_REQUEST,
        "6750 §3.1 (two places)",
    ),
    Case(
        "token_in_query_only",
        lambda r: Request(None, query={"access_token": _good(r)}),
        INVALID_REQUEST,
        "6750 §2.3 not supported",
    ),
    # ---- compact serialization (RFC 7515 §7.1, checklist: strict 3-part regex) ---------------------
    Case("two_segments", _b(lambda r: ".".join(_good(r).split(".")[:2])), INVALID_TOKEN, "7515 §7.1"),
    Case("four_segments", _b(lambda r: _good(r) + ".AAAA"), INVALID_TOKEN, "7515 §7.1"),
    Case("jwe_five_segments", _b(lambda r: "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), INVALID_TOKEN, "8725 §3.3"),
    Case("empty_segments", _b(lambda r: ".."), INVALID_TOKEN, "7515 §7.1"),
    Case("empty_signature", _b(lambda r: _good(r).rsplit(".", 1)[0] + "."), INVALID_TOKEN, "8725 §3.2"),
    Case("signature_padding", _b(_padded_sig), INVALID_TOKEN, "7515 §2 (no padding)"),
    Case("standard_base64_alphabet", _b(_standard_alphabet), INVALID_TOKEN, "PyJWT lenient base64"),
    Case("non_canonical_base64", _b(_noncanonical_sig), INVALID_TOKEN, "one spelling per token"),
    Case(
        "impossible_segment_length", _b(lambda r: "eyJhb." + _good(r).split(".", 1)[1]), INVALID_TOKEN, "b64"
    ),
    Case("dotted_tilde_chars", _b(lambda r: _good(r).replace(".", "~", 1)), INVALID_TOKEN, "7515 §7.1"),
    Case("token_over_8k", _b(lambda r: "eyJ" + "A" * 9000 + ".e30.AAAA"), INVALID_TOKEN, "size cap"),
    # ---- header JSON (RFC 8725 §2.6, §3.7) ----------------------------------------------------------
    Case("header_not_json", _b(_raw_header(b"not json")), INVALID_TOKEN, "7515 §4"),
    Case("header_json_array", _b(_raw_header(b'["RS256"]')), INVALID_TOKEN, "7515 §4"),
    Case(
        "header_duplicate_alg",
        _b(_raw_header(b'{"alg":"none","kid":"' + KID.encode() + b'","alg":"RS256"}')),
        INVALID_TOKEN,
        "8725 §2.6 duplicates",
    ),
    Case(
        "header_bom",
        _b(_raw_header(b"\xef\xbb\xbf" + compact_json({"alg": "RS256", "kid": KID}))),
        INVALID_TOKEN,
        "8725 §3.7",
    ),
    Case(
        "header_utf16",
        _b(_raw_header(json.dumps({"alg": "RS256", "kid": KID}).encode("utf-16"))),
        INVALID_TOKEN,
        "8725 §3.7 UTF-8 only",
    ),
    # ---- algorithms (RFC 8725 §2.1, §3.1, §3.2) -----------------------------------------------------
    Case("alg_none", _b(_alg("none")), INVALID_TOKEN, "8725 §3.2"),
    Case("alg_None_mixed_case", _b(_alg("None")), INVALID_TOKEN, "8725 §3.2"),
    Case("alg_none_with_rs256_signature", _b(_alg("none", "rs256")), INVALID_TOKEN, "8725 §3.2"),
    Case("alg_hs256_public_pem_secret", _b(_hs256_pem), INVALID_TOKEN, "8725 §2.1 key confusion"),
    Case("alg_hs256_modulus_secret", _b(_hs256_jwk_n), INVALID_TOKEN, "8725 §2.1 key confusion"),
    Case("alg_rs512", _b(_alg("RS512", "rs512")), INVALID_TOKEN, "alg pinned RS256"),
    Case("alg_ps256", _b(_alg("PS256", "ps256")), INVALID_TOKEN, "alg pinned RS256"),
    Case("alg_es256", _b(_alg("ES256", "es256")), INVALID_TOKEN, "alg pinned RS256"),
    Case("alg_rs256_lowercase", _b(_alg("rs256", "rs256")), INVALID_TOKEN, "alg pinned RS256"),
    Case("alg_header_lies_ps_signature", _b(_rs256_header_ps256_sig), INVALID_TOKEN, "8725 §2.1"),
    Case("alg_missing", _b(_header_only({"kid": KID})), INVALID_TOKEN, "7515 §4.1.1"),
    Case("alg_as_list", _b(_header_only({"alg": ["RS256"], "kid": KID})), INVALID_TOKEN, "7515 §4.1.1"),
    # ---- header members (RFC 8725 §3.10; reference §5, §10) ------------------------------------------
    Case("kid_missing", _b(_header_only({"alg": "RS256"})), INVALID_TOKEN, "Cognito kid required"),
    Case("kid_integer", _b(_header_only({"alg": "RS256", "kid": 1})), INVALID_TOKEN, "aws-jwt-verify §5.1"),
    Case("kid_empty", _b(_header_only({"alg": "RS256", "kid": ""})), INVALID_TOKEN, "8725 §3.10"),
    Case(
        "kid_sql_injection", _b(_header_only({"alg": "RS256", "kid": "' OR 1=1 --"})), INVALID_TOKEN, "§3.10"
    ),
    Case(
        "kid_path_traversal",
        _b(_header_only({"alg": "RS256", "kid": "../../../dev/null"})),
        INVALID_TOKEN,
        "§3.10",
    ),
    Case("kid_too_long", _b(_header_only({"alg": "RS256", "kid": "k" * 300})), INVALID_TOKEN, "8725 §3.10"),
    Case("kid_control_chars", _b(_header_only({"alg": "RS256", "kid": "a\nb"})), INVALID_TOKEN, "8725 §3.10"),
    Case("header_jku", _b(_header(jku="http://127.0.0.1:1/jwks.json")), INVALID_TOKEN, "8725 §3.10 SSRF"),
    Case("header_x5u", _b(_header(x5u="http://127.0.0.1:1/cert.pem")), INVALID_TOKEN, "8725 §3.10 SSRF"),
    Case("header_embedded_jwk", _b(_embedded_jwk), INVALID_TOKEN, "8725 §3.10"),
    Case("header_x5c", _b(_header(x5c=["MIIB"])), INVALID_TOKEN, "8725 §3.10"),
    Case("header_crit_b64", _b(_header(crit=["b64"], b64=False)), INVALID_TOKEN, "PyJWT crit pitfall"),
    Case("header_cty_nested", _b(_header(cty="JWT")), INVALID_TOKEN, "8725 §3.3 nested"),
    Case("header_enc", _b(_header(enc="A256GCM")), INVALID_TOKEN, "8725 §3.3 JWE"),
    Case("header_zip", _b(_header(zip="DEF")), INVALID_TOKEN, "8725 §3.3"),
    Case("header_typ_jose", _b(_header(typ="JOSE+JSON")), INVALID_TOKEN, "8725 §3.11"),
    Case("header_typ_integer", _b(_header(typ=1)), INVALID_TOKEN, "8725 §3.11"),
    # ---- keys and signatures (RFC 8725 §3.8) -------------------------------------------------------
    Case("signed_by_stranger_with_pool_kid", _b(lambda r: token(r.stranger)), INVALID_TOKEN, "8725 §3.8"),
    Case("signed_by_main_with_second_kid", _b(lambda r: token(r.main, kid=KID2)), INVALID_TOKEN, "8725 §3.8"),
    Case(
        "unknown_kid_stranger_key", _b(lambda r: token(r.stranger, kid="attacker-kid")), INVALID_TOKEN, "§3.8"
    ),
    Case(
        "weak_1024_bit_key_in_jwks", _b(lambda r: token(r.weak, kid=WEAK_KID)), INVALID_TOKEN, "key >= 2048"
    ),
    Case("enc_use_key_in_jwks", _b(lambda r: token(r.stranger, kid=ENC_KID)), INVALID_TOKEN, "use == sig"),
    Case("ec_key_kid_rs256_header", _b(lambda r: token(r.main, kid=EC_KID)), INVALID_TOKEN, "RSA only"),
    Case(
        "duplicated_kid_in_jwks", _b(lambda r: token(r.stranger, kid=DUP_KID)), INVALID_TOKEN, "ambiguous kid"
    ),
    Case("payload_bit_flip", _b(_flip_payload_char), INVALID_TOKEN, "signature"),
    Case("payload_edited_same_signature", _b(_edited_payload_same_signature), INVALID_TOKEN, "signature"),
    Case("signature_bit_flip", _b(_flip_sig_char), INVALID_TOKEN, "signature"),
    Case("signature_truncated", _b(_truncated_sig), INVALID_TOKEN, "signature"),
    Case("signature_of_other_token", _b(_other_tokens_sig), INVALID_TOKEN, "signature"),
    Case(
        "signature_all_zero",
        _b(lambda r: _good(r).rsplit(".", 1)[0] + "." + b64url(bytes(256))),
        INVALID_TOKEN,
        "sig",
    ),
    # ---- payload JSON (RFC 8725 §2.6, §3.7; PyJWT pitfalls) -------------------------------------------
    Case("payload_not_json", _b(_raw_payload(b"{not json")), INVALID_TOKEN, "7519 §7.2"),
    Case("payload_json_array", _b(_raw_payload(b"[1,2]")), INVALID_TOKEN, "7519 §7.2"),
    Case("payload_json_string", _b(_raw_payload(b'"claims"')), INVALID_TOKEN, "7519 §7.2"),
    Case(
        "payload_duplicate_client_id",
        _b(
            _raw_payload(
                _good_payload_text()[:-1].encode() + b',"client_id":"' + OTHER_CLIENT_ID.encode() + b'"}'
            )
        ),
        INVALID_TOKEN,
        "8725 §2.6",
    ),
    Case(
        "payload_nan_exp",
        _b(_raw_payload(_good_payload_text().replace(f'"exp":{NOW + 3600}', '"exp":NaN').encode())),
        INVALID_TOKEN,
        "no NaN",
    ),
    Case(
        "payload_infinity_exp",
        _b(_raw_payload(_good_payload_text().replace(f'"exp":{NOW + 3600}', '"exp":1e999').encode())),
        INVALID_TOKEN,
        "finite",
    ),
    Case(
        "payload_latin1",
        _b(_raw_payload(_good_payload_text().replace('"version":2', '"v":"caf\u00e9"').encode("latin-1"))),
        INVALID_TOKEN,
        "8725 §3.7",
    ),
    Case("payload_deep_nesting", _b(_raw_payload(_DEEP)), INVALID_TOKEN, "recursion"),
    Case("payload_huge_integer", _b(_raw_payload(_BIG_EXP)), INVALID_TOKEN, "int digits limit"),
    # ---- time claims (RFC 7519 §4.1.4-6; PyJWT coercion pitfalls) -------------------------------------
    Case("expired_one_hour", _b(_claims(exp=NOW - 3600, iat=NOW - 7200)), INVALID_TOKEN, "7519 §4.1.4"),
    Case("expired_at_leeway_edge", _b(_claims(exp=NOW + 10 - 5)), INVALID_TOKEN, "now >= exp + leeway"),
    Case("exp_numeric_string", _b(_claims(exp="9999999999")), INVALID_TOKEN, "PyJWT int() coercion"),
    Case("exp_float", _b(_claims(exp=float(NOW + 3600))), INVALID_TOKEN, "integer NumericDate"),
    Case("exp_boolean", _b(_claims(exp=True)), INVALID_TOKEN, "PyJWT bool coercion"),
    Case("exp_list", _b(_claims(exp=[NOW + 3600])), INVALID_TOKEN, "PyJWT TypeError"),
    Case("exp_missing", _b(_claims(exp=None)), INVALID_TOKEN, "exp required"),
    Case("iat_missing", _b(_claims(iat=None)), INVALID_TOKEN, "iat required"),
    Case("iat_in_future", _b(_claims(iat=NOW + 3600, exp=NOW + 7200)), INVALID_TOKEN, "future iat"),
    Case("iat_string", _b(_claims(iat=str(NOW))), INVALID_TOKEN, "PyJWT int() coercion"),
    Case("nbf_in_future", _b(_claims(nbf=NOW + 600)), INVALID_TOKEN, "7519 §4.1.5"),
    Case("nbf_string", _b(_claims(nbf=str(NOW))), INVALID_TOKEN, "PyJWT int() coercion"),
    # ---- issuer, token use, client (RFC 8725 §3.8, §3.12; reference §5.7) --------------------------------
    Case(
        "iss_other_pool",
        _b(_claims(iss=ISSUER.replace(POOL_ID, "us-east-1_OtherPool"))),
        INVALID_TOKEN,
        "§3.8",
    ),
    Case("iss_trailing_slash", _b(_claims(iss=ISSUER + "/")), INVALID_TOKEN, "iss exact"),
    Case("iss_http_scheme", _b(_claims(iss=ISSUER.replace("https", "http"))), INVALID_TOKEN, "iss exact"),
    Case("iss_missing", _b(_claims(iss=None)), INVALID_TOKEN, "iss required"),
    Case("iss_as_list", _b(_claims(iss=[ISSUER])), INVALID_TOKEN, "iss type"),
    Case("id_token", _b(_claims(token_use="id", aud=CLIENT_ID, client_id=None)), INVALID_TOKEN, "8725 §3.12"),
    Case("token_use_id_with_client_id", _b(_claims(token_use="id")), INVALID_TOKEN, "8725 §3.12"),
    Case("token_use_capitalised", _b(_claims(token_use="Access")), INVALID_TOKEN, "exact access"),
    Case("token_use_missing", _b(_claims(token_use=None)), INVALID_TOKEN, "token_use required"),
    Case("client_not_allowed", _b(_claims(client_id=OTHER_CLIENT_ID)), INVALID_TOKEN, "8725 §2.7"),
    Case("client_id_missing", _b(_claims(client_id=None)), INVALID_TOKEN, "client_id required"),
    Case("client_id_as_list", _b(_claims(client_id=[CLIENT_ID])), INVALID_TOKEN, "client_id type"),
    Case("client_id_trailing_space", _b(_claims(client_id=CLIENT_ID + " ")), INVALID_TOKEN, "exact match"),
    Case("client_id_case_changed", _b(_claims(client_id=CLIENT_ID.upper())), INVALID_TOKEN, "exact match"),
    # ---- scopes (reference §5.6, §10: exact space-separated tokens, all required) ------------------------
    Case("scope_missing", _b(_claims(scope=None)), INSUFFICIENT, "route scope"),
    Case("scope_empty", _b(_claims(scope="")), INSUFFICIENT, "route scope"),
    Case("scope_write_only_on_get", _b(_claims(scope=WRITE)), INSUFFICIENT, "route scope"),
    Case("scope_read_only_on_post", _post(_claims(scope=READ)), INSUFFICIENT, "route scope"),
    Case("scope_prefix", _b(_claims(scope="rest-api/rea")), INSUFFICIENT, "exact tokens"),
    Case("scope_longer", _b(_claims(scope="rest-api/readx")), INSUFFICIENT, "exact tokens"),
    Case("scope_uppercase", _b(_claims(scope="REST-API/READ")), INSUFFICIENT, "case-sensitive"),
    Case("scope_comma_separated", _b(_claims(scope=f"{READ},{WRITE}")), INSUFFICIENT, "space-separated"),
    Case(
        "scope_tab_separated",
        _b(_claims(scope=f"{WRITE}\t{READ}")),
        INVALID_TOKEN,
        "tab is no scope-token char",
    ),
    Case("scope_double_space", _b(_claims(scope=f"{WRITE}  {READ}")), INVALID_TOKEN, "empty scope item"),
    Case("scope_leading_space", _b(_claims(scope=f" {READ}")), INVALID_TOKEN, "empty scope item"),
    Case("scope_as_list", _b(_claims(scope=[READ, WRITE])), INVALID_TOKEN, "scope type"),
    Case("scope_in_scp_claim", _b(_claims(scope=None, scp=[READ])), INSUFFICIENT, "Cognito uses scope"),
    # ---- customized tokens (V3_0 trigger: "Claims and scopes reference"; signed by the pool's key) -------
    Case(
        "custom_claim_shadowing_client_id",
        lambda r: bearer(_raw(compact_json({"kid": KID, "alg": "RS256"}), _shadowed_client_id(), r)),
        INVALID_TOKEN,
        "8725 §2.6: a second client_id",
    ),
    Case("custom_aud_other_client", _b(_claims(aud=OTHER_CLIENT_ID)), INVALID_TOKEN, "aud only as client_id"),
    Case("custom_aud_as_list", _b(_claims(aud=[CLIENT_ID])), INVALID_TOKEN, "aud only as client_id"),
    Case("custom_claim_nested_too_deep", _b(_claims(limits=_nested(17))), INVALID_TOKEN, "16 levels"),
    Case("custom_claim_huge", _b(_claims(note="x" * 9000)), INVALID_TOKEN, "size cap"),
    Case(
        "custom_scope_added_with_a_quote",
        _b(_claims(scope=f'{READ} admin"all')),
        INVALID_TOKEN,
        "scope-token",
    ),
    Case(
        "custom_scope_added_with_a_tab", _b(_claims(scope=f"{READ}\tadmin/all")), INVALID_TOKEN, "scope-token"
    ),
    Case("custom_scope_suppressed", _b(_claims(scope="admin/all")), INSUFFICIENT, "route scope"),
]


# Controls: the same machinery must let genuine requests in (so that a rejection above is a finding).
GENUINE: list[Case] = [
    Case("genuine_get", _b(_good), (200, None), "control"),
    Case("genuine_post", _post(_good), (200, None), "control"),
    Case("genuine_second_key", _b(lambda r: token(r.second, kid=KID2)), (200, None), "control"),
    Case("genuine_lowercase_scheme", lambda r: Request("bearer " + _good(r)), (200, None), "7235 §2.1"),
    Case("genuine_extra_spaces", lambda r: Request("Bearer    " + _good(r)), (200, None), "1*SP"),
    Case("genuine_typ_at_jwt", _b(_header(typ="at+jwt")), (200, None), "RFC 9068 typ"),
    Case("genuine_nbf_now", _b(_claims(nbf=NOW)), (200, None), "nbf"),
    Case("genuine_within_leeway", _b(_claims(exp=NOW + 10 - 4)), (200, None), "leeway"),
    Case(
        "genuine_customized",
        _b(_claims(tenant=42, entitlements=["export", 1, True], limits={"rps": 10}, aud=CLIENT_ID)),
        (200, None),
        "V3_0: any JSON claim, aud as client_id",
    ),
    Case(
        "genuine_custom_scope_added",
        _b(_claims(scope=f"{READ} {WRITE} admin/all")),
        (200, None),
        "scopesToAdd",
    ),
]
