"""Client metadata for the pre token generation trigger: on the wire (token endpoint and GetClientToken),
in every cache key (memory and the fleet's table, a digest only), validated, and never shown.

The token endpoint is a loopback server recording each request; GetClientToken is the local edge's
emulation behind Cognito's JSON protocol (tests/client/test_client_token_api.py); the fleet's table is a
moto server; Secrets Manager is moto.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl

import pytest
import urllib3

from cognito_m2m_client import CognitoTokens
from cognito_m2m_client.client_metadata import (
    MAX_CLIENT_METADATA_BYTES,
    MAX_CLIENT_METADATA_ENTRIES,
    canonical_json,
    checked_client_metadata,
    metadata_digest,
)
from cognito_m2m_client.config import ConfigError, load_config
from cognito_m2m_client.http import Deadline, HttpClient, RetryPolicy
from cognito_m2m_client.oauth import token_request_body
from cognito_m2m_client.secret_cache import ClientCredentials
from cognito_m2m_client.shared_cache import client_prefix, item_key
from cognito_m2m_client.token_cache import TokenCache, cache_key
from cognito_m2m_client.token_source import StaticCredentials, TokenSource
from tests.client.conftest import MakeHandler
from tests.client.servers import ScriptedServer
from tests.client.shared_cache_support import (
    TABLE,
    CognitoLikeEndpoint,
    cognito_token,
    container,
    create_table,
)
from tests.client.support import CLIENT_ID, CLIENT_SECRET, SCOPES, Aws, FakeClock, alb_event
from tests.client.test_client_token_api import TOKEN_SECRET, Cognito

READ = "rest-api/read"
# What the metadata may hold is sensitive: these markers must never show in a message, a log or a repr.
KEY_MARK, VALUE_MARK = "Plugh", "Xyzzy"
TENANT = {"tenant": "acme-Xyzzy-1", "env": "prod"}
CANONICAL = '{"env":"prod","tenant":"acme-Xyzzy-1"}'


def sent_form(server: ScriptedServer, index: int = -1) -> list[tuple[str, str]]:
    return parse_qsl(server.requests[index].body.decode("ascii"), keep_blank_values=True)


def sent_metadata(server: ScriptedServer, index: int = -1) -> list[str]:
    """Every ``aws_client_metadata`` of a token request, URL-decoded."""
    return [value for name, value in sent_form(server, index) if name == "aws_client_metadata"]


def direct(endpoint: str, **options: Any) -> CognitoTokens:
    settings: dict[str, Any] = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": [READ]}
    return CognitoTokens(token_url=endpoint, **{**settings, **options})


@pytest.fixture
def endpoint(token_server: ScriptedServer) -> str:
    return token_server.url("/oauth2/token")


# ---- on the wire: the token endpoint ----------------------------------------------------------------


def test_the_token_endpoint_receives_the_canonical_json_once(
    token_server: ScriptedServer, endpoint: str
) -> None:
    tokens = direct(endpoint, client_metadata=TENANT)
    assert tokens.token() == tokens.token()  # cached as any token is
    assert token_server.count == 1
    assert sent_metadata(token_server) == [CANONICAL]
    assert [name for name, _ in sent_form(token_server)] == ["grant_type", "scope", "aws_client_metadata"]


def test_the_form_parameter_is_the_url_encoded_compact_json() -> None:
    body = token_request_body((READ,), (("env", "prod"),))
    assert body == (
        b"grant_type=client_credentials&scope=rest-api%2Fread&aws_client_metadata=%7B%22env%22%3A%22prod%22%7D"
    )
    unicode = checked_client_metadata({"city": "Zürich", "note": 'a "quoted" & + sign'})
    decoded = dict(parse_qsl(token_request_body((), unicode).decode("ascii")))
    assert decoded["aws_client_metadata"] == '{"city":"Zürich","note":"a \\"quoted\\" & + sign"}'
    assert json.loads(decoded["aws_client_metadata"]) == {"city": "Zürich", "note": 'a "quoted" & + sign'}


@pytest.mark.parametrize("metadata", [None, {}, MappingProxyType({})])
def test_no_metadata_sends_todays_request_byte_for_byte(
    token_server: ScriptedServer, endpoint: str, metadata: Any
) -> None:
    direct(endpoint, client_metadata=metadata).token()
    direct(endpoint, scopes=[], client_metadata=metadata).token()
    assert token_server.requests[0].body == b"grant_type=client_credentials&scope=rest-api%2Fread"
    assert token_server.requests[1].body == b"grant_type=client_credentials"
    assert token_request_body((READ,), ()) == token_request_body((READ,))


def test_the_metadata_is_copied_at_construction(token_server: ScriptedServer, endpoint: str) -> None:
    mine = dict(TENANT)
    tokens = direct(endpoint, client_metadata=mine)
    mine["tenant"] = "other"
    mine["extra"] = "x"
    tokens.token()
    assert sent_metadata(token_server) == [CANONICAL]
    assert tokens.source.client_metadata == (("env", "prod"), ("tenant", "acme-Xyzzy-1"))


def test_every_request_of_the_instance_carries_it(token_server: ScriptedServer, endpoint: str) -> None:
    tokens = direct(endpoint, client_metadata=TENANT)
    tokens.token()
    tokens.token(["rest-api/write"])
    tokens.invalidate(tokens.token())  # forgotten under the metadata's key: the next call asks again
    tokens.token()
    assert token_server.count == 3
    assert [sent_metadata(token_server, i) for i in range(3)] == [[CANONICAL]] * 3


# ---- on the wire: GetClientToken --------------------------------------------------------------------


@pytest.fixture
def cognito() -> Iterator[Cognito]:
    api = Cognito()
    yield api
    api.server.stop()


def test_get_client_token_receives_client_metadata(cognito: Cognito) -> None:
    tokens = CognitoTokens(
        cognito_endpoint=cognito.url,
        client_id=CLIENT_ID,
        client_secret=TOKEN_SECRET,
        scopes=[READ],
        client_metadata={"city": "Zürich", **TENANT},
    )
    assert tokens.token() == tokens.token()
    plain = CognitoTokens(cognito_endpoint=cognito.url, client_id=CLIENT_ID, client_secret=TOKEN_SECRET)
    assert plain.token()
    assert cognito.server.count == 2
    assert json.loads(cognito.server.requests[0].body) == {
        "ClientId": CLIENT_ID,
        "Secret": TOKEN_SECRET,
        "Scopes": [READ],
        "ClientMetadata": {"city": "Zürich", "env": "prod", "tenant": "acme-Xyzzy-1"},
    }
    assert "ClientMetadata" not in json.loads(cognito.server.requests[1].body)


def test_the_client_function_sends_client_metadata_to_get_client_token(
    make_handler: MakeHandler, cognito: Cognito, aws: Aws
) -> None:
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": TOKEN_SECRET}))
    handler = make_handler(
        env={
            "TOKEN_SOURCE": "get_client_token",
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": cognito.url,
            "CLIENT_METADATA": json.dumps(TENANT),
        }
    )
    assert handler(alb_event(), None)["statusCode"] == 200
    assert json.loads(cognito.server.requests[0].body)["ClientMetadata"] == TENANT


# ---- cache keys: in memory ----------------------------------------------------------------------------


def test_empty_metadata_keeps_todays_cache_key() -> None:
    assert cache_key("c", ["b/x", "a/y"], ()) == ("c", ("a/y", "b/x"))
    assert cache_key("c", ["b/x", "a/y"], ()) == cache_key("c", ["a/y", "b/x"])
    digest = hashlib.sha256(CANONICAL.encode()).hexdigest()
    assert cache_key("c", ["a/y"], checked_client_metadata(TENANT)) == ("c", ("a/y",), digest)
    assert metadata_digest(checked_client_metadata(TENANT)) == digest
    other = checked_client_metadata({**TENANT, "tenant": "globex"})
    assert cache_key("c", ["a/y"], other) != cache_key("c", ["a/y"], checked_client_metadata(TENANT))
    reordered = checked_client_metadata(dict(reversed(list(TENANT.items()))))
    assert cache_key("c", ["a/y"], reordered) == cache_key("c", ["a/y"], checked_client_metadata(TENANT))


def test_an_instance_without_metadata_caches_under_todays_key(endpoint: str) -> None:
    for metadata in (None, {}):
        tokens = direct(endpoint, client_metadata=metadata)
        assert tokens.source.client_metadata == ()
        assert tokens._get(None).key == (CLIENT_ID, (READ,))
        assert list(tokens.source.tokens._entries) == [(CLIENT_ID, (READ,))]


def test_two_metadata_sets_never_share_a_token_in_memory(token_server: ScriptedServer, endpoint: str) -> None:
    """Two sources of one app client over one in-memory cache: one token each, never the other's."""
    clock = FakeClock()
    http = HttpClient(
        urllib3.PoolManager(),
        connect_timeout=5.0,
        read_timeout=5.0,
        policy=RetryPolicy(),
        clock=clock,
        sleep=clock.sleep,
        random=lambda: 0.5,
    )
    cache = TokenCache(clock, 60)
    credentials = StaticCredentials(ClientCredentials(CLIENT_ID, CLIENT_SECRET))

    def source(metadata: dict[str, str] | None) -> TokenSource:
        return TokenSource(
            token_url=endpoint,
            credentials=credentials,
            tokens=cache,
            http=http,
            clock=clock,
            client_metadata=checked_client_metadata(metadata),
        )

    acme, globex, none = source(TENANT), source({**TENANT, "tenant": "globex"}), source(None)
    deadline = Deadline(clock, 10)
    tokens = [s.get([READ], deadline) for s in (acme, globex, none)]
    assert len({t.value for t in tokens}) == 3
    assert token_server.count == 3
    assert [sent_metadata(token_server, i) for i in range(3)] == [
        [CANONICAL],
        ['{"env":"prod","tenant":"globex"}'],
        [],
    ]
    again = [s.get([READ], deadline) for s in (acme, globex, none)]  # each from the cache, its own
    assert [t.value for t in again] == [t.value for t in tokens]
    assert not any(t.fetched_now for t in again)
    assert token_server.count == 3
    assert len(cache) == 3
    assert acme.forget([READ], tokens[1].value) is False  # globex's token is not acme's to drop
    assert acme.forget([READ], tokens[0].value) is True
    assert globex.get([READ], deadline).value == tokens[1].value


