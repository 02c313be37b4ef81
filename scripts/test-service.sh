#!/usr/bin/env bash
# The reference service (examples/service) under uvicorn on loopback, driven
# over HTTP: on SQLite, and on PostgreSQL (Debian's, installed when missing,
# started here as a private cluster on a free port and removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
bash scripts/setup-service.sh

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
  apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
cluster=$(mktemp -d)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to `postgres`.
  chown postgres "$cluster"
  as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pg_bin/initdb" -D "$cluster/data" -U postgres -A trust >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$cluster/data" -l "$cluster/log" -w \
  -o "-p $port -k $cluster -c listen_addresses=127.0.0.1" start >/dev/null
trap '"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$cluster"' EXIT
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres permiso_service
echo "postgresql: $("$pg_bin/postgres" --version) on 127.0.0.1:$port"

PERMISO_SERVICE_POSTGRES="postgresql+psycopg://postgres@127.0.0.1:$port/permiso_service" \
PERMISO_REQUIRE_POSTGRES=1 \
  "$VENV/bin/python" -m pytest examples/service/tests -q -p no:cacheprovider "$@"
