#!/usr/bin/env bash
# Runs every test of every language. Installs what is missing, skips what is
# already there. Used by `make test` and CI (`.ci/run`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each section header says how long the run has taken so far, for planning.
section() { printf '\n==== %s ==== (%d s)\n' "$*" "$SECONDS"; }

# The tree must be as clean after the tests as before them.
tree_before=$(git status --porcelain 2>/dev/null || true)

section "toolchain"
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done
cargo --version

section "rust: format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

section "rust: unit, property, doc and conformance tests"
cargo test --workspace

section "cli: permiso vectors replays the same files"
cargo run --quiet -p permiso-cli -- vectors tests/vectors

section "rust: every vector again through the pure-Rust crypto backend (the wasm one)"
cargo test -p permiso --no-default-features --features rust-crypto --test tokens
cargo test -p permiso-conformance --no-default-features --features rust-crypto --test vectors

section "vectors: generators reproduce the committed files"
python3 tools/vectors/gen_keys.py >/dev/null
python3 tools/vectors/gen_policy.py >/dev/null
python3 tools/vectors/gen_requests.py >/dev/null
python3 tools/vectors/gen_lifecycle.py >/dev/null
python3 tools/vectors/gen_rules.py >/dev/null
python3 tools/vectors/gen_classify.py >/dev/null
if ! git diff --quiet -- tests/vectors 2>/dev/null; then
  git --no-pager diff --stat -- tests/vectors
  echo "tests/vectors differ from what tools/vectors generates" >&2
  exit 1
fi
echo "vectors: generated files match"

section "python: wheel, clean install, pytest (vectors, API, errors, FastAPI/ASGI), stubtest"
bash scripts/test-python.sh

section "reference service: examples/service under uvicorn, on SQLite and PostgreSQL (pytest + httpx)"
bash scripts/test-service.sh

section "permiso serve: the AuthZEN decision point over HTTP (pytest + httpx on loopback)"
bash scripts/test-serve.sh

section "javascript: npm package in Node, TypeScript, Deno and workerd; Worker and Hono examples"
bash scripts/test-js.sh

section "make dist, then the README's install section in fresh environments (wheel, sdist, npm, CLI)"
bash scripts/test-dist.sh

section "benchmarks: each runs briefly (Rust, Python, JS); the report renders"
bash scripts/test-bench.sh

section "kotlin/swift: uniffi sources up to date; Kotlin tests and example on the JVM"
bash scripts/test-kotlin.sh

section "hardening: cargo deny (licenses, bans) and every fuzz target briefly"
bash scripts/test-hardening.sh

section "demo: make demo, several runs on a loaded machine"
bash scripts/test-demo.sh

section "external vectors (../shared/external) in every runtime"
bash scripts/test-external.sh

section "the tests leave the tree as they found it"
tree_after=$(git status --porcelain 2>/dev/null || true)
if [ "$tree_before" != "$tree_after" ]; then
  diff <(echo "$tree_before") <(echo "$tree_after") >&2 || true
  echo "the tests changed tracked or unignored files (above)" >&2
  exit 1
fi
echo "tree: unchanged by the tests"
echo "make test: done in $SECONDS s"
