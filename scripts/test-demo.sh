#!/usr/bin/env bash
# `make demo` must never fail on a first run: it runs here several times while
# the machine is kept busy (every core spinning), so a race such as a CLI
# dying on a closed pipe shows up in CI rather than for a new user.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${DEMO_RUNS:-5}
cargo build --quiet -p permiso-cli
load=()
for _ in $(seq "$(nproc)"); do
  ( end=$((SECONDS + 120)); while [ $SECONDS -lt $end ]; do :; done ) &
  load+=($!)
done
trap 'kill "${load[@]}" 2>/dev/null || true' EXIT
passed=0
failed=0
for i in $(seq "$runs"); do
  if make --no-print-directory demo >"target/demo-$i.log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "demo run $i failed:" >&2
    tail -n 20 "target/demo-$i.log" >&2
  fi
done
echo "demo (under load): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
