"""Property-based fuzzing of the resource function with generated ALB events (both header modes).

Strategies draw *recipes* (plain data); the test turns them into requests with the session's real keys:
genuine tokens, mutated genuine tokens (truncated, bit-flipped, re-encoded, padded, segments moved),
tokens re-signed with other keys and algorithms (HS256 keyed with the public key, ``none``, RS512,
PS256, ES256, RS256 by a stranger or a 1024-bit key), validly signed tokens whose claims have random
types and values, random and oversized text (non-ASCII, lone surrogates, latin-1 bytes), several
Authorization headers, random methods, paths, query strings and bodies.

Properties, for every example:

1. ``handle`` never raises and always returns a valid ALB response in the request's header mode with a
   JSON object body (``assert_valid_alb_response``);
2. no 5xx, except 503 with ``Retry-After`` when the keys cannot be obtained (only in the test whose
   JWKS endpoint is down);
3. a 2xx only for ``GET``/``POST /api`` with exactly one well-formed Bearer header carrying an
   *unmodified* token signed by a pool key whose claims an independent oracle accepts (issuer,
   ``token_use``, allowed client, integer times, the route's scope); conversely every well-formed
   request with a genuine token of the route's scope is let in;
4. 400/401/403 carry ``WWW-Authenticate: Bearer realm=...``; the token is never echoed.

The number of examples comes from the Hypothesis profile (``HYPOTHESIS_PROFILE``: ``ci`` for
``make test``, ``fuzz`` for ``make fuzz``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from hypothesis import event, given, note
from hypothesis import strategies as st

from local_edge.token_trigger import (
    PROTECTED_CLAIMS as PROTECTED,  # the oracle reads the local Cognito's list
)
from tests.reliability import log_capture
from tests.reliability.conftest import FUZZ_SETTINGS
from tests.reliability.support import (
    CLIENT_ID,
    ISSUER,
    KID,
    KID2,
    LEEWAY,
    NOW,
    OTHER_CLIENT_ID,
    READ,
    RESOURCE_ENV,
    SECOND_CLIENT_ID,
    WEAK_KID,
    WRITE,
    KeyRing,
    alb_event,
    assert_valid_alb_response,
    b64url,
    bearer_error,
    claims,
    es_sign,
    header_of,
    hs_sign,
    pool_jwks,
    ps_sign,
    public_pem,
    rs_sign,
    signing_input,
)
from tests.resource.resource_testkit import FakeClock, JwksServer

ALLOWED = frozenset({CLIENT_ID, SECOND_CLIENT_ID})
ROUTES = {("GET", "/api"): READ, ("POST", "/api"): WRITE}
B64TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"


def _depth(value: Any) -> int:
    """How many arrays and objects nest in ``value`` (a scalar: 0)."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def oracle_scopes(payload: Any, now: float) -> tuple[str, ...] | None:
    """An independent reading of the claim rules: the scopes of an acceptable payload, else None."""
    if type(payload) is not dict:
        return None
    exp, iat = payload.get("exp"), payload.get("iat")
    safe = range(2**53 + 1)  # I-JSON integers, no negative time
    if type(exp) is not int or type(iat) is not int or exp not in safe or iat not in safe:
        return None
    if not 0 < exp - iat <= 86_400:  # Cognito's access-token lifetimes
        return None
    nbf = payload.get("nbf", 0)
    if "nbf" in payload and (type(nbf) is not int or nbf not in safe):
        return None
    if payload.get("iss") != ISSUER or payload.get("token_use") != "access":
        return None
    client_id = payload.get("client_id")
    if type(client_id) is not str or client_id not in ALLOWED:
        return None
    if payload.get("sub") != client_id:  # a client-credentials token
        return None
    if "aud" in payload and payload["aud"] != client_id:  # a V3_0 trigger may add aud as client_id only
        return None
    # a custom claim nested past 16 levels (Cognito's protected claims are never custom: local_edge's list)
    if any(_depth(v) > 16 for k, v in payload.items() if k not in PROTECTED and not k.startswith("cognito:")):
        return None
    scope = payload.get("scope", "")
    if type(scope) is not str:
        return None
    scopes = tuple(scope.split(" ")) if scope else ()
    scope_token = set(map(chr, [0x21, *range(0x23, 0x5C), *range(0x5D, 0x7F)]))  # RFC 6749 §3.3
    if any(not item or not set(item) <= scope_token for item in scopes):
        return None
    if now >= exp + LEEWAY or iat > now + LEEWAY or nbf > now + LEEWAY:
        return None
    return scopes


