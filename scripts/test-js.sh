#!/usr/bin/env bash
# Builds the npm package, packs it, installs the tarball, and runs every JS
# test: Node (node --test), TypeScript declarations (tsc --noEmit), Deno, and
# workerd serving real HTTP on loopback (vectors, the example Worker), plus
# the Hono example.
set -euo pipefail
cd "$(dirname "$0")/.."

bash wasm/build.sh

cd wasm
if [ ! -x node_modules/.bin/workerd ] || [ ! -x node_modules/.bin/deno ] || [ ! -d node_modules/hono ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
rm -rf ../target/npm && mkdir -p ../target/npm
tarball=$(cd pkg && npm pack --silent --pack-destination ../../target/npm)
echo "packed target/npm/$tarball ($(du -k "../target/npm/$tarball" | cut -f1) KB)"
npm install --no-save --no-audit --no-fund --loglevel=error "../target/npm/$tarball"
# The examples resolve `permiso` and `hono` from examples/node_modules.
mkdir -p ../examples/node_modules
ln -sfn ../../wasm/node_modules/permiso ../examples/node_modules/permiso
ln -sfn ../../wasm/node_modules/hono ../examples/node_modules/hono

echo "== node"
node --test tests/*.test.mjs
echo "== typescript"
node_modules/.bin/tsc --noEmit -p tests/tsconfig.json && echo "tsc: the declarations type-check against tests/usage.ts"
echo "== deno"
node_modules/.bin/deno test --allow-read --allow-env --no-check tests/deno.test.js
echo "== workerd"
node --test tests/workerd/workerd.test.mjs
echo "== bench smoke"
node bench/bench.mjs --smoke >/dev/null && echo "bench smoke: wasm/bench/bench.mjs runs"
