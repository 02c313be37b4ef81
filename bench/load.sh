#!/usr/bin/env bash
# `make load`: `permiso serve` (release build) under wrk on loopback, three
# scenarios (single evaluations, batches of 25, resource searches over 1,000
# candidates), written into bench/REPORT.md. `--smoke` runs each for one
# second against the debug build and only prints the table (make test).
# Installs wrk (Debian) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
if ! command -v wrk >/dev/null; then
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
if ! .venv/bin/python -c "import permiso" 2>/dev/null; then
  bash scripts/setup-python.sh
fi
if [ "$smoke" = 1 ]; then
  cargo build --quiet -p permiso-cli
  binary=target/debug/permiso duration=1 connections=4
else
  cargo build --quiet --release -p permiso-cli
  binary=target/release/permiso duration=10 connections=16
fi
threads=1

run=target/load
rm -rf "$run"
mkdir -p "$run"
key=$(.venv/bin/python bench/load/setup.py "$run")
"$binary" serve -p "$run/policy.yaml" --data "$run/data.json" --caller-kind pep \
  --listen 127.0.0.1:0 --reload-interval 0 >/dev/null 2>"$run/events.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '"listening"' "$run/events.log" 2>/dev/null && break
  sleep 0.1
done
address=$(sed -n 's/.*"address":"\([^"]*\)".*/\1/p' "$run/events.log" | head -1)
[ -n "$address" ] || { cat "$run/events.log" >&2; exit 1; }
printf '{"cores": %s, "wrk": "%s", "threads": %s, "connections": %s, "duration": %s}\n' \
  "$(nproc)" "$(wrk -v 2>&1 | head -1 | awk '{print $2}')" "$threads" "$connections" "$duration" > "$run/meta.json"

for scenario in evaluation:evaluation evaluations:evaluations search-resource:search/resource; do
  name=${scenario%%:*}
  # Warm up, then measure.
  BODY_FILE="$run/$name.json" PEP_KEY="$key" wrk -t1 -c2 -d1s -s bench/load/request.lua \
    "http://$address/access/v1/${scenario#*:}" >/dev/null
  BODY_FILE="$run/$name.json" PEP_KEY="$key" wrk -t$threads -c$connections -d${duration}s --latency \
    -s bench/load/request.lua "http://$address/access/v1/${scenario#*:}" > "$run/$name.txt"
  grep -q '^non-200: 0$' "$run/$name.txt" || { cat "$run/$name.txt" >&2; echo "load: $name got answers other than 200" >&2; exit 1; }
done
kill -TERM $server
wait $server
trap - EXIT
if [ "$smoke" = 1 ]; then
  python3 bench/load/report.py "$run" --print >/dev/null && echo "load smoke: bench/load.sh runs (3 scenarios, every answer 200)"
else
  python3 bench/load/report.py "$run"
fi
