#!/usr/bin/env bash
# Installs Salt (PyPI `salt==3008.3`) into <repo>/.venv-salt for the clientd
# tests: they start two salt-masters and a salt-minion on loopback from it.
# Idempotent: does nothing when the venv already holds that Salt. Run as root
# on a fresh Debian machine (it may apt-get install python3-venv).
# 3008.5 does not resolve here; keep the pin.
set -euo pipefail

want=3008.3
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.venv-salt"
# /usr/bin/python3: the venv must not depend on another venv or a user's
# interpreter (the tests may run as another user).
python=/usr/bin/python3

have() {
    [ -x "$venv/bin/salt-minion" ] &&
        "$venv/bin/python" -c "import salt.version, sys; sys.exit(salt.version.__version__ != '$want')" 2>/dev/null
}

if have; then
    echo "salt $want already in $venv"
    exit 0
fi

need_apt=()
[ -x "$python" ] || need_apt+=(python3)
"$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q "salt==$want"
have || {
    echo "salt $want did not install into $venv" >&2
    exit 1
}
"$venv/bin/salt-minion" --version
