"""Part 4 (and the size half of 5): bytes of each Lambda zip and of its unzipped tree.

The Lambda zips are ``dist/<fn>.zip`` (``make build``: arm64 by default, the runtime's Python); the
host bundles (``dist/host``) are listed too, for context. Powertools' installed size is that of the
tree ``pip install --target`` makes, without and with ``.pyc``, and zipped as our builder zips.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from bench import paths, trees

LIMIT_BYTES = 6_000_000  # "under 6 MB", read strictly (decimal megabytes)


def zip_figures(zip_path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(zip_path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
    unzipped = sum(i.file_size for i in infos)
    pyc = sum(i.file_size for i in infos if i.filename.endswith(".pyc"))
    return {
        "zip_bytes": zip_path.stat().st_size,
        "unzipped_bytes": unzipped,
        "unzipped_pyc_bytes": pyc,
        "files": len(infos),
    }


def zipped_bytes(tree: Path, *, include_pyc: bool) -> int:
    """Size of ``tree`` deflated at level 9, as scripts/build_zip.py writes zips."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(tree.rglob("*")):
            if not path.is_file():
                continue
            if not include_pyc and (path.suffix == ".pyc" or "__pycache__" in path.parts):
                continue
            zf.write(path, path.relative_to(tree).as_posix())
    return len(buffer.getvalue())


def powertools_figures(python: str) -> dict[str, Any]:
    tree = trees.pip_target("powertools", [trees.POWERTOOLS_REQUIREMENT], python)
    package = tree / "aws_lambda_powertools"
    pkg_src, pkg_files = trees.tree_bytes(package, include_pyc=False)
    pkg_all, _ = trees.tree_bytes(package)
    all_src, _ = trees.tree_bytes(tree, include_pyc=False)
    return {
        "requirement": trees.POWERTOOLS_REQUIREMENT,
        "package_bytes": pkg_src,
        "package_files": pkg_files,
        "package_bytes_with_pyc": pkg_all,
        "with_dependencies_bytes": all_src,
        "dependencies": sorted(
            p.name.removesuffix(".py")
            for p in tree.iterdir()
            if p != package and p.name != "__pycache__" and not p.name.endswith(".dist-info")
        ),
        "zipped_bytes": zipped_bytes(tree, include_pyc=False),
        "zipped_bytes_with_pyc": zipped_bytes(tree, include_pyc=True),
    }


def run(
    dist: Path = paths.DIST,
    functions: tuple[str, ...] = ("resource", "client", "rotation", "verifier-layer"),
    powertools_python: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"limit_bytes": LIMIT_BYTES, "lambda": {}, "host": {}}
    for fn in functions:
        for kind, folder in (("lambda", dist), ("host", dist / "host")):
            zip_path = folder / f"{fn}.zip"
            if zip_path.exists():
                out[kind][fn] = {"path": paths.shown(zip_path), **zip_figures(zip_path)}
            elif kind == "lambda":
                out[kind][fn] = {"error": f"{zip_path} missing: run `make build`"}
    if powertools_python:
        out["powertools"] = powertools_figures(powertools_python)
        out["boto3_untrimmed"] = boto3_figures(powertools_python)
    return out


def boto3_figures(python: str) -> dict[str, Any]:
    """boto3 with all of botocore's models, zipped as the builder zips: what the rotation zip would carry
    without the trim (scripts/build_zip.py keeps two services' models)."""
    tree = trees.pip_target("runtime", trees.runtime_requirements(), python)
    return {
        "requirement": trees.runtime_requirements()[0],
        "zipped_bytes": zipped_bytes(tree, include_pyc=False),
        "zipped_bytes_with_pyc": zipped_bytes(tree, include_pyc=True),
    }
