#!/usr/bin/env bash
# Counts the instructions the gateway runs per routed call: the release
# gateway under valgrind's callgrind in front of one simulated node, 2000
# `system.getDetails` calls from Python's xmlrpc.client after a warm-up,
# counted between a zeroing and a dump of callgrind's counters.
#
# Instruction counts do not depend on what else the machine is doing, so
# this compares two builds of the gateway exactly where the timing
# benchmark (`cargo bench -p gateway --bench routed_call`) is noisy on
# shared cores. It counts user space only: the kernel's share of a call
# (sockets, wake-ups) is not in it.
#
# Usage: scripts/callgrind-routed-call.sh [CALLS]
# Prints the instructions per call and leaves the profile in
# target/callgrind/ for `callgrind_annotate --inclusive=yes`.
set -euo pipefail
cd "$(dirname "$0")/.."

calls=${1:-2000}
for tool in valgrind callgrind_control callgrind_annotate python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool is missing (Debian: valgrind, python3)" >&2
        exit 1
    fi
done

cargo build -q --release -p gateway --bin gateway -p compat-tests --bin uyuni-sim
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out="$target_dir/callgrind"
mkdir -p "$out"
rm -f "$out"/routed-call.out*

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Waits for `pattern` in `file` and prints the URL on that line.
url_in() {
    local file=$1 pattern=$2
    for _ in $(seq 1 120); do
        if grep -q "$pattern" "$file"; then
            grep "$pattern" "$file" | grep -o 'http://[^ ]*' | head -1
            return
        fi
        sleep 0.5
    done
    echo "no '$pattern' in $file:" >&2
    cat "$file" >&2
    exit 1
}

"$target_dir/release/uyuni-sim" --listen 127.0.0.1:0 >"$work/sim.log" 2>&1 &
pids+=($!)
node=$(url_in "$work/sim.log" "listening on")

valgrind --tool=callgrind --callgrind-out-file="$out/routed-call.out" \
    "$target_dir/release/gateway" --listen 127.0.0.1:0 --node "n1=$node" \
    >"$work/gateway.log" 2>&1 &
valgrind_pid=$!
pids+=("$valgrind_pid")
gateway=$(url_in "$work/gateway.log" "gateway listening on")

python3 - "$gateway" "$calls" "$valgrind_pid" <<'EOF'
import subprocess
import sys
import xmlrpc.client

url, calls, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
server = xmlrpc.client.ServerProxy(url)
key = server.auth.login("admin", "admin")
systems = server.system.listSystems(key)
system = systems[len(systems) // 2]["id"]
for _ in range(200):
    server.system.getDetails(key, system)
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
for _ in range(calls):
    server.system.getDetails(key, system)
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
EOF

profile=$(ls "$out"/routed-call.out.* | head -1)
total=$(callgrind_annotate "$profile" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "gateway: $((total / calls)) instructions per routed system.getDetails ($calls calls, user space)"
echo "profile: $profile"
