#!/usr/bin/env bash
# The main job on a fresh machine: installs the project into a virtual
# environment, starts the daemons on an embedded default configuration under
# ./quickstart-work and runs a console session against them.
# Options are passed on (--stop ends the daemons, --workdir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  # the first interpreter that runs and is Python >= 3.11 (a pyenv shim may
  # exist for a version pyenv does not enable)
  for p in python3.13 /root/.pyenv/versions/3.13*/bin/python3 python3.11 /root/.pyenv/versions/3.11*/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 \
        && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
      PY=$(command -v "$p"); break
    fi
  done
  if [ -z "$PY" ]; then
    echo "quickstart: no Python 3.11 or newer found (set PYTHON=/path/to/python3)" >&2
    exit 1
  fi
fi
VENV=$REPO/.venv-quickstart
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import bareos.dird.daemon" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q -e "$REPO" 2>&1 | grep -v '^WARNING: Location' || true
fi
export PATH="$VENV/bin:$PATH"
exec "$VENV/bin/python" -m bareos.quickstart "$@"
