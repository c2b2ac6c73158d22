"""The fleet-wide token cache on DynamoDB (moto server on loopback), under contention and every failure.

Containers are :class:`CognitoTokens` instances with their own memory caches and clients, driven from
threads, and separate processes; the token endpoint is a loopback server counting requests.
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cognito_m2m_client.shared_cache import (
    SharedCacheError,
    SharedTokenTable,
    client_prefix,
    item_key,
    token_matches,
)
from tests.client.servers import ScriptedServer, token_endpoint
from tests.client.shared_cache_support import (
    CLIENT_ID,
    CREDENTIALS,
    TABLE,
    CognitoLikeEndpoint,
    cognito_token,
    container,
    create_table,
)

KEY = (CLIENT_ID, ("rest-api/read",))


@pytest.fixture
def table(moto_url: str) -> Iterator[Any]:
    dynamodb = create_table(moto_url)
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


@pytest.fixture
def endpoint() -> Iterator[CognitoLikeEndpoint]:
    server = CognitoLikeEndpoint(delay=0.05)
    yield server
    server.stop()


def test_two_containers_share_one_token(table: Any, endpoint: CognitoLikeEndpoint, moto_url: str) -> None:
    first, second = container(endpoint.url, moto_url), container(endpoint.url, moto_url)
    assert first.token() == second.token()
    assert endpoint.requests == 1
    assert second.source.stats.shared_cache_hits == 1
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}})["Item"]
    assert item["pk"]["S"].startswith(client_prefix(CLIENT_ID) + "#")
    assert set(item) == {"pk", "token", "expires_at"}  # the lease is gone, no secret is there
    assert "shared-cache-secret" not in str(item)


def test_a_cold_burst_of_containers_in_threads_makes_at_most_two_requests(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    containers = [container(endpoint.url, moto_url) for _ in range(40)]
    barrier = threading.Barrier(len(containers))

    def run(tokens: Any) -> str:
        barrier.wait()
        return str(tokens.token())

    with ThreadPoolExecutor(len(containers)) as pool:
        values = list(pool.map(run, containers))
    assert endpoint.requests <= 2
    assert len(set(values)) <= 2
    assert sum(c.source.stats.shared_cache_fallbacks for c in containers) == 0


def _process_container(token_url: str, moto_url: str, start: Any, out: Any) -> None:
    tokens = container(token_url, moto_url)
    start.wait()
    out.put(tokens.token())


def test_separate_processes_share_the_token(table: Any, endpoint: CognitoLikeEndpoint, moto_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    processes = [
        context.Process(target=_process_container, args=(endpoint.url, moto_url, start, out))
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    time.sleep(3.0)  # every process has imported and is waiting
    start.set()
    values = [out.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert endpoint.requests <= 2
    assert len(set(values)) <= 2


def test_a_stale_item_is_refreshed_once(table: Any, endpoint: CognitoLikeEndpoint, moto_url: str) -> None:
    stale = cognito_token(CLIENT_ID, "rest-api/read", int(time.time()) + 30)  # inside the 60 s skew
    table.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": item_key(KEY)},
            "token": {"S": stale},
            "expires_at": {"N": str(int(time.time()) + 30)},
        },
    )
    fresh = container(endpoint.url, moto_url).token()
    assert fresh != stale
    assert endpoint.requests == 1
    assert container(endpoint.url, moto_url).token() == fresh


def _in(seconds: int) -> int:
    return int(time.time()) + seconds


def _item(token: str, expires_at: int | str) -> dict[str, Any]:
    return {"token": {"S": token}, "expires_at": {"N": str(expires_at)}}


def _with_claims(exp: int, **claims: Any) -> str:
    """A Cognito-shaped token of this client and scope whose payload has ``claims`` on top."""
    header, payload, signature = cognito_token(CLIENT_ID, "rest-api/read", exp).split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def _read_token(exp: int) -> str:
    return cognito_token(CLIENT_ID, "rest-api/read", exp)


HOUR, YEARS = 3600, 10 * 365 * 86400
BAD_ITEMS = {
    "not_a_jwt": _item("not-a-jwt", _in(3600)),
    "another_client": _item(
        cognito_token("someoneelse0123456789abcd", "rest-api/read", _in(3600)), _in(3600)
    ),
    "another_scope_set": _item(
        cognito_token(CLIENT_ID, "rest-api/read rest-api/write", _in(3600)), _in(3600)
    ),
    "expiry_mismatch": _item(cognito_token(CLIENT_ID, "rest-api/read", _in(3600)), _in(3599)),
    "fractional_expiry": _item(cognito_token(CLIENT_ID, "rest-api/read", _in(3600)), f"{_in(3600)}.5"),
    "wrong_type": {"token": {"N": "12"}, "expires_at": {"N": str(_in(3600))}},
    "unicode": _item("é" * 20, _in(3600)),
    # Round 3: three dot-separated ASCII parts that are not base64url (CR/LF would reach the HTTP layer).
    "crlf_inside": _item(
        cognito_token(CLIENT_ID, "rest-api/read", _in(3600)).replace(".", "\r\n.", 1), _in(3600)
    ),
    "space_inside": _item(
        cognito_token(CLIENT_ID, "rest-api/read", _in(3600)).replace(".", " .", 1), _in(3600)
    ),
    "plus_and_slash": _item("a+b.c/d.e=f", _in(3600)),
    # ... an expiry years ahead (it would be cached for years and never removed by the TTL) ...
    "ten_years_ahead": _item(
        cognito_token(CLIENT_ID, "rest-api/read", _in(10 * 365 * 86400)), _in(10 * 365 * 86400)
    ),
    "a_day_and_more_ahead": _item(
        cognito_token(CLIENT_ID, "rest-api/read", _in(86400 + 301)), _in(86400 + 301)
    ),
    # ... and a token issued in the future.
    "issued_in_the_future": _item(_with_claims(_in(3600), iat=_in(900)), _in(3600)),
    "not_before_the_future": _item(_with_claims(_in(3600), nbf=_in(900)), _in(3600)),
    "lifetime_over_a_day": _item(_with_claims(_in(3600), iat=_in(-90000)), _in(3600)),
    "iat_not_a_number": _item(_with_claims(_in(3600), iat="yesterday"), _in(3600)),
}


@pytest.mark.parametrize("name", sorted(BAD_ITEMS))
def test_an_unusable_item_is_never_used_and_the_next_fetch_overwrites_it(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str, name: str
) -> None:
    bad = BAD_ITEMS[name]
    table.put_item(TableName=TABLE, Item={"pk": {"S": item_key(KEY)}, **bad})
    tokens = container(endpoint.url, moto_url)
    value = tokens.token()
    assert value not in str(bad)
    assert endpoint.requests == 1
    shared = tokens.source.shared
    assert shared is not None
    assert shared.stats.unusable_items == 1
    assert shared.stats.fallbacks == {}  # not a failure of the table: the item is replaced
    stored = table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}}, ConsistentRead=True)["Item"]
    assert stored["token"] == {"S": value}
    assert "lease_until" not in stored
    assert container(endpoint.url, moto_url).token() == value  # the next container uses the new one
    assert endpoint.requests == 1


def test_a_token_within_the_skew_of_our_clock_is_used(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    good = _with_claims(_in(3600), iat=_in(120), nbf=_in(120))  # another clock a little ahead of ours
    table.put_item(TableName=TABLE, Item={"pk": {"S": item_key(KEY)}, **_item(good, _in(3600))})
    assert container(endpoint.url, moto_url).token() == good
    assert endpoint.requests == 0


def test_a_crashed_lease_holders_lease_expires(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    expired = int((time.time() - 1) * 1000)
    table.put_item(
        TableName=TABLE,
        Item={"pk": {"S": item_key(KEY)}, "lease_owner": {"S": "dead"}, "lease_until": {"N": str(expired)}},
    )
    tokens = container(endpoint.url, moto_url)
    tokens.token()
    assert endpoint.requests == 1
    assert tokens.source.shared is not None
    assert tokens.source.shared.stats.leases == 1
    assert tokens.source.stats.shared_cache_fallbacks == 0


def test_a_live_lease_whose_holder_never_writes_ends_in_a_direct_request(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    held = int((time.time() + 1.0) * 1000)  # another container holds it for one more second
    table.put_item(
        TableName=TABLE,
        Item={"pk": {"S": item_key(KEY)}, "lease_owner": {"S": "slow"}, "lease_until": {"N": str(held)}},
    )
    tokens = container(endpoint.url, moto_url)
    assert tokens.source.shared is not None
    tokens.source.shared.lease_seconds = 0.3  # wait at most this long
    started = time.monotonic()
    tokens.token()
    assert time.monotonic() - started < 5
    assert endpoint.requests == 1
    assert tokens.source.shared.stats.fallbacks == {"lease_wait_timeout": 1}


def aws_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, "GetItem")


class Failing:
    """A DynamoDB client whose every call fails like the table under trouble."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        def call(**_: Any) -> Any:
            self.calls += 1
            raise self.exc

        return call


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (aws_error("ProvisionedThroughputExceededException"), "ProvisionedThroughputExceededException"),
        (aws_error("ResourceNotFoundException"), "ResourceNotFoundException"),
        (aws_error("AccessDeniedException"), "AccessDeniedException"),
        (TimeoutError("read timed out"), "TimeoutError"),
    ],
)  # fmt: skip
def test_a_failing_table_never_fails_a_call(endpoint: CognitoLikeEndpoint, exc: Exception, kind: str) -> None:
    from cognito_m2m_client import CognitoTokens

    tokens = CognitoTokens(
        token_url=endpoint.url, scopes=["rest-api/read"], client_id=CLIENT_ID, client_secret="x" * 30,
        shared_cache_table=TABLE, dynamodb_client=Failing(exc),  # type: ignore[arg-type]
    )  # fmt: skip
    assert tokens.token()
    assert tokens.token()  # the second from memory: the table is not asked again
    assert endpoint.requests == 1
    assert tokens.source.shared is not None
    assert tokens.source.shared.stats.fallbacks == {kind: 1}


