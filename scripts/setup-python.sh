#!/usr/bin/env bash
# The Python environment of the tests and benchmarks: .venv with the test
# tools and the benchmark's peers (pycasbin, cedarpy, Cedarling, PyJWT), and the release
# wheel built into target/wheels and installed there. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import maturin, pytest, fastapi, httpx, uvicorn, h11, mypy, casbin, cedarpy, cedarling_python, jwt, cryptography" 2>/dev/null; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q maturin pytest fastapi httpx uvicorn h11 mypy casbin cedarpy cedarling-python pyjwt cryptography
fi

rm -rf target/wheels
"$VENV/bin/maturin" build --quiet --release -m python/Cargo.toml -o target/wheels --interpreter "$VENV/bin/python"
wheel=$(ls target/wheels/permiso-*.whl)
echo "built $(basename "$wheel")"
"$VENV/bin/pip" install -q --force-reinstall --no-deps "$wheel"