# ---- recipes ---------------------------------------------------------------------------------------

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from([ISSUER, "access", "id", CLIENT_ID, OTHER_CLIENT_ID, READ, WRITE, f"{READ} {WRITE}"])
    | st.sampled_from([NOW, NOW + 3600, NOW - 3600, NOW + 15, NOW + 5, NOW - 5, str(NOW + 3600)])
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=3),
)
CLAIM_NAMES = [
    "exp",
    "iat",
    "nbf",
    "iss",
    "token_use",
    "client_id",
    "scope",
    "sub",
    "jti",
    "aud",
    "auth_time",
]

GENUINE_SPECS = [
    # (key, kid, client_id, scope)
    ("main", KID, CLIENT_ID, f"{READ} {WRITE}"),
    ("main", KID, CLIENT_ID, READ),
    ("main", KID, CLIENT_ID, WRITE),
    ("second", KID2, SECOND_CLIENT_ID, f"{WRITE} {READ}"),
    ("second", KID2, CLIENT_ID, READ),
    ("main", KID, SECOND_CLIENT_ID, ""),
]

MUTATIONS = st.tuples(
    st.sampled_from(
        [
            "truncate",
            "flip",
            "insert",
            "delete",
            "pad",
            "pad_segment",
            "swap_segments",
            "duplicate_segment",
            "standard_alphabet",
            "case",
            "whitespace",
            "drop_dot",
            "add_dot",
            "reencode_header",
            "reencode_payload",
        ]
    ),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(list(B64TOKEN_CHARS + "=. \t\x00é\ud800")),
)

ALGS = [
    "none",
    "none-keep-sig",
    "HS256-pem",
    "HS256-n",
    "RS512",
    "PS256",
    "ES256",
    "RS256-stranger",
    "RS256-weak",
]
HEADER_EXTRAS = st.dictionaries(
    st.sampled_from(["typ", "jku", "x5u", "jwk", "x5c", "crit", "cty", "enc", "zip", "b64", "kid", "alg"]),
    JSON_LEAVES,
    max_size=2,
)


@dataclass
class Recipe:
    kind: str
    genuine: int = 0
    mutations: list[tuple[str, int, str]] = field(default_factory=list)
    alg: str = "RS256"
    header_extra: dict[str, Any] = field(default_factory=dict)
    claim_changes: dict[str, Any] = field(default_factory=dict)
    claim_drops: list[str] = field(default_factory=list)
    text: str = ""
    size: int = 0


_GENUINE = st.builds(Recipe, kind=st.just("genuine"), genuine=st.integers(0, len(GENUINE_SPECS) - 1))
RECIPES = st.one_of(
    _GENUINE,
    _GENUINE,
    st.builds(
        Recipe,
        kind=st.just("mutated"),
        genuine=st.integers(0, len(GENUINE_SPECS) - 1),
        mutations=st.lists(MUTATIONS, min_size=1, max_size=3),
    ),
    st.builds(Recipe, kind=st.just("resigned"), alg=st.sampled_from(ALGS), header_extra=HEADER_EXTRAS),
    st.builds(
        Recipe,
        kind=st.just("claims"),
        claim_changes=st.dictionaries(st.sampled_from(CLAIM_NAMES), JSON_VALUES, max_size=3),
        claim_drops=st.lists(st.sampled_from(CLAIM_NAMES), max_size=2),
        header_extra=st.one_of(st.just({}), HEADER_EXTRAS),
    ),
    st.builds(Recipe, kind=st.just("kid"), text=st.text(max_size=300)),
    st.builds(Recipe, kind=st.just("text"), text=st.text(st.characters(exclude_categories=()), max_size=400)),
    st.builds(Recipe, kind=st.just("b64text"), text=st.text(B64TOKEN_CHARS + "=", max_size=600)),
    st.builds(Recipe, kind=st.just("bytes"), text=st.binary(max_size=300).map(lambda b: b.decode("latin-1"))),
    st.builds(Recipe, kind=st.just("oversized"), size=st.integers(min_value=8000, max_value=40_000)),
)

