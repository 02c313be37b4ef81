#!/usr/bin/env bash
# Builds the npm package into wasm/pkg: the wasm32 library (rustup's target
# when installed, else Debian's rustc-web with a std built from source),
# wasm-bindgen, wasm-opt, the per-runtime entry files and package.json.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-wasm.sh >/dev/null
# wasm-opt comes from the npm package `binaryen` (Debian's 108 mangles
# reference-type tables); the JS test tools come from the same install.
if [ ! -x wasm/node_modules/.bin/wasm-opt ]; then
  (cd wasm && npm install --no-audit --no-fund --loglevel=error)
fi
export CARGO_TARGET_DIR="$PWD/target/wasm"
if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  cargo build --quiet --profile wasm --target wasm32-unknown-unknown -p permiso-wasm
else
  # Building std ourselves also lets it drop panic messages and locations
  # (the core never panics on input, and a panic in wasm traps either way)
  # and take std's smaller variants of its algorithms (`optimize_for_size`:
  # 7 KB gzipped, for at most ~5% on the calls the benchmarks time).
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-16 \
    /usr/bin/cargo build --quiet --profile wasm --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size -p permiso-wasm
fi

out=wasm/pkg
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name permiso \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/permiso_wasm.wasm"
# `--low-memory-unused`: Rust's wasm32 layout puts nothing in the first
# 1 KB (the stack grows down from 1 MB, data lies above it), so constant
# address parts fold into loads and stores (3 KB gzipped); `--converge`
# repeats the passes while they still shrink the file (1 KB).
wasm_opt() {
  wasm/node_modules/.bin/wasm-opt -Oz --low-memory-unused --converge --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue "$@"
}
# The same optimization keeping the function names, for `make bench` to say
# where the bytes go (the shipped file has no names).
if [ -n "${PERMISO_WASM_NAMED:-}" ]; then
  wasm_opt -g "$out/permiso_bg.wasm" -o "$PERMISO_WASM_NAMED"
fi
wasm_opt "$out/permiso_bg.wasm" -o "$out/permiso_bg.wasm"

cp wasm/js/api.js wasm/js/public.js wasm/js/node.js wasm/js/deno.js wasm/js/workerd.js wasm/js/web.js \
  wasm/js/entry.d.ts wasm/js/hono.js wasm/js/hono.d.ts "$out/"
# The declarations users import: every export of the bindings' declarations
# except wasm-bindgen's plumbing, which the entries keep to themselves.
node wasm/js/public-types.mjs "$out/permiso.d.ts" > "$out/public.d.ts"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
sed "s/__VERSION__/$version/" wasm/js/package.json > "$out/package.json"

raw=$(stat -c %s "$out/permiso_bg.wasm")
gz=$(gzip -9 -c "$out/permiso_bg.wasm" | wc -c)
sed -e "s/__RAW_KB__/$((raw / 1024))/" -e "s/__GZ_KB__/$((gz / 1024))/" wasm/README.md > "$out/README.md"
echo "wasm/pkg: permiso_bg.wasm $((raw / 1024)) KB, $((gz / 1024)) KB gzipped"
