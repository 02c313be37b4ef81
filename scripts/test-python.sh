#!/usr/bin/env bash
# Builds the wheel, proves it installs into a clean virtual environment,
# then runs pytest (vectors, API, errors, examples) and mypy.stubtest.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import maturin, pytest, fastapi, httpx, mypy, casbin, jwt, cryptography" 2>/dev/null; then
  "$VENV/bin/pip" install -q --upgrade pip
  # test tools, and the benchmark's peers (pycasbin, PyJWT)
  "$VENV/bin/pip" install -q maturin pytest fastapi httpx mypy casbin pyjwt cryptography
fi

rm -rf target/wheels
"$VENV/bin/maturin" build --quiet --release -m python/Cargo.toml -o target/wheels --interpreter "$VENV/bin/python"
wheel=$(ls target/wheels/permiso-*.whl)
echo "built $(basename "$wheel")"

# A clean environment: the wheel alone, no build tools.
rm -rf target/py-clean
python3 -m venv target/py-clean
target/py-clean/bin/pip install -q "$wheel"
target/py-clean/bin/python -c "import permiso; p = permiso.Policy.from_file('examples/policy.yaml'); print('clean venv: permiso', permiso.__version__, p.hash)"

"$VENV/bin/pip" install -q --force-reinstall --no-deps "$wheel"
"$VENV/bin/python" -m pytest python/tests -q -p no:cacheprovider
"$VENV/bin/python" -m mypy.stubtest permiso._native
echo "stubtest: the .pyi stubs match the module"
"$VENV/bin/python" python/bench/bench.py --smoke >/dev/null && echo "bench smoke: python/bench/bench.py runs"
