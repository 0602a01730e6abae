#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what it needs
# (PostgreSQL from Debian's packages when root, virtual environments with pip),
# then runs pytest on Python 3.11 and the TLS-related tests again on Python 3.13.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

log() { printf '\n=== %s\n' "$*"; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=""
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
  # setfacl/setfattr: Bareos's acl and xattr systemtests call them
  command -v setfacl >/dev/null || missing="$missing acl"
  command -v setfattr >/dev/null || missing="$missing attr"
  if [ -n "$missing" ]; then
    log "installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
fi

find_python() {
  local want=$1 p
  for p in "python$want" "/root/.pyenv/versions/$want"*/bin/python3 /usr/local/bin/python$want /usr/bin/python$want; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
      command -v "$p"; return 0
    fi
  done
  return 1
}

make_venv() {  # make_venv <python> <dir>
  local py=$1 dir=$2
  if [ ! -x "$dir/bin/python" ]; then
    "$py" -m venv "$dir"
  fi
  "$dir/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  "$dir/bin/python" -m pip install -q -e "$REPO[test,postgresql]" 2>&1 | grep -v '^WARNING: Location' || true
  "$dir/bin/python" -c "import bareos, pytest" 
}

PY311=$(find_python 3.11 || true)
[ -n "$PY311" ] || PY311=$(command -v python3)
log "Python 3.11: $PY311"
make_venv "$PY311" "$REPO/.venv-test311"
export BAREOS_COMPAT_BASE_PYTHON=$PY311

status=0
log "pytest on Python 3.11 (whole suite)"
"$REPO/.venv-test311/bin/python" -m pytest -q -p no:cacheprovider -n 2 tests "$@" || status=$?

PY313=$(find_python 3.13 || true)
if [ -n "$PY313" ]; then
  log "Python 3.13: $PY313"
  make_venv "$PY313" "$REPO/.venv-test313"
  log "pytest on Python 3.13 (network, TLS and console tests)"
  "$REPO/.venv-test313/bin/python" -m pytest -q -p no:cacheprovider -n 2 tests/unit/net tests/integration "$@" || status=$?
else
  log "Python 3.13 not found: TLS tests on 3.13 skipped"
fi
exit $status
