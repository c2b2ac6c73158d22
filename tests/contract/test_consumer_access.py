"""What the consumer_access output tells a client's callers in other accounts and the KMS key's owner,
checked on the plans applied to moto against what AWS documents. moto stores a secret's resource policy
but enforces neither it nor any KMS key policy (its Secrets Manager never calls its KMS), so these
documents are checked here, as AWS would read them.

Sources, quoted below:
- Secrets Manager, "Access AWS Secrets Manager secrets from a different account":
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html
- Secrets Manager, "Secret encryption and decryption":
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
- AWS KMS, "Allowing users in other accounts to use a KMS key" and "AWS KMS condition keys":
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
  https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.contract import rules

SHARED_TARGETS = ["complete", "edge"]


def consumer_access(plan: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = plan["planned_values"]["outputs"]["consumer_access"]["value"]
    return value


def secret_policies(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The planned secret policies by the ARN of the secret each is attached to."""
    return {
        str(p.values["secret_arn"]): p.values
        for p in rules.of_type(rules.resources(plan), "aws_secretsmanager_secret_policy")
    }


@pytest.mark.parametrize("target", SHARED_TARGETS)
def test_each_shared_client_has_its_secret_policy_naming_its_consumers_only(
    plans: dict[str, dict[str, Any]], target: str
) -> None:
    shared = consumer_access(plans[target])
    policies = secret_policies(plans[target])
    assert shared
    assert set(policies) == {c["secret_arn"] for c in shared.values()}
    for access in shared.values():
        statement = json.loads(policies[access["secret_arn"]]["policy"])["Statement"]
        # "To allow users in one account to access secrets in another account (cross-account access), you
        # must allow access both in a resource policy and in an identity policy."
        assert [s["Principal"] for s in statement] == [{"AWS": access["consumers"]}]
        assert [s["Resource"] for s in statement] == ["*"]


@pytest.mark.parametrize("target", SHARED_TARGETS)
def test_the_key_policy_statement_lets_the_consumers_decrypt_this_secret_through_secrets_manager_only(
    plans: dict[str, dict[str, Any]], target: str
) -> None:
    for access in consumer_access(plans[target]).values():
        statement = json.loads(access["key_policy_statement"])
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"AWS": access["consumers"]}
        # "To retrieve a secret, the user must have kms:Decrypt permission granted in either an IAM policy or
        # a key policy." (and nothing else: the consumers never write the secret)
        assert statement["Action"] == "kms:Decrypt"
        # "The key policy for the KMS key must give the external account (or users and roles in the
        # external account) permission to use the KMS key." In a key policy, "*" is the key itself.
        assert statement["Resource"] == "*"
        # Only StringEquals: "Do not use a set operator with the kms:EncryptionContext:context-key condition
        # key." (ForAllValues would allow requests with no encryption context at all.)
        assert list(statement["Condition"]) == ["StringEquals"]
        condition = statement["Condition"]["StringEquals"]
        # "To allow the KMS key to be used only for requests that originate in Secrets Manager, you can use
        # the kms:ViaService condition key with the secretsmanager.<Region>.amazonaws.com value."
        assert condition["kms:ViaService"] == f"secretsmanager.{access['region']}.amazonaws.com"
        # "SecretARN - The first name-value pair identifies the secret. The key is SecretARN. The value is
        # the Amazon Resource Name (ARN) of the secret."
        assert condition["kms:EncryptionContext:SecretARN"] == access["secret_arn"]
        assert set(condition) == {"kms:ViaService", "kms:EncryptionContext:SecretARN"}
        # IAM: a Sid "supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)"
        assert re.fullmatch(r"[A-Za-z0-9]+", statement["Sid"])


@pytest.mark.parametrize("target", SHARED_TARGETS)
def test_the_key_policy_statements_leave_room_in_a_key_policy(
    plans: dict[str, dict[str, Any]], target: str
) -> None:
    """AWS KMS quotas: "Key policy document size: 32 KB (32,768 bytes)", not adjustable. The statements
    for the shared clients stay within 28,672 characters, leaving the rest to the key's own statements."""
    statements = [json.loads(a["key_policy_statement"]) for a in consumer_access(plans[target]).values()]
    assert len(json.dumps(statements, separators=(",", ":"))) <= 28_672
    assert len({s["Sid"] for s in statements}) == len(statements)


@pytest.mark.parametrize("target", SHARED_TARGETS)
def test_the_callers_own_policy_names_the_secret_and_the_key(
    plans: dict[str, dict[str, Any]], target: str
) -> None:
    for access in consumer_access(plans[target]).values():
        statements = json.loads(access["caller_policy"])["Statement"]
        # "Cross-account access requires permission in the key policy of the KMS key and in an IAM policy in
        # the external user's account." ... "Neither the key policy nor the IAM policy alone is sufficient"
        assert [(s["Action"], s["Resource"]) for s in statements] == [
            (["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], access["secret_arn"]),
            ("kms:Decrypt", access["kms_key_arn"]),
        ]
        assert rules.KEY_ARN.fullmatch(access["kms_key_arn"])
        assert statements[1]["Condition"] == {
            "StringEquals": {"kms:ViaService": f"secretsmanager.{access['region']}.amazonaws.com"}
        }


@pytest.mark.parametrize("target", SHARED_TARGETS)
def test_consumer_access_tells_the_caller_what_it_needs_and_nothing_secret(
    plans: dict[str, dict[str, Any]], target: str
) -> None:
    outputs = plans[target]["planned_values"]["outputs"]
    assert not outputs["consumer_access"].get("sensitive")
    for key, access in consumer_access(plans[target]).items():
        assert access["token_url"] == outputs["token_url"]["value"]
        assert access["secret_arn"] == outputs["client_secret_arns"]["value"][key]
        assert access["scopes"]
        assert access["region"]
        assert "client_secret" not in json.dumps(access)


def test_the_most_consumers_at_their_longest_fit_in_the_secret_policy(
    plans: dict[str, dict[str, Any]],
) -> None:
    """PutResourcePolicy's ResourcePolicy: "Maximum length of 20480." The edge plan shares one client with
    25 roles (the most a client may have) whose ARNs are as long as IAM allows (a 512-character path, a
    64-character name)."""
    (access,) = consumer_access(plans["edge"]).values()
    assert len(access["consumers"]) == 25
    assert min(map(len, access["consumers"])) >= 600
    policy = secret_policies(plans["edge"])[access["secret_arn"]]["policy"]
    assert 15_000 < len(policy) <= 20_480
