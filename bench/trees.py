"""Package trees the cold-start and size parts measure, prepared under bench/.work (git-ignored).

- each function's HOST bundle (``dist/host/<fn>.zip``: this machine's arch, the venv's Python) unzipped
  twice: as shipped (with ``.pyc``) and with every ``__pycache__`` removed;
- ``baseline``: PyJWT + cryptography + urllib3 alone (the versions the project pins), installed with
  ``pip --target`` and compiled like the bundles (``unchecked-hash``), plus a copy without ``.pyc``;
- ``powertools``: aws-lambda-powertools (its core dependencies only), compiled the same way;
- ``runtime``: boto3, which the Lambda runtime provides outside the zip (on ``sys.path`` after the
  task directory, as in Lambda).

A stamp file holding the requirement list makes a tree be rebuilt only when its pins change.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from bench import paths

POWERTOOLS_REQUIREMENT = "aws-lambda-powertools==3.37.0"


def log(message: str) -> None:
    print(f"bench[trees]: {message}", file=sys.stderr, flush=True)


def pinned(requirements: Path, name: str) -> str:
    """``name==version`` as pinned in ``requirements`` (case-insensitive name match)."""
    for line in requirements.read_text().splitlines():
        match = re.match(rf"\s*({re.escape(name)}(?:\[[^\]]*\])?)==([^\s;#]+)", line, re.IGNORECASE)
        if match:
            return f"{name}=={match.group(2)}"
    raise LookupError(f"{name} is not pinned in {requirements}")


def baseline_requirements() -> list[str]:
    return [
        pinned(paths.ROOT / "requirements-dev.txt", "PyJWT"),
        pinned(paths.SRC / "resource" / "requirements.txt", "cryptography"),
        pinned(paths.SRC / "client" / "requirements.txt", "urllib3"),  # the usual way's HTTP library
    ]


def runtime_requirements() -> list[str]:
    return [pinned(paths.ROOT / "requirements-dev.txt", "boto3")]


def strip_pyc(tree: Path) -> None:
    for cache in sorted(tree.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    for stray in tree.rglob("*.pyc"):
        stray.unlink()


def compile_pyc(tree: Path, python: str) -> None:
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(tree)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def pip_target(name: str, requirements: list[str], python: str) -> Path:
    """``requirements`` installed into bench/.work/<name> (with .pyc from ``python``); reused if current."""
    tree = paths.WORK / name
    stamp = paths.WORK / f"{name}.stamp"
    wanted = "\n".join([*requirements, python])
    if tree.is_dir() and stamp.exists() and stamp.read_text() == wanted:
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    log(f"installing {' '.join(requirements)} into {tree.relative_to(paths.ROOT)}")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--only-binary=:all:",
            "--target",
            str(tree),
            *requirements,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip install into {tree} failed:\n{done.stderr[-2000:]}")
    bin_dir = tree / "bin"
    if bin_dir.is_dir():
        shutil.rmtree(bin_dir)
    compile_pyc(tree, python)
    stamp.write_text(wanted)
    return tree


def without_pyc(tree: Path) -> Path:
    """A copy of ``tree`` with every compiled file removed (rebuilt each run: cheap, always current)."""
    copy = tree.with_name(tree.name + "-nopyc")
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(tree, copy)
    strip_pyc(copy)
    return copy


def unzip(zip_path: Path, name: str) -> Path:
    tree = paths.WORK / name
    if tree.exists():
        shutil.rmtree(tree)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(tree)
    return tree


def merged(trees: list[Path], name: str) -> Path:
    """One folder holding the files of ``trees`` (later ones win), rebuilt each run."""
    out = paths.WORK / name
    if out.exists():
        shutil.rmtree(out)
    for tree in trees:
        shutil.copytree(tree, out, dirs_exist_ok=True)
    return out


def tree_bytes(tree: Path, *, include_pyc: bool = True) -> tuple[int, int]:
    """(bytes, files) of the regular files under ``tree``."""
    total = files = 0
    for path in tree.rglob("*"):
        if not path.is_file():
            continue
        if not include_pyc and (path.suffix == ".pyc" or "__pycache__" in path.parts):
            continue
        total += path.stat().st_size
        files += 1
    return total, files
