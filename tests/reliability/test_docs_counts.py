"""The numbers that the reliability page states about the suite are the suite's own."""

from __future__ import annotations

import re
from pathlib import Path

from tests.reliability.hostile_tokens import CASES, GENUINE

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


def test_hostile_and_genuine_token_counts_match_the_corpus() -> None:
    text = DOC.read_text()
    match = re.search(r"(\d[\d,]*) named hostile tokens and headers \(and (\d+) genuine ones", text)
    assert match, "docs/reliability.md no longer states the corpus size"
    assert int(match[1].replace(",", "")) == len(CASES)
    assert int(match[2]) == len(GENUINE)
