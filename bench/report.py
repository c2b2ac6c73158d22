"""Targets and tables from the results: printed by `make bench` and written into docs/performance.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BEGIN = "<!-- BEGIN_BENCH -->"
END = "<!-- END_BENCH -->"

VERIFIER_MIN_RATIO = 0.75  # of the RSA floor, distinct tokens, on every CPU measured
REUSED_MIN_RATIO = 10.0
MAX_TOKEN_REQUESTS = 1
MAX_SECRET_READS = 1
COLD_IMPORT_MAX_RATIO = 0.45  # x the bare PyJWT + cryptography + urllib3 import
COLD_PATH_VS_PYJWT_MAX = 0.5  # time to the first answer in a new process, x PyJWT + PyJWKClient's
COLD_PATH_VS_NODE_MAX = 1.0  # x aws-jwt-verify's (Node, the better of with and without hydrate())
CLIENT_COLD_PATH_MAX = 0.5  # x the usual way's (boto3, then urllib3)
LAYER_MAX_RATIO = 1.05  # the layer adds no cold-import time over the zip (5 %: the medians' noise)
FLEET_BURST_MAX_REQUESTS = 2  # 100 containers that all need a token at once, with the shared cache
FLEET_DAY_MAX_REQUESTS = 25  # a day at 100 calls/s over 100 containers, 1-hour tokens


def _target(name: str, value: float | None, op: str, target: float, unit: str) -> dict[str, Any]:
    if value is None:
        ok = False
    else:
        ok = value >= target if op == ">=" else value <= target if op == "<=" else value < target
    return {"name": name, "value": value, "target": target, "unit": unit, "op": op, "ok": ok}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    verification = results.get("verification")
    if verification:
        cases = verification["cases"]
        out.append(
            _target(
                "our verifier throughput vs floor (distinct tokens)",
                cases["ours"].get("ratio_to_floor"),
                ">=",
                VERIFIER_MIN_RATIO,
                "x floor",
            )
        )
        out.append(
            _target(
                "our verifier throughput vs floor (reused tokens)",
                cases["reused_ours"].get("ratio_to_floor"),
                ">=",
                REUSED_MIN_RATIO,
                "x floor",
            )
        )
        if "reused_ours_customized" in cases:
            out.append(
                _target(
                    "our verifier throughput vs floor (reused customized tokens, claim read)",
                    cases["reused_ours_customized"].get("ratio_to_floor"),
                    ">=",
                    REUSED_MIN_RATIO,
                    "x floor",
                )
            )
    client = results.get("client")
    if client:
        n = client["invocations"]
        out.append(
            _target(
                f"token requests per {n} warm invocations",
                client["ours"]["token_requests"],
                "<=",
                MAX_TOKEN_REQUESTS,
                "requests",
            )
        )
        out.append(
            _target(
                f"secret reads per {n} warm invocations",
                client["ours"]["secret_reads"],
                "<=",
                MAX_SECRET_READS,
                "reads",
            )
        )
    scope_sets = (client or {}).get("scope_sets")
    if scope_sets:
        for pattern in ("bound", "hot+one-offs"):
            row = scope_sets["patterns"][pattern]
            out.append(
                _target(
                    f"token requests beyond one per scope set ({pattern}, {row['calls']} calls)",
                    row["token_requests"] - row["distinct_scope_sets"],
                    "<=",
                    0,
                    "requests",
                )
            )
    fleet = results.get("fleet")
    if fleet:
        burst, day = fleet["cold_burst"], fleet["day"]
        out.append(
            _target(
                f"token requests of {burst['shared']['containers']} containers at once (shared cache)",
                burst["shared"]["token_requests"],
                "<=",
                FLEET_BURST_MAX_REQUESTS,
                "requests",
            )
        )
        if day["shared"]["seconds"] == 86_400:
            out.append(
                _target(
                    "token requests in a simulated day (shared cache)",
                    day["shared"]["token_requests"],
                    "<=",
                    FLEET_DAY_MAX_REQUESTS,
                    "requests",
                )
            )
    cold = results.get("coldstart")
    if cold:
        resource = cold["imports"].get("resource_pyc", {})
        out.append(
            _target(
                "resource cold import (.pyc) vs bare jwt+cryptography+urllib3",
                resource.get("ratio_to_baseline_pyc"),
                "<=",
                COLD_IMPORT_MAX_RATIO,
                "x baseline",
            )
        )
    if cold and "own_layer" in cold["imports"] and "own_zip" in cold["imports"]:
        layer, in_zip = cold["imports"]["own_layer"], cold["imports"]["own_zip"]
        if "median_ms" in layer and "median_ms" in in_zip:
            out.append(
                _target(
                    "your function's cold import: verifier layer vs library in the zip",
                    round(layer["median_ms"] / in_zip["median_ms"], 3),
                    "<=",
                    LAYER_MAX_RATIO,
                    "x in-zip",
                )
            )
    cold_path = results.get("cold_path")
    if cold_path:
        ratios = cold_path["ratios"]
        for key, name, limit in (
            (
                "ours_vs_pyjwt",
                "resource cold path vs PyJWT + PyJWKClient (to the first answer)",
                COLD_PATH_VS_PYJWT_MAX,
            ),
            ("ours_vs_aws_jwt_verify", "resource cold path vs aws-jwt-verify (Node)", COLD_PATH_VS_NODE_MAX),
            (
                "client_ours_vs_usual",
                "client cold path vs the usual way (boto3, urllib3)",
                CLIENT_COLD_PATH_MAX,
            ),
        ):
            out.append(_target(name, ratios.get(key), "<=", limit, "x theirs"))
    size = results.get("size")
    if size:
        for fn, figures in size["lambda"].items():
            out.append(_target(f"{fn}.zip size", figures.get("zip_bytes"), "<", size["limit_bytes"], "bytes"))
    return out


def wrapper_overhead(cases: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per workload: the wrapper's µs per request over the bare verifier's, and against Powertools'."""
    out = {}
    for workload, prefix in (("distinct", ""), ("reused", "reused_")):
        wrapper, bare = cases.get(f"{prefix}wrapper", {}), cases.get(f"{prefix}ours", {})
        powertools = cases.get(f"{prefix}powertools_resolver", {})
        if "us_per_token" in wrapper and "us_per_token" in bare and "us_per_token" in powertools:
            out[workload] = {
                "overhead_us": round(wrapper["us_per_token"] - bare["us_per_token"], 2),
                "wrapper_us": wrapper["us_per_token"],
                "powertools_us": powertools["us_per_token"],
                "ratio_to_powertools": round(powertools["us_per_token"] / wrapper["us_per_token"], 2),
            }
    return out


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def tables(results: dict[str, Any]) -> str:
    lines: list[str] = []
    machine = results.get("machine", {})
    lines.append(
        f"Measured {results.get('generated_at', '?')} on {machine.get('cpu', '?')} "
        f"({machine.get('cores', '?')} cores, {machine.get('arch', '?')}), "
        f"Python {machine.get('python', '?')}{', ' + machine['node'] if machine.get('node') else ''}; "
        "loopback servers only.\nAbsolute figures move with the machine and its load; the ratios, taken "
        "in one run, are what to compare."
    )
    goals = {t["name"]: t for t in results.get("targets", [])}

    verification = results.get("verification")
    if verification:
        tok = verification["tokens"]
        lines += [
            "",
            f"**Token verification, warm** ({tok['distinct']:,} distinct RS256 RSA-2048 access tokens; "
            f"median of {tok['rounds']} interleaved rounds after a warm-up round, in one process; "
            "CPU time of the verifying thread)",
            "",
        ]
        rows = []
        notes: list[str] = []
        for case in verification["cases"].values():
            if case["workload"] != "distinct":
                continue
            label = case["label"]
            note = case.get("skipped") or case.get("note")
            if note:
                notes.append(f"({len(notes) + 1}) {label}: {note}.")
                label += f" ({len(notes)})"
            if "skipped" in case:
                rows.append([label, "skipped", "-", "-"])
                continue
            rows.append(
                [
                    label,
                    _num(case["verifications_per_second"]),
                    _num(case["us_per_token"], 1),
                    _num(case.get("ratio_to_floor"), 2),
                    _num(case.get("best_ratio_to_floor"), 2),
                ]
            )
        lines += _table(["case", "verifications/s", "µs/token", "x floor", "x floor, best rounds"], rows)
        lines += [
            "",
            "x floor: throughput relative to the floor, `cryptography`'s RSA verify alone on pre-split input "
            "(same tokens), the median over rounds of the ratio within each round; best rounds: the fastest "
            "round of each (other work on the machine only ever adds time).",
            *(["", *notes] if notes else []),
        ]
        reused = verification["cases"]["reused_ours"]
        floor = verification["cases"]["reused_floor"]
        lines += [
            "",
            f"**Reused tokens** ({tok['clients']} clients x {tok['reuses_per_client']} calls each, "
            "interleaved)",
            "",
            *_table(
                ["case", "verifications/s", "µs/token", "x floor"],
                [
                    [
                        c["label"],
                        _num(c["verifications_per_second"]),
                        _num(c["us_per_token"], 2),
                        _num(c.get("ratio_to_floor"), 2),
                    ]
                    for c in (
                        floor,
                        reused,
                        verification["cases"].get("reused_ours_customized"),
                        verification["cases"].get("reused_ours_claims_decode"),
                        verification["cases"].get("reused_wrapper"),
                        verification["cases"].get("reused_wrapper_no_metrics"),
                    )
                    if c is not None
                ],
            ),
        ]

        overhead = wrapper_overhead(verification["cases"])
        if overhead:
            lines += [
                "",
                "**The wrapper's own cost** (`ProtectedApi`, ALB event to response, over the bare verifier "
                "on the same tokens; Powertools' ALB resolver doing the same routing and verification with "
                "PyJWT)",
                "",
                *_table(
                    [
                        "tokens",
                        "wrapper over the verifier µs",
                        "wrapper µs/request",
                        "Powertools µs/request",
                        "x Powertools",
                    ],
                    [
                        [
                            workload,
                            _num(row["overhead_us"], 2),
                            _num(row["wrapper_us"], 2),
                            _num(row["powertools_us"], 2),
                            _num(row["ratio_to_powertools"], 2),
                        ]
                        for workload, row in overhead.items()
                    ],
                ),
                "",
                "x Powertools: its time per request over ours (above 1: ours ahead).",
            ]

    client = results.get("client")
    if client:
        lines += [
            "",
            f"**Token client economy** ({client['invocations']:,} warm invocations of `GET /client`; "
            "token endpoint and API on loopback, Secrets Manager mocked by moto in-process)",
            "",
        ]
        rows = [
            [
                label,
                _num(c["token_requests"]),
                _num(c["secret_reads"]),
                _num(c["p50_ms"], 2),
                _num(c["p99_ms"], 2),
            ]
            for label, c in (
                ("our client function (caches secret and token)", client["ours"]),
                ("naive client (secret + token every call)", client["naive"]),
            )
        ]
        lines += _table(["client", "token requests", "secret reads", "p50 ms", "p99 ms"], rows)
        lines += [
            "",
            "Loopback servers and moto answer in well under a millisecond; in AWS every secret read and "
            "token request is a network round trip (Cognito bills each token), so the gap is wider there.",
        ]
        scope_sets = client.get("scope_sets")
        if scope_sets:
            bound = scope_sets["max_scope_sets"]
            lines += [
                "",
                f"**Scope sets per container** (`CognitoTokens` keeps tokens for at most {bound} scope sets, "
                "forgetting the least recently used; direct credentials, token endpoint on loopback)",
                "",
            ]
            labels = {
                "bound": f"{bound} scope sets in turn",
                "bound+1": f"{bound + 1} scope sets in turn (one past the bound)",
                "hot+one-offs": "one scope set, and a new one every 4th call",
            }
            lines += _table(
                ["pattern", "calls", "scope sets", "token requests", "cache hits", "evictions"],
                [
                    [
                        labels[name],
                        _num(row["calls"]),
                        _num(row["distinct_scope_sets"]),
                        _num(row["token_requests"]),
                        _num(row["cache_hits"]),
                        _num(row["evictions"]),
                    ]
                    for name, row in scope_sets["patterns"].items()
                ],
            )
            points = "; ".join(
                f"{_num(int(n))} sets: {scope_sets['entries_after'][n]} tokens, "
                f"{_num(scope_sets['traced_bytes_after'][n] / 1024)} KiB"
                for n in scope_sets["entries_after"]
            )
            lines += [
                "",
                f"Memory as distinct scope sets pass by ({points}; tracemalloc, the whole process with "
                "the loopback endpoint): bounded. Past the bound, sets "
                "asked for in turn miss every time, whatever the eviction order: give a caller fewer "
                "scope sets, or `max_scope_sets=`.",
            ]

    fleet = results.get("fleet")
    if fleet:
        burst, day, latency = fleet["cold_burst"], fleet["day"], fleet["cold_container_latency"]
        lines += [
            "",
            "**Fleet-wide token cache** (client containers as separate caches driven concurrently; DynamoDB "
            "on a moto server and a Cognito-like token endpoint, both on loopback)",
            "",
        ]
        rows = [
            [
                f"cold burst: {burst['shared']['containers']} containers need a token at once",
                _num(burst["baseline"]["token_requests"]),
                _num(burst["shared"]["token_requests"]),
                _num(burst.get("ratio_to_baseline"), 3),
            ],
            [
                f"{day['shared']['seconds'] / 3600:.0f} h at 100 calls/s over {day['shared']['containers']} "
                "containers, 1-hour tokens",
                _num(day["baseline"]["token_requests"]),
                _num(day["shared"]["token_requests"]),
                _num(day.get("ratio_to_baseline"), 3),
            ],
        ]
        lines += _table(["token requests", "per-container caches", "shared cache", "x per-container"], rows)
        lines += [
            "",
            f"Without any cache that day would cost {fleet['no_cache_day_requests']:,} token requests. "
            f"A cold container's first token from the table: p50 {latency['table_p50_ms']} ms, p99 "
            f"{latency['table_p99_ms']} ms, against {latency['direct_p50_ms']} / "
            f"{latency['direct_p99_ms']} ms "
            "for its own request to the loopback token endpoint (moto's DynamoDB is a Python server: "
            "DynamoDB in a Region answers a GetItem in a few milliseconds, and Cognito is further away).",
        ]

    cold = results.get("coldstart")
    if cold:
        imports = cold["imports"]
        lines += [
            "",
            f"**Cold import** (median CPU time of the import in {cold['samples']} fresh "
            f"`python{cold['python_version']}` processes, "
            "`-I -S -B`, package directory first on `sys.path`"
            f"{'; ' + cold['fallback_note'] if cold.get('fallback_note') else ''})",
            "",
        ]
        rows = []
        for label, pyc, nopyc in (
            ("bare `import jwt, cryptography...rsa, urllib3`", "baseline_pyc", "baseline_nopyc"),
            ("resource function `import app`", "resource_pyc", "resource_nopyc"),
            ("client function `import app`", "client_pyc", "client_nopyc"),
            ("your function on the verifier layer `import orders`", "own_layer", ""),
            ("the same function, library in its zip", "own_zip", ""),
            ("rotation function's first event, its own boto3 (two clients)", "rotation_own_sdk", ""),
            ("the same on the runtime's boto3", "rotation_runtime_sdk", ""),
        ):
            if pyc not in imports:
                continue
            a, b = imports[pyc], imports.get(nopyc, {})
            rows.append(
                [
                    label,
                    _num(a.get("median_ms"), 1) if "median_ms" in a else "error",
                    _num(b.get("median_ms"), 1) if "median_ms" in b else ("error" if nopyc else "-"),
                    _num(a.get("ratio_to_baseline_pyc"), 2),
                ]
            )
        lines += _table(["import", "with .pyc ms", "without .pyc ms", "x bare (.pyc)"], rows)

    cold_path = results.get("cold_path")
    if cold_path:
        lines += [
            "",
            f"**Cold path, end to end** (median of {cold_path['samples']} new processes each, variants "
            "interleaved: interpreter start, INIT (the handler's import), the first request (the JWKS "
            f"from a loopback server {cold_path['jwks_delay_ms']} ms away, one RS256 verify), then a "
            "second request with another token; wall-clock ms)",
            "",
        ]
        rows = [
            [
                v["label"],
                *(
                    [
                        _num(v["interpreter_ms"], 1),
                        _num(v["init_ms"], 1),
                        _num(v["first_request_ms"], 1),
                        _num(v["to_first_answer_ms"], 1),
                        _num(v["second_request_ms"], 1),
                    ]
                    if "error" not in v
                    else ["error", "-", "-", "-", "-"]
                ),
            ]
            for v in cold_path["variants"].values()
        ]
        lines += _table(
            [
                "cold path",
                "interpreter ms",
                "INIT ms",
                "first request ms",
                "to first answer ms",
                "second request ms",
            ],
            rows,
        )
        lines += [
            "",
            "The client rows: the first request reads the secret (moto on loopback), gets a token (loopback) "
            "and calls the API (loopback); the usual way does all three at every invocation.",
        ]

    size = results.get("size")
    if size:
        lines += ["", "**Packages** (Lambda zips from `make build`)", ""]
        rows = [
            [
                f"`{f.get('path', fn)}`",
                _num(f.get("zip_bytes")),
                _num(f.get("unzipped_bytes")),
                _num(f.get("files")),
            ]
            for fn, f in size["lambda"].items()
        ]
        lines += _table(["zip", "zip bytes", "unzipped bytes", "files"], rows)
        untrimmed = size.get("boto3_untrimmed")
        if untrimmed:
            lines += [
                "",
                f"The rotation zip bundles boto3 with botocore's models of two services; with all of them "
                f"(`{untrimmed['requirement']}`) the SDK alone zips to {_num(untrimmed['zipped_bytes'])} "
                f"bytes ({_num(untrimmed['zipped_bytes_with_pyc'])} with `.pyc`).",
            ]

    if cold and any(k.startswith("powertools") for k in cold["imports"]):
        imports = cold["imports"]
        pt = (size or {}).get("powertools", {})
        lines += [
            "",
            f"**Powertools for AWS Lambda, for the decision** (informational; `{pt.get('requirement', '')}`, "
            "cold import as above, boto3 from the runtime)",
            "",
        ]
        rows = [
            [
                imports[k]["label"],
                _num(imports[k].get("median_ms"), 1),
                _num(imports[k].get("ratio_to_baseline_pyc"), 2),
            ]
            for k in (
                "powertools_logger",
                "powertools_metrics",
                "powertools_alb_resolver",
                "powertools_get_secret",
                "powertools_all_three",
                "boto3",
                "resource_pyc",
                "client_pyc",
            )
            if k in imports and "median_ms" in imports[k]
        ]
        lines += _table(["import", "ms", "x bare (.pyc)"], rows)
        if pt:
            lines += [
                "",
                f"Installed size: `aws_lambda_powertools/` {_num(pt['package_bytes'])} bytes in "
                f"{_num(pt['package_files'])} files ({_num(pt['package_bytes_with_pyc'])} with `.pyc`); "
                f"with its dependencies ({', '.join(pt['dependencies'])}) "
                f"{_num(pt['with_dependencies_bytes'])} bytes, {_num(pt['zipped_bytes'])} zipped "
                f"({_num(pt['zipped_bytes_with_pyc'])} with `.pyc`).",
            ]

    if goals:
        lines += ["", "**Targets**", ""]
        rows = [
            [
                t["name"],
                _num(t["value"], 0 if t["unit"] in ("bytes", "requests", "reads") else 2),
                f"{t['op']} {_num(t['target'], 0 if float(t['target']).is_integer() else 2)} {t['unit']}",
                "ok" if t["ok"] else "short",
            ]
            for t in goals.values()
        ]
        lines += _table(["target", "value", "goal", "status"], rows)
    return "\n".join(lines) + "\n"


def rewrite_readme(readme: Path, block: str) -> bool:
    """Replace the text between the bench markers (appending a Performance section if they are absent)."""
    text = readme.read_text() if readme.exists() else ""
    generated = f"{BEGIN}\n{block.rstrip()}\n{END}"
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        new = pattern.sub(lambda _: generated, text, count=1)
    else:
        section = (
            "\n## Performance\n\n"
            "`make bench` measures the verifier, the token client, cold imports and package sizes\n"
            "side by side (loopback only, about two minutes on 2 cores), prints the tables below and\n"
            "writes the raw figures to `bench/results.json`; each run regenerates the block below.\n"
            "`.venv/bin/python -m bench.profile_verifier` breaks the verifier's cost down step by step.\n\n"
        )
        new = text.rstrip("\n") + "\n" + section + generated + "\n"
    if new == text:
        return False
    readme.write_text(new)
    return True
