"""permiso next to Cedarling (cedarling-python) on Cedarling's own benchmark scenarios.

The scenarios are Cedarling's published ones: `unsigned_simple` (one principal
with attributes, one resource, three Cedar policies), `unsigned_batch_25`
(25 resources for one principal in one batch call) and its two-token
multi-issuer one, here with ES256 signatures checked by both engines on the
same tokens (`multi_issuer_signed`, with and without each engine's token
cache). Their stores are in bench/cedarling/, with permiso's translations
beside them. Before timing, both engines must give the same decision on every
request of a small table (allowed and denied). Each call builds its principal
from plain data, as a service does per request: Cedarling's `EntityData`,
permiso's identity record or AuthZEN host data, or the tokens themselves.

    python python/bench/cedarling_bench.py --json out.json --jsonl out.jsonl
    python python/bench/cedarling_bench.py --smoke

`--jsonl` writes one line per binding and scenario in Cedarling's benchmark
schema (binding, scenario, iter, mean_ns, p50_ns, p95_ns, p99_ns, min_ns,
max_ns, allocs_per_op, status), so the figures compare with its published files.
"""
import argparse
import http.server
import importlib.metadata
import json
import multiprocessing
import pathlib
import platform
import statistics
import threading
import time

import cedarling_python as ced
import jwt as pyjwt

import permiso

parser = argparse.ArgumentParser()
parser.add_argument("--smoke", action="store_true")
parser.add_argument("--json", type=pathlib.Path)
parser.add_argument("--jsonl", type=pathlib.Path)
args = parser.parse_args()
HERE = pathlib.Path(__file__).resolve().parents[2] / "bench" / "cedarling"
ITERATIONS = 200 if args.smoke else 20_000


def yaml(value, indent=""):
    """A JSON document as block YAML (strings double-quoted as JSON quotes them, which
    YAML reads alike): this Cedarling build reads inline stores as YAML only, the npm
    build as JSON only, and both read the one file in bench/cedarling."""
    if not isinstance(value, dict):
        return json.dumps(value)
    return "".join(f"\n{indent}{json.dumps(k)}: {yaml(v, indent + '  ')}" for k, v in value.items())


def cedarling(store):
    return ced.Cedarling(ced.BootstrapConfig({
        "CEDARLING_APPLICATION_NAME": "bench",
        "CEDARLING_POLICY_STORE_LOCAL": yaml(json.loads((HERE / store).read_text())).lstrip("\n"),
        "CEDARLING_LOG_TYPE": "off",
        "CEDARLING_JWT_SIG_VALIDATION": "disabled",
        "CEDARLING_JWT_STATUS_VALIDATION": "disabled",
    }))


