#!/usr/bin/env bash
# The README demo: the `permiso` CLI against examples/policy.yaml and
# examples/host-data.json, telling a short story. Run with `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet -p permiso-cli
permiso() { target/debug/permiso "$@"; }
P=examples/policy.yaml
HOST=examples/host-data.json
SIGN=(--alg EdDSA --key examples/keys/demo-ed25519.pem --kid demo-2026)
work=$(mktemp -d)
server=
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

title() { printf '\n\033[1m%s\033[0m\n' "$*"; }
check() { permiso check -p "$P" --host-data "$HOST" "$@" || true; }

title "0. The policy"
permiso validate "$P"

title "1. Alice creates a personal key; it acts as Alice"
alice_key=$(permiso keygen -p "$P" --kind personal_key --owner user:alice --label laptop \
  --expires-in 7776000 --record-out "$work/alice.json" 2>/dev/null | head -n 1)
echo "key (shown once): ${alice_key:0:24}..."
check --key-record "$work/alice.json" -X GET /api/deployments/web -H "Authorization: Bearer $alice_key"

title "2. A project key runs an endpoint: the key itself acts, in project p1"
project_key=$(permiso keygen -p "$P" --kind project_key --owner project:p1 --scopes endpoints:run \
  --record-out "$work/project.json" 2>/dev/null | head -n 1)
check --key-record "$work/project.json" -X POST /api/projects/p1/endpoints/nightly/run -H "X-API-Key: $project_key"

title "3. The same project key on a configuration route: a clear, specific refusal"
check --key-record "$work/project.json" -X PUT /api/projects/p1/endpoints/nightly -H "X-API-Key: $project_key"

title "4. ...and in another project's endpoint"
check --key-record "$work/project.json" -X POST /api/projects/p2/endpoints/nightly/run -H "X-API-Key: $project_key"

title "5. Bob signs in: a session token (roles come from the host's record)"
bob=$(permiso jwt issue -p "$P" "${SIGN[@]}" --sub bob --session s-bob-1)
permiso jwt verify -p "$P" "$bob"
check -X GET /api/deployments/web -H "Authorization: Bearer $bob"
check -X DELETE /api/deployments/web -H "Authorization: Bearer $bob"

title "6. A stolen laptop's session was revoked"
stolen=$(permiso jwt issue -p "$P" "${SIGN[@]}" --sub bob --session s-stolen-laptop)
check -X GET /api/deployments/web -H "Authorization: Bearer $stolen"

title "7. The CI deployer, a service account (client_credentials): never mistaken for a user"
ci=$(permiso jwt issue -p "$P" "${SIGN[@]}" --sub ci-deployer --client-id ci-deployer)
check -X DELETE /api/deployments/web -H "Authorization: Bearer $ci"

title "8. Alice lets the mobile app act for her, with read access only"
alice=$(permiso jwt issue -p "$P" "${SIGN[@]}" --sub alice --session s-alice-1)
mobile=$(permiso jwt delegate -p "$P" "${SIGN[@]}" --host-data "$HOST" --token "$alice" \
  --actor mobile-app --scopes deployments:read)
permiso jwt verify -p "$P" "$mobile"
check -X GET /api/deployments/web -H "Authorization: Bearer $mobile"
check -X POST /api/deployments/web -H "Authorization: Bearer $mobile"

title "9. Bob cannot delegate what he does not hold"
permiso jwt delegate -p "$P" "${SIGN[@]}" --host-data "$HOST" --token "$bob" \
  --actor mobile-app --scopes deployments:write || true

title "10. Why? explain shows every step"
permiso explain -p "$P" --host-data "$HOST" -X DELETE /api/deployments/web -H "Authorization: Bearer $bob" || true

title "11. Route identity: permiso decides the route the framework runs"
# A framework decodes %63 and runs the static `current` route; matching the
# path, permiso refuses it rather than guess.
check -X GET /api/deployments/%63urrent -H "Authorization: Bearer $bob"
# The framework says which route it matched: that route's permission counts.
check --route -X GET /api/deployments/current -H "Authorization: Bearer $bob"
check --route -X GET "/api/deployments/{deployment}" --param deployment=web -H "Authorization: Bearer $bob"

title "12. Ownership and teams: rules over the records' attributes"
# Bob is a viewer: he may delete the deployment he owns, deploy his team's
# unfrozen deployments, and nothing else.
check -X DELETE /api/deployments/billing -H "Authorization: Bearer $bob"
check -X POST /api/deployments/ledger -H "Authorization: Bearer $bob"
check -X POST /api/deployments/archive -H "Authorization: Bearer $bob"
permiso explain -p "$P" --host-data "$HOST" -X POST /api/deployments/archive -H "Authorization: Bearer $bob" \
  | grep -E "rules\[" || true

title "13. Which todos may Morty delete? An AuthZEN resource search, answered in-process"
# The AuthZEN Todo scenario (examples/authzen): editors delete what they own.
morty=CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs
echo "{\"subject\": {\"type\": \"user\", \"id\": \"$morty\"}, \"action\": {\"name\": \"can_delete_todo\"},
      \"resource\": {\"type\": \"todo\"}}" \
  | permiso authzen search/resource - -p examples/authzen/todo-policy.yaml --host-data examples/authzen/todo-host.json
permiso authzen replay examples/authzen/interop/todo-decisions-1_0-02.json \
  -p examples/authzen/todo-policy.yaml --host-data examples/authzen/todo-host.json

title "14. The same decisions over HTTP: permiso serve, the AuthZEN decision point"
# Any language asks over HTTP. The gateway (a policy enforcement point) holds
# a key of the policy's \`pep\` kind; a caller without one gets 401.
pep_key=$(permiso keygen -p examples/authzen/todo-policy.yaml --kind pep --owner pep:gateway \
  --record-out "$work/pep.json" 2>/dev/null | head -n 1)
python3 -c 'import json, sys
host = json.load(open(sys.argv[1]))
host["principals"].append({"id": "pep:gateway"})
host["keys"] = [json.load(open(sys.argv[2]))]
json.dump(host, open(sys.argv[3], "w"))' examples/authzen/todo-host.json "$work/pep.json" "$work/pip.json"
target/debug/permiso serve -p examples/authzen/todo-policy.yaml --data "$work/pip.json" --caller-kind pep \
  --listen 127.0.0.1:0 >"$work/audit.log" 2>"$work/events.log" &
server=$!
for _ in $(seq 200); do grep -q '"listening"' "$work/events.log" && break; sleep 0.05; done
address=$(sed -n 's/.*"address":"\([^"]*\)".*/\1/p' "$work/events.log" | head -n 1)
ask="{\"subject\": {\"type\": \"user\", \"id\": \"$morty\"}, \"action\": {\"name\": \"can_delete_todo\"},
      \"resource\": {\"type\": \"todo\", \"id\": \"2\"}}"
echo "POST http://$address/access/v1/evaluation"
curl -sS "http://$address/access/v1/evaluation" -H "Authorization: Bearer $pep_key" -d "$ask"; echo
echo "...without the gateway's key:"
curl -sS "http://$address/access/v1/evaluation" -d "$ask"; echo
kill -TERM "$server"
wait "$server" || true
server=
echo "audit: $(wc -l <"$work/audit.log") decisions logged, e.g."
head -n 1 "$work/audit.log"