def test_a_table_that_is_down_costs_a_bounded_wait(endpoint: CognitoLikeEndpoint) -> None:
    from botocore.config import Config

    from cognito_m2m_client import CognitoTokens

    down = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        config=Config(connect_timeout=0.5, retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )  # fmt: skip
    tokens = CognitoTokens(
        token_url=endpoint.url, scopes=["rest-api/read"], client_id=CLIENT_ID, client_secret="x" * 30,
        shared_cache_table=TABLE, dynamodb_client=down,
    )  # fmt: skip
    started = time.monotonic()
    assert tokens.token()
    assert time.monotonic() - started < 5
    assert endpoint.requests == 1


def test_an_opaque_token_is_kept_to_its_container(table: Any, moto_url: str) -> None:
    shared = SharedTokenTable(TABLE, client_factory=lambda: table)
    assert shared.store(KEY, "opaque-token-value") is False
    assert "Item" not in table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}})


def test_checks_of_a_token_against_its_key() -> None:
    now = 2_000_000_000 - 3600
    good = cognito_token(CLIENT_ID, "rest-api/read", 2_000_000_000)
    assert token_matches(good, KEY, 2_000_000_000, now)
    assert not token_matches(good, KEY, 2_000_000_001, now)
    assert not token_matches(good, (CLIENT_ID, ("rest-api/write",)), 2_000_000_000, now)
    assert token_matches(good, (CLIENT_ID, ()), 2_000_000_000, now)  # every enabled scope: any scope claim
    assert not token_matches("a.b", KEY, 2_000_000_000, now)
    assert not token_matches("x" * 20_000, KEY, 2_000_000_000, now)
    assert not token_matches(good, KEY, 2_000_000_000, now - 86400)  # over a day ahead of this clock
    assert not token_matches(good, KEY, 2_000_000_000, now - 600)  # issued 10 minutes after "now"
    assert token_matches(good, KEY, 2_000_000_000, now - 300)  # within the skew


