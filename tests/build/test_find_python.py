"""scripts/find-python.sh: the virtualenvs' interpreter is Python 3.13, else 3.12, else a clear failure.

Each case runs the script with a PATH of its own (a folder of stand-in ``python*`` scripts that report a
version, as a real interpreter does) and no pyenv, so what this machine has installed does not matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "find-python.sh"


def fake_python(folder: Path, name: str, version: tuple[int, int]) -> Path:
    """A stand-in interpreter: ``-c`` code runs in the real one with sys.version_info faked."""
    exe = folder / name
    exe.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "Python {version[0]}.{version[1]}.0"; exit 0; fi\n'
        f'exec {sys.executable} -c "import sys; sys.version_info = {version!r}; exec(sys.argv[2])" "$@"\n'
    )
    exe.chmod(0o755)
    return exe


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{folder}:/usr/bin:/bin", "PYENV_ROOT": str(folder / "no-pyenv"), "HOME": str(folder)}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    # /usr/bin may have a python3 of its own: shadow it with a 3.11 in every case
    fake_python(folder, "python3", (3, 11))
    return folder


def test_prefers_the_requested_version(bin_dir: Path) -> None:
    wanted = fake_python(bin_dir, "python3.13", (3, 13))
    fake_python(bin_dir, "python3.12", (3, 12))
    result = run(bin_dir, "3.13")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, str(wanted), "")


def test_falls_back_to_3_12_and_says_so(bin_dir: Path) -> None:
    fallback = fake_python(bin_dir, "python3.12", (3, 12))
    result = run(bin_dir, "3.13")
    assert result.returncode == 0
    assert result.stdout.strip() == str(fallback)
    assert "no python3.13 here; using python3.12" in result.stderr


def test_a_python3_older_than_3_12_is_refused_with_a_clear_message(bin_dir: Path) -> None:
    result = run(bin_dir, "3.13")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no Python 3.12 or newer found" in result.stderr
    assert "Python 3.11" in result.stderr  # what it did find
    assert "pyenv install 3.13" in result.stderr


def test_a_plain_python3_of_3_12_or_newer_is_used(bin_dir: Path) -> None:
    python3 = fake_python(bin_dir, "python3", (3, 14))
    result = run(bin_dir)
    assert result.returncode == 0
    assert result.stdout.strip() == str(python3)


def test_the_makefile_looks_the_interpreter_up_only_to_create_a_virtualenv() -> None:
    makefile = (SCRIPT.parents[1] / "Makefile").read_text()
    assert "$(shell scripts/find-python.sh" not in makefile
    assert "TF_PLUGIN_DIR := $(shell scripts/find-tf-plugins.sh)" in makefile  # once per make run
    assert "-plugin-dir=$(TF_PLUGIN_DIR)" not in makefile.replace(
        "$(if $(TF_PLUGIN_DIR),-plugin-dir=$(TF_PLUGIN_DIR))", ""
    )
    assert os.access(SCRIPT, os.X_OK)
