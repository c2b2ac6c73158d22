"""The fleet-wide token cache in the local stack: client containers started together share one token.

This module runs first among the end-to-end tests (file order), while the session's stack is fresh and
no client container has a token yet: four concurrent ``GET /client`` start four containers at once.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from local_edge.stack import Settings, StackInfo
from tests.e2e.test_local_stack import request

pytestmark = pytest.mark.e2e


def test_client_containers_started_together_share_one_token(local_stack: tuple[Settings, StackInfo]) -> None:
    settings, info = local_stack
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: request("GET", f"{settings.alb_url}/client"), range(4)))
    assert [a.status for a in answers] == [200] * 4
    # what the containers logged: Lambda's text lines "[LEVEL]\ttime\trequest id\tmessage" (moto keeps no
    # LoggingConfig, so the local functions log text), or JSON lines
    log = (settings.state_dir / "logs" / "m2m-local-client.log").read_text()
    messages = [
        json.loads(line).get("message", "") if line.startswith("{") else line.split("\t", 3)[-1]
        for line in log.splitlines()
    ]
    fetched = sum(m.startswith("token obtained") for m in messages)
    shared = sum(m == "token from the shared cache" for m in messages)
    assert fetched == 1, messages  # one container asked Cognito
    assert shared >= 1, messages  # at least one other used the fleet's token
    assert not any(m.startswith("shared token cache unusable") for m in messages)

    table = info.outputs["token_cache_table"]["name"]
    dynamodb = boto3.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    items = dynamodb.scan(TableName=table)["Items"]
    assert len(items) == 1  # one client, one scope set: one token for the fleet
    assert set(items[0]) == {"pk", "token", "expires_at"}
