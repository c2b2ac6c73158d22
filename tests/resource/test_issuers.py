"""cognito_m2m_verifier.issuers and the verifier's key set per issuer: both issuer formats, a pinned
format, replica Regions, and issuers that are not configured (refused before any key is fetched).

Each issuer's JWKS is served by one loopback server under a path named after the issuer's host
(``/cognito-idp.us-east-1.amazonaws.com/<pool>/.well-known/jwks.json`` and so on), with its own keys,
status and hit count: real RSA keys, real HTTP, nothing mocked. The derived ``https://`` URLs are mapped
onto it path for path, so a test can tell which issuer's JWKS a token made the verifier fetch.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from resource_testkit import CLIENT_ID, KID, KID2, POOL_ID, FakeClock, Keys, TokenFactory, jwk_for
from resource_testkit import jwks_document as document

from cognito_m2m_verifier import errors
from cognito_m2m_verifier.config import ConfigError, load_config
from cognito_m2m_verifier.handler import key_sets_for
from cognito_m2m_verifier.issuers import (
    MAX_REPLICA_REGIONS,
    original_issuer,
    pool_issuers,
    updated_issuer,
)
from cognito_m2m_verifier.jwks import JwksCache
from cognito_m2m_verifier.verifier import TokenVerifier

REGION = "us-east-1"
ORIGINAL = original_issuer(REGION, POOL_ID)
UPDATED = updated_issuer(REGION, POOL_ID)
REPLICA = "eu-west-1"
ORIGINAL_IN_REPLICA = original_issuer(REPLICA, POOL_ID)
ROUTES = '{"GET /api": ["rest-api/read"]}'


class IssuerJwks:
    """One loopback server, one JWKS document (and status) per path; hits counted per path."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.statuses: dict[str, int] = {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with owner.lock:
                    owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
                    body = owner.documents.get(self.path, b'{"message":"forbidden"}')
                    status = owner.statuses.get(self.path, 200 if self.path in owner.documents else 403)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def local(self, url: str) -> str:
        """The loopback URL standing for a derived https JWKS URL."""
        parts = urlsplit(url)
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{parts.hostname}{parts.path}"

    def serve(self, issuer: str, body: bytes, status: int = 200) -> None:
        path = urlsplit(self.local(f"{issuer}/.well-known/jwks.json")).path
        self.documents[path] = body
        self.statuses[path] = status

    def hits_of(self, issuer: str) -> int:
        return self.hits.get(urlsplit(self.local(f"{issuer}/.well-known/jwks.json")).path, 0)

    def total_hits(self) -> int:
        return sum(self.hits.values())

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def _server() -> Iterator[IssuerJwks]:
    jwks = IssuerJwks()
    yield jwks
    jwks.stop()


@pytest.fixture
def server(_server: IssuerJwks, keys: Keys) -> IssuerJwks:
    """The module's server, reset: each issuer signs with its own key (a key of one issuer must never
    verify another's tokens)."""
    with _server.lock:
        _server.documents.clear()
        _server.statuses.clear()
        _server.hits.clear()
    _server.serve(ORIGINAL, document(jwk_for(keys.main, KID)))
    _server.serve(UPDATED, document(jwk_for(keys.second, KID2)))
    _server.serve(ORIGINAL_IN_REPLICA, document(jwk_for(keys.stranger, "replica-kid")))
    return _server


def verifier_on(server: IssuerJwks, clock: FakeClock, mono: FakeClock, **options: Any) -> TokenVerifier:
    """The verifier cognito_verifier builds for these options, its derived URLs mapped onto ``server``."""
    issuers = pool_issuers(POOL_ID, **options)
    return TokenVerifier(
        issuers={
            issuer: JwksCache(server.local(url), clock=mono, absent_means_no_keys=True)
            for issuer, url in issuers.items()
        },
        allowed_client_ids=[CLIENT_ID],
        clock=clock,
    )


def signed_for(
    tokens: TokenFactory, keys: Keys, issuer: str, *, iss: str | None = None, **claims: Any
) -> str:
    """A genuine token of ``issuer``: signed with that issuer's key (and kid), as the fixture serves it;
    ``iss`` names another issuer in it (a forgery with a key of the first)."""
    named = iss or issuer
    if issuer == UPDATED:
        return tokens.make(key=keys.second, kid=KID2, iss=named, **claims)
    if issuer == ORIGINAL_IN_REPLICA:
        return tokens.make(key=keys.stranger, kid="replica-kid", iss=named, **claims)
    return tokens.make(key=keys.main, kid=KID, iss=named, **claims)


# ---- the issuers a pool can use ---------------------------------------------------------------------


