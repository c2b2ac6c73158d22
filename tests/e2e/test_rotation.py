"""Secret rotation end to end: client containers keep calling while the demo client's secret rotates twice.

The rotation is ``make local-rotate``'s: RotateSecret on the emulator registers the pending version, then
the deployed rotation function's zip runs in a worker of the edge for each of Secrets Manager's four
steps, against the edge's emulation of Cognito's two-secret API and its token endpoint.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from local_edge.stack import Settings, StackInfo, rotate_client_secret, terraform, terraform_vars
from tests.e2e.test_local_stack import client_credentials, get_token, request

pytestmark = pytest.mark.e2e
CALLERS = 4  # the edge runs up to 4 client containers at once


def test_callers_keep_working_while_the_secret_rotates_twice(local_stack: tuple[Settings, StackInfo]) -> None:
    settings, info = local_stack
    first_id, first_secret = client_credentials(settings, info)
    statuses: list[int] = []
    stop = threading.Event()

    def call_continuously() -> None:
        while not stop.is_set():
            statuses.append(request("GET", f"{settings.alb_url}/client").status)

    callers = [threading.Thread(target=call_continuously, daemon=True) for _ in range(CALLERS)]
    for caller in callers:
        caller.start()
    try:
        time.sleep(0.5)
        rotated = [rotate_client_secret(settings, "demo", out=lambda line: None) for _ in range(2)]
        time.sleep(0.5)
    finally:
        stop.set()
        for caller in callers:
            caller.join(timeout=60)

    assert len(statuses) >= 2 * CALLERS
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    assert [r["client_id"] for r in rotated] == [first_id, first_id]  # client_id never changed
    assert rotated[0]["client_secret_id"] != rotated[1]["client_secret_id"]

    current_id, current_secret = client_credentials(settings, info)
    assert current_id == first_id
    assert current_secret != first_secret
    refused = get_token(settings, first_id, first_secret, "rest-api/read")
    assert refused.status == 400
    assert refused.json()["error"] == "invalid_client"  # the first secret is gone after two rotations
    assert get_token(settings, current_id, current_secret, "rest-api/read").status == 200
    assert request("GET", f"{settings.alb_url}/client").status == 200


def test_a_plan_after_rotations_changes_no_secret(local_stack: tuple[Settings, StackInfo]) -> None:
    """Terraform does not fight the rotation: the secret version it wrote first is left alone."""
    settings, _ = local_stack
    rotate_client_secret(settings, "writer", out=lambda line: None)
    plan_file = settings.state_dir / "after-rotation.tfplan"
    terraform(
        settings,
        [
            "plan", "-input=false", "-no-color", f"-state={settings.tfstate}", f"-out={plan_file}",
            *terraform_vars(settings),
        ],
        "terraform-plan-after-rotation",
    )  # fmt: skip
    shown = terraform(
        settings, ["show", "-json", str(plan_file)], "terraform-show-after-rotation", log_stdout=False
    )
    plan_file.unlink()  # the plan holds the state's secret values
    changed = {}
    for change in json.loads(shown).get("resource_changes", []):
        if change["change"]["actions"] in (["no-op"], ["read"]):
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        attributes = sorted(k for k in after if before.get(k) != after.get(k))
        changed[change["address"]] = (change["change"]["actions"], attributes)
    # moto drops every function's LoggingConfig, so functions show an update of that block; with the
    # token trigger, moto reports no tier for a pool the provider created as ESSENTIALS (it sends none,
    # AWS's default), so the pool shows an update of that attribute; nothing else
    pool = changed.pop("module.m2m.module.cognito.aws_cognito_user_pool.this", None)
    assert pool in (None, (["update"], ["user_pool_tier"])), pool
    assert all(address.endswith("aws_lambda_function.this") for address in changed), changed
