#!/usr/bin/env bash
# Regenerates the Kotlin and Swift sources of the binding from the built
# library (uniffi library mode), into the tree or into $1.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bindings}
cargo build --quiet -p permiso-ffi
lib=target/debug/libpermiso_ffi.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet -p permiso-ffi --bin uniffi-bindgen -- generate --no-format --library "$lib" --language kotlin --out-dir "$tmp/kotlin" >/dev/null
cargo run --quiet -p permiso-ffi --bin uniffi-bindgen -- generate --no-format --library "$lib" --language swift --out-dir "$tmp/swift" >/dev/null
mkdir -p "$out/kotlin/src/dev/permiso" "$out/swift/Sources/Permiso" "$out/swift/Sources/PermisoFFI"
cp "$tmp/kotlin/dev/permiso/permiso.kt" "$out/kotlin/src/dev/permiso/permiso.kt"
cp "$tmp/swift/Permiso.swift" "$out/swift/Sources/Permiso/Permiso.swift"
cp "$tmp/swift/PermisoFFI.h" "$out/swift/Sources/PermisoFFI/PermisoFFI.h"
cp "$tmp/swift/PermisoFFI.modulemap" "$out/swift/Sources/PermisoFFI/module.modulemap"
