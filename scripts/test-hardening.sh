#!/usr/bin/env bash
# Hardening checks: cargo deny (licenses, bans; offline) and every fuzz target
# for a few seconds (FUZZ_SECONDS, default 5) so they cannot rot. Installs
# cargo-fuzz and cargo-deny when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-deny >/dev/null || cargo install --quiet --locked cargo-deny || cargo install --quiet cargo-deny
command -v cargo-fuzz >/dev/null || cargo install --quiet cargo-fuzz

cargo deny --offline check licenses bans 2>&1 | grep -vE '^\s*(│|├|╭|╰|=|[0-9]+ │)|^warning\[|^$' || true
cargo deny --offline check licenses bans >/dev/null 2>&1

python3 fuzz/seed.py
# libFuzzer needs -Z flags; RUSTC_BOOTSTRAP lets the stable toolchain take them.
export RUSTC_BOOTSTRAP=1
cargo fuzz build 2>&1 | tail -n 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in key_parse token_verify policy_load request authzen; do
  printf '%s: ' "$target"
  if ! cargo fuzz run "$target" "fuzz/corpus/$target" -- -max_total_time="${FUZZ_SECONDS:-5}" >"$log" 2>&1; then
    echo "fuzz target $target failed; the end of its output (the input is kept under fuzz/artifacts/$target):" >&2
    grep -vE '^(#[0-9]+|INFO:|MERGE|\s*$)' "$log" | tail -n 25 >&2
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log"
done
