"""`permiso serve` over real HTTP on loopback, driven by httpx: the AuthZEN
interop files and the AuthZEN vectors answered exactly as the in-process
API answers them, callers refused without a valid key, bad and oversized
bodies, batch limits, reloads (broken and good, by file change and SIGHUP),
SQLite host data, audit lines, metrics, and SIGTERM with a request in flight.
"""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import permiso

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))
from test_vectors import matches  # noqa: E402  (the vector matcher every Python replay uses)

AUTHZEN = ROOT / "examples" / "authzen"
DECISIONS = Path(os.environ.get("PERMISO_AUTHZEN", AUTHZEN / "interop"))
VECTORS = Path(os.environ.get("PERMISO_VECTORS", ROOT / "tests" / "vectors"))
BINARY = os.environ.get("PERMISO_BIN", str(ROOT / "target" / "debug" / "permiso"))
PATHS = {
    "evaluation": "/access/v1/evaluation",
    "evaluations": "/access/v1/evaluations",
    "search/subject": "/access/v1/search/subject",
    "search/resource": "/access/v1/search/resource",
    "search/action": "/access/v1/search/action",
}
DECISION_ID = re.compile(rb'"decision_id":"[0-9a-f]{32}"')


def canonical(body: bytes) -> bytes:
    """A response with its decision ids (unique per decision) blanked."""
    return DECISION_ID.sub(b'"decision_id":"-"', body)


def in_process(policy, api, request, host) -> bytes:
    """The in-process response, written as the server writes JSON."""
    response = policy.authzen(api, request, principals=host.get("principals"), resources=host.get("resources"))
    return json.dumps(response, separators=(",", ":"), ensure_ascii=False).encode()


