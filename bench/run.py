"""`make bench`: run every part, print the table, write bench/results.json and docs/performance.md's block.

    python -m bench.run [--quick] [--parts verify,client,fleet,coldstart,size] [--out FILE] [--no-readme]

Parts: ``verify`` (warm token verification, distinct and reused tokens), ``client`` (token client economy),
``coldstart`` (cold import in fresh interpreters, with Powertools' imports for context), ``size`` (zips).
``make bench`` builds what the parts need first (dist/*.zip for Lambda, dist/host/*.zip for this machine,
aws-jwt-verify in bench/node_modules when npm exists). Everything runs on loopback and is bounded.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import client_bench, cold_path, coldstart, fleet, paths, report, size, verify_bench

PARTS = ("verify", "client", "fleet", "coldstart", "coldpath", "size")
FULL = {
    "distinct": 5000, "clients": 20, "reuses": 500, "rounds": 9, "invocations": 1000, "samples": 21,
    "fleet_containers": 100, "fleet_day_seconds": 86_400, "fleet_samples": 200, "cold_paths": 11,
}  # fmt: skip
QUICK = {
    "distinct": 200, "clients": 4, "reuses": 25, "rounds": 2, "invocations": 50, "samples": 3,
    "fleet_containers": 10, "fleet_day_seconds": 7_300, "fleet_samples": 5, "cold_paths": 2,
}  # fmt: skip


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def node_version() -> str | None:
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict[str, Any]:
    node = node_version()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "arch": platform.machine(),
        "python": platform.python_version(),
        "node": f"Node {node}" if node else None,
        "system": platform.platform(terse=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny counts: checks the machinery, not the speed"
    )
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="results file (default bench/results.json; --quick: bench/.work/results-quick.json)",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="do not rewrite docs/performance.md's bench block"
    )
    parser.add_argument(
        "--python-version", default="3.13", help="the Lambda runtime's Python (cold start part)"
    )
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    n = QUICK if args.quick else FULL
    out: Path = args.out or (paths.WORK / "results-quick.json" if args.quick else paths.RESULTS)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench" if not args.quick else "python -m bench.run --quick",
        "quick": args.quick,
        "machine": machine(),
    }
    if "verify" in parts:
        results["verification"] = verify_bench.run(
            distinct=n["distinct"], clients=n["clients"], reuses=n["reuses"], rounds=n["rounds"]
        )
    if "client" in parts:
        print("bench[client]: running", file=sys.stderr, flush=True)
        results["client"] = client_bench.run(invocations=n["invocations"])
    if "fleet" in parts:
        print(
            "bench[fleet]: running (cold burst, simulated day, cold containers)", file=sys.stderr, flush=True
        )
        results["fleet"] = fleet.run(
            containers=n["fleet_containers"], day_seconds=n["fleet_day_seconds"], samples=n["fleet_samples"]
        )
    python = None
    if "coldstart" in parts:
        print("bench[coldstart]: running", file=sys.stderr, flush=True)
        results["coldstart"] = coldstart.run(samples=n["samples"], python_version=args.python_version)
        python = results["coldstart"]["python"]
    if "coldpath" in parts:
        print("bench[coldpath]: running (fresh processes, JWKS 30 ms away)", file=sys.stderr, flush=True)
        results["cold_path"] = cold_path.run(samples=n["cold_paths"], python_version=args.python_version)
    if "size" in parts:
        results["size"] = size.run(powertools_python=python)
    results["targets"] = report.targets(results)
    results["seconds_total"] = round(time.perf_counter() - started, 1)

    table = report.tables(results)
    print()
    print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"bench: raw figures in {paths.shown(out)} ({results['seconds_total']} s)")
    complete = not args.no_readme and not args.quick and set(parts) == set(PARTS)
    if complete and report.rewrite_readme(paths.PERFORMANCE, table):
        print(f"bench: {paths.shown(paths.PERFORMANCE)} bench block rewritten")
    short = [t["name"] for t in results["targets"] if not t["ok"]]
    if short:
        print(f"bench: short of target: {'; '.join(short)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
