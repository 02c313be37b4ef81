#!/usr/bin/env bash
# `make service`: the reference service on SQLite (target/service.db) with
# the sample data, on http://127.0.0.1:${PORT:-8000}. Installs what is
# missing (the permiso wheel, FastAPI, uvicorn, SQLAlchemy). DATABASE_URL
# points it at PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.venv
bash scripts/setup-service.sh
mkdir -p target
export DATABASE_URL=${DATABASE_URL:-sqlite:///$PWD/target/service.db}
port=${PORT:-8000}
(cd examples/service && "../../$VENV/bin/python" seed.py "$DATABASE_URL")
base="http://127.0.0.1:$port"
cat <<HOW
The reference service, on $DATABASE_URL. Sample users (password: <name>-password):
alice (admin), bob (operator), carol (viewer, write grant on billing), dave (admin).

  # sign in, then read a deployment and create a personal API key (shown once)
  TOKEN=\$(curl -s $base/auth/sign-in -H 'content-type: application/json' \\
    -d '{"email": "bob@example.com", "password": "bob-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s $base/api/deployments/billing -H "Authorization: Bearer \$TOKEN"
  curl -s -X POST $base/api/keys -H "Authorization: Bearer \$TOKEN" -d '{"label": "laptop"}'
  # a service account, and a third-party app acting for Bob with read access only
  curl -s $base/oauth/token -d grant_type=client_credentials -d client_id=ci-deployer -d client_secret=ci-deployer-secret
  curl -s $base/oauth/token -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\
    -d client_id=mobile-app -d client_secret=mobile-app-secret -d scope=deployments:read \\
    -d subject_token_type=urn:ietf:params:oauth:token-type:access_token -d subject_token=\$TOKEN
  # which key did that? (as alice: an admin)
  curl -s "$base/api/audit?key_id=KEY_ID" -H "Authorization: Bearer \$ALICE_TOKEN"

API docs: $base/docs. Stop with Ctrl-C.
HOW
cd examples/service
exec "../../$VENV/bin/python" -m uvicorn --factory app:create_app --host 127.0.0.1 --port "$port"
