#!/usr/bin/env bash
# Print an interpreter for the virtualenv: Python $1 (default 3.13, the Lambda runtime's version) if there
# is one, else 3.13, else 3.12, on PATH or under pyenv; then a plain python3 only if it is 3.12 or newer.
# The project needs 3.12+ (pyproject.toml): with none, say so on stderr and exit 1.
set -u
want=${1:-3.13}
root=${PYENV_ROOT:-$HOME/.pyenv}

works() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

find_version() {
  local v=$1 exe
  exe=$(command -v "python$v" 2>/dev/null) && works "$exe" && { echo "$exe"; return 0; }
  for exe in "$root"/versions/"$v".*/bin/python"$v"; do
    [ -x "$exe" ] && works "$exe" && { echo "$exe"; return 0; }
  done
  return 1
}

for v in "$want" 3.13 3.12; do
  if found=$(find_version "$v"); then
    [ "$v" = "$want" ] || echo "find-python: no python$want here; using python$v ($found)" >&2
    echo "$found"
    exit 0
  fi
done
if exe=$(command -v python3 2>/dev/null) && works "$exe"; then
  echo "find-python: no python$want here; using python3 ($("$exe" --version 2>&1))" >&2
  echo "$exe"
  exit 0
fi
echo "find-python: no Python 3.12 or newer found (tried python$want, python3.13, python3.12, pyenv in $root, python3: $(python3 --version 2>&1 || echo none)). Install Python 3.13 (or 3.12), e.g. 'pyenv install 3.13', or pass BOOTSTRAP_PYTHON=/path/to/python3.13." >&2
exit 1
