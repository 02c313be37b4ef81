#!/usr/bin/env bash
# The reference service's Python environment: .venv with the permiso wheel
# (scripts/setup-python.sh) and examples/service/requirements.txt.
# Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! .venv/bin/python -c "import permiso" 2>/dev/null; then
  bash scripts/setup-python.sh
fi
if ! .venv/bin/python -c "import fastapi, uvicorn, httpx, sqlalchemy, psycopg" 2>/dev/null; then
  .venv/bin/pip install -q -r examples/service/requirements.txt
fi
