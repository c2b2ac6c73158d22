"""The module's ``issuers`` output (what ``terraform test`` asserts in options.tftest.hcl) is the list the
verifier derives from the same inputs (``pool_issuers``): the two are written apart, in HCL and Python,
and this test holds them together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cognito_m2m_verifier.issuers import pool_issuers

REPO = Path(__file__).resolve().parents[1].parent
POOL = "eu-west-1_MockPool1"  # the mocked provider's pool id


def _run_block(name: str) -> str:
    text = (REPO / "tests" / "terraform" / "options.tftest.hcl").read_text()
    start = text.index(f'run "{name}" {{')
    return text[start : text.index('\nrun "', start + 1)]


@pytest.mark.parametrize(
    ("run", "issuer_format", "replicas"),
    [
        ("issuer_formats_and_replicas", "any", ["us-east-1", "ap-south-1"]),
        ("issuer_format_pinned_to_updated", "updated", ["us-east-1"]),
    ],
)
def test_the_modules_issuers_are_the_verifiers(run: str, issuer_format: str, replicas: list[str]) -> None:
    block = _run_block(run)
    assert f'issuer_format             = "{issuer_format}"' in block
    assert "user_pool_replica_regions = [" + ", ".join(f'"{r}"' for r in replicas) + "]" in block
    asserted = re.findall(r'"(https://[^"]+)"', block.split("output.issuers ==", 1)[1].split(")", 1)[0])
    assert asserted == list(pool_issuers(POOL, issuer_format=issuer_format, replica_regions=replicas))
