#!/usr/bin/env bash
# Replays an external vector directory (default ../shared/external: cases
# built from Wycheproof and the JOSE RFCs) in every runtime: Rust, the CLI,
# Node, Deno, workerd, the browser, Python and Kotlin; then the published
# AuthZEN interop files (default ../shared/authzen) in every runtime. Skips,
# saying so, what does not exist. Runs after the per-language tests, which
# build and install what it uses.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-../shared/external}
J=/usr/share/java
CP="$J/jna.jar:$J/jackson-databind.jar:$J/jackson-core.jar:$J/jackson-annotations.jar"

external() {
  export PERMISO_VECTORS
  PERMISO_VECTORS=$(cd "$dir" && pwd)
  echo "external vectors from $PERMISO_VECTORS"

  echo "== rust"
  cargo test --quiet -p permiso-conformance --test vectors
  echo "== cli"
  cargo run --quiet -p permiso-cli -- vectors
  echo "== python"
  .venv/bin/python -m pytest -q python/tests/test_vectors.py
  echo "== permiso serve (the authzen vectors among them, over HTTP)"
  bash scripts/test-serve.sh -k vectors
  echo "== node"
  (cd wasm && node --test tests/vectors.test.mjs)
  echo "== deno"
  (cd wasm && node_modules/.bin/deno test --allow-read --allow-env --no-check tests/deno.test.js)
  echo "== workerd"
  (cd wasm && node --test tests/workerd/workerd.test.mjs)
  echo "== browser"
  (cd wasm && node tests/browser/run.mjs)
  echo "== kotlin"
  java -Djna.library.path=target/debug -Dpermiso.root=. -cp "target/kotlin/permiso-kotlin.jar:$CP" PermisoTestKt
  unset PERMISO_VECTORS
}

if [ -d "$dir" ]; then
  external
else
  echo "external vectors: $dir does not exist here; skipped"
fi

# The official AuthZEN interop files (../shared/authzen): the copies in
# examples/authzen/interop must be the published files, and every runtime
# replays the published directory itself (PERMISO_AUTHZEN).
authzen=${2:-../shared/authzen}
if [ ! -d "$authzen" ]; then
  echo "authzen interop: $authzen does not exist here; skipped"
  exit 0
fi
for f in todo-decisions-1_0-02.json gateway-decisions.json; do
  cmp "$authzen/$f" "examples/authzen/interop/$f"
done
echo "authzen: examples/authzen/interop holds the published files"
export PERMISO_AUTHZEN
PERMISO_AUTHZEN=$(cd "$authzen" && pwd)
echo "== authzen interop files of $PERMISO_AUTHZEN in every runtime"
cargo test --quiet -p permiso-conformance --test interop
for s in todo:todo-decisions-1_0-02.json gateway:gateway-decisions.json; do
  cargo run --quiet -p permiso-cli -- authzen replay "$PERMISO_AUTHZEN/${s#*:}" \
    -p "examples/authzen/${s%%:*}-policy.yaml" --host-data "examples/authzen/${s%%:*}-host.json"
done
.venv/bin/python -m pytest -q python/tests/test_authzen.py
bash scripts/test-serve.sh -k interop
(cd wasm && node --test tests/vectors.test.mjs 2>&1 | grep -E "^# (pass|fail)")
(cd wasm && node_modules/.bin/deno test --allow-read --allow-env --no-check tests/deno.test.js 2>&1 | grep -E "passed \| [0-9]+ failed")
(cd wasm && node --test tests/workerd/workerd.test.mjs 2>&1 | grep -E "workerd vectors")
java -Djna.library.path=target/debug -Dpermiso.root=. -cp "target/kotlin/permiso-kotlin.jar:$CP" PermisoTestKt