SCHEMES = st.one_of(
    st.just("Bearer "),
    st.just("Bearer "),
    st.sampled_from(
        ["Bearer ", "bearer ", "BEARER ", "Bearer   ", "Bearer\t", "Basic ", "", "Bearer", " Bearer "]
    ),
)
HEADER_NAMES = st.sampled_from(["authorization", "Authorization", "AUTHORIZATION"])
_COMMON_METHODS = st.sampled_from(["GET", "POST"])
METHODS = st.one_of(
    _COMMON_METHODS,
    _COMMON_METHODS,
    _COMMON_METHODS,
    st.sampled_from(["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "post", "Get"]),
    st.text(max_size=12),
)
PATHS = st.one_of(
    st.just("/api"),
    st.just("/api"),
    st.just("/api"),
    st.just("/api"),
    st.sampled_from(["/api/", "/API", "//api", "/", "/client", "/api/../api", "/api%00", "/api;x"]),
    st.text(max_size=40),
)
QUERIES = st.one_of(
    st.just({}),
    st.just({}),
    st.dictionaries(
        st.one_of(st.just("access_token"), st.text(max_size=10)),
        st.one_of(st.text(max_size=20), st.lists(st.text(max_size=10), max_size=3)),
        max_size=3,
    ),
)
BODIES = st.one_of(
    st.none(),
    st.just('{"hello":"world"}'),
    st.text(st.characters(exclude_categories=()), max_size=200),
    st.binary(max_size=200).map(lambda b: "b64:" + base64.b64encode(b).decode()),
    st.just("b64:!!!not base64"),
    st.integers(min_value=16_000, max_value=20_000).map(lambda n: '{"x":"' + "a" * n + '"}'),
    st.integers(min_value=1, max_value=8000).map(lambda n: "[" * n + "]" * n),  # deep: never a 500
    st.integers(min_value=1, max_value=3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
)


@dataclass
class Built:
    token: str
    acceptable: tuple[str, ...] | None  # scopes of ``original`` when it must be accepted, else None
    secrets: list[str]
    original: str = ""  # the unmodified token the credentials must equal for a 2xx


class World:
    """Keys, minted genuine tokens and a warm app, shared by the examples of one test."""

    def __init__(self, ring: KeyRing, app: Any, now: float) -> None:
        self.ring = ring
        self.app = app
        self.now = now
        self.genuine: list[str] = []
        for key_name, kid, client, scope in GENUINE_SPECS:
            key = getattr(ring, key_name)
            self.genuine.append(
                self.sign_rs256({"kid": kid, "alg": "RS256"}, claims(client_id=client, scope=scope), key)
            )
        log_capture.register_secrets(self.genuine)

    @staticmethod
    def sign_rs256(header: Any, payload: Any, key: Any) -> str:
        data = signing_input(header, payload)
        return data + "." + rs_sign(data, key)

    def build(self, recipe: Recipe) -> Built:
        ring = self.ring
        if recipe.kind == "genuine":
            value = self.genuine[recipe.genuine]
            scope = GENUINE_SPECS[recipe.genuine][3]
            return Built(value, tuple(scope.split(" ")) if scope else (), [value], value)
        if recipe.kind == "mutated":
            original = self.genuine[recipe.genuine]
            value = original
            for mutation in recipe.mutations:
                value = mutate(value, *mutation)
            scope = GENUINE_SPECS[recipe.genuine][3]
            # acceptable only if the credentials, as the header syntax reads them, are the original
            return Built(value, tuple(scope.split(" ")) if scope else (), [original], original)
        if recipe.kind == "resigned":
            header = {"alg": recipe.alg.split("-")[0], "kid": KID, **recipe.header_extra}
            data = signing_input(header, claims())
            sig = {
                "none": lambda: "",
                "none-keep-sig": lambda: rs_sign(data, ring.main),
                "HS256-pem": lambda: hs_sign(data, public_pem(ring.main)),
                "HS256-n": lambda: hs_sign(
                    data, ring.main.public_key().public_numbers().n.to_bytes(256, "big")
                ),
                "RS512": lambda: rs_sign(data, ring.main, hashes.SHA512()),
                "PS256": lambda: ps_sign(data, ring.main),
                "ES256": lambda: es_sign(data, ring.ec),
                "RS256-stranger": lambda: rs_sign(data, ring.stranger),
                "RS256-weak": lambda: rs_sign(data, ring.weak),
            }[recipe.alg]()
            if recipe.alg == "RS256-weak":
                data = signing_input({**header, "kid": WEAK_KID}, claims())
                sig = rs_sign(data, ring.weak)
            return Built(data + "." + sig, None, [])
        if recipe.kind == "claims":
            payload = claims(**recipe.claim_changes)
            for name in recipe.claim_drops:
                payload.pop(name, None)
            header: dict[str, Any] = {"kid": KID, "alg": "RS256", **recipe.header_extra}
            value = self.sign_rs256(header, payload, ring.main)
            header_ok = (
                header.get("alg") == "RS256"
                and header.get("kid") in (KID,)
                and set(header)
                <= {
                    "alg",
                    "kid",
                    "typ",
                }
            )
            if "typ" in header:
                header_ok = (
                    header_ok
                    and isinstance(header["typ"], str)
                    and header["typ"].lower()
                    in (
                        "jwt",
                        "at+jwt",
                        "application/jwt",
                        "application/at+jwt",
                    )
                )
            scopes = oracle_scopes(payload, self.now) if header_ok else None
            return Built(value, scopes, [value], value)
        if recipe.kind == "kid":
            value = self.sign_rs256({"kid": recipe.text, "alg": "RS256"}, claims(), ring.main)
            return Built(value, None, [value])
        if recipe.kind == "oversized":
            head, payload, sig = self.genuine[0].split(".")
            return Built(head + "." + payload + "A" * recipe.size + "." + sig, None, [])
        return Built(recipe.text, None, [])


def mutate(value: str, op: str, position: int, char: str) -> str:
    i = position % (len(value) + 1)
    parts = value.split(".")
    if op == "truncate":
        return value[:i]
    if op == "flip" and value:
        j = position % len(value)
        flipped = chr(ord(value[j]) ^ (1 << (position % 6)))
        return value[:j] + flipped + value[j + 1 :]
    if op == "insert":
        return value[:i] + char + value[i:]
    if op == "delete" and value:
        j = position % len(value)
        return value[:j] + value[j + 1 :]
    if op == "pad":
        return value + "=" * (1 + position % 3)
    if op == "pad_segment" and parts:
        k = position % len(parts)
        parts[k] += "=" * (1 + position % 2)
        return ".".join(parts)
    if op == "swap_segments" and len(parts) == 3:
        a, b = position % 3, (position // 3) % 3
        parts[a], parts[b] = parts[b], parts[a]
        return ".".join(parts)
    if op == "duplicate_segment" and parts:
        k = position % len(parts)
        return ".".join([*parts[: k + 1], parts[k], *parts[k + 1 :]])
    if op == "standard_alphabet":
        return value.replace("-", "+").replace("_", "/")
    if op == "case" and value:
        j = position % len(value)
        return value[:j] + value[j].swapcase() + value[j + 1 :]
    if op == "whitespace":
        return value[:i] + " " + value[i:]
    if op == "drop_dot":
        return value.replace(".", "", 1)
    if op == "add_dot":
        return value[:i] + "." + value[i:]
    if op in ("reencode_header", "reencode_payload") and len(parts) == 3:
        k = 0 if op == "reencode_header" else 1
        try:
            raw = base64.urlsafe_b64decode(parts[k] + "=" * (-len(parts[k]) % 4))
            doc = json.loads(raw)
        except ValueError:
            return value
        style = position % 3
        text = (
            json.dumps(doc)
            if style == 0
            else json.dumps(doc, indent=1)
            if style == 1
            else json.dumps(doc, separators=(",", ":"), ensure_ascii=False)[::-1][::-1] + " "
        )
        parts[k] = b64url(text.encode())
        return ".".join(parts)
    return value


@dataclass
class Shape:
    recipe: Recipe
    scheme: str
    header_name: str
    several: int
    multi: bool
    method: str
    path: str
    query: dict[str, Any]
    body: str | None
    include_auth: bool


SHAPES = st.builds(
    Shape,
    recipe=RECIPES,
    scheme=SCHEMES,
    header_name=HEADER_NAMES,
    several=st.sampled_from([1, 1, 1, 1, 1, 1, 2, 3]),
    multi=st.booleans(),
    method=METHODS,
    path=PATHS,
    query=QUERIES,
    body=BODIES,
    include_auth=st.sampled_from([True, True, True, True, False]),
)


def make_event(shape: Shape, value: str) -> tuple[dict[str, Any], bool]:
    """The ALB event and whether its Authorization part is exactly one well-formed Bearer header."""
    header_value = shape.scheme + value
    body = shape.body
    is_b64 = False
    if body is not None and body.startswith("b64:"):
        body, is_b64 = body[4:], True
    event = alb_event(shape.method, shape.path, multi=shape.multi, body=body, base64_body=is_b64)
    if shape.body is None:
        event["body"] = None
    if shape.multi:
        event["multiValueQueryStringParameters"] = {
            k: (v if isinstance(v, list) else [v]) for k, v in shape.query.items()
        }
    else:
        event["queryStringParameters"] = {
            k: (v[-1] if isinstance(v, list) and v else v) for k, v in shape.query.items()
        }
        event["queryStringParameters"] = {
            k: v for k, v in event["queryStringParameters"].items() if isinstance(v, str)
        }
    well_formed = False
    if shape.include_auth:
        if shape.multi:
            event["multiValueHeaders"][shape.header_name] = [header_value] * shape.several
        else:
            event["headers"][shape.header_name] = header_value
            if shape.several > 1:
                other = "authorization" if shape.header_name != "authorization" else "Authorization"
                event["headers"][other] = header_value
        query = event["multiValueQueryStringParameters" if shape.multi else "queryStringParameters"]
        well_formed = shape.several == 1 and "access_token" not in query
    return event, well_formed


def credentials(header_value: str) -> str | None:
    """The token RFC 6750 §2.1 reads from one Authorization value (``Bearer`` 1*SP b64token), else None."""
    scheme, _, rest = header_value.strip(" \t").partition(" ")
    token = rest.lstrip(" ")
    if scheme.lower() != "bearer" or not re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", token):
        return None
    return token


def check_answer(world: World, shape: Shape, *, keys_down: bool) -> None:
    built = world.build(shape.recipe)
    log_capture.register_secrets(built.secrets)
    alb, well_formed = make_event(shape, built.token)
    note(f"kind={shape.recipe.kind} event={json.dumps(alb)[:600]}")
    answer = world.app.handle(alb)
    body = assert_valid_alb_response(answer, multi=shape.multi)
    status = answer["statusCode"]
    note(f"answer={answer}")
    event(f"{shape.recipe.kind}: {status}")

    if status >= 500:
        assert keys_down, answer
        assert status == 503, answer
        assert header_of(answer, "retry-after") is not None
    if status in (400, 401, 403) and body.get("error") in (
        "invalid_request",
        "invalid_token",
        "insufficient_scope",
        "unauthorized",
    ):
        bearer_error(answer)
    text = answer["body"] + json.dumps(answer.get("headers") or answer.get("multiValueHeaders"))
    for secret in [built.token, *built.secrets]:
        if len(secret) >= 40 and secret.count(".") >= 2:  # token-like values (not random text that
            assert secret not in text, "token echoed"  # happens to spell a word of the answer)

    route = ROUTES.get((shape.method, shape.path))  # methods are case-sensitive (RFC 9110 §9.1)
    sent = credentials(shape.scheme + built.token) if shape.include_auth and well_formed else None
    genuine = sent is not None and sent == built.original and built.acceptable is not None
    if 200 <= status < 300:
        assert route is not None, "2xx outside the routes"
        assert well_formed, "2xx without exactly one Authorization header (or with a token in the query)"
        assert sent is not None, "2xx for a header that is not `Bearer` 1*SP b64token"
        assert genuine, f"2xx for a token that must be rejected ({shape.recipe.kind})"
        assert built.acceptable is not None
        assert route in built.acceptable, "2xx without the route's scope"
        assert body["client_id"] in ALLOWED
    elif (
        route is not None
        and genuine
        and built.acceptable is not None
        and route in built.acceptable
        and not keys_down
        and shape.body != "b64:!!!not base64"  # not an ALB event: 400 bad_request before anything else
    ):
        # a genuine request is let in (POST bodies may still be refused: invalid JSON 400, too large 413)
        assert status == 200 or (shape.method == "POST" and status in (400, 413)), answer
        if status != 200:
            assert body["error"] in ("invalid_json", "payload_too_large")


@pytest.fixture(scope="module")
def fuzz_world() -> Iterator[World]:
    """One warm resource app on a loopback JWKS endpoint for all examples of the module."""
    import threading
    from http.server import ThreadingHTTPServer

    from cognito_m2m_verifier.handler import build_app
    from cognito_m2m_verifier.jwks import JwksCache
    from tests.resource.resource_testkit import _handler_class

    ring = KeyRing.generate()
    state = JwksServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(state))
    httpd.daemon_threads = True
    state.httpd = httpd
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.reset(pool_jwks(ring))
    clock = FakeClock(NOW + 10)
    jwks = JwksCache(state.url, clock=FakeClock(0.0), connect_timeout=1.0, read_timeout=1.0)
    world = World(ring, build_app(RESOURCE_ENV, jwks=jwks, clock=clock), clock.now)
    world.jwks_state = state  # type: ignore[attr-defined]
    yield world
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@FUZZ_SETTINGS
@given(shape=SHAPES)
def test_fuzzed_requests_keys_available(fuzz_world: World, shape: Shape) -> None:
    check_answer(fuzz_world, shape, keys_down=False)


@FUZZ_SETTINGS
@given(shape=SHAPES)
def test_fuzzed_requests_keys_unobtainable(fuzz_world: World, shape: Shape) -> None:
    """The same properties with a JWKS endpoint that refuses connections and a cold key cache:
    the only 5xx is 503 with Retry-After, and nothing is let in."""
    from cognito_m2m_verifier.handler import build_app
    from cognito_m2m_verifier.jwks import JwksCache

    state: JwksServer = fuzz_world.jwks_state  # type: ignore[attr-defined]
    jwks = JwksCache(state.closed_url, clock=FakeClock(0.0), connect_timeout=0.5, read_timeout=0.5)
    down = World.__new__(World)
    down.__dict__.update(fuzz_world.__dict__)
    down.app = build_app(RESOURCE_ENV, jwks=jwks, clock=FakeClock(NOW + 10))
    check_answer(down, shape, keys_down=True)
    if shape.recipe.kind == "genuine":
        event = alb_event("GET", "/api", authorization="Bearer " + fuzz_world.genuine[0], multi=shape.multi)
        answer = down.app.handle(event)
        assert answer["statusCode"] == 503
        assert header_of(answer, "retry-after") is not None


def test_genuine_tokens_pass_the_oracle(fuzz_world: World) -> None:
    """Guard of the oracle itself: the minted genuine tokens are accepted by it and by the app."""
    for index, value in enumerate(fuzz_world.genuine):
        payload = json.loads(base64.urlsafe_b64decode(value.split(".")[1] + "=="))
        assert oracle_scopes(payload, fuzz_world.now) is not None
        scope = GENUINE_SPECS[index][3]
        if READ in scope.split(" "):
            answer = fuzz_world.app.handle(alb_event("GET", "/api", authorization="Bearer " + value))
            assert answer["statusCode"] == 200