def test_two_instances_with_different_metadata_ask_twice(token_server: ScriptedServer, endpoint: str) -> None:
    first, second = (
        direct(endpoint, client_metadata=TENANT),
        direct(endpoint, client_metadata={"tenant": "b"}),
    )
    assert first.token() != second.token()
    assert token_server.count == 2
    assert sent_metadata(token_server, 1) == ['{"tenant":"b"}']


# ---- cache keys: the fleet's table ----------------------------------------------------------------------


@pytest.fixture
def table(moto_url: str) -> Iterator[Any]:
    dynamodb = create_table(moto_url)
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


@pytest.fixture
def fleet_endpoint() -> Iterator[CognitoLikeEndpoint]:
    server = CognitoLikeEndpoint()
    yield server
    server.stop()


def pks(table: Any) -> set[str]:
    return {item["pk"]["S"] for item in table.scan(TableName=TABLE)["Items"]}


TODAYS_PK = f"{client_prefix(CLIENT_ID)}#{hashlib.sha256(READ.encode()).hexdigest()[:32]}"


def test_empty_metadata_keeps_todays_item_key() -> None:
    assert item_key((CLIENT_ID, (READ,))) == TODAYS_PK
    assert item_key(cache_key(CLIENT_ID, [READ], ())) == TODAYS_PK
    with_metadata = item_key(cache_key(CLIENT_ID, [READ], checked_client_metadata(TENANT)))
    assert with_metadata == f"{TODAYS_PK}#{hashlib.sha256(CANONICAL.encode()).hexdigest()}"
    assert with_metadata.startswith(client_prefix(CLIENT_ID) + "#")  # dynamodb:LeadingKeys still holds
    assert VALUE_MARK not in with_metadata
    assert "tenant" not in with_metadata