def test_derived_issuers_and_their_jwks() -> None:
    assert pool_issuers("eu-west-1_AbC123") == {
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123": (
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"
        ),
        "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123": (
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"
        ),
    }
    assert list(pool_issuers(POOL_ID, issuer_format="original")) == [ORIGINAL]
    assert list(pool_issuers(POOL_ID, issuer_format="updated")) == [UPDATED]
    assert list(pool_issuers(POOL_ID, replica_regions=[REPLICA, "ap-south-1"])) == [
        ORIGINAL,
        UPDATED,
        ORIGINAL_IN_REPLICA,
        original_issuer("ap-south-1", POOL_ID),
    ]
    # under the updated format every Region issues the primary Region's issuer: replicas add nothing
    assert list(pool_issuers(POOL_ID, issuer_format="updated", replica_regions=[REPLICA])) == [UPDATED]


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"issuer_format": "UPDATED"}, ValueError, "issuer_format"),
        ({"issuer_format": "both"}, ValueError, "issuer_format"),
        ({"replica_regions": "eu-west-1"}, TypeError, "not one string"),
        ({"replica_regions": ["eu-west-1", "eu-west-1"]}, ValueError, "twice"),
        ({"replica_regions": [REGION]}, ValueError, "primary Region"),
        ({"replica_regions": ["EU-WEST-1"]}, ValueError, "Region name"),
        ({"replica_regions": ["eu-west-1.evil.com"]}, ValueError, "Region name"),
        ({"replica_regions": ["eu-west-1/x"]}, ValueError, "Region name"),
        ({"replica_regions": [""]}, ValueError, "Region name"),
        ({"replica_regions": [7]}, ValueError, "Region name"),
        (
            {"replica_regions": [f"x{chr(97 + i)}-west-1" for i in range(MAX_REPLICA_REGIONS + 1)]},
            ValueError,
            "at most",
        ),
    ],
)
def test_bad_issuer_options_say_what_to_fix(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        pool_issuers(POOL_ID, **options)


# ---- which iss passes, and which keys it is checked with ------------------------------------------------

OTHER_POOL = "us-east-1_OtherPool"
# (iss, accepted with "any", with "original", with "updated"); replica Region eu-west-1 configured
ISSUER_TABLE: list[tuple[str, Any, bool, bool, bool]] = [
    ("original format", ORIGINAL, True, True, False),
    ("updated format", UPDATED, True, False, True),
    ("original format of a configured replica", ORIGINAL_IN_REPLICA, True, True, False),
    ("updated format in the replica's Region", updated_issuer(REPLICA, POOL_ID), False, False, False),
    (
        "original format of a Region not configured",
        original_issuer("ap-south-1", POOL_ID),
        False,
        False,
        False,
    ),
    ("another pool, original format", original_issuer(REGION, OTHER_POOL), False, False, False),
    ("another pool, updated format", updated_issuer(REGION, OTHER_POOL), False, False, False),
    ("plain http", ORIGINAL.replace("https://", "http://"), False, False, False),
    ("trailing slash", ORIGINAL + "/", False, False, False),
    ("upper-case host", ORIGINAL.replace("cognito-idp", "COGNITO-IDP"), False, False, False),
    ("upper-case pool id", ORIGINAL.replace(POOL_ID, POOL_ID.upper()), False, False, False),
    (
        "look-alike host",
        UPDATED.replace(".amazonaws.com", ".amazonaws.com.evil.example"),
        False,
        False,
        False,
    ),
    (
        "prefix of another host",
        UPDATED.replace("issuer-cognito-idp", "xissuer-cognito-idp"),
        False,
        False,
        False,
    ),
    ("default port spelled out", UPDATED.replace(".com/", ".com:443/"), False, False, False),
    ("Cyrillic o in cognito", ORIGINAL.replace("cognito", "c\u043egnito"), False, False, False),
    ("a list holding the issuer", [ORIGINAL], False, False, False),
    ("a number", 1, False, False, False),
    ("null", None, False, False, False),
]


@pytest.mark.parametrize(
    ("what", "iss", "any_format", "original_only", "updated_only"),
    ISSUER_TABLE,
    ids=[row[0] for row in ISSUER_TABLE],
)
@pytest.mark.parametrize("issuer_format", ["any", "original", "updated"])
def test_an_issuer_is_accepted_only_as_configured_and_refused_before_any_key_fetch(  # noqa: PLR0917
    server: IssuerJwks,
    tokens: TokenFactory,
    keys: Keys,
    clock: FakeClock,
    mono: FakeClock,
    issuer_format: str,
    what: str,
    iss: Any,
    any_format: bool,
    original_only: bool,
    updated_only: bool,
) -> None:
    verifier = verifier_on(server, clock, mono, issuer_format=issuer_format, replica_regions=[REPLICA])
    accepted = {"any": any_format, "original": original_only, "updated": updated_only}[issuer_format]
    token = signed_for(tokens, keys, iss) if isinstance(iss, str) else tokens.make(iss=iss)
    if accepted:
        assert verifier.verify(token).client_id == CLIENT_ID
        assert server.total_hits() == 1  # that issuer's JWKS, and no other
        assert server.hits_of(iss) == 1
    else:
        with pytest.raises(errors.WrongIssuer):
            verifier.verify(token)
        assert server.total_hits() == 0  # refused on its claims: no key was fetched for it


@pytest.mark.parametrize("issuer", [ORIGINAL, UPDATED, ORIGINAL_IN_REPLICA])
def test_one_issuers_keys_never_verify_another_issuers_tokens(  # noqa: PLR0917
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock, issuer: str
) -> None:
    verifier = verifier_on(server, clock, mono, replica_regions=[REPLICA])
    for other in (ORIGINAL, UPDATED, ORIGINAL_IN_REPLICA):
        verifier.verify(signed_for(tokens, keys, other))  # every key set is warm
    for signer in (ORIGINAL, UPDATED, ORIGINAL_IN_REPLICA):
        if signer == issuer:
            continue
        # signed with another issuer's key (and kid), naming this issuer: this issuer's set lacks it
        forged = signed_for(tokens, keys, signer, iss=issuer)
        with pytest.raises(errors.UnknownKey):
            verifier.verify(forged)


def test_a_pool_still_on_the_original_issuer_never_has_its_updated_jwks_fetched(
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock
) -> None:
    """aws-jwt-verify #279: the updated JWKS answers 403 for such a pool; prefetching it broke start-up."""
    server.serve(UPDATED, b'{"message":"forbidden"}', status=403)
    verifier = verifier_on(server, clock, mono)
    for i in range(20):
        assert verifier.verify(signed_for(tokens, keys, ORIGINAL, jti=f"genuine-{i}")).client_id == CLIENT_ID
    assert server.hits_of(UPDATED) == 0
    # a forged token naming the updated issuer: 401 (no key set there), not 503, and one fetch per window
    for i in range(50):
        with pytest.raises(errors.UnknownKey):
            verifier.verify(signed_for(tokens, keys, UPDATED, jti=f"forged-{i}"))
    assert server.hits_of(UPDATED) == 1
    assert verifier.jwks_fetch_failures == 1
    mono.advance(10.0)
    with pytest.raises(errors.UnknownKey):
        verifier.verify(signed_for(tokens, keys, UPDATED, jti="after-the-window"))
    assert server.hits_of(UPDATED) == 2
    assert verifier.verify(signed_for(tokens, keys, ORIGINAL, jti="still-fine")).client_id == CLIENT_ID


def test_a_pinned_formats_jwks_answering_403_is_an_outage_not_a_bad_token(
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock
) -> None:
    """The operator said the pool uses this format: keys must be there, so a 403 is a 503 (alarmed)."""
    from cognito_m2m_verifier.issuers import issuers_to_tell_apart

    server.serve(UPDATED, b'{"message":"forbidden"}', status=403)
    told_apart = issuers_to_tell_apart(POOL_ID, "updated")
    assert told_apart == frozenset()
    verifier = TokenVerifier(
        issuers={
            UPDATED: JwksCache(server.local(f"{UPDATED}/.well-known/jwks.json"), clock=mono,
                               absent_means_no_keys=UPDATED in told_apart)
        },
        allowed_client_ids=[CLIENT_ID],
        clock=clock,
    )  # fmt: skip
    with pytest.raises(errors.KeysUnavailable):
        verifier.verify(signed_for(tokens, keys, UPDATED))


def test_each_issuers_key_set_keeps_its_keys_through_an_outage_of_another(
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock
) -> None:
    verifier = verifier_on(server, clock, mono)
    verifier.verify(signed_for(tokens, keys, ORIGINAL))
    verifier.verify(signed_for(tokens, keys, UPDATED))
    server.serve(ORIGINAL, b"down", status=503)
    server.serve(UPDATED, b"down", status=500)
    mono.advance(60)
    for issuer in (ORIGINAL, UPDATED):  # known kids need no fetch: both keep working
        assert verifier.verify(signed_for(tokens, keys, issuer, jti=f"during-{issuer}")).client_id
    # an unknown kid at the original issuer is that set's outage (503), and its window is its own
    with pytest.raises(errors.KeysUnavailable):
        verifier.verify(tokens.make(key=keys.stranger, kid="unknown", iss=ORIGINAL))
    with pytest.raises(errors.KeysUnavailable):
        verifier.verify(tokens.make(key=keys.stranger, kid="unknown", iss=UPDATED))
    assert (server.hits_of(ORIGINAL), server.hits_of(UPDATED)) == (2, 2)
    assert verifier.jwks_fetches == 4


def test_a_key_set_change_of_any_issuer_empties_the_verified_token_cache(
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock
) -> None:
    verifier = verifier_on(server, clock, mono)
    genuine = signed_for(tokens, keys, ORIGINAL)
    verifier.verify(genuine)
    assert verifier.cached_tokens == 1
    # the updated issuer's key set is fetched (it changes from empty): the cache starts over
    server.serve(UPDATED, document(jwk_for(keys.second, KID2), jwk_for(keys.main, "rotated")))
    verifier.verify(signed_for(tokens, keys, UPDATED))
    assert verifier.cached_tokens == 1
    assert verifier.verify(genuine).client_id == CLIENT_ID  # verified again, with the original's keys


# ---- configuration: the environment, and one JWKS_URL for all ------------------------------------------


def env(**over: str) -> dict[str, str]:
    return {"USER_POOL_ID": POOL_ID, "ALLOWED_CLIENT_IDS": CLIENT_ID, "ROUTE_SCOPES": ROUTES, **over}


def test_the_environment_chooses_formats_and_replicas() -> None:
    config = load_config(env(), implemented=None)
    assert config.issuers is not None
    assert list(config.issuers) == [ORIGINAL, UPDATED]
    assert config.issuer == ORIGINAL
    assert not config.jwks_url_given
    pinned = load_config(env(ISSUER_FORMAT="updated", REPLICA_REGIONS=REPLICA), implemented=None)
    assert pinned.issuers is not None
    assert list(pinned.issuers) == [UPDATED]
    assert pinned.issuer == UPDATED
    replicas = load_config(env(REPLICA_REGIONS=f" {REPLICA} , ap-south-1 "), implemented=None)
    assert replicas.issuers is not None
    assert list(replicas.issuers)[2:] == [ORIGINAL_IN_REPLICA, original_issuer("ap-south-1", POOL_ID)]
    assert load_config(env(REPLICA_REGIONS="  "), implemented=None).issuers == config.issuers


@pytest.mark.parametrize(
    ("over", "variable"),
    [
        ({"ISSUER_FORMAT": "new"}, "ISSUER_FORMAT"),
        ({"ISSUER_FORMAT": "Updated"}, "ISSUER_FORMAT"),
        ({"REPLICA_REGIONS": "eu-west-1,,us-west-2"}, "REPLICA_REGIONS"),
        ({"REPLICA_REGIONS": REGION}, "REPLICA_REGIONS"),
        ({"REPLICA_REGIONS": "eu-west-1,eu-west-1"}, "REPLICA_REGIONS"),
        ({"REPLICA_REGIONS": "eu-west-1.evil.example"}, "REPLICA_REGIONS"),
    ],
)
def test_bad_issuer_variables_fail_the_cold_start_naming_them(over: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_config(env(**over), implemented=None)


def test_one_jwks_url_serves_every_issuer_and_derived_urls_get_one_key_set_each() -> None:
    given = load_config(
        env(JWKS_URL="http://127.0.0.1:4566/keys.json", REPLICA_REGIONS=REPLICA), implemented=None
    )
    shared = key_sets_for(given)
    assert list(shared) == [ORIGINAL, UPDATED, ORIGINAL_IN_REPLICA]
    assert len({id(key_set) for key_set in shared.values()}) == 1
    assert next(iter(shared.values())).url == "http://127.0.0.1:4566/keys.json"
    assert not next(iter(shared.values())).absent_means_no_keys  # a URL given by configuration: 503
    derived = key_sets_for(load_config(env(REPLICA_REGIONS=REPLICA), implemented=None))
    assert {issuer: key_set.url for issuer, key_set in derived.items()} == {
        issuer: f"{issuer}/.well-known/jwks.json" for issuer in (ORIGINAL, UPDATED, ORIGINAL_IN_REPLICA)
    }
    # both formats accepted: a 403/404 from either says "not this pool's format"; a replica the operator
    # named is expected to hold keys, so there it stays an outage
    assert {i: k.absent_means_no_keys for i, k in derived.items()} == {
        ORIGINAL: True,
        UPDATED: True,
        ORIGINAL_IN_REPLICA: False,
    }
    pinned = key_sets_for(load_config(env(ISSUER_FORMAT="updated"), implemented=None))
    assert [k.absent_means_no_keys for k in pinned.values()] == [False]


def test_the_library_facade_takes_the_same_choices() -> None:
    from cognito_m2m_verifier.cognito import cognito_verifier

    verifier = cognito_verifier(
        user_pool_id=POOL_ID, client_ids=[CLIENT_ID], issuer_format="original", replica_regions=[REPLICA]
    )
    assert list(verifier.issuers) == [ORIGINAL, ORIGINAL_IN_REPLICA]
    assert [key_set.url for key_set in verifier.key_sets] == [
        f"{ORIGINAL}/.well-known/jwks.json",
        f"{ORIGINAL_IN_REPLICA}/.well-known/jwks.json",
    ]
    with pytest.raises(TypeError, match="not one string"):
        cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], replica_regions=REPLICA)
    with pytest.raises(ValueError, match="issuer_format"):
        cognito_verifier(user_pool_id=POOL_ID, client_ids=[CLIENT_ID], issuer_format="new")


