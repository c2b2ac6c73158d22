"""Where things are: the repository, the functions' sources, the bench's git-ignored scratch folder."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SRC = ROOT / "src"
DIST = ROOT / "dist"
WORK = BENCH / ".work"  # git-ignored scratch: unzipped bundles, pip --target trees, node config
NODE_MODULES = BENCH / "node_modules"  # git-ignored: aws-jwt-verify
RESULTS = BENCH / "results.json"
README = ROOT / "README.md"
PERFORMANCE = ROOT / "docs" / "performance.md"  # the page whose bench block `make bench` rewrites


def shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (as results.json records paths)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def use_function_sources() -> None:
    """Put the functions' packages on ``sys.path`` as the zips lay them out (shared code first)."""
    for folder in (SRC / "client", SRC / "resource", SRC / "common"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


use_function_sources()
