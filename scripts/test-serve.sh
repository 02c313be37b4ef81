#!/usr/bin/env bash
# `permiso serve` over real HTTP on loopback: pytest + httpx against the
# CLI binary, compared with the in-process Python package. Needs the
# Python environment of scripts/test-python.sh (run first by scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
if ! "$VENV/bin/python" -c "import permiso, httpx, pytest" 2>/dev/null; then
  bash scripts/setup-python.sh
fi
cargo build --quiet -p permiso-cli
PERMISO_BIN="$PWD/target/debug/permiso" "$VENV/bin/python" -m pytest server/tests -q -p no:cacheprovider -s "$@"
