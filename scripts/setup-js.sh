#!/usr/bin/env bash
# The JS environment of the tests and benchmarks: builds the npm package,
# installs the dev tools and the benchmark's peers into wasm/node_modules,
# packs the package and installs the tarball there. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash wasm/build.sh

cd wasm
for needed in .bin/workerd .bin/deno .bin/tsc hono jose casbin @cedar-policy/cedar-wasm @biscuit-auth/biscuit-wasm @janssenproject/cedarling_wasm playwright-core; do
  if [ ! -e "node_modules/$needed" ]; then
    npm install --no-audit --no-fund --loglevel=error
    break
  fi
done
rm -rf ../target/npm && mkdir -p ../target/npm
tarball=$(cd pkg && npm pack --silent --pack-destination ../../target/npm)
echo "packed target/npm/$tarball ($(du -k "../target/npm/$tarball" | cut -f1) KB)"
npm install --no-save --no-audit --no-fund --loglevel=error "../target/npm/$tarball"
