"""The numbers that the reliability page states about the suite are the suite's own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.hostile_tokens import CASES, GENUINE

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "reliability.md"

# The third round's classes: the tests of each (files, or test functions with all their cases).
ROUND_CLASSES: dict[str, tuple[str, ...]] = {
    "route answers": (
        "tests/resource/test_route_answers.py",
        "tests/common/test_alb.py::test_json_text_keeps_a_decimals_digits_when_json_writes_the_answer",
        "tests/common/test_alb.py::test_json_text_refuses_a_float_nan_or_infinity",
        "tests/common/test_alb.py::test_json_text_writes_the_same_whichever_encoder_writes_it",
        "tests/resource/test_verifier.py::test_claims_cannot_be_changed_by_one_request_for_the_next",
    ),
    "fleet-cache items": (
        "tests/client/test_shared_cache_items.py",
        "tests/client/test_shared_cache.py::test_an_unusable_item_is_never_used_and_the_next_fetch_overwrites_it",
        "tests/client/test_shared_cache.py::test_a_token_within_the_skew_of_our_clock_is_used",
        "tests/client/test_shared_cache.py::test_a_token_an_api_refuses_leaves_the_table_and_the_fleet_fetches_a_new_one",
        "tests/client/test_shared_cache.py::test_a_refused_token_already_replaced_is_not_removed",
        "tests/client/test_shared_cache.py::test_a_failed_fetch_releases_its_lease",
        "tests/client/test_shared_cache.py::test_a_lease_further_ahead_than_a_lease_can_be_counts_as_expired",
        "tests/client/test_shared_cache.py::test_no_lease_while_the_item_holds_a_fresh_token",
        "tests/client/test_shared_cache.py::test_a_token_that_cannot_be_shared_releases_the_lease",
        "tests/client/test_shared_cache.py::test_a_waiting_container_reports_an_unusable_item_once",
    ),
    "scopes given in code": ("tests/resource/test_route_scopes.py",),
    "configuration given in code": (
        "tests/resource/test_verifier.py::test_one_client_id_string_is_not_a_list_of_them",
        "tests/resource/test_protected_api.py::test_cognito_verifier_refuses_what_would_verify_nothing_or_trust_anyone",
        "tests/client/test_tokens.py::test_bad_arguments_say_what_to_fix",
        "tests/client/test_tokens.py::test_plain_http_is_the_callers_explicit_choice",
        "tests/client/test_handler.py::test_plain_http_token_url_is_refused_unless_loopback",
        "tests/rotation/test_steps.py::test_a_missing_or_malformed_variable_fails_naming_it",
        "tests/rotation/test_steps.py::test_the_cold_start_fails_before_any_event",
        "tests/terraform/test_endpoint_rule.py",
    ),
    "scope sets per container": (
        "tests/client/test_token_cache.py::test_the_least_recently_used_scope_set_goes_first_and_the_first_eviction_is_logged",
        "tests/client/test_token_cache.py::test_putting_a_held_key_again_evicts_nothing",
        "tests/client/test_token_cache.py::test_the_bound_is_a_small_positive_int",
        "tests/client/test_tokens.py::test_scope_sets_past_the_bound_are_asked_for_again_and_counted",
    ),
    "the first rotation": (
        "tests/rotation/test_steps.py::test_a_newer_secret_stored_by_hand_is_never_deleted_as_not_the_oldest",
        "tests/rotation/test_steps.py::test_the_only_secret_listed_is_the_current_one_whatever_its_age",
        "tests/rotation/test_steps.py::test_two_secrets_without_dates_are_not_guessed_at",
    ),
}


def test_hostile_and_genuine_token_counts_match_the_corpus() -> None:
    text = DOC.read_text()
    match = re.search(r"(\d[\d,]*) named hostile tokens and headers \(and (\d+) genuine ones", text)
    assert match, "docs/reliability.md no longer states the corpus size"
    assert int(match[1].replace(",", "")) == len(CASES)
    assert int(match[2]) == len(GENUINE)


@pytest.fixture(scope="module")
def collected() -> list[str]:
    """The node ids pytest collects from every test the round's table counts."""
    targets = sorted({target for targets in ROUND_CLASSES.values() for target in targets})
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *targets],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return [line for line in run.stdout.splitlines() if "::" in line]


def _rows() -> dict[str, tuple[int, int]]:
    """The round's table: class -> (named cases, properties)."""
    text = DOC.read_text()
    rows = {}
    for name in ROUND_CLASSES:
        match = re.search(rf"^\| {re.escape(name)} \|[^|]*\| (\d+) \| (\d+)", text, re.MULTILINE)
        assert match, f"docs/reliability.md has no row for {name!r}"
        rows[name] = (int(match[1]), int(match[2]))
    return rows


@pytest.mark.parametrize("name", list(ROUND_CLASSES))
def test_the_rounds_table_counts_the_suites_cases(collected: list[str], name: str) -> None:
    ids = [
        i for i in collected if any(i == t or i.startswith((t + "::", t + "[")) for t in ROUND_CLASSES[name])
    ]
    # a Hypothesis property is one collected item; the table counts named cases and properties apart
    properties = [i for i in ids if _is_property(i)]
    cases, documented_properties = _rows()[name]
    assert (len(ids) - len(properties), len(properties)) == (cases, documented_properties)


def _is_property(node_id: str) -> bool:
    path, _, function = node_id.partition("::")
    source = (REPO / path).read_text()
    name = function.split("[")[0]
    index = source.index(f"def {name}(")
    decorators = source[source.rindex("\n\n", 0, index) : index]
    return "@given(" in decorators