def measure(fn, iterations):
    """Per-call nanoseconds: a warm-up, then `iterations` calls timed one by one."""
    for _ in range(max(iterations // 10, 10)):
        fn()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        fn()
        samples.append(clock() - start)
    samples.sort()
    pick = lambda q: samples[min(int(q * len(samples)), len(samples) - 1)]
    return {"iter": iterations, "mean_ns": round(statistics.fmean(samples)), "p50_ns": pick(0.5),
            "p95_ns": pick(0.95), "p99_ns": pick(0.99), "min_ns": samples[0], "max_ns": samples[-1]}


results, rows = [], []


def compare(scenario, what, ours, theirs, iterations=ITERATIONS):
    mine, peer = measure(ours, iterations), measure(theirs, iterations)
    for binding, figures in (("permiso-python", mine), ("cedarling-python", peer)):
        results.append({"binding": binding, "scenario": scenario, **figures, "allocs_per_op": None, "status": "ok"})
    rows.append({"table": "cedarling", "what": what, "permiso_s": mine["mean_ns"] / 1e9,
                 "peer": f"Cedarling `{scenario}`", "peer_s": peer["mean_ns"] / 1e9})
    print(f"{scenario}: permiso {mine['mean_ns'] / 1000:.2f} us, Cedarling {peer['mean_ns'] / 1000:.2f} us, "
          f"ratio {peer['mean_ns'] / mine['mean_ns']:.1f}x")


# ---- unsigned_simple ------------------------------------------------------------
simple = cedarling("unsigned-store.json")
policy = permiso.Policy.from_file(HERE / "unsigned.yaml")
USER = {"country": "US", "department": "engineering", "active": True, "suspended": False}
ISSUE = {"org_id": "some_long_id", "country": "US", "priority": 1}
PRINCIPAL_ID = "boG8dfc5MKTn37o7gsdCeyqL8LpWQtgoO41m1KZwdq0"


def cedarling_simple(user=USER, action="Read", issue=ISSUE):
    principal = ced.EntityData.from_dict(
        {"cedar_entity_mapping": {"entity_type": "Jans::User", "id": PRINCIPAL_ID}, **user})
    resource = ced.EntityData.from_dict(
        {"cedar_entity_mapping": {"entity_type": "Jans::Issue", "id": "random_id"}, **issue})
    request = ced.RequestUnsigned(principal=principal, action=f'Jans::Action::"{action}"', resource=resource,
                                  context={})
    return simple.authorize_unsigned(request).is_allowed()


def permiso_simple(user=USER, action="Read", issue=ISSUE):
    identity = {"principal": {"id": f"user:{PRINCIPAL_ID}", "attributes": user}}
    resource = {"id": "issue:random_id", "attributes": issue}
    return policy.authorize(identity, f"issue:{action.lower()}", resource).allowed


table = [
    (USER, "Read", ISSUE),
    ({**USER, "suspended": True}, "Read", ISSUE),
    ({**USER, "active": False}, "Read", ISSUE),
    (USER, "Update", ISSUE),
    ({**USER, "country": "DE"}, "Update", ISSUE),
]
answers = [(cedarling_simple(*t), permiso_simple(*t)) for t in table]
assert all(a == b for a, b in answers), answers
assert [a for a, _ in answers] == [True, False, False, False, False], answers
print(f"equivalence: unsigned_simple, {len(table)} requests, same decisions")
compare("unsigned_simple", "`authorize`, identity and resource records built per call", permiso_simple,
        cedarling_simple)

# ---- unsigned_batch_25 ------------------------------------------------------------
batch_store = cedarling("batch-store.json")
batch_policy = permiso.Policy.from_file(HERE / "batch.yaml")


def cedarling_batch(is_ok=True, n=25):
    principal = ced.EntityData.from_dict(
        {"cedar_entity_mapping": {"entity_type": "Jans::TestPrincipal1", "id": "bench_principal"}, "is_ok": is_ok})
    items = [ced.BatchItem(resource=ced.EntityData.from_dict(
        {"cedar_entity_mapping": {"entity_type": "Jans::Issue", "id": f"resource-{i}"},
         "org_id": "some_long_id", "country": "US"}), action='Jans::Action::"UpdateForTestPrincipals"', context={})
        for i in range(n)]
    out = batch_store.authorize_unsigned_batch(ced.BatchAuthorizeUnsignedRequest(principal=principal, items=items))
    return [r.is_ok() and r.unwrap().is_allowed() for r in out.results]


def permiso_batch(is_ok=True, n=25):
    request = {"subject": {"type": "user", "id": "bench_principal"}, "action": {"name": "update_for_test_principals"},
               "evaluations": [{"resource": {"type": "issue", "id": f"resource-{i}",
                                             "properties": {"org_id": "some_long_id", "country": "US"}}}
                               for i in range(n)]}
    out = batch_policy.access_evaluations(
        request, principals=[{"id": "user:bench_principal", "attributes": {"is_ok": is_ok}}])
    return [e["decision"] for e in out["evaluations"]]


assert cedarling_batch(True) == permiso_batch(True) == [True] * 25
assert cedarling_batch(False) == permiso_batch(False) == [False] * 25
print("equivalence: unsigned_batch_25, 50 items, same decisions")
compare("unsigned_batch_25", "AuthZEN `access_evaluations` of 25, host data built per call", permiso_batch,
        cedarling_batch, max(ITERATIONS // 10, 20))

# ---- multi_issuer_signed: two ES256 tokens, signatures checked by both --------------
# Cedarling fetches each trusted issuer's OpenID configuration and JWKS when it
# starts, so a loopback server serves them, one port per issuer (Cedarling looks
# issuers up by origin). It runs in a child process: Cedarling holds the GIL while
# it starts, and a thread of this process could not answer.
ROOT = HERE.parents[1]
scenario = json.loads((HERE / "multi-issuer.json").read_text())
vector_keys = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())["policy"]["credentials"]
ec256 = next(k for k in vector_keys["session"]["jwks"]["keys"] if k["kid"] == "ec256")


def serve_issuers(issuers, ports):
    class Issuer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            port = self.server.server_address[1]
            documents = {"/.well-known/openid-configuration": {"issuer": self.server.issuer,
                                                              "jwks_uri": f"http://127.0.0.1:{port}/jwks"},
                         "/jwks": {"keys": [{**ec256, "alg": "ES256"}]}}
            if self.path not in documents:
                self.send_error(404)
                return
            body = json.dumps(documents[self.path]).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    servers = []
    for issuer in issuers:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Issuer)
        server.issuer = issuer
        servers.append(server)
    ports.send([s.server_address[1] for s in servers])
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


receive, send = multiprocessing.Pipe()
issuers = multiprocessing.Process(target=serve_issuers, daemon=True,
                                  args=([t["claims"]["iss"] for t in scenario["tokens"]], send))
issuers.start()
ports = receive.recv()
store = json.loads((HERE / "multi-issuer-store.json").read_text())
trusted = store["policy_stores"]["multi_issuer_basic_store"]["trusted_issuers"]
for token, port in zip(scenario["tokens"], ports):
    trusted[token["trusted_issuer"]]["openid_configuration_endpoint"] = \
        f"http://127.0.0.1:{port}/.well-known/openid-configuration"


def signed_cedarling(**options):
    return ced.Cedarling(ced.BootstrapConfig({
        "CEDARLING_APPLICATION_NAME": "bench",
        "CEDARLING_POLICY_STORE_LOCAL": yaml(store).lstrip("\n"),
        "CEDARLING_LOG_TYPE": "off",
        "CEDARLING_JWT_SIG_VALIDATION": "enabled",
        "CEDARLING_JWT_STATUS_VALIDATION": "disabled",
        "CEDARLING_JWT_SIGNATURE_ALGORITHMS_SUPPORTED": ["ES256"],
        "CEDARLING_USER_AUTHZ": "disabled",
        "CEDARLING_WORKLOAD_AUTHZ": "disabled",
        "CEDARLING_ID_TOKEN_TRUST_MODE": "never",
        **options,
    }))


# A maximum TTL of 0 turns Cedarling's cache of validated tokens off; it is on by default.
uncached, cached = signed_cedarling(CEDARLING_TOKEN_CACHE_MAX_TTL=0), signed_cedarling()
issuers.terminate()
multi = permiso.Policy.from_dict(scenario["policy"])
for token in scenario["tokens"]:
    multi.set_jwks(token["kind"], {"keys": [ec256]})
pem = (ROOT / "tools" / "vectors" / "keys" / "ec256.pem").read_bytes()
now = int(time.time())


def sign(token, **claims):
    return pyjwt.encode({**token["claims"], **claims, "iat": now, "exp": now + 86400}, pem, algorithm="ES256",
                        headers={"kid": "ec256"})


acme, dolphin = (sign(t) for t in scenario["tokens"])
denied = sign(scenario["tokens"][0], scope=scenario["denied_scope"])
forged = acme[:-4] + ("AAAA" if not acme.endswith("AAAA") else "BBBB")
RESOURCE = ced.EntityData.from_dict(scenario["cedarling"]["resource"])


def cedarling_multi(engine, acme_token=acme):
    tokens = [ced.TokenInput(mapping=t["mapping"], payload=p) for t, p in zip(scenario["tokens"], (acme_token, dolphin))]
    request = ced.AuthorizeMultiIssuerRequest(tokens=tokens, resource=RESOURCE,
                                              action=scenario["cedarling"]["action"])
    return engine.authorize_multi_issuer(request).is_allowed()


def permiso_multi(acme_token=acme):
    user = multi.verify_jwt(acme_token)
    multi.verify_jwt(dolphin)
    return multi.authorize(user.identity(), scenario["permiso"]["action"], scenario["permiso"]["resource"]).allowed


def refused(fn, *args):
    """A request with a token that fails its checks is denied: Cedarling drops the token, permiso refuses it."""
    try:
        return fn(*args)
    except permiso.InvalidToken as e:
        assert e.code == "bad_signature", e.code
        return False


for engine in (uncached, cached):
    answers = [(cedarling_multi(engine, t), refused(permiso_multi, t)) for t in (acme, denied, forged)]
    assert answers == [(True, True), (False, False), (False, False)], answers
print("equivalence: multi_issuer_signed, 3 requests (allowed, scope missing, forged signature), same decisions")
compare("multi_issuer_signed", "two ES256 tokens verified (no token cache on either side), then `authorize`",
        permiso_multi, lambda: cedarling_multi(uncached), max(ITERATIONS // 10, 20))
multi.cache_tokens(1000)
compare("multi_issuer_signed_cached", "the same with each engine's token cache on (`cache_tokens(1000)`)",
        permiso_multi, lambda: cedarling_multi(cached), max(ITERATIONS // 10, 20))

if args.jsonl:
    args.jsonl.parent.mkdir(parents=True, exist_ok=True)
    args.jsonl.write_text("".join(json.dumps(r) + "\n" for r in results))
if args.json:
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "runtime": f"CPython {platform.python_version()}",
        "versions": {"cedarling-python": importlib.metadata.version("cedarling-python")},
        "smoke": args.smoke, "rows": rows, "jsonl": results,
    }, indent=1))
