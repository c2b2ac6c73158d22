"""CognitoTokens, the library outside Lambda: credentials given or from Secrets Manager (moto), a token
per (client_id, scopes), one request for many threads, deadline-bounded retries, urllib3 and requests."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote_plus

import pytest
import requests
import urllib3

from cognito_m2m_client import (
    CognitoTokens,
    RetryPolicy,
    SecretError,
    TokenEndpointError,
    TokenEndpointTimeout,
    TokenEndpointUnavailable,
)
from tests.client.servers import Reply, ScriptedServer, token_reply
from tests.client.support import CLIENT_ID, CLIENT_SECRET, Aws, FakeClock

READ = "rest-api/read"
WRITE = "rest-api/write"


@pytest.fixture
def endpoint(token_server: ScriptedServer) -> str:
    return token_server.url("/oauth2/token")


def direct(endpoint: str, **kwargs: object) -> CognitoTokens:
    options: dict[str, object] = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": [READ]}
    options.update(kwargs)
    return CognitoTokens(token_url=endpoint, **options)  # type: ignore[arg-type]


def basic_credentials(server: ScriptedServer) -> str:
    """The client id and secret of the first token request (form-encoded first, RFC 6749 §2.3.1)."""
    encoded = server.requests[0].headers["authorization"].removeprefix("Basic ")
    client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    return f"{unquote_plus(client_id)}:{unquote_plus(secret)}"


def sent_scopes(server: ScriptedServer, index: int = -1) -> list[str]:
    return parse_qs(server.requests[index].body.decode()).get("scope", [""])[0].split()


def test_direct_credentials_fetch_once_and_reuse(token_server: ScriptedServer, endpoint: str) -> None:
    tokens = direct(endpoint)
    first = tokens.token()
    assert tokens.token() == first
    assert tokens.headers() == {"Authorization": f"Bearer {first}"}
    assert token_server.count == 1
    request = token_server.requests[0]
    assert basic_credentials(token_server) == f"{CLIENT_ID}:{CLIENT_SECRET}"
    assert sent_scopes(token_server) == [READ]
    assert parse_qs(request.body.decode())["grant_type"] == ["client_credentials"]


def test_one_token_per_scope_set_whatever_the_order(token_server: ScriptedServer, endpoint: str) -> None:
    tokens = direct(endpoint)
    read = tokens.token()
    both = tokens.token([WRITE, READ])
    assert tokens.token([READ, WRITE]) == both
    assert tokens.token([READ]) == read
    assert both != read
    assert token_server.count == 2
    assert sorted(sent_scopes(token_server)) == [READ, WRITE]


def test_scope_sets_past_the_bound_are_asked_for_again_and_counted(
    token_server: ScriptedServer, endpoint: str
) -> None:
    tokens = direct(endpoint, max_scope_sets=2)
    for _ in range(3):  # three scope sets in turn through a cache of two: every call is a miss
        for scopes in ([READ], [WRITE], [READ, WRITE]):
            tokens.token(scopes)
    assert token_server.count == 9
    assert tokens.cache_evictions == 7
    assert direct(endpoint).source.tokens.max_entries == 16  # the documented default


def test_empty_scopes_ask_for_every_scope_of_the_client(token_server: ScriptedServer, endpoint: str) -> None:
    direct(endpoint, scopes=[]).token()
    assert "scope" not in parse_qs(token_server.requests[0].body.decode())


def test_credentials_from_secrets_manager_by_arn(
    token_server: ScriptedServer, endpoint: str, aws: Aws
) -> None:
    tokens = CognitoTokens(token_url=endpoint, secret_id=aws.arn, scopes=[READ], secrets_client=aws.secrets)
    tokens.token()
    tokens.token([WRITE])
    assert aws.secrets.calls == 1  # cached for secret_max_age
    assert basic_credentials(token_server) == f"{CLIENT_ID}:{CLIENT_SECRET}"


def test_secret_region_comes_from_the_arn_with_boto3(
    token_server: ScriptedServer,
    endpoint: str,
    aws: Aws,
    monkeypatch: pytest.MonkeyPatch,
    boto3_credentials_only: None,
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    tokens = CognitoTokens(token_url=endpoint, secret_id=aws.arn)  # boto3's own client, moto behind it
    assert tokens.token()
    # An ARN names its region: another region given beside it is not asked (moto keeps regions apart).
    assert CognitoTokens(token_url=endpoint, secret_id=aws.arn, region="eu-west-1").token()
    with pytest.raises(ValueError, match="region is needed"):
        CognitoTokens(token_url=endpoint, secret_id="m2m/client-credentials")


def test_a_secret_that_is_not_credentials_is_a_secret_error(endpoint: str, aws: Aws) -> None:
    aws.put('{"client_id": "x"}')
    tokens = CognitoTokens(token_url=endpoint, secret_id=aws.arn, secrets_client=aws.secrets)
    with pytest.raises(SecretError, match="client_secret") as caught:
        tokens.token()
    assert CLIENT_SECRET not in str(caught.value)


def test_many_threads_send_one_token_request(token_server: ScriptedServer, endpoint: str) -> None:
    token_server.script.append(Reply(200, token_reply().body, delay=0.3))
    tokens = direct(endpoint)
    start = threading.Barrier(16)
    seen: list[str] = []

    def worker() -> None:
        start.wait()
        seen.append(tokens.token())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(seen) == 16
    assert len(set(seen)) == 1
    assert token_server.count == 1


def test_one_slow_scope_set_does_not_hold_up_another(token_server: ScriptedServer, endpoint: str) -> None:
    token_server.script.append(Reply(200, token_reply().body, delay=30))  # released by stop()
    tokens = direct(endpoint, timeout=60)
    slow = threading.Thread(target=tokens.token, daemon=True)
    slow.start()
    while token_server.count == 0:
        threading.Event().wait(0.01)
    assert tokens.token([WRITE])  # answered while the READ request still hangs
    assert slow.is_alive()
    token_server.release.set()
    slow.join(10)


def test_retries_on_503_within_the_deadline(token_server: ScriptedServer, endpoint: str) -> None:
    clock = FakeClock()
    token_server.script += [Reply(503), Reply(429, headers={"Retry-After": "1"})]
    tokens = direct(endpoint, clock=clock, sleep=clock.sleep)
    assert tokens.token()
    assert token_server.count == 3
    assert clock.sleeps[-1] == 1.0  # Retry-After honoured


def test_retries_stop_at_the_deadline(token_server: ScriptedServer, endpoint: str) -> None:
    clock = FakeClock()
    token_server.default = Reply(503)
    policy = RetryPolicy(max_attempts=10)
    tokens = direct(endpoint, clock=clock, sleep=clock.sleep, retry_policy=policy, timeout=2)
    with pytest.raises(TokenEndpointUnavailable, match="503"):
        tokens.token()
    assert token_server.count < 10  # the 2 s deadline ended them, not the attempt count
    assert sum(clock.sleeps) <= 2


def test_a_hanging_endpoint_is_a_timeout(token_server: ScriptedServer, endpoint: str) -> None:
    token_server.default = Reply(200, token_reply().body, delay=30)
    tokens = direct(endpoint, timeout=0.5, retry_policy=RetryPolicy(max_attempts=1))
    with pytest.raises(TokenEndpointTimeout):
        tokens.token()


def test_invalid_client_with_given_credentials_is_not_retried(
    token_server: ScriptedServer, endpoint: str
) -> None:
    token_server.default = Reply(400, {"error": "invalid_client"})
    with pytest.raises(TokenEndpointError, match="invalid_client") as caught:
        direct(endpoint).token()
    assert token_server.count == 1
    assert CLIENT_SECRET not in str(caught.value)


def test_invalidate_makes_the_next_call_fetch(token_server: ScriptedServer, endpoint: str) -> None:
    tokens = direct(endpoint)
    first = tokens.token()
    tokens.invalidate("some other token")  # not the cached one: kept
    assert tokens.token() == first
    tokens.invalidate(first)
    assert tokens.token() != first
    assert token_server.count == 2


@pytest.fixture
def api() -> Iterator[ScriptedServer]:
    server = ScriptedServer(Reply(200, {"ok": True}))
    yield server
    server.stop()


def test_headers_for_urllib3(endpoint: str, api: ScriptedServer) -> None:
    tokens = direct(endpoint)
    with urllib3.PoolManager() as pool:
        answer = pool.request("GET", api.url("/orders"), headers=tokens.headers())
    assert answer.status == 200
    assert api.requests[0].headers["authorization"] == f"Bearer {tokens.token()}"


def test_auth_for_requests_adds_the_token_and_forgets_it_on_401(
    token_server: ScriptedServer, endpoint: str, api: ScriptedServer
) -> None:
    tokens = direct(endpoint)
    auth = tokens.auth([WRITE])
    api.script.append(Reply(401, {"message": "Unauthorized"}))
    with requests.Session() as session:
        first = session.get(api.url("/orders"), auth=auth, timeout=5)
        second = session.post(api.url("/orders"), auth=auth, json={"item": "x"}, timeout=5)
    assert (first.status_code, second.status_code) == (401, 200)
    used = [r.headers["authorization"] for r in api.requests]
    assert used[0] != used[1]  # the token answered 401 was not handed out again
    assert token_server.count == 2
    assert sent_scopes(token_server) == [WRITE]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"client_id": CLIENT_ID}, "secret_id, or both"),
        (
            {"secret_id": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", "client_id": "a"},
            "not both",
        ),
        ({"client_id": CLIENT_ID, "client_secret": "s", "scopes": "rest-api/read"}, "not one string"),
        ({"client_id": CLIENT_ID, "client_secret": "s", "scopes": ["has space"]}, "scope-token"),
        ({"client_id": CLIENT_ID, "client_secret": "s", "scopes": ['quo"te']}, "scope-token"),
        ({"client_id": CLIENT_ID, "client_secret": "s", "timeout": 0}, "timeout"),
        ({"client_id": CLIENT_ID, "client_secret": "s", "token_url": "ftp://x/oauth2/token"}, "token_url"),
        # the client secret travels to token_url: plain http to another host only when asked for
        (
            {
                "client_id": CLIENT_ID,
                "client_secret": "s",
                "token_url": "http://auth.example.com/oauth2/token",
            },
            "must use https",
        ),
        (
            {"client_id": CLIENT_ID, "client_secret": "s", "token_url": "https://u:p@auth.example.com/t"},
            "credentials",
        ),
        (
            {"client_id": CLIENT_ID, "client_secret": "s", "token_url": "https://auth.example.com/t\n"},
            "blanks",
        ),
    ],
)
def test_bad_arguments_say_what_to_fix(kwargs: dict[str, object], message: str) -> None:
    options: dict[str, object] = {"token_url": "https://auth.example.com/oauth2/token", **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        CognitoTokens(**options)  # type: ignore[arg-type]


def test_plain_http_is_the_callers_explicit_choice() -> None:
    loopback = CognitoTokens(
        token_url="http://127.0.0.1:9/oauth2/token", client_id=CLIENT_ID, client_secret="s"
    )
    assert repr(loopback)  # accepted: the local stack
    CognitoTokens(
        token_url="http://auth.internal.example/oauth2/token",
        client_id=CLIENT_ID,
        client_secret="s",
        allow_insecure_http=True,
    )
    CognitoTokens(token_url="HTTPS://auth.example.com/oauth2/token", client_id=CLIENT_ID, client_secret="s")


def test_repr_shows_no_secret_and_no_token(endpoint: str) -> None:
    tokens = direct(endpoint)
    token = tokens.token()
    text = repr(tokens) + repr(tokens.source.credentials) + repr(tokens.source.tokens._entries)
    assert CLIENT_SECRET not in text
    assert token not in text
