"""cognito_m2m_client.client: the flow's two bounded second chances (401 from the API, rotated secret)."""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import unquote_plus

from cognito_m2m_client.client import REFRESH_ON_401_INTERVAL
from cognito_m2m_client.http import Deadline
from tests.client.conftest import MakeHandler
from tests.client.servers import Recorded, Reply, ScriptedServer, token_reply
from tests.client.support import CLIENT_ID, CLIENT_SECRET, Aws, FakeClock, FakeContext, alb_event, body_of

CTX = FakeContext(30_000)
UNAUTHORIZED = Reply(
    401, {"error": "invalid_token"}, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
)


def test_401_to_a_cached_token_refreshes_once_and_retries_once(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer, clock: FakeClock
) -> None:
    handler = make_handler()
    handler(alb_event(), CTX)  # token 1 cached
    api_server.script.append(UNAUTHORIZED)  # token 1 was rotated out / revoked
    clock.advance(10)
    result = handler(alb_event(), CTX)
    assert body_of(result)["api_status"] == 200
    assert token_server.count == 2
    assert api_server.count == 3
    sent = [r.headers["authorization"] for r in api_server.requests]
    assert sent[0] == sent[1] != sent[2]
    assert handler.client.stats.refreshes_on_401 == 1
    handler(alb_event(), CTX)  # the fresh token is cached
    assert token_server.count == 2


def test_persistent_401_is_one_retry_not_a_loop(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer, clock: FakeClock
) -> None:
    handler = make_handler()
    handler(alb_event(), CTX)
    api_server.default = UNAUTHORIZED
    clock.advance(10)
    result = handler(alb_event(), CTX)
    assert result["statusCode"] == 200
    assert body_of(result) == {"api_status": 401, "api_body": {"error": "invalid_token"}}
    assert (token_server.count, api_server.count) == (2, 3)
    # within the refresh interval, further 401s cost no token request at all
    for _ in range(5):
        clock.advance(1)
        assert body_of(handler(alb_event(), CTX))["api_status"] == 401
    assert (token_server.count, api_server.count) == (2, 8)
    # after it, one more refresh is allowed
    clock.advance(REFRESH_ON_401_INTERVAL)
    handler(alb_event(), CTX)
    assert (token_server.count, api_server.count) == (3, 10)


def test_401_to_a_token_fetched_in_this_invocation_is_not_refetched(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer
) -> None:
    api_server.default = UNAUTHORIZED
    result = make_handler()(alb_event(), CTX)
    assert body_of(result)["api_status"] == 401
    assert (token_server.count, api_server.count) == (1, 1)


def credentials_of(request: Recorded) -> tuple[str, str]:
    user, password = (
        base64.b64decode(request.headers["authorization"].removeprefix("Basic ")).decode().split(":")
    )
    return unquote_plus(user), unquote_plus(password)


def test_invalid_client_after_rotation_rereads_the_secret_and_asks_once_more(
    make_handler: MakeHandler, token_server: ScriptedServer, aws: Aws, clock: FakeClock
) -> None:
    current = {"secret": CLIENT_SECRET}

    def cognito(request: Recorded) -> Reply:
        if credentials_of(request) != (CLIENT_ID, current["secret"]):
            return Reply(400, {"error": "invalid_client"})
        return token_reply(expires_in=300)

    token_server.default = cognito
    handler = make_handler(env={"SECRET_MAX_AGE_SECONDS": "3600"})
    assert handler(alb_event(), CTX)["statusCode"] == 200
    current["secret"] = "rotated-secret"
    aws.put(json.dumps({"client_id": CLIENT_ID, "client_secret": "rotated-secret"}))
    clock.advance(300)  # the token expired; the cached secret is now stale
    assert handler(alb_event(), CTX)["statusCode"] == 200
    assert token_server.count == 3  # ok, invalid_client with the old secret, ok with the new one
    assert aws.secrets.calls == 2


def test_invalid_client_with_an_unchanged_secret_is_not_retried(
    make_handler: MakeHandler, token_server: ScriptedServer, aws: Aws, clock: FakeClock
) -> None:
    token_server.script.append(token_reply(expires_in=300))
    token_server.default = Reply(400, {"error": "invalid_client"})
    handler = make_handler(env={"SECRET_MAX_AGE_SECONDS": "3600"})
    handler(alb_event(), CTX)
    clock.advance(300)
    result = handler(alb_event(), CTX)
    assert body_of(result)["oauth_error"] == "invalid_client"
    assert token_server.count == 2
    assert aws.secrets.calls == 2  # re-read once to check for a rotation
    clock.advance(1)  # a secret read a second ago is not re-read again
    handler(alb_event(), CTX)
    assert (token_server.count, aws.secrets.calls) == (3, 2)


def test_concurrent_cold_invocations_share_one_token_request(
    make_handler: MakeHandler, token_server: ScriptedServer, api_server: ScriptedServer
) -> None:
    # The local edge may run one container's handler on several threads: no token stampede.
    token_server.default = lambda _r: Reply(200, token_reply().body, delay=0.2)
    handler = make_handler()
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(handler(alb_event(), CTX)["statusCode"]))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [200] * 6
    assert token_server.count == 1
    assert api_server.count == 6
    assert handler.client.stats.tokens_fetched == 1
    token = handler.client.token(Deadline(lambda: 0.0, 10))
    assert token.fetched_now is False
    assert token.value not in repr(token)