def test_keys_never_hold_the_client_id_or_the_scopes_in_clear() -> None:
    key = item_key(KEY)
    assert CLIENT_ID not in key
    assert "rest-api" not in key
    assert item_key((CLIENT_ID, ("b", "a"))) == item_key((CLIENT_ID, ("a", "b")))
    with pytest.raises(SharedCacheError):
        SharedTokenTable(TABLE, client_factory=lambda: Failing(TimeoutError())).read(KEY, 60)  # type: ignore[arg-type, return-value]


# ---- the client function --------------------------------------------------------------------------------


def test_the_function_takes_the_table_from_its_environment(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    import json

    from cognito_m2m_client.handler import build_handler

    secrets = boto3.client("secretsmanager", endpoint_url=moto_url, **CREDENTIALS)
    arn = secrets.create_secret(
        Name=f"m2m/shared-{time.time_ns()}",
        SecretString=json.dumps({"client_id": CLIENT_ID, "client_secret": "s" * 30}),
    )["ARN"]
    env = {
        "TOKEN_URL": endpoint.url, "CLIENT_SECRET_ARN": arn, "SCOPES": "rest-api/read",
        "API_URL": "http://127.0.0.1:9/api", "TOKEN_CACHE_TABLE": TABLE,
    }  # fmt: skip
    handlers = [build_handler(env, secrets_client=secrets, dynamodb_client=table) for _ in range(3)]
    tokens = {h.client.source.get(("rest-api/read",), _deadline()).value for h in handlers}
    assert len(tokens) == 1
    assert endpoint.requests == 1


def _deadline() -> Any:
    from cognito_m2m_client.http import Deadline

    return Deadline(time.monotonic, 10.0)


@pytest.mark.parametrize("name", ["ab", "has space", "x" * 256, "bad/name"])
def test_a_malformed_table_name_fails_the_cold_start(name: str) -> None:
    from cognito_m2m_client._shared.config import ConfigError
    from cognito_m2m_client.config import load_config

    env = {
        "TOKEN_URL": "https://x/oauth2/token", "API_URL": "https://x/api", "SCOPES": "",
        "CLIENT_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:m2m-AbCdEf",
        "TOKEN_CACHE_TABLE": name,
    }  # fmt: skip
    with pytest.raises(ConfigError, match="TOKEN_CACHE_TABLE"):
        load_config(env)


# ---- one bad item cannot pin the fleet ------------------------------------------------------------


def test_a_token_an_api_refuses_leaves_the_table_and_the_fleet_fetches_a_new_one(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    revoked = _read_token(_in(HOUR))
    table.put_item(TableName=TABLE, Item={"pk": {"S": item_key(KEY)}, **_item(revoked, _in(HOUR))})
    first = container(endpoint.url, moto_url)
    assert first.token() == revoked  # a valid-looking item: used
    first.invalidate(revoked)  # the API answered 401 to it
    assert first.source.shared is not None
    assert first.source.shared.stats.discarded == 1
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}}, ConsistentRead=True).get("Item")
    assert item is None or item.get("token") != {"S": revoked}
    fresh = first.token()
    assert fresh != revoked
    assert endpoint.requests == 1
    assert container(endpoint.url, moto_url).token() == fresh  # the others now read the new token
    assert endpoint.requests == 1


