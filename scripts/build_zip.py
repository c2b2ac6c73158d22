#!/usr/bin/env python3
"""Build one Lambda function's deployment zip, reproducibly.

    build_zip.py --function resource --arch arm64 --python-version 3.13 --out dist/resource.zip
    build_zip.py --function resource --layer --arch arm64 --python-version 3.13 --out dist/verifier-layer.zip

The zip holds ``app.py`` and the function's package from ``src/<function>/`` (with the shared code,
``src/common``, as its ``_shared`` subpackage: copied, not linked), and the runtime dependencies from
``src/<function>/requirements.txt``
installed as wheels for the target platform (``manylinux2014_<arch>``, CPython ``<version>``), so
building needs neither Docker nor AWS. Entries are sorted with fixed timestamps and modes; pip's
install records and the build interpreter's caches are left out, so two builds are byte-identical.

With ``--source DIR`` it zips a function of your own instead: the folder's files as they are (no
dependencies: the verifier layer brings them), with the same fixed entries, .pyc and manifest.

With ``--layer`` it writes a Lambda layer instead: the same package and dependencies under ``python/``
(which Lambda puts on ``sys.path`` from ``/opt/python``), without ``app.py``.

Next to the zip it writes ``<zip>.manifest.json``: the function, the architecture and runtime it was built
for, and the zip's SHA-256. The Terraform module reads it and fails at plan when a function's
``architecture``/``runtime`` differ from what its zip was built for (the zip would fail at import).

When an interpreter of the target version is found, ``.pyc`` files compiled by it with
``--invalidation-mode unchecked-hash`` are shipped: Lambda cannot write them into its read-only task
directory, so without them every cold start compiles every module again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGES = {
    "resource": "cognito_m2m_verifier",
    "client": "cognito_m2m_client",
    "rotation": "cognito_m2m_rotation",
}
# Packages of ours that a function's zip carries besides its own (the rotation function's testSecret
# obtains a token with the token client).
BUNDLED = {"rotation": [("client", "cognito_m2m_client")]}
# A function that bundles its own boto3 keeps botocore's models of the services it calls only: the
# rotation function needs Cognito's two-secret API (botocore 1.42.59 and later), which the runtime's
# SDK may lack, and all of botocore's models would add about 17 MB to its zip (docs/performance.md).
BOTOCORE_SERVICES = {"rotation": ("cognito-idp", "secretsmanager")}
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Install metadata that differs between builds or machines and is never read at run time.
DROP_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
# Packages that pip installs as dependencies but nothing imports at run time: cryptography's compiled
# bindings load only the `_cffi_backend` extension module (kept); the `cffi` Python package and its
# C parser `pycparser` serve to generate bindings at build time. Leaving them out saves ~430 KB
# zipped; tests/build proves the bundle still verifies an RSA signature in isolation.
BUILD_TIME_ONLY = ("cffi", "pycparser")
TASK_ROOT = "/var/task"  # where Lambda unpacks the zip; recorded in the .pyc files as their source path
LAYER_ROOT = "/opt/python"  # where a layer's python/ folder ends up


def log(msg: str) -> None:
    print(f"build_zip: {msg}", file=sys.stderr)


def find_python(version: str, explicit: str | None) -> str | None:
    """An interpreter whose version is exactly ``version``, or None."""
    candidates = [explicit] if explicit else []
    candidates += [
        sys.executable,
        shutil.which(f"python{version}") or "",
        *sorted(
            str(p)
            for p in Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")).glob(
                f"versions/{version}.*/bin/python{version}"
            )
        ),
    ]
    for exe in candidates:
        if not exe:
            continue
        try:
            out = subprocess.run(
                [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if out == version:
            return exe
    return None


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "requirements.txt"))


def install_dependencies(function: str, staging: Path, arch: str, version: str) -> None:
    requirements = SRC / function / "requirements.txt"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(staging),
        "--platform",
        PLATFORMS[arch],
        "--implementation",
        "cp",
        "--python-version",
        version,
        "--only-binary=:all:",
        "-r",
        str(requirements),
    ]
    subprocess.run(cmd, check=True)


def trim_botocore(staging: Path, services: tuple[str, ...]) -> None:
    """Drop every service model under ``botocore/data`` but ``services`` (the files at its top, such as
    ``endpoints.json`` and ``partitions.json``, stay: every client needs them)."""
    data = staging / "botocore" / "data"
    if not data.is_dir():
        raise SystemExit(f"build_zip: {data} is missing: the requirements install no botocore")
    missing = [name for name in services if not (data / name).is_dir()]
    if missing:
        raise SystemExit(f"build_zip: botocore has no model of {', '.join(missing)}")
    for entry in data.iterdir():
        if entry.is_dir() and entry.name not in services:
            shutil.rmtree(entry)


def clean(staging: Path) -> None:
    for name in BUILD_TIME_ONLY:
        for path in [staging / name, *staging.glob(f"{name}-*.dist-info")]:
            if path.is_dir():
                shutil.rmtree(path)
    for path in sorted(staging.rglob("*"), reverse=True):
        if path.is_dir() and (path.name == "__pycache__" or (path.parent == staging and path.name == "bin")):
            shutil.rmtree(path)
        elif path.is_file() and path.parent.name.endswith(".dist-info") and path.name in DROP_DIST_INFO:
            path.unlink()


def compile_pyc(staging: Path, python: str, prefix: str = TASK_ROOT) -> None:
    subprocess.run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(staging),
            "-p",
            prefix,
            str(staging),
        ],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "315532800"},
    )


def write_zip(staging: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(
        (p for p in staging.rglob("*") if p.is_file()), key=lambda p: p.relative_to(staging).as_posix()
    )
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(staging).as_posix(), date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100644 & 0xFFFF) << 16
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)


def manifest_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.name + ".manifest.json")


def write_manifest(
    zip_path: Path, *, function: str, arch: str, python_version: str, pyc: bool, kind: str = "function"
) -> Path:
    """``<zip>.manifest.json``: what the zip was built for (read by the Terraform module at plan)."""
    manifest = {
        "kind": kind,
        "function": function,
        "architecture": arch,
        "runtime": f"python{python_version}",
        "python_version": python_version,
        "platform": PLATFORMS[arch],
        "compiled_pyc": pyc,
        "zip_sha256": hashlib.sha256(zip_path.read_bytes()).hexdigest(),
    }
    path = manifest_path(zip_path)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--function", choices=sorted(PACKAGES), help="one of ours (or --source)")
    parser.add_argument("--source", type=Path, help="a folder holding a function of your own")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default="arm64")
    parser.add_argument("--python-version", default="3.13")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pyc-python", help="interpreter of the target version to compile .pyc with")
    parser.add_argument("--no-pyc", action="store_true", help="ship sources only")
    parser.add_argument("--layer", action="store_true", help="a Lambda layer (python/...) without app.py")
    args = parser.parse_args()
    if (args.function is None) == (args.source is None):
        parser.error("give --function or --source")
    if args.source is not None and (args.layer or not args.source.is_dir()):
        parser.error("--source is a folder, and cannot be a layer")
    name = args.function or args.source.resolve().name

    with tempfile.TemporaryDirectory(prefix=f"build-{name}-") as tmp:
        top = Path(tmp) / "pkg"
        staging = top / "python" if args.layer else top
        if args.source is not None:
            copy_tree(args.source, staging)
        else:
            staging.mkdir(parents=True)
            install_dependencies(args.function, staging, args.arch, args.python_version)
            if args.function in BOTOCORE_SERVICES:
                trim_botocore(staging, BOTOCORE_SERVICES[args.function])
            if not args.layer:
                shutil.copy2(SRC / args.function / "app.py", staging / "app.py")
            package = PACKAGES[args.function]
            copy_tree(SRC / args.function / package, staging / package)
            for folder, bundled in BUNDLED.get(args.function, []):
                copy_tree(SRC / folder / bundled, staging / bundled)
        clean(staging)
        pyc = False
        if not args.no_pyc:
            python = find_python(args.python_version, args.pyc_python)
            if python:
                compile_pyc(staging, python, LAYER_ROOT if args.layer else TASK_ROOT)
                pyc = True
            else:
                log(
                    f"no Python {args.python_version} interpreter here: shipping without .pyc "
                    "(cold starts will compile every module)"
                )
        write_zip(top, args.out)
    manifest = write_manifest(
        args.out,
        function=name,
        arch=args.arch,
        python_version=args.python_version,
        pyc=pyc,
        kind="layer" if args.layer else "function",
    )
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    log(f"{args.out} {args.out.stat().st_size} bytes sha256={digest} ({manifest.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
