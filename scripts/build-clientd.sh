#!/usr/bin/env bash
# Builds the client agent as one static executable for every managed
# system, whatever its C library: x86_64 musl, static-pie, stripped. The
# result is dist/clientd-<version>-x86_64-linux-musl, with its SHA-256 in
# a file beside it.
#
# Needs Rust's x86_64-unknown-linux-musl standard library (`rustup target
# add x86_64-unknown-linux-musl`) and musl-gcc for the C parts of ring
# and aws-lc (Debian's musl-tools, installed here when missing and run as
# root). Checks that the result has no program interpreter (no dynamic
# loader, no shared library) and that it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-musl

if ! command -v musl-gcc >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "musl-gcc is missing: apt-get install musl-tools (as root)" >&2
        exit 1
    fi
    echo "installing Debian packages: musl-tools"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools
fi
sysroot=$(rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/$target" ]; then
    echo "Rust's $target standard library is missing: rustup target add $target" >&2
    exit 1
fi

cargo build -p clientd --release --locked --target "$target"

built="${CARGO_TARGET_DIR:-target}/$target/release/clientd"
version=$("$built" --version | awk '{print $2}')
mkdir -p dist
out="dist/clientd-$version-x86_64-linux-musl"
objcopy --strip-all "$built" "$out"

# A dynamically linked executable names its loader in a PT_INTERP header.
if readelf --program-headers "$out" | grep -q INTERP; then
    echo "$out is not static: it names a program interpreter" >&2
    readelf --program-headers "$out" | grep -A1 INTERP >&2
    exit 1
fi
if readelf --dynamic "$out" | grep -q NEEDED; then
    echo "$out is not static: it needs shared libraries" >&2
    readelf --dynamic "$out" | grep NEEDED >&2
    exit 1
fi
"$out" --version >/dev/null

(cd dist && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
size=$(stat --format %s "$out")
echo "$out: static, $((size / 1024 / 1024)) MiB; SHA-256 in $out.sha256"
