#!/usr/bin/env bash
# Builds the wheel, proves it installs into a clean virtual environment,
# then runs pytest (vectors, API, errors, examples) and mypy.stubtest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-python.sh
VENV=.venv
wheel=$(ls target/wheels/permiso-*.whl)

# A clean environment: the wheel alone, no build tools.
rm -rf target/py-clean
python3 -m venv target/py-clean
target/py-clean/bin/pip install -q "$wheel"
target/py-clean/bin/python -c "import permiso; p = permiso.Policy.from_file('examples/policy.yaml'); print('clean venv: permiso', permiso.__version__, p.hash)"

"$VENV/bin/python" -m pytest python/tests -q -p no:cacheprovider
"$VENV/bin/python" -m mypy.stubtest permiso._native
echo "stubtest: the .pyi stubs match the module"
"$VENV/bin/python" -m mypy --strict python/pysrc/permiso/asgi.py python/pysrc/permiso/fastapi.py python/pysrc/permiso/_route.py
"$VENV/bin/python" python/bench/bench.py --smoke --json target/bench-smoke/python.json >/dev/null && echo "bench smoke: python/bench/bench.py runs"
"$VENV/bin/python" python/bench/cedarling_bench.py --smoke --json target/bench-smoke/cedarling-python.json >/dev/null \
  && echo "bench smoke: python/bench/cedarling_bench.py runs (same decisions as Cedarling)"
