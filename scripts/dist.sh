#!/usr/bin/env bash
# Builds the release binaries for offline intranet hosts: static musl executables, symbols
# stripped, for x86_64 and aarch64 Linux, written to dist/ with a SHA256SUMS file:
#
#   dist/yibiao-VERSION-x86_64-linux-musl
#   dist/yibiao-VERSION-aarch64-linux-musl
#   dist/SHA256SUMS
#
# No C toolchain is needed for either target: both are linked by rust-lld (shipped with the
# Rust toolchain) against the self-contained musl C runtime that the rust-std of a musl target
# ships, and no dependency of the binary compiles C. Missing rustup targets are added.
#
# Usage: scripts/dist.sh [TARGET...]   (default: both targets; e.g. x86_64-unknown-linux-musl)
# The build directory is target/dist (override with CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if [[ -z "$version" ]]; then
    echo "dist.sh: no version = \"...\" line in Cargo.toml" >&2
    exit 1
fi

installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
    if ! grep -qx "$t" <<<"$installed"; then
        echo "dist.sh: rust target $t is not installed; running rustup target add $t" >&2
        rustup target add "$t"
    fi
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/dist}"
# strip the symbols at link time: no binutils for the foreign architecture needed
export CARGO_PROFILE_RELEASE_STRIP=symbols
mkdir -p dist
for t in "${targets[@]}"; do
    arch="${t%%-*}"
    # CARGO_TARGET_<TRIPLE>_LINKER, e.g. CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER
    triple_var=$(tr 'a-z-' 'A-Z_' <<<"$t")
    export "CARGO_TARGET_${triple_var}_LINKER=rust-lld"
    echo "dist.sh: building $t" >&2
    start=$(date +%s)
    cargo build --release --locked --target "$t"
    out="dist/yibiao-$version-$arch-linux-musl"
    cp "$CARGO_TARGET_DIR/$t/release/yibiao" "$out"
    chmod 755 "$out"
    echo "dist.sh: $out: $(wc -c <"$out") bytes, built in $(($(date +%s) - start)) s" >&2
done

(cd dist && sha256sum "yibiao-$version"-*-linux-musl >SHA256SUMS)
cat dist/SHA256SUMS
