"""What the client function writes to the fleet's token table keeps DynamoDB's rules for the table the
module creates (its key `pk`, a string; its TTL attribute `expires_at`):

- "If the attribute is a Number data type, the attribute's value is a timestamp in Unix epoch time
  format in seconds [...] then the item is set to expired" (Time to Live): a string, or milliseconds,
  would never expire, and the table would keep tokens forever;
- "For a simple primary key, the maximum length of the first attribute value (the partition key) is
  2048 bytes" (naming rules and data types).

(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html)
"""

from __future__ import annotations

import time

import boto3
from moto import mock_aws

from bench.fleet import cognito_token
from cognito_m2m_client.shared_cache import SharedTokenTable


def test_items_expire_by_ttl_and_keep_the_key_size() -> None:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="m2m-demo-tokens",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        table = SharedTokenTable("m2m-demo-tokens", client_factory=lambda: dynamodb)
        client_id, scopes = "1example23456789abcdefghij", ("rest-api/read", "rest-api/write")
        exp = int(time.time()) + 3600
        assert table.store((client_id, scopes), cognito_token(client_id, " ".join(scopes), exp))
        (item,) = dynamodb.scan(TableName="m2m-demo-tokens")["Items"]
    assert set(item["expires_at"]) == {"N"}
    assert int(item["expires_at"]["N"]) == exp  # epoch seconds, as the token's own exp
    assert set(item["pk"]) == {"S"}
    assert len(item["pk"]["S"].encode()) <= 2048
