#!/usr/bin/env bash
# Print an interpreter of Python $1 (e.g. 3.13), the Lambda runtime's version: on PATH, else under pyenv.
# Falls back to whatever python3 exists (saying so on stderr), so a machine without it still works.
set -u
want=${1:-3.13}
if command -v "python$want" >/dev/null 2>&1 && "python$want" -c 'import sys' >/dev/null 2>&1; then
  command -v "python$want"; exit 0
fi
root=${PYENV_ROOT:-$HOME/.pyenv}
for exe in "$root"/versions/"$want".*/bin/python"$want"; do
  [ -x "$exe" ] && { echo "$exe"; exit 0; }
done
echo "find-python: no python$want here; using python3 ($(python3 --version 2>&1))" >&2
command -v python3
