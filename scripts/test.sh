#!/usr/bin/env bash
# Runs every test of the workspace: unit, property and black-box tests
# (real binaries on loopback, Python's xmlrpc.client as a real client).
# Installs what the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
cargo test --workspace --locked "$@"
