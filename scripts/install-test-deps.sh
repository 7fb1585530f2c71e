#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian machine. Idempotent:
# it installs only what is missing. Run as root (CI and the dev machines are).
set -euo pipefail

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

python3 -c 'import xmlrpc.client' || {
    echo "python3 lacks xmlrpc.client" >&2
    exit 1
}