def test_a_refused_token_already_replaced_is_not_removed(table: Any, moto_url: str) -> None:
    shared = SharedTokenTable(TABLE, client_factory=lambda: table)
    newer = _read_token(_in(HOUR))
    table.put_item(TableName=TABLE, Item={"pk": {"S": item_key(KEY)}, **_item(newer, _in(HOUR))})
    assert shared.discard(KEY, _read_token(_in(HOUR - 60))) is False  # another container replaced it
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}}, ConsistentRead=True)["Item"]
    assert item["token"] == {"S": newer}


def test_a_failed_fetch_releases_its_lease(table: Any, moto_url: str) -> None:
    from cognito_m2m_client.errors import TokenEndpointUnavailable

    with socket.socket() as closed:  # a port nothing listens on: the token request fails
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/oauth2/token"
    tokens = container(url, moto_url)
    with pytest.raises(TokenEndpointUnavailable):
        tokens.token()
    assert tokens.source.shared is not None
    assert tokens.source.shared.stats.leases == 1
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}}, ConsistentRead=True).get("Item")
    assert item is None or "lease_until" not in item  # the next container need not wait it out


def test_a_lease_further_ahead_than_a_lease_can_be_counts_as_expired(
    table: Any, endpoint: CognitoLikeEndpoint, moto_url: str
) -> None:
    skewed = int((time.time() + 3600) * 1000)  # a container whose clock runs an hour ahead
    table.put_item(
        TableName=TABLE,
        Item={"pk": {"S": item_key(KEY)}, "lease_owner": {"S": "skewed"}, "lease_until": {"N": str(skewed)}},
    )
    tokens = container(endpoint.url, moto_url)
    started = time.monotonic()
    tokens.token()
    assert time.monotonic() - started < 2  # no waiting for an hour-long lease
    assert tokens.source.shared is not None
    assert tokens.source.shared.stats.leases == 1
    assert tokens.source.shared.stats.fallbacks == {}


