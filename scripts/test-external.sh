#!/usr/bin/env bash
# Replays an external vector directory (default ../shared/external: cases
# built from Wycheproof and the JOSE RFCs) in every runtime: Rust, the CLI,
# Node, Deno, workerd, the browser, Python and Kotlin. Skips, saying so, when the
# directory does not exist. Runs after the per-language tests, which build
# and install what it uses.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-../shared/external}
if [ ! -d "$dir" ]; then
  echo "external vectors: $dir does not exist here; skipped"
  exit 0
fi
export PERMISO_VECTORS
PERMISO_VECTORS=$(cd "$dir" && pwd)
echo "external vectors from $PERMISO_VECTORS"

echo "== rust"
cargo test --quiet -p permiso-conformance --test vectors
echo "== cli"
cargo run --quiet -p permiso-cli -- vectors
echo "== python"
.venv/bin/python -m pytest -q python/tests/test_vectors.py
echo "== node"
(cd wasm && node --test tests/vectors.test.mjs)
echo "== deno"
(cd wasm && node_modules/.bin/deno test --allow-read --allow-env --no-check tests/deno.test.js)
echo "== workerd"
(cd wasm && node --test tests/workerd/workerd.test.mjs)
echo "== browser"
(cd wasm && node tests/browser/run.mjs)
echo "== kotlin"
J=/usr/share/java
CP="$J/jna.jar:$J/jackson-databind.jar:$J/jackson-core.jar:$J/jackson-annotations.jar"
java -Djna.library.path=target/debug -Dpermiso.root=. -cp "target/kotlin/permiso-kotlin.jar:$CP" PermisoTestKt

# The official AuthZEN interop files: every runtime replays the copies in
# examples/authzen/interop (Rust, the CLI, Node, Deno, workerd, Python and
# Kotlin in their own tests); they must be the published files.
shared=$(dirname "$dir")/authzen
if [ -d "$shared" ]; then
  echo "== authzen interop files of $shared"
  for f in todo-decisions-1_0-02.json gateway-decisions.json; do
    cmp "$shared/$f" "examples/authzen/interop/$f"
  done
  echo "authzen: examples/authzen/interop holds the published files"
  for s in todo:todo-decisions-1_0-02.json gateway:gateway-decisions.json; do
    cargo run --quiet -p permiso-cli -- authzen replay "$shared/${s#*:}" \
      -p "examples/authzen/${s%%:*}-policy.yaml" --host-data "examples/authzen/${s%%:*}-host.json"
  done
fi
