#!/usr/bin/env bash
# `make bench`: every benchmark in one run (Rust with criterion, then Rust,
# Python and JavaScript in Node each with Cedarling on its scenarios, then
# token checks in workerd), and bench/REPORT.md and bench/cedarling.jsonl written
# from that run.
# Installs what is missing, like the tests. Takes about 25 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/bench-run
rm -rf target/criterion "$out"
mkdir -p "$out"

echo "== rust (criterion)"
cargo bench -p permiso-bench --benches 2>&1 | grep -vE '^(Benchmarking|Found [0-9]+ outliers|  [0-9]+ \(|\s*$)'

echo "== rust, next to the cedarling crate (its own crate: ~370 dependencies, ~7 minutes to build)"
(cd bench/cedarling-native &&
  CARGO_TARGET_DIR=../../target/cedarling-native cargo run --release --quiet -- --json "../../$out/cedarling-rust.json")

echo "== python"
bash scripts/setup-python.sh
.venv/bin/python python/bench/bench.py --json "$out/python.json"
.venv/bin/python python/bench/cedarling_bench.py --json "$out/cedarling-python.json"

echo "== javascript"
PERMISO_WASM_NAMED="$PWD/$out/named.wasm" bash scripts/setup-js.sh
command -v twiggy >/dev/null || cargo install --quiet --locked twiggy
python3 bench/wasm_size.py "$out/named.wasm" --json "$out/wasm-size.json"
node wasm/bench/bench.mjs --json "$out/js.json"
node wasm/bench/cedarling.mjs --json "$out/cedarling-js.json"
node wasm/bench/workerd.mjs --json "$out/workerd.json"

python3 bench/report.py --python "$out/python.json" --js "$out/js.json" \
  --python-cedarling "$out/cedarling-python.json" --js-cedarling "$out/cedarling-js.json" \
  --rust-cedarling "$out/cedarling-rust.json" --workerd "$out/workerd.json" --wasm-size "$out/wasm-size.json" \
  --jsonl bench/cedarling.jsonl --out bench/REPORT.md