def test_no_lease_while_the_item_holds_a_fresh_token(table: Any, moto_url: str) -> None:
    """A container whose read missed just before another stored a fresh token waits for that token
    instead of fetching one more (the lease's condition says: no token with more than the skew left)."""
    shared = SharedTokenTable(TABLE, client_factory=lambda: table)
    assert shared.store(KEY, cognito_token(CLIENT_ID, "rest-api/read", int(time.time()) + 3600))
    assert shared.try_lease(KEY, 60) is False
    assert shared.stats.leases == 0
    # read as unusable (another container's view): the lease is taken whatever the expiry says
    assert shared.try_lease(KEY) is True
    shared.store(KEY, cognito_token(CLIENT_ID, "rest-api/read", int(time.time()) + 30))  # within the skew
    assert shared.try_lease(KEY, 60) is True  # stale: due for refresh


def test_a_token_that_cannot_be_shared_releases_the_lease(table: Any, moto_url: str) -> None:
    server = ScriptedServer(token_endpoint())  # tokens of no client and scope set: the table refuses them
    try:
        tokens = container(server.url("/oauth2/token"), moto_url)
        tokens.token()
    finally:
        server.stop()
    assert tokens.source.shared is not None
    assert tokens.source.shared.stats.leases == 1
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": item_key(KEY)}}, ConsistentRead=True).get("Item")
    assert item is None or "lease_until" not in item  # the others need not wait out the lease


def test_a_waiting_container_reports_an_unusable_item_once(
    table: Any, moto_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    table.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": item_key(KEY)},
            "token": {"S": "not a token"},
            "expires_at": {"N": str(int(time.time()) + 600)},
        },
    )
    shared = SharedTokenTable(TABLE, client_factory=lambda: table, lease_seconds=0.5, poll_seconds=0.02)
    assert shared.lookup(KEY, 60).unusable
    assert shared.wait(KEY, 60, 0.5) is None  # about 25 polls of the same item
    assert shared.stats.unusable_items == 1
    assert sum("unusable" in r.getMessage() for r in caplog.records) == 1
