"""A deployment over time, on the emulator (tests/policy/policy_runner.py's `lifecycle` sequence):

- another protected API arrives whose key sorts before the others, and one goes: the rules of the entries
  that stay keep their priorities, and the apply succeeds (CreateRule and SetRulePriorities racing for a
  renumbered priority fail with PriorityInUse, "The specified priority is in use.");
- a client secret rotates twice, and then Terraform forgets the version it wrote first: Secrets Manager
  "keeps 100 of the most recent versions" and deletes the rest ("If this action results in the last label
  being removed from a version, then the version is considered to be 'deprecated' and can be deleted by
  Secrets Manager", UpdateSecretVersionStage), and the provider drops a version it cannot find from the
  state (`terraform state rm` does exactly that here). The next plan must write no secret value: not the
  app client's original secret, which Cognito has deleted by then, and nothing labelled AWSCURRENT;
- customized tokens are turned on (token_customization) and off again: the user pool is updated in place
  both times, as the real provider (5.100) plans it, never replaced (a new pool would be a new issuer,
  new clients and new secrets: every caller's credentials and tokens gone), and turning off removes the
  trigger.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def test_entries_that_stay_keep_their_rule_priorities(lifecycle: dict[str, Any]) -> None:
    assert lifecycle["second_apply"]["ok"], lifecycle["second_apply"].get("error")
    first, second = lifecycle["first_rules"], lifecycle["second_rules"]
    assert set(first) == {"orders", "zeta", "client"}
    assert set(second) == {"alpha", "orders", "client"}
    for key in ("orders", "client"):
        assert second[key] == first[key], f"the {key} rule was renumbered or replaced"
    assert len({r["priority"] for r in second.values()}) == 3


def _secret_versions(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in changes if ".aws_secretsmanager_secret_version." in c["address"]]


def test_a_plan_right_after_the_rotations_changes_no_secret(lifecycle: dict[str, Any]) -> None:
    assert _secret_versions(lifecycle["no_change_plan"]) == []


def test_a_plan_after_the_first_version_is_gone_writes_no_secret_value(lifecycle: dict[str, Any]) -> None:
    changes = _secret_versions(lifecycle["after_version_gone_plan"])
    original = lifecycle["original_secret_sha256"]
    for change in changes:
        after = change["after"] or {}
        written = str(after.get("secret_string") or "")
        value = json.loads(written) if written else {}
        assert "client_secret" not in value, f"{change['address']} would write a client secret"
        assert hashlib.sha256(str(value.get("client_secret", "")).encode()).hexdigest() != original
        assert "AWSCURRENT" not in (after.get("version_stages") or []), (
            f"{change['address']} takes AWSCURRENT"
        )
    # What Terraform writes instead: a placeholder that no caller reads.
    assert [c["after"]["version_stages"] for c in changes] == [["TERRAFORM_PLACEHOLDER"]]


POOL = "module.cognito.aws_cognito_user_pool.this"


def _pool_change(changes: list[dict[str, Any]]) -> dict[str, Any] | None:
    found = [c for c in changes if c["address"] == POOL]
    return found[0] if found else None


def test_customized_tokens_turn_on_without_replacing_the_pool(lifecycle: dict[str, Any]) -> None:
    change = _pool_change(lifecycle["trigger_on_plan"])
    assert change is not None, "turning customization on left the pool as it was"
    assert change["actions"] == ["update"]
    after = change["after"]
    config = after["lambda_config"][0]["pre_token_generation_config"][0]
    assert config["lambda_version"] == "V3_0"
    assert after["user_pool_tier"] == "ESSENTIALS"
    assert lifecycle["trigger_on_apply"]["ok"], lifecycle["trigger_on_apply"].get("error")


def test_customized_tokens_turn_off_without_replacing_the_pool(lifecycle: dict[str, Any]) -> None:
    change = _pool_change(lifecycle["trigger_off_plan"])
    assert change is not None, "turning customization off would leave the trigger on the pool"
    assert change["actions"] == ["update"]
    configs = [c for c in change["after"].get("lambda_config") or [] if c.get("pre_token_generation_config")]
    assert configs == [], "the trigger stays on the pool"