def test_metadata_sets_never_share_an_item_of_the_fleets_table(
    table: Any, fleet_endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    acme = container(fleet_endpoint.url, moto_url, client_metadata=TENANT)
    globex = container(fleet_endpoint.url, moto_url, client_metadata={**TENANT, "tenant": "globex"})
    plain = container(fleet_endpoint.url, moto_url)
    tokens = [acme.token(), globex.token(), plain.token()]
    assert len(set(tokens)) == 3
    assert fleet_endpoint.requests == 3  # none of them took another's token from the table
    assert sum(c.source.stats.shared_cache_hits for c in (acme, globex, plain)) == 0
    acme_pk = item_key(cache_key(CLIENT_ID, [READ], checked_client_metadata(TENANT)))
    assert TODAYS_PK in pks(table)
    assert acme_pk in pks(table)
    assert len(pks(table)) == 3
    assert all(pk.startswith(client_prefix(CLIENT_ID) + "#") for pk in pks(table))
    assert VALUE_MARK not in json.dumps(table.scan(TableName=TABLE)["Items"])
    # another container with the same metadata (in another order) shares acme's token, and only it
    again = container(fleet_endpoint.url, moto_url, client_metadata=dict(reversed(list(TENANT.items()))))
    assert again.token() == tokens[0]
    assert again.source.stats.shared_cache_hits == 1
    assert container(fleet_endpoint.url, moto_url, client_metadata={}).token() == tokens[2]
    assert fleet_endpoint.requests == 3


def test_an_item_written_before_metadata_existed_is_still_read(
    table: Any, fleet_endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    exp = int(time.time()) + 3600
    earlier = cognito_token(CLIENT_ID, READ, exp)
    table.put_item(
        TableName=TABLE, Item={"pk": {"S": TODAYS_PK}, "token": {"S": earlier}, "expires_at": {"N": str(exp)}}
    )
    assert container(fleet_endpoint.url, moto_url, client_metadata={}).token() == earlier
    assert container(fleet_endpoint.url, moto_url, client_metadata=TENANT).token() != earlier
    assert fleet_endpoint.requests == 1


# ---- validation -----------------------------------------------------------------------------------------


def padded_to(size: int) -> dict[str, str]:
    """Metadata of 16 entries whose canonical JSON is exactly ``size`` bytes (values shortened from the
    longest allowed until it fits)."""
    metadata = {f"k{i:02}": "v" * 256 for i in range(MAX_CLIENT_METADATA_ENTRIES)}
    excess = len(canonical_json(tuple(sorted(metadata.items()))).encode()) - size
    for key in sorted(metadata, reverse=True):
        cut = min(excess, len(metadata[key]))
        metadata[key] = metadata[key][cut:]
        excess -= cut
    return metadata


def test_the_bounds_are_inclusive() -> None:
    assert checked_client_metadata({"k" * 128: "v" * 256, "e": ""}) == (("e", ""), ("k" * 128, "v" * 256))
    full = checked_client_metadata(padded_to(MAX_CLIENT_METADATA_BYTES))
    assert len(full) == MAX_CLIENT_METADATA_ENTRIES
    assert len(canonical_json(full).encode()) == MAX_CLIENT_METADATA_BYTES
    assert checked_client_metadata({"k": "é" * 256, "\u2028": "\U0001f600"})  # non-ASCII, not control
    with pytest.raises(ValueError, match="at most 2048 bytes"):
        checked_client_metadata(padded_to(MAX_CLIENT_METADATA_BYTES + 1))


class StrSubclass(str):
    pass


def test_str_subclasses_are_kept_as_plain_str() -> None:
    ((key, value),) = checked_client_metadata({StrSubclass("k"): StrSubclass("v")})
    assert (type(key), type(value)) == (str, str)


INVALID: list[tuple[str, Any, str]] = [
    ("str", '{"Plugh": "Xyzzy"}', "not one string"),
    ("bytes", b"Plugh=Xyzzy", "must be a mapping"),
    ("pairs", [(KEY_MARK, VALUE_MARK)], "must be a mapping"),
    ("int-key", {4242: VALUE_MARK}, "keys must be str, not int"),
    ("int-value", {KEY_MARK: 4242}, "values must be str, not int"),
    ("none-value", {KEY_MARK: None}, "values must be str, not NoneType"),
    ("empty-key", {"": VALUE_MARK}, "keys are 1-128 characters, not 0"),
    ("long-key", {KEY_MARK * 26: VALUE_MARK}, "keys are 1-128 characters, not 130"),
    ("long-value", {KEY_MARK: VALUE_MARK * 52}, "values are 0-256 characters, not 260"),
    ("17-entries", {f"{KEY_MARK}{i}": VALUE_MARK for i in range(17)}, "at most 16 entries, not 17"),
    ("nul-value", {KEY_MARK: VALUE_MARK + "\x00"}, "values must not hold control characters"),
    ("newline-value", {KEY_MARK: VALUE_MARK + "\n"}, "values must not hold control characters"),
    ("del-key", {KEY_MARK + "\x7f": VALUE_MARK}, "keys must not hold control characters"),
    ("c1-value", {KEY_MARK: VALUE_MARK + "\x9f"}, "values must not hold control characters"),
    ("surrogate-value", {KEY_MARK: VALUE_MARK + "\ud800"}, "values must be valid Unicode"),
    ("surrogate-key", {KEY_MARK + "\udfff": VALUE_MARK}, "keys must be valid Unicode"),
    ("too-big", {f"{KEY_MARK}{i:03}": VALUE_MARK * 40 for i in range(10)}, "at most 2048 bytes"),
]


@pytest.mark.parametrize(("value", "rule"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_each_rule_is_enforced_without_showing_the_metadata(endpoint: str, value: Any, rule: str) -> None:
    with pytest.raises(ValueError, match=r"^client_metadata ") as info:
        direct(endpoint, client_metadata=value)
    message = str(info.value)
    assert rule in message
    assert KEY_MARK not in message
    assert VALUE_MARK not in message
    assert "4242" not in message


# ---- the client function: CLIENT_METADATA ---------------------------------------------------------------

BASE = {
    "TOKEN_URL": "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token",
    "CLIENT_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m/client-AbCdEf",
    "SCOPES": READ,
    "API_URL": "https://api.example.com/",
}


@pytest.mark.parametrize("raw", [None, "", "  ", "{}", " { } "])
def test_without_client_metadata_the_function_sends_none(raw: str | None) -> None:
    env = BASE if raw is None else {**BASE, "CLIENT_METADATA": raw}
    assert load_config(env).client_metadata == ()


def test_client_metadata_is_read_and_kept_out_of_the_configs_repr() -> None:
    config = load_config({**BASE, "CLIENT_METADATA": ' {"tenant": "acme-Xyzzy-1", "env": "prod"} '})
    assert config.client_metadata == (("env", "prod"), ("tenant", "acme-Xyzzy-1"))
    assert VALUE_MARK not in repr(config)


BAD_ENV: list[tuple[str, str, str]] = [
    ("malformed", '{"Plugh": "Xyzzy"', "must be a JSON object (Expecting"),
    ("single-quotes", "{'Plugh': 'Xyzzy'}", "must be a JSON object (Expecting property name"),
    ("deep", "[" * 100_000, "not JSON, or nested too deeply"),
    ("huge-int", '{"Plugh": ' + "9" * 5000 + "}", "not JSON, or nested too deeply"),
    ("array", '["Plugh", "Xyzzy"]', "must be a JSON object of string keys to string values"),
    ("string", '"Plugh=Xyzzy"', "must be a JSON object of string keys to string values"),
    ("number", "4242", "must be a JSON object of string keys to string values"),
    ("null", "null", "must be a JSON object of string keys to string values"),
    ("number-value", '{"Plugh": 4242}', "values must be str, not int"),
    ("object-value", '{"Plugh": {"Xyzzy": "x"}}', "values must be str, not dict"),
    ("bool-value", '{"Plugh": true}', "values must be str, not bool"),
    ("duplicate", '{"Plugh": "Xyzzy", "Plugh": "other"}', "must not repeat a key"),
    ("empty-key", '{"": "Xyzzy"}', "keys are 1-128 characters"),
    ("control", '{"Plugh": "Xyzzy\\u0000"}', "values must not hold control characters"),
    ("surrogate", '{"Plugh": "Xyzzy\\ud800"}', "values must be valid Unicode"),
    ("17-entries", json.dumps({f"Plugh{i}": "Xyzzy" for i in range(17)}), "at most 16 entries"),
    ("too-big", json.dumps({f"Plugh{i}": "Xyzzy" * 40 for i in range(10)}), "at most 2048 bytes"),
]


@pytest.mark.parametrize(("raw", "rule"), [case[1:] for case in BAD_ENV], ids=[case[0] for case in BAD_ENV])
def test_a_bad_client_metadata_fails_the_cold_start_naming_the_rule_not_the_value(
    raw: str, rule: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config({**BASE, "CLIENT_METADATA": raw})
    message = str(info.value)
    assert info.value.name == "CLIENT_METADATA"
    assert message.startswith("configuration error: CLIENT_METADATA ")
    assert rule in message
    assert KEY_MARK not in message
    assert VALUE_MARK not in message
    assert "4242" not in message


def test_the_client_function_sends_client_metadata(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer
) -> None:
    handler = make_handler(env={"CLIENT_METADATA": json.dumps(TENANT)})
    assert handler(alb_event(), None)["statusCode"] == 200
    assert handler(alb_event(), None)["statusCode"] == 200
    assert token_server.count == 1
    assert sent_metadata(token_server) == [CANONICAL]
    assert handler.client.source.tokens._entries  # cached under the metadata's key
    ((key, _),) = handler.client.source.tokens._entries.items()
    assert key == cache_key(CLIENT_ID, SCOPES.split(), checked_client_metadata(TENANT))


# ---- never shown ----------------------------------------------------------------------------------------


def test_metadata_values_never_reach_logs_or_reprs(
    endpoint: str,
    make_handler: MakeHandler,
    token_server: ScriptedServer,
    all_logs: pytest.LogCaptureFixture,
) -> None:
    tokens = direct(endpoint, client_metadata=TENANT)
    token = tokens._get(None)
    tokens.invalidate(token.value)
    tokens.token()
    handler = make_handler(env={"CLIENT_METADATA": json.dumps(TENANT)})
    assert handler(alb_event(), None)["statusCode"] == 200
    with pytest.raises(ConfigError):
        make_handler(env={"CLIENT_METADATA": json.dumps({"tenant": VALUE_MARK, "x": 1})})
    assert token_server.count == 3
    assert all_logs.records  # the flow did log
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in all_logs.records)
    shown = repr(tokens) + repr(token) + repr(tokens.source.tokens._entries) + repr(handler.client.config)
    for text in (logged, shown):
        assert VALUE_MARK not in text
        assert "acme" not in text
