#!/usr/bin/env bash
# The benchmarks cannot rot: every criterion benchmark and the native
# Cedarling comparison run briefly (dev profile, small sizes; the equivalence
# checks before timing run in full), and the report renders from that run and
# from the Python and JS smoke runs of test-python.sh and test-js.sh. Also checks that the peers'
# fixtures in bench/peers match their generator.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo run -q -p permiso-bench --bin peer-fixtures -- --check
smoke="$PWD/target/bench-smoke"
rm -rf "$smoke/criterion"
CRITERION_HOME="$smoke/criterion" PERMISO_BENCH_QUICK=1 cargo bench -q -p permiso-bench --benches --profile dev -- \
  --warm-up-time 0.02 --measurement-time 0.05 --sample-size 10 >"$smoke/criterion.log" 2>&1 || {
  tail -n 40 "$smoke/criterion.log" >&2
  exit 1
}
echo "bench smoke: $(grep -c 'time:' "$smoke/criterion.log") criterion benchmarks ran"
# Cedarling's scenarios natively, next to the cedarling crate (a crate of its
# own, outside the workspace): the decisions are checked equal, then timed briefly.
(cd bench/cedarling-native &&
  CARGO_TARGET_DIR=../../target/cedarling-native cargo run --quiet -- --smoke --json "$smoke/cedarling-rust.json")
# Where the .wasm's bytes go needs twiggy, which `make bench` installs; a
# machine without it (CI) does not render that section.
sections=()
size=()
if command -v twiggy >/dev/null; then
  PERMISO_WASM_NAMED="$smoke/named.wasm" bash wasm/build.sh >/dev/null
  python3 bench/wasm_size.py "$smoke/named.wasm" --json "$smoke/wasm-size.json" | tail -n 1
  size=(--wasm-size "$smoke/wasm-size.json")
  sections=("Where the \`.wasm\`'s bytes go")
else
  echo "bench smoke: twiggy is not installed, so the .wasm breakdown is neither rendered nor checked (make bench installs it)"
fi
python3 bench/report.py --criterion "$smoke/criterion" --python "$smoke/python.json" --js "$smoke/js.json" \
  --python-cedarling "$smoke/cedarling-python.json" --js-cedarling "$smoke/cedarling-js.json" \
  --rust-cedarling "$smoke/cedarling-rust.json" --workerd "$smoke/workerd.json" "${size[@]}" \
  --jsonl "$smoke/cedarling.jsonl" --out "$smoke/REPORT.md" --smoke
for section in "authorize\` next to Cedar" "Scaling: permissions" "Scaling: per-resource grants" "JWT verify next to" \
  "whole requests" "## Python" "## JavaScript" ".wasm\` size" "## Budgets" "Cedarling on its own" \
  "at least 10× Cedarling on Cedarling \`unsigned_simple\`" "cedarling.jsonl" "JWT verify in workerd" \
  "workerd \`verifyJWTAsync\`" "Rust, next to the \`cedarling\` crate" "Rust: at least 10× Cedarling" \
  "${sections[@]}"; do
  grep -qF "$section" "$smoke/REPORT.md" || { echo "bench smoke: the report lacks \"$section\"" >&2; exit 1; }
done
echo "bench smoke: the report renders every section"
python3 - "$smoke/cedarling.jsonl" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
fields = ["binding", "scenario", "iter", "mean_ns", "p50_ns", "p95_ns", "p99_ns", "min_ns", "max_ns", "allocs_per_op", "status"]
assert lines and all(list(r) == fields for r in lines), lines
assert {r["binding"] for r in lines} == {f"{engine}-{binding}" for engine in ("permiso", "cedarling")
                                        for binding in ("rust", "python", "wasm")}
print(f"bench smoke: {len(lines)} lines in Cedarling's JSONL schema")
PY
bash bench/load.sh --smoke
