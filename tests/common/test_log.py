"""cognito_m2m_verifier._shared.log: the libraries configure no logging; the functions set Lambda's level
at cold start (their app.py)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from cognito_m2m_verifier._shared.log import configure_function_logging, function_log_level, get_logger

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("env", "level"),
    [
        ({"AWS_LAMBDA_LOG_LEVEL": "debug"}, "DEBUG"),
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, "DEBUG"),
        ({"LOG_LEVEL": "WARNING"}, "WARNING"),
        ({"AWS_LAMBDA_LOG_LEVEL": "ERROR", "LOG_LEVEL": "DEBUG"}, "ERROR"),
        ({"LOG_LEVEL": "loud"}, "INFO"),
        ({}, "INFO"),
    ],
)
def test_the_functions_level_comes_from_lambdas_setting(env: dict[str, str], level: str) -> None:
    assert function_log_level(env) == level
    configure_function_logging([f"t_{level}_{len(env)}"], env)
    assert logging.getLogger(f"t_{level}_{len(env)}").level == getattr(logging, level)


def test_a_librarys_logger_has_no_level_and_only_a_null_handler() -> None:
    logger = get_logger("t_library.module")
    assert logger.level == logging.NOTSET
    assert logger.handlers == []
    top = logging.getLogger("t_library")
    assert [type(h) for h in top.handlers] == [logging.NullHandler]
    get_logger("t_library.other")
    assert len(top.handlers) == 1


@pytest.mark.parametrize("package", ["cognito_m2m_verifier", "cognito_m2m_client", "cognito_m2m_rotation"])
def test_importing_a_library_configures_no_logging(package: str) -> None:
    """The application's own basicConfig still decides (the logging HOWTO, "Configuring Logging for a
    Library"): nothing on the root, no level on the package's loggers."""
    code = (
        "import logging, importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if not m.name.split('.')[-1].startswith('__'):\n"
        "        importlib.import_module(m.name)\n"
        "root = logging.getLogger()\n"
        "levels = {n: l.level for n, l in logging.Logger.manager.loggerDict.items()\n"
        f"          if n.startswith({package!r}) and isinstance(l, logging.Logger)}}\n"
        "print(len(root.handlers), root.level, sorted(set(levels.values())))\n"
    )
    paths = [REPO / "src" / name for name in ("resource", "client", "rotation")]
    env = {"PYTHONPATH": ":".join(map(str, paths)), "AWS_LAMBDA_LOG_LEVEL": "DEBUG"}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert ran.stdout.split() == ["0", str(logging.WARNING), "[0]"]
