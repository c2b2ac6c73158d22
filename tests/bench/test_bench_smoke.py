"""Smoke test of the bench's machinery with tiny counts: every part runs and results.json has its shape.

No timing is asserted (performance is measured by `make bench`, never by tests). What is asserted is
behaviour the bench relies on: every verifier case accepts every valid token, the client economy is
counted (one token request and one secret read for our client, one per call for the naive one), the
targets list has the documented keys, and the README block is replaced in place.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bench import client_bench, cold_path, coldstart, report, run, size, verify_bench

TARGET_KEYS = {"name", "value", "target", "unit", "ok"}


def test_verification_cases_accept_every_token() -> None:
    result = verify_bench.run(distinct=12, clients=3, reuses=4, rounds=1)
    cases = result["cases"]
    for name in (
        "floor",
        "signature_step",
        "ours",
        "pyjwt_decode",
        "pyjwt_jwk_client",
        "reused_floor",
        "reused_ours",
    ):
        assert cases[name]["all_accepted"] is True, name
        assert cases[name]["verifications_per_second"] > 0
    assert cases["floor"]["ratio_to_floor"] == 1.0
    # optional cases either ran and accepted everything, or say why they were skipped
    for name in ("powertools", "aws_jwt_verify"):
        assert cases[name].get("all_accepted") is True or cases[name]["skipped"]
    assert result["tokens"] == {"distinct": 12, "clients": 3, "reuses_per_client": 4, "rounds": 1}


def test_client_economy_is_counted() -> None:
    result = client_bench.run(invocations=6)
    ours, naive = result["ours"], result["naive"]
    assert ours["answered_200"] == naive["answered_200"] == 6
    assert (ours["token_requests"], ours["secret_reads"]) == (1, 1)
    assert (naive["token_requests"], naive["secret_reads"]) == (6, 6)
    assert ours["handler_counters"]["api_requests"] == 6
    assert result["api_requests_served"] == 12


def test_cold_import_probe_times_an_import(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import json\nVALUE = json.dumps({'ok': True})\n")
    variant = coldstart.Variant("tiny", "tiny app", "import app", [tmp_path], {})
    result = coldstart.measure(sys.executable, [variant], samples=2)
    assert result["tiny"]["samples"] == 2
    assert result["tiny"]["median_ms"] > 0


def test_cold_import_probe_reports_a_failing_import(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("raise RuntimeError('missing configuration')\n")
    variant = coldstart.Variant("broken", "broken app", "import app", [tmp_path], {})
    result = coldstart.measure(sys.executable, [variant], samples=2)
    assert "missing configuration" in result["broken"]["error"]


def test_zip_sizes(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "resource.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("app.py", "x = 1\n" * 100)
        zf.writestr("pkg/__pycache__/m.cpython-313.pyc", b"\0" * 50)
    result = size.run(dist=tmp_path, functions=("resource", "client"))
    figures = result["lambda"]["resource"]
    assert figures["files"] == 2
    assert figures["unzipped_bytes"] == 650
    assert figures["unzipped_pyc_bytes"] == 50
    assert figures["zip_bytes"] == (tmp_path / "resource.zip").stat().st_size
    assert "error" in result["lambda"]["client"]


def fake_results() -> dict[str, Any]:
    case = {"label": "x", "workload": "distinct", "verifications_per_second": 1.0, "us_per_token": 1.0}
    return {
        "generated_at": "now",
        "machine": {"cpu": "cpu", "cores": 2, "arch": "x86_64", "python": "3.13.0", "node": None},
        "verification": {
            "tokens": {"distinct": 1, "clients": 1, "reuses_per_client": 1, "rounds": 1},
            "cases": {
                "ours": {**case, "ratio_to_floor": 0.8},
                "reused_floor": {**case, "workload": "reused", "ratio_to_floor": 1.0},
                "reused_ours": {**case, "workload": "reused", "ratio_to_floor": 9.0},
            },
        },
        "client": {
            "invocations": 1000,
            "ours": {"token_requests": 1, "secret_reads": 1, "p50_ms": 1.0, "p99_ms": 2.0},
            "naive": {"token_requests": 1000, "secret_reads": 1000, "p50_ms": 3.0, "p99_ms": 4.0},
        },
        "coldstart": {
            "samples": 1,
            "python_version": "3.13.0",
            "imports": {
                "baseline_pyc": {"median_ms": 100.0, "ratio_to_baseline_pyc": 1.0},
                "resource_pyc": {"median_ms": 120.0, "ratio_to_baseline_pyc": 1.2},
            },
        },
        "cold_path": {
            "samples": 1,
            "jwks_delay_ms": 30,
            "variants": {
                name: {
                    "label": name,
                    "side": "resource",
                    "interpreter_ms": 10.0,
                    "init_ms": 20.0,
                    "first_request_ms": 40.0,
                    "to_first_answer_ms": total,
                    "second_request_ms": 1.0,
                }
                for name, total in (
                    ("ours", 70.0),
                    ("pyjwt", 180.0),
                    ("aws_jwt_verify", 150.0),
                    ("aws_jwt_verify_hydrated", 60.0),
                    ("client_ours", 100.0),
                    ("client_usual", 250.0),
                )
            },
        },
        "size": {"limit_bytes": 6_000_000, "lambda": {"resource": {"zip_bytes": 5_000_000}}},
    }


def test_targets_have_the_documented_shape() -> None:
    results = fake_results()
    results["cold_path"]["ratios"] = cold_path.ratios(results["cold_path"]["variants"])
    assert results["cold_path"]["ratios"]["ours_vs_aws_jwt_verify"] == round(70 / 60, 3)  # the better one
    assert "| ours | 10.0 | 20.0 | 40.0 | 70.0 | 1.0 |" in report.tables(results)
    results["targets"] = targets = report.targets(results)
    assert all(set(t) >= TARGET_KEYS for t in targets)
    by_name = {t["name"]: t["ok"] for t in targets}
    assert by_name == {
        "our verifier throughput vs floor (distinct tokens)": True,
        "our verifier throughput vs floor (reused tokens)": False,
        "token requests per 1000 warm invocations": True,
        "secret reads per 1000 warm invocations": True,
        "resource cold import (.pyc) vs bare jwt+cryptography+urllib3": False,
        "resource cold path vs PyJWT + PyJWKClient (to the first answer)": True,
        "resource cold path vs aws-jwt-verify (Node)": False,
        "client cold path vs the usual way (boto3, urllib3)": True,
        "resource.zip size": True,
    }
    table = report.tables(results)
    assert "| our verifier throughput vs floor (reused tokens) | 9.00 | >= 10 x floor | short |" in table


def test_readme_block_is_appended_then_replaced(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nText.\n")
    assert report.rewrite_readme(readme, "first table\n")
    assert report.rewrite_readme(readme, "second table\n")
    text = readme.read_text()
    assert text.startswith("# Title\n\nText.\n")
    assert text.count("## Performance") == 1
    assert f"{report.BEGIN}\nsecond table\n{report.END}" in text
    assert "first table" not in text
    assert not report.rewrite_readme(readme, "second table\n")


@pytest.mark.parametrize("parts", ["client"])
def test_run_writes_results_json(tmp_path: Path, parts: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    assert run.main(["--quick", "--parts", parts, "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["quick"] is True
    assert {"machine", "client", "targets"} <= set(results)
    assert all(set(t) >= TARGET_KEYS for t in results["targets"])
    assert "Token client economy" in capsys.readouterr().out
