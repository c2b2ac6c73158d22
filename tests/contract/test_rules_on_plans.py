"""Every plan of the module (its examples, the root with the demo endpoint, every input at its edge, and
the scale README promises) keeps every documented AWS rule in tests/contract/rules.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import rules
from tests.contract.conftest import runner

TARGETS = [t.name for t in runner.CONTRACT_TARGETS]


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: f"{r.service}: {r.name}")
@pytest.mark.parametrize("target", TARGETS)
def test_the_plan_keeps_the_rule(plans: dict[str, dict[str, Any]], target: str, rule: rules.Rule) -> None:
    found = rules.resources(plans[target])
    assert found, f"the {target} plan holds no resources"
    problems = rule.check(found)
    assert problems == [], f"{rule.source}\n{rule.quote}\n" + "\n".join(problems[:40])


def test_the_scale_plan_is_at_the_promised_scale(plans: dict[str, dict[str, Any]]) -> None:
    found = rules.resources(plans["scale"])
    assert len(rules.of_type(found, "aws_cognito_user_pool_client")) == 100
    assert len(rules.of_type(found, "aws_lb_target_group")) == 21  # 20 APIs and the demo client
    assert len(rules.of_type(found, "aws_lb_listener_rule")) == 99


def test_the_edge_plan_reaches_the_edges(plans: dict[str, dict[str, Any]]) -> None:
    found = rules.resources(plans["edge"])
    longest = max(len(str(r.values.get("name"))) for r in rules.of_type(found, "aws_lb_target_group"))
    assert longest == len("m2m-edge-abcdefg-orders-a1234")
    rule_paths = [
        p
        for r in rules.of_type(found, "aws_lb_listener_rule")
        for c in rules._list(r.values.get("condition"))
        for p in rules._values(c, "path_pattern")
    ]
    assert max(len(p) for p in rule_paths) == 128
    assert any('"' in p and "'" in p for p in rule_paths)
