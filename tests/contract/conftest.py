"""The plans the contracts judge: made by tests/policy/policy_runner.py (`make plans`, which `make test`
runs first), each applied to a moto server on 127.0.0.1 and planned again so that every value is known.
Missing plans are made here (a few minutes: moto and the AWS provider's waiters)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

POLICY_DIR = Path(__file__).resolve().parents[1] / "policy"
sys.path.insert(0, str(POLICY_DIR))
import policy_runner as runner  # noqa: E402

OUT = Path(os.environ.get("POLICY_OUT", str(runner.DEFAULT_OUT))).resolve()


def load(name: str) -> dict[str, Any]:
    path = OUT / f"{name}.json"
    if not path.exists():
        runner.make_plans(OUT, [name])
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


@pytest.fixture(scope="session")
def plans() -> dict[str, dict[str, Any]]:
    return {t.name: load(t.name) for t in runner.CONTRACT_TARGETS}


@pytest.fixture(scope="session")
def lifecycle() -> dict[str, Any]:
    return load("lifecycle")
