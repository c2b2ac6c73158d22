"""The security policies pass on the module's real plans and each fails on its own bad fixture.

The plans come from `make policy` (build/policy/, applied to a moto server and planned again, no AWS);
when they are missing this test makes them itself (about two minutes: moto and the AWS provider's waiters).
terraform-compliance runs in its own virtualenv (.venv-policy, created by `make policy`). Its results are
cached by the digest of plan + features + pinned requirements, so right after `make policy` this re-checks the
same verdicts without running it again.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import policy_runner as runner
import pytest

OUT = Path(os.environ.get("POLICY_OUT", str(runner.DEFAULT_OUT))).resolve()
FIXTURES = {fixture.name: fixture for fixture in runner.load_fixtures()}


@pytest.fixture(scope="module")
def plans() -> dict[str, Path]:
    if not (runner.POLICY_VENV / "bin" / "terraform-compliance").exists():
        pytest.fail(f"{runner.POLICY_VENV} has no terraform-compliance: run `make policy` first")
    missing = [t.name for t in runner.POLICY_TARGETS if not (OUT / f"{t.name}.json").exists()]
    if missing:
        runner.make_plans(OUT, missing)
    return {t.name: OUT / f"{t.name}.json" for t in runner.POLICY_TARGETS}


@pytest.fixture(scope="module")
def fixture_plans(plans: dict[str, Path]) -> dict[str, tuple[runner.Fixture, Path]]:
    fixtures = runner.write_fixture_plans(OUT)
    # Judge every plan up front, two at a time (the cache then answers each test below).
    jobs = [(path, runner.TARGET_BY_NAME[name].skip_tag) for name, path in plans.items()]
    jobs += [(path, runner.TARGET_BY_NAME[fixture.base].skip_tag) for fixture, path in fixtures.values()]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda job: runner.run_compliance(job[0], job[1], OUT / "results"), jobs))
    return fixtures


@pytest.mark.parametrize("target", [t.name for t in runner.POLICY_TARGETS])
def test_good_plan_passes_every_policy(
    plans: dict[str, Path], fixture_plans: dict[str, tuple[runner.Fixture, Path]], target: str
) -> None:
    result = runner.run_compliance(plans[target], runner.TARGET_BY_NAME[target].skip_tag, OUT / "results")
    assert result.failed_scenarios == set(), result.output[-6000:]
    assert result.exit_code == 0
    assert len(result.passed_scenarios) >= 30  # the features ran, not only skipped


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_fails_exactly_its_policy(
    fixture_plans: dict[str, tuple[runner.Fixture, Path]], name: str
) -> None:
    fixture, path = fixture_plans[name]
    result = runner.run_compliance(path, runner.TARGET_BY_NAME[fixture.base].skip_tag, OUT / "results")
    assert result.exit_code != 0
    assert result.failed_features == {label.split(" / ")[0] for label in fixture.expected_failures}
    assert result.failed_scenarios == fixture.expected_failures, result.output[-4000:]


def test_every_scenario_has_a_fixture() -> None:
    """No policy may pass vacuously: each scenario is shown to fail on some fixture."""
    scenarios = set()
    for feature in runner.POLICY_DIR.glob("*.feature"):
        name = ""
        for line in feature.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("Feature:"):
                name = stripped.removeprefix("Feature:").strip()
            elif stripped.startswith("Scenario:"):
                scenarios.add(f"{name} / {stripped.removeprefix('Scenario:').strip()}")
    covered = set().union(*(f.expected_failures for f in FIXTURES.values()))
    assert scenarios - covered == set()
    assert covered - scenarios == set()


def test_mutations_change_the_plan(plans: dict[str, Path]) -> None:
    """Each fixture differs from its base plan (a mutation that matches nothing is an error)."""
    bases = {name: json.loads(path.read_text()) for name, path in plans.items()}
    for fixture in FIXTURES.values():
        assert runner.apply_mutations(bases[fixture.base], fixture.mutations) != bases[fixture.base]