class Server:
    """One `permiso serve` process; stderr events are collected as they come."""

    def __init__(self, tmp: Path, policy: Path, data, *args: str):
        self.events: list = []
        self.audit_path = tmp / f"audit-{time.monotonic_ns()}.log"
        self.audit = open(self.audit_path, "wb")
        self.process = subprocess.Popen(
            [BINARY, "serve", "-p", str(policy), "--data", str(data), "--listen", "127.0.0.1:0",
             "--reload-interval", "0.1", *args],
            stdout=self.audit, stderr=subprocess.PIPE)
        self.listening = threading.Event()
        threading.Thread(target=self._read_events, daemon=True).start()
        if not self.listening.wait(20):
            self.stop()
            raise AssertionError(f"the server did not start: {self.events}")
        address = next(e for e in self.events if e.get("event") == "listening")["address"]
        self.base = f"http://{address}"
        self.client = httpx.Client(base_url=self.base, timeout=10)

    def _read_events(self):
        for line in self.process.stderr:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"text": line.decode(errors="replace")}
            self.events.append(event)
            if event.get("event") == "listening":
                self.listening.set()

    def post(self, api, body, key=None, **headers):
        if key:
            headers["Authorization"] = f"Bearer {key}"
        content = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(PATHS[api], content=content, headers=headers)

    def health(self):
        return self.client.get("/healthz").json()

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; events: {self.events}")

    def audit_lines(self):
        self.audit.flush()
        return [json.loads(line) for line in self.audit_path.read_text().splitlines() if line]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.audit.close()


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(policy, data, *args):
        server = Server(tmp_path, policy, data, *args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


TODO_POLICY = AUTHZEN / "todo-policy.yaml"
TODO_HOST = json.loads((AUTHZEN / "todo-host.json").read_text())


@pytest.fixture
def todo(tmp_path, serve):
    """The Todo scenario behind a PEP key of kind `pep`."""
    policy = permiso.Policy.from_file(str(TODO_POLICY))
    generated = policy.generate_key("pep", "pep:gateway")
    data = dict(TODO_HOST)
    data["principals"] = [*TODO_HOST["principals"], {"id": "pep:gateway"}]
    data["keys"] = [generated.record]
    path = tmp_path / "todo-data.json"
    path.write_text(json.dumps(data))
    policy_path = tmp_path / "todo-policy.yaml"
    policy_path.write_text(TODO_POLICY.read_text())
    server = serve(policy_path, path, "--caller-kind", "pep")
    server.key = generated.key
    server.policy = policy
    server.policy_path = policy_path
    server.data = data
    server.data_path = path
    return server


def interop_entries(decisions_file):
    decisions = json.loads((DECISIONS / decisions_file).read_text())
    for api in ("evaluation", "evaluations"):
        for i, entry in enumerate(decisions.get(api, [])):
            yield api, f"{api}[{i}]", entry


def replay_interop(server, policy, host, decisions_file, key=None):
    passed, failures = 0, []
    for api, name, entry in interop_entries(decisions_file):
        response = server.post(api, entry["request"], key=key)
        assert response.status_code == 200, f"{name}: {response.status_code} {response.text}"
        body = response.json()
        got = body["decision"] if api == "evaluation" else [{"decision": e["decision"]} for e in body["evaluations"]]
        # Byte for byte the in-process answer (decision ids aside).
        assert canonical(response.content) == canonical(in_process(policy, api, entry["request"], host)), name
        if got == entry["expected"]:
            passed += 1
        else:
            failures.append(f"{name}: expected {entry['expected']}, got {got}")
    return passed, failures


def test_the_interop_files_over_http_equal_the_in_process_answers(todo, serve, tmp_path):
    todo_passed, todo_failures = replay_interop(todo, todo.policy, TODO_HOST, "todo-decisions-1_0-02.json", todo.key)
    gateway_policy = permiso.Policy.from_file(str(AUTHZEN / "gateway-policy.yaml"))
    gateway_host = json.loads((AUTHZEN / "gateway-host.json").read_text())
    gateway = serve(AUTHZEN / "gateway-policy.yaml", AUTHZEN / "gateway-host.json", "--open")
    gateway_passed, gateway_failures = replay_interop(gateway, gateway_policy, gateway_host, "gateway-decisions.json")
    print(f"interop over HTTP: {todo_passed + gateway_passed} passed, {len(todo_failures + gateway_failures)} failed")
    assert todo_failures == [] and gateway_failures == []
    expected = sum(1 for f in ("todo-decisions-1_0-02.json", "gateway-decisions.json") for _ in interop_entries(f))
    assert todo_passed + gateway_passed == expected


def authzen_vector_cases():
    for path in sorted(VECTORS.glob("*.json")):
        doc = json.loads(path.read_text())
        for i, case in enumerate(doc["cases"]):
            if case.get("op") == "authzen":
                yield path.name, i, doc, case


def test_the_authzen_vectors_over_http(serve, tmp_path):
    """Every `authzen` vector of every file: the server's answer matches the
    vector and equals the in-process answer; errors carry the code's status."""
    servers = {}
    passed = 0
    for name, i, doc, case in authzen_vector_cases():
        document = case.get("policy", doc.get("policy"))
        host = {"principals": case.get("principals") or [], "resources": case.get("resources") or []}
        group = json.dumps([document, host], sort_keys=True)
        if group not in servers:
            n = len(servers)
            (tmp_path / f"policy-{n}.json").write_text(json.dumps(document))
            (tmp_path / f"data-{n}.json").write_text(json.dumps(host))
            servers[group] = (serve(tmp_path / f"policy-{n}.json", tmp_path / f"data-{n}.json", "--open"),
                              permiso.Policy.from_dict(document))
        server, policy = servers[group]
        response = server.post(case["api"], case["request"])
        then = case.get("then")
        if then is not None and response.status_code == 200:
            request = json.loads(json.dumps(then["request"]))
            if "page" in request:
                request["page"]["token"] = response.json().get("page", {}).get("next_token")
            api = then.get("api", case["api"])
            response = server.post(api, request)
        else:
            api, request = case["api"], case["request"]
        try:
            expected_bytes = in_process(policy, api, request, host)
            expected_status = 200
        except permiso.PermisoError as e:
            expected_bytes = None
            expected_status = {"invalid_request": 400, "invalid_page_token": 400, "limit_exceeded": 413,
                               "invalid_argument": 400}[e.code]
            assert response.json() == {"code": e.code, "message": e.message}, f"{name}::{i}"
        assert response.status_code == expected_status, f"{name}::{i}: {response.text[:300]}"
        if expected_bytes is not None:
            assert canonical(response.content) == canonical(expected_bytes), f"{name}::{i}"
            actual = response.json()
        else:
            body = response.json()
            actual = {"ok": False, "allowed": False, "code": body["code"], "message": body["message"]}
        matches(case["expect"], actual, f"{name}::{i}::{case['name']}")
        passed += 1
    print(f"authzen vectors over HTTP: {passed} passed, 0 failed ({len(servers)} servers)")
    if "PERMISO_VECTORS" not in os.environ:
        assert passed > 0, f"no authzen vectors in {VECTORS}"


MORTY = {"type": "user", "id": "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"}
RICK = {"type": "user", "id": "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"}
READ = {"subject": MORTY, "action": {"name": "can_read_todos"}, "resource": {"type": "todo", "id": "1"}}
DELETE_OWN = {"subject": MORTY, "action": {"name": "can_delete_todo"},
              "resource": {"type": "todo", "id": "9", "properties": {"ownerID": "morty@the-citadel.com"}}}


def test_callers_without_a_valid_key_are_refused(todo):
    none = todo.post("evaluation", READ)
    assert none.status_code == 401 and none.json()["code"] == "no_credentials"
    assert none.headers["www-authenticate"].startswith("Bearer")
    key = todo.key
    mistyped = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert todo.post("evaluation", READ, key=mistyped).json()["code"] == "bad_checksum"
    unknown = todo.policy.generate_key("pep", "pep:gateway").key
    refused = todo.post("evaluation", READ, key=unknown)
    assert refused.status_code == 401 and refused.json()["code"] == "unknown_key"
    garbage = todo.post("evaluation", READ, key="not-a-key")
    assert garbage.status_code == 401 and garbage.json()["code"] == "unrecognized_credential"
    scheme = todo.client.post(PATHS["evaluation"], json=READ, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert scheme.status_code == 401 and scheme.json()["code"] == "unrecognized_credential"
    # The key itself never reaches a response or an audit line.
    assert key not in json.dumps(todo.audit_lines())
    ok = todo.post("evaluation", READ, key=key)
    assert ok.status_code == 200 and ok.json()["decision"] is True
    by_header = todo.client.post(PATHS["evaluation"], json=READ, headers={"X-API-Key": key})
    assert by_header.status_code == 200


def test_bad_bodies_oversized_bodies_and_batches_over_the_limit(todo, serve, tmp_path):
    malformed = todo.post("evaluation", b"{not json", key=todo.key)
    assert malformed.status_code == 400 and malformed.json()["code"] == "invalid_request"
    missing = todo.post("evaluation", {"subject": MORTY}, key=todo.key)
    assert missing.status_code == 400 and missing.json() == {
        "code": "invalid_request", "message": "`request.action`: is missing"}
    too_many = {"subject": MORTY, "action": {"name": "can_read_todos"},
                "evaluations": [{"resource": {"type": "todo", "id": str(i)}} for i in range(1001)]}
    over = todo.post("evaluations", too_many, key=todo.key)
    assert over.status_code == 413 and over.json()["code"] == "limit_exceeded"
    too_many["evaluations"].pop()
    full = todo.post("evaluations", too_many, key=todo.key)
    assert full.status_code == 200 and len(full.json()["evaluations"]) == 1000
    page = todo.post("search/resource", {**READ, "resource": {"type": "todo"}, "page": {"limit": 1001}},
                     key=todo.key)
    assert page.status_code == 413 and page.json()["code"] == "limit_exceeded"
    small = serve(todo.policy_path, todo.data_path, "--caller-kind", "pep", "--max-body", "2048")
    big = {**READ, "context": {"padding": "x" * 4096}}
    oversized = small.post("evaluation", big, key=todo.key)
    assert oversized.status_code == 413 and oversized.json()["code"] == "limit_exceeded"

    def chunks():
        yield json.dumps(big).encode()

    # Without a Content-Length (chunked), the limit holds all the same.
    chunked = small.client.post(PATHS["evaluation"], content=chunks(),
                                headers={"Authorization": f"Bearer {todo.key}"})
    assert chunked.status_code == 413
    assert small.post("evaluation", READ, key=todo.key).json()["decision"] is True
    assert todo.client.get("/access/v1/nothing").status_code == 404


def test_metadata_request_ids_audit_lines_and_metrics(todo):
    metadata = todo.client.get("/.well-known/authzen-configuration").json()
    assert metadata["policy_decision_point"] == todo.base
    assert metadata["access_evaluation_endpoint"] == todo.base + "/access/v1/evaluation"
    assert metadata["search_action_endpoint"] == todo.base + "/access/v1/search/action"
    echoed = todo.post("evaluation", READ, key=todo.key, **{"X-Request-ID": "req-42"})
    assert echoed.headers["x-request-id"] == "req-42"
    made = todo.post("evaluation", READ, key=todo.key)
    assert len(made.headers["x-request-id"]) == 36
    batch = todo.post("evaluations", {"subject": MORTY, "evaluations": [
        {"action": {"name": "can_read_todos"}, "resource": {"type": "todo", "id": "1"}},
        {"action": {"name": "can_delete_todo"}, "resource": {"type": "todo", "id": "1"}},
    ]}, key=todo.key, **{"X-Request-ID": "batch-7"})
    assert [e["decision"] for e in batch.json()["evaluations"]] == [True, False]
    todo.post("search/action", {"subject": MORTY, "resource": {"type": "todo", "id": "1"}}, key=todo.key,
              **{"X-Request-ID": "search-1"})
    todo.post("evaluation", READ, **{"X-Request-ID": "no-key"})
    todo.wait_for(lambda: any(l.get("request_id") == "no-key" for l in todo.audit_lines()), "the audit lines")
    lines = todo.audit_lines()
    single = [l for l in lines if l.get("request_id") == "req-42"]
    assert len(single) == 1 and single[0]["allowed"] is True and single[0]["code"] == "allowed"
    assert single[0]["decision_id"] == echoed.json()["context"]["decision_id"]
    assert single[0]["actor"]["principal"] == "user:" + MORTY["id"]
    # The PEP's key acts as itself; its owner and mask are named, never the key.
    key_id = todo.data["keys"][0]["id"]
    assert single[0]["caller"]["principal"] == f"key:{key_id}"
    assert single[0]["caller"]["credential"]["kind"] == "pep"
    assert single[0]["caller"]["credential"]["owner"] == "pep:gateway"
    assert single[0]["caller"]["credential"]["mask"] == todo.data["keys"][0]["mask"]
    items = [l for l in lines if l.get("request_id") == "batch-7"]
    assert [l["index"] for l in items] == [0, 1] and len({l["batch_id"] for l in items}) == 1
    assert [l["code"] for l in items] == ["allowed", "missing_permission"]
    search = [l for l in lines if l.get("request_id") == "search-1"]
    assert len(search) == 1 and search[0]["api"] == "search/action" and search[0]["results"] == 2
    refused = [l for l in lines if l.get("request_id") == "no-key"]
    assert len(refused) == 1 and refused[0]["code"] == "no_credentials" and refused[0]["status"] == 401
    metrics = todo.client.get("/metrics").text
    assert re.search(r'^permiso_decisions_total\{code="allowed"\} [1-9]', metrics, re.M)
    assert re.search(r'^permiso_decisions_total\{code="no_credentials"\} 1$', metrics, re.M)
    assert re.search(r'^permiso_request_duration_seconds_count\{api="evaluations"\} 1$', metrics, re.M)
    assert re.search(r'^permiso_responses_total\{api="evaluation",status="401"\} 1$', metrics, re.M)


def test_a_broken_reload_keeps_the_old_snapshot_and_a_good_one_takes_over(todo):
    health = todo.health()
    assert health["generation"] == 1 and health["policy"] == todo.policy.hash
    assert todo.post("evaluation", DELETE_OWN, key=todo.key).json()["decision"] is True
    good_text = todo.policy_path.read_text()
    # A broken policy: the old snapshot keeps answering, the failure is logged and counted.
    todo.policy_path.write_text(good_text.replace("permissions: [todo:can_update_todo, todo:can_delete_todo]",
                                                  "permissions: [todo:can_fly]"))
    todo.wait_for(lambda: any(e.get("outcome") == "failed" for e in todo.events), "the failed reload")
    failed = next(e for e in todo.events if e.get("outcome") == "failed")
    assert failed["error"]["code"] == "invalid_policy" and "todo:can_fly" in failed["error"]["message"]
    assert todo.health()["policy"] == todo.policy.hash
    assert todo.post("evaluation", DELETE_OWN, key=todo.key).json()["decision"] is True
    # A good policy without the ownership rule: new decisions.
    without_rule = good_text.split("rules:")[0] + "credentials:" + good_text.split("credentials:")[1]
    todo.policy_path.write_text(without_rule)
    new_hash = permiso.Policy.from_yaml(without_rule).hash
    todo.wait_for(lambda: todo.health()["policy"] == new_hash, "the good reload")
    refused = todo.post("evaluation", DELETE_OWN, key=todo.key).json()
    assert refused["decision"] is False and refused["context"]["code"] == "missing_permission"
    # SIGHUP reloads too (the data this time: Morty becomes an admin).
    generation = todo.health()["generation"]
    data = json.loads(todo.data_path.read_text())
    for p in data["principals"]:
        if p["id"] == "user:" + MORTY["id"]:
            p["roles"] = ["admin"]
    todo.data_path.write_text(json.dumps(data))
    todo.process.send_signal(signal.SIGHUP)
    todo.wait_for(lambda: todo.health()["generation"] > generation, "the SIGHUP reload")
    assert todo.post("evaluation", DELETE_OWN, key=todo.key).json()["decision"] is True
    # Revoking the caller's key in the data refuses it at once after the reload.
    data["revoked_keys"] = [data["keys"][0]["id"]]
    todo.data_path.write_text(json.dumps(data))
    todo.wait_for(lambda: todo.post("evaluation", READ, key=todo.key).status_code == 401, "the revocation")
    assert todo.post("evaluation", READ, key=todo.key).json()["code"] == "revoked"
    metrics = todo.client.get("/metrics").text
    assert re.search(r'^permiso_reloads_total\{outcome="failed"\} [1-9]', metrics, re.M)
    assert re.search(r'^permiso_reloads_total\{outcome="ok"\} [3-9]', metrics, re.M)


def test_sqlite_host_data_with_the_documented_schema(tmp_path, serve):
    db = tmp_path / "pip.db"
    with sqlite3.connect(db) as connection:
        connection.executescript((ROOT / "server" / "schema.sql").read_text())
        for p in TODO_HOST["principals"]:
            connection.execute("INSERT INTO principals (id, roles, attributes) VALUES (?, ?, ?)",
                               (p["id"], json.dumps(p.get("roles", [])), json.dumps(p.get("attributes", {}))))
        for r in TODO_HOST.get("resources", []):
            connection.execute("INSERT INTO resources (id, attributes) VALUES (?, ?)",
                               (r["id"], json.dumps(r.get("attributes", {}))))
    server = serve(AUTHZEN / "todo-policy.yaml", f"sqlite:{db}", "--open")
    policy = permiso.Policy.from_file(str(TODO_POLICY))
    passed, failures = replay_interop(server, policy, TODO_HOST, "todo-decisions-1_0-02.json")
    assert failures == [] and passed == sum(1 for _ in interop_entries("todo-decisions-1_0-02.json"))
    assert server.health()["principals"] == len(TODO_HOST["principals"])
    # A committed change is picked up; a row the schema cannot read is refused with its place.
    newcomer = {"type": "user", "id": "newcomer"}
    ask = {**READ, "subject": newcomer}
    assert server.post("evaluation", ask).json()["context"]["code"] == "unknown_principal"
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO principals (id, roles) VALUES ('user:newcomer', '[\"viewer\"]')")
    server.wait_for(lambda: server.post("evaluation", ask).json()["decision"] is True, "the database change")
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO principals (id, roles) VALUES ('user:broken', 'viewer')")
    server.wait_for(lambda: any(e.get("outcome") == "failed" for e in server.events), "the failed reload")
    failed = next(e for e in server.events if e.get("outcome") == "failed")
    assert "principals[6].roles" in failed["error"]["message"], failed
    assert server.post("evaluation", ask).json()["decision"] is True


def test_sigterm_finishes_a_request_in_flight_then_exits(todo):
    body = json.dumps(READ).encode()
    address = todo.base.removeprefix("http://")
    host, port = address.rsplit(":", 1)
    connection = socket.create_connection((host, int(port)))
    head = (f"POST /access/v1/evaluation HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {todo.key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    # Half the request is on the wire when SIGTERM arrives.
    connection.sendall(head.encode() + body[:10])
    time.sleep(0.2)
    todo.process.send_signal(signal.SIGTERM)
    todo.wait_for(lambda: any(e.get("event") == "shutdown" for e in todo.events), "the shutdown event")
    connection.sendall(body[10:])
    reply = b""
    while chunk := connection.recv(65536):
        reply += chunk
    connection.close()
    status, _, rest = reply.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK", reply
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1])["decision"] is True
    assert todo.process.wait(15) == 0
    assert any(e.get("event") == "stopped" for e in todo.events)
    # New connections are refused once it has stopped.
    with pytest.raises(httpx.ConnectError):
        httpx.post(todo.base + PATHS["evaluation"], json=READ, timeout=2)


def test_open_mode_binds_only_to_loopback_and_a_closed_server_names_its_caller_kind(tmp_path):
    run = lambda *args: subprocess.run([BINARY, "serve", "-p", str(TODO_POLICY), "--data",
                                        str(AUTHZEN / "todo-host.json"), *args],
                                       capture_output=True, text=True, timeout=30)
    public = run("--open", "--listen", "0.0.0.0:0")
    assert public.returncode == 1 and "only binds to loopback" in public.stderr
    closed = run("--listen", "127.0.0.1:0")
    assert closed.returncode == 1 and "--caller-kind" in closed.stderr
    unknown = run("--caller-kind", "session", "--listen", "127.0.0.1:0")
    assert unknown.returncode == 1 and "`session`" in unknown.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"principals": [{"id": "user:1", "roles": "admin"}]}')
    bad_data = subprocess.run([BINARY, "serve", "-p", str(TODO_POLICY), "--data", str(broken), "--open",
                               "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
    assert bad_data.returncode == 1 and "principals[0].roles" in bad_data.stderr


def test_callers_with_tokens_checked_against_a_jwk_set_file_that_reloads(tmp_path, serve):
    """A PEP holding a client_credentials token (EdDSA) of a jwt kind whose
    public keys come from --jwks; replacing the file rotates the keys."""
    import base64

    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    def jwk(private, kid):
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "x": x}

    def token(private, kid, **claims):
        now = int(time.time())
        body = {"iss": "https://id.example.com", "aud": "permiso-pdp", "sub": "gateway", "client_id": "gateway",
                "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, private, algorithm="EdDSA", headers={"kid": kid})

    policy = tmp_path / "policy.yaml"
    policy.write_text(TODO_POLICY.read_text() + (
        "  pep_token:\n"
        "    type: jwt\n"
        "    issuer: https://id.example.com\n"
        "    audience: permiso-pdp\n"
        "    algorithms: [EdDSA]\n"
        "    service_accounts: { gateway: {} }\n"))
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk(first, "k1")]}))
    server = serve(policy, AUTHZEN / "todo-host.json", "--caller-kind", "pep_token", "--jwks", f"pep_token={jwks}")
    accepted = server.post("evaluation", READ, key=token(first, "k1"))
    assert accepted.status_code == 200 and accepted.json()["decision"] is True
    wrong_audience = server.post("evaluation", READ, key=token(first, "k1", aud="someone-else"))
    assert wrong_audience.status_code == 401 and wrong_audience.json()["code"] == "bad_audience"
    stranger = server.post("evaluation", READ, key=token(first, "k1", sub="intruder", client_id="intruder"))
    assert stranger.status_code == 401 and stranger.json()["code"] == "not_a_service_account"
    expired = server.post("evaluation", READ, key=token(first, "k1", exp=int(time.time()) - 3600))
    assert expired.status_code == 401 and expired.json()["code"] == "expired"
    # Rotation: the file now holds only the second key.
    jwks.write_text(json.dumps({"keys": [jwk(second, "k2")]}))
    server.wait_for(lambda: server.post("evaluation", READ, key=token(second, "k2")).status_code == 200,
                    "the new key set")
    assert server.post("evaluation", READ, key=token(first, "k1")).status_code == 401
    lines = [l for l in server.audit_lines() if l.get("caller") not in (None, "null")]
    assert lines and lines[0]["caller"]["principal"] == "service:gateway"
    assert lines[0]["caller"]["credential"]["kind"] == "pep_token"


