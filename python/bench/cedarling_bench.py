"""permiso next to Cedarling (cedarling-python) on Cedarling's own benchmark scenarios.

The scenarios are Cedarling's published ones: `unsigned_simple` (one principal
with attributes, one resource, three Cedar policies) and `unsigned_batch_25`
(25 resources for one principal in one batch call). Their stores are in
bench/cedarling/, with permiso's translations beside them. Before timing,
both engines must give the same decision on every request of a small table
(allowed and denied). Each call builds its principal from plain data, as a
service does per request: Cedarling's `EntityData`, permiso's identity
record or AuthZEN host data.

    python python/bench/cedarling_bench.py --json out.json --jsonl out.jsonl
    python python/bench/cedarling_bench.py --smoke

`--jsonl` writes one line per binding and scenario in Cedarling's benchmark
schema (binding, scenario, iter, mean_ns, p50_ns, p95_ns, p99_ns, min_ns,
max_ns, allocs_per_op, status), so the figures compare with its published files.
"""
import argparse
import importlib.metadata
import json
import pathlib
import platform
import statistics
import time

import cedarling_python as ced

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


results, rows, tokens_rows = [], [], []


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

# ---- multi_issuer, signatures on (permiso's side) ---------------------------------
# Cedarling's own run of this scenario needs its issuers' discovery endpoints
# served; permiso's figures go to the JSONL for comparison with its files.
ROOT = HERE.parents[1]
multi = permiso.Policy.from_dict(json.loads((HERE / "multi-issuer.json").read_text())["policy"])
vector_keys = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())["policy"]["credentials"]
ec256 = next(k for k in vector_keys["session"]["jwks"]["keys"] if k["kid"] == "ec256")
for kind in ("acme", "dolphin"):
    multi.set_jwks(kind, {"keys": [ec256]})
signer = permiso.SigningKey.from_pem("ES256", (ROOT / "tools" / "vectors" / "keys" / "ec256.pem").read_bytes(),
                                     kid="ec256")
acme = multi.issue_session("acme", "acme_user_multi", signer, roles=["reader"], scopes=["wiki:read_profile"])
dolphin = multi.issue_session("dolphin", "dolphin_user_multi", signer)
unscoped = multi.issue_session("acme", "acme_user_multi", signer, roles=["reader"], scopes=[])


def permiso_multi(acme_token=acme):
    user = multi.verify_jwt(acme_token)
    multi.verify_jwt(dolphin)
    return multi.authorize(user.identity(), "wiki:read_profile", "wiki:WikiPages").allowed


assert permiso_multi() and not permiso_multi(unscoped)
try:
    permiso_multi(acme[:-4] + ("AAAA" if not acme.endswith("AAAA") else "BBBB"))
    raise AssertionError("a forged signature was accepted")
except permiso.InvalidToken as e:
    assert e.code == "bad_signature", e.code
print("multi_issuer: both tokens' ES256 signatures checked; a forged one is refused")
for scenario, capacity in (("multi_issuer_signed", 0), ("multi_issuer_signed_cached", 1000)):
    multi.cache_tokens(capacity)
    figures = measure(permiso_multi, max(ITERATIONS // 10, 20))
    results.append({"binding": "permiso-python", "scenario": scenario, **figures, "allocs_per_op": None,
                    "status": "ok"})
    tokens_rows.append({"scenario": scenario, "mean_s": figures["mean_ns"] / 1e9})
    print(f"{scenario}: permiso {figures['mean_ns'] / 1000:.2f} us")

if args.jsonl:
    args.jsonl.parent.mkdir(parents=True, exist_ok=True)
    args.jsonl.write_text("".join(json.dumps(r) + "\n" for r in results))
if args.json:
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "runtime": f"CPython {platform.python_version()}",
        "versions": {"cedarling-python": importlib.metadata.version("cedarling-python")},
        "smoke": args.smoke, "rows": rows, "jsonl": results, "tokens": tokens_rows,
    }, indent=1))