def test_a_verifier_needs_issuers_one_way_or_the_other(make_jwks: Any) -> None:
    jwks = make_jwks()
    with pytest.raises(TypeError, match="issuer and jwks, or issuers"):
        TokenVerifier(issuer=ORIGINAL, allowed_client_ids=[CLIENT_ID])
    with pytest.raises(TypeError, match="not both"):
        TokenVerifier(issuer=ORIGINAL, jwks=jwks, issuers={UPDATED: jwks}, allowed_client_ids=[CLIENT_ID])
    with pytest.raises(ValueError, match="at least one"):
        TokenVerifier(issuers={}, allowed_client_ids=[CLIENT_ID])
    with pytest.raises(ValueError, match="https"):
        TokenVerifier(issuers={"http://x": jwks}, allowed_client_ids=[CLIENT_ID])


def test_the_access_line_counts_fetches_of_every_key_set(
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock
) -> None:
    from test_resource_handler import bearer, event

    from cognito_m2m_verifier.access_log import AccessLog
    from cognito_m2m_verifier.handler import ResourceApp
    from cognito_m2m_verifier.request_metrics import metrics_from_env
    from cognito_m2m_verifier.routes import RouteTable

    server.serve(UPDATED, b"{}", status=404)
    verifier = verifier_on(server, clock, mono)
    metrics = metrics_from_env({"METRICS_NAMESPACE": "CognitoM2MTest", "AWS_LAMBDA_FUNCTION_NAME": "api"})
    app = ResourceApp(RouteTable({("GET", "/api"): ("rest-api/read",)}), verifier, metrics=metrics)
    stream = io.StringIO()
    app.access_log = AccessLog("cognito_m2m_verifier", enabled=True, stream=stream)
    answers = [
        app(event("single", headers=bearer(signed_for(tokens, keys, issuer))))
        for issuer in (ORIGINAL, UPDATED, ORIGINAL)
    ]
    assert [a["statusCode"] for a in answers] == [200, 401, 200]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line.get("JwksFetches"), line.get("JwksFetchFailures")) for line in lines] == [
        (1, 0),
        (1, 1),
        (None, None),
    ]


