#!/usr/bin/env bash
# Builds the client agent as one static executable for every x86_64
# managed system, whatever its C library: musl, static-pie, stripped. The
# result is dist/clientd-<version>-x86_64-linux-musl, with its SHA-256 in
# a file beside it.
#
# Needs Rust's x86_64-unknown-linux-musl standard library for the
# toolchain rust-toolchain.toml names (`rustup target add
# x86_64-unknown-linux-musl`, run inside the checkout) and musl-gcc for the
# C parts of ring and aws-lc (Debian's musl-tools, installed here when
# missing if run as root). Checks that the result has no program interpreter (no dynamic
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
    echo "Rust's $target standard library is missing: rustup target add $target (inside the checkout)" >&2
    exit 1
fi

cargo build -p clientd --release --locked --target "$target"

# Wherever cargo puts it (CARGO_TARGET_DIR, build.target-dir, ...).
target_dir=$(cargo metadata --no-deps --format-version 1 --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
built="$target_dir/$target/release/clientd"
version=$("$built" --version | awk '{print $2}')
if [ -z "$version" ]; then
    echo "$built --version printed no version" >&2
    exit 1
fi
mkdir -p dist
out="dist/clientd-$version-x86_64-linux-musl"
objcopy --strip-all "$built" "$out"

# A dynamically linked executable names its loader in a PT_INTERP header
# and the libraries it needs in NEEDED entries. Read first, so that a
# readelf that fails stops the script rather than passing the check.
headers=$(readelf --wide --program-headers "$out")
dynamic=$(readelf --wide --dynamic "$out")
if grep -q INTERP <<<"$headers"; then
    echo "$out is not static: it names a program interpreter" >&2
    grep -A1 INTERP <<<"$headers" >&2
    exit 1
fi
if grep -q NEEDED <<<"$dynamic"; then
    echo "$out is not static: it needs shared libraries" >&2
    grep NEEDED <<<"$dynamic" >&2
    exit 1
fi
"$out" --version >/dev/null

(cd dist && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
size=$(stat --format %s "$out")
echo "$out: static, $((size / 1024 / 1024)) MiB; SHA-256 in $out.sha256"
