"""The local edge's emulation of Cognito's two-secret API, against the API reference's rules."""

from __future__ import annotations

import re
from typing import Any

import pytest

from local_edge.client_secrets import GENERATED_LENGTH, ClientSecretStore, CognitoApiError

POOL, CLIENT, ORIGINAL = "us-east-1_Example1", "1example23456789abcdefghij", "o" * 51


def describe(pool: str, client: str) -> dict[str, Any] | None:
    if (pool, client) != (POOL, CLIENT):
        return None
    return {"ClientId": CLIENT, "ClientSecret": ORIGINAL, "CreationDate": 1_700_000_000.0}


@pytest.fixture
def store() -> ClientSecretStore:
    return ClientSecretStore(describe, clock=lambda: 1_800_000_000.0)


def code_of(call: Any) -> str:
    with pytest.raises(CognitoApiError) as info:
        call()
    return info.value.code


def test_the_original_secret_is_the_first_and_its_value_is_never_listed(store: ClientSecretStore) -> None:
    listed = store.list(POOL, CLIENT)
    assert len(listed) == 1
    assert set(listed[0]) == {"ClientSecretId", "ClientSecretCreateDate"}
    assert listed[0]["ClientSecretCreateDate"] == 1_700_000_000.0
    assert store.active_secrets(POOL, CLIENT, ORIGINAL) == (ORIGINAL,)


def test_two_secrets_at_most(store: ClientSecretStore) -> None:
    added = store.add(POOL, CLIENT)
    assert re.fullmatch(r"[a-z0-9]{%d}" % GENERATED_LENGTH, added["ClientSecretValue"])  # noqa: UP031
    assert store.active_secrets(POOL, CLIENT, ORIGINAL) == (ORIGINAL, added["ClientSecretValue"])
    assert code_of(lambda: store.add(POOL, CLIENT)) == "LimitExceededException"
    assert len(store.list(POOL, CLIENT)) == 2


def test_the_last_secret_cannot_be_deleted(store: ClientSecretStore) -> None:
    (original,) = store.list(POOL, CLIENT)
    assert (
        code_of(lambda: store.delete(POOL, CLIENT, original["ClientSecretId"])) == "InvalidParameterException"
    )
    added = store.add(POOL, CLIENT)
    store.delete(POOL, CLIENT, original["ClientSecretId"])
    assert [d["ClientSecretId"] for d in store.list(POOL, CLIENT)] == [added["ClientSecretId"]]
    assert store.active_secrets(POOL, CLIENT, ORIGINAL) == (
        added["ClientSecretValue"],
    )  # the old one is gone


@pytest.mark.parametrize(
    "given", ["short", "x" * 65, "has space in it 0123456789", "ünïcode-secret-0123456789ab", 7]
)
def test_a_given_secret_must_have_cognitos_shape(store: ClientSecretStore, given: Any) -> None:
    assert code_of(lambda: store.add(POOL, CLIENT, given)) == "InvalidParameterException"


def test_a_given_secret_of_the_right_shape_is_kept(store: ClientSecretStore) -> None:
    value = "abc+DEF_123" * 3
    assert store.add(POOL, CLIENT, value)["ClientSecretValue"] == value


def test_unknown_pool_client_or_secret_id(store: ClientSecretStore) -> None:
    assert code_of(lambda: store.list("us-east-1_Other", CLIENT)) == "ResourceNotFoundException"
    assert code_of(lambda: store.add(POOL, "nobody")) == "ResourceNotFoundException"
    store.add(POOL, CLIENT)
    assert code_of(lambda: store.delete(POOL, CLIENT, "no-such-id")) == "ResourceNotFoundException"
    assert code_of(lambda: store.list(None, CLIENT)) == "InvalidParameterException"


def test_a_public_client_has_no_secret_to_rotate() -> None:
    store = ClientSecretStore(lambda pool, client: {"ClientId": client})
    assert code_of(lambda: store.add(POOL, CLIENT)) == "InvalidParameterException"


def test_the_json_api_answers_each_target(store: ClientSecretStore) -> None:
    prefix = "AWSCognitoIdentityProviderService."
    body = {"UserPoolId": POOL, "ClientId": CLIENT}
    added = store.call(prefix + "AddUserPoolClientSecret", body)["ClientSecretDescriptor"]
    listed = store.call(prefix + "ListUserPoolClientSecrets", body)["ClientSecrets"]
    assert [d["ClientSecretId"] for d in listed][-1] == added["ClientSecretId"]
    assert (
        store.call(prefix + "DeleteUserPoolClientSecret", {**body, "ClientSecretId": added["ClientSecretId"]})
        == {}
    )
    assert code_of(lambda: store.call(prefix + "CreateUserPool", body)) == "UnknownOperationException"