def test_a_request_slower_than_the_timeout_is_answered_408(todo, serve):
    slow = serve(todo.policy_path, todo.data_path, "--caller-kind", "pep", "--timeout", "1")
    address = slow.base.removeprefix("http://")
    host, port = address.rsplit(":", 1)
    connection = socket.create_connection((host, int(port)))
    body = json.dumps(READ).encode()
    connection.sendall((f"POST /access/v1/evaluation HTTP/1.1\r\nHost: {address}\r\n"
                        f"Authorization: Bearer {todo.key}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
                       + body[:5])
    connection.settimeout(10)
    started = time.monotonic()
    reply = connection.recv(65536)
    connection.close()
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert 0.9 < time.monotonic() - started < 5
    assert slow.post("evaluation", READ, key=todo.key).status_code == 200


@pytest.mark.parametrize("readme", ["README.md", "server/README.md"])
def test_the_readme_one_liner_answers_the_readme_curl(readme, tmp_path):
    """The README's `permiso serve` line and its curl body, as written (on
    another port, so the tests never collide with a running server)."""
    text = (ROOT / readme).read_text()
    serve_line = next(l for l in text.splitlines() if l.startswith("cargo run -q -p permiso-cli -- serve "))
    curl_line = next(l for l in text.splitlines() if l.startswith("curl -s localhost:8080/access/v1/evaluation"))
    args = serve_line.split(" -- ", 1)[1].split()
    body = curl_line.split(" -d '", 1)[1].rstrip("'")
    process = subprocess.Popen([BINARY, *args, "--listen", "127.0.0.1:0"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        first = json.loads(process.stderr.readline())
        assert first["event"] == "warning" and "--open" in first["message"]
        listening = json.loads(process.stderr.readline())
        answer = httpx.post(f"http://{listening['address']}/access/v1/evaluation", content=body, timeout=10)
        assert answer.status_code == 200 and answer.json()["decision"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