def test_a_token_whose_key_left_during_its_check_is_not_cached(
    server: IssuerJwks, tokens: TokenFactory, keys: Keys, clock: FakeClock, mono: FakeClock
) -> None:
    """Another thread's fetch installs a key set without the key just used: the token is answered (its
    signature was checked with a key of the pool) but not cached, so its next use is checked again."""

    class Rotated(JwksCache):
        def get_key_and_length(self, kid: str) -> Any:
            entry = super().get_key_and_length(kid)
            self.load(document(jwk_for(keys.second, "the-new-key")))
            return entry

    verifier = TokenVerifier(
        issuers={ORIGINAL: Rotated(server.local(f"{ORIGINAL}/.well-known/jwks.json"), clock=mono)},
        allowed_client_ids=[CLIENT_ID],
        clock=clock,
    )
    token = signed_for(tokens, keys, ORIGINAL)
    assert verifier.verify(token).client_id == CLIENT_ID
    assert verifier.cached_tokens == 0


def test_a_verifier_is_freed_while_its_key_set_lives(make_jwks: Any) -> None:
    import gc
    import weakref

    shared = make_jwks()
    verifier = TokenVerifier(issuer=ORIGINAL, jwks=shared, allowed_client_ids=[CLIENT_ID])
    gone = weakref.ref(verifier)
    del verifier
    gc.collect()
    assert gone() is None
