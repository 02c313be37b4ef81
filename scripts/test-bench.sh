#!/usr/bin/env bash
# The benchmarks cannot rot: every criterion benchmark runs briefly (dev
# profile, small sizes; the equivalence checks before timing run in full),
# and the report renders from that run and from the Python and JS smoke
# runs of test-python.sh and test-js.sh. Also checks that the peers'
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
python3 bench/report.py --criterion "$smoke/criterion" --python "$smoke/python.json" --js "$smoke/js.json" \
  --out "$smoke/REPORT.md" --smoke
for section in "authorize\` next to Cedar" "Scaling: permissions" "Scaling: per-resource grants" "JWT verify next to" \
  "whole requests" "## Python" "## JavaScript" ".wasm\` size" "## Budgets"; do
  grep -qF "$section" "$smoke/REPORT.md" || { echo "bench smoke: the report lacks \"$section\"" >&2; exit 1; }
done
echo "bench smoke: the report renders every section"
bash bench/load.sh --smoke
