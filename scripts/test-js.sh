#!/usr/bin/env bash
# Builds the npm package, packs it, installs the tarball, and runs every JS
# test: Node (node --test), TypeScript declarations (tsc --noEmit), Deno, and
# workerd serving real HTTP on loopback (vectors, the example Worker), the
# browser entry in headless Chromium (every vector), plus the Hono example.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-js.sh
cd wasm
# The examples resolve `permiso` and `hono` from examples/node_modules.
mkdir -p ../examples/node_modules
ln -sfn ../../wasm/node_modules/permiso ../examples/node_modules/permiso
ln -sfn ../../wasm/node_modules/hono ../examples/node_modules/hono

# The npm package's hard size budget: the gzipped .wasm stays under 400 KB.
gz=$(gzip -9 -c pkg/permiso_bg.wasm | wc -c)
if [ "$gz" -ge $((400 * 1024)) ]; then
  echo "size: permiso_bg.wasm is $((gz / 1024)) KB gzipped, over the 400 KB budget" >&2
  exit 1
fi
echo "size: permiso_bg.wasm is $((gz / 1024)) KB gzipped (budget 400 KB)"

echo "== node"
node --test tests/*.test.mjs
echo "== typescript"
# (two statements: a failure on the left of `&&` would not stop the script)
node_modules/.bin/tsc --noEmit -p tests/tsconfig.json
echo "tsc: the declarations type-check against tests/usage.ts"
echo "== deno"
node_modules/.bin/deno test --allow-read --allow-env --no-check tests/deno.test.js
echo "== workerd"
node --test tests/workerd/workerd.test.mjs
echo "== browser (headless Chromium)"
bash ../scripts/setup-browser.sh
node tests/browser/run.mjs
echo "== bench smoke"
node bench/bench.mjs --smoke --json ../target/bench-smoke/js.json >/dev/null && echo "bench smoke: wasm/bench/bench.mjs runs"
node bench/cedarling.mjs --smoke --json ../target/bench-smoke/cedarling-js.json >/dev/null \
  && echo "bench smoke: wasm/bench/cedarling.mjs runs (same decisions as Cedarling)"
node bench/workerd.mjs --smoke --json ../target/bench-smoke/workerd.json >/dev/null \
  && echo "bench smoke: wasm/bench/workerd.mjs runs (jose and permiso agree in workerd)"
