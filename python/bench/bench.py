"""permiso next to pycasbin, cedarpy and PyJWT in one Python process.

The roles and grants of the example policy come translated for each engine
from bench/peers/example.json (written by the Rust benchmark crate). Before
timing, every input is checked to get the same answer from permiso and the
peer.

    python python/bench/bench.py                      prints the ratios
    python python/bench/bench.py --json out.json      and writes them for bench/report.py
    python python/bench/bench.py --smoke              a few iterations (tests)
"""
import argparse
import base64
import hashlib
import hmac
import importlib.metadata
import json
import pathlib
import platform
import time
import timeit

import casbin
import cedarpy
import jwt

import permiso

parser = argparse.ArgumentParser()
parser.add_argument("--smoke", action="store_true")
parser.add_argument("--json", type=pathlib.Path)
args = parser.parse_args()
SMOKE = args.smoke
ROOT = pathlib.Path(__file__).resolve().parents[2]
rows = []


def per_call(fn):
    """Seconds per call: the best of 5 runs (1 when smoke) of an autoranged count."""
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    if SMOKE:
        return timer.timeit(number=max(n // 20, 1)) / max(n // 20, 1)
    return min(timer.repeat(repeat=5, number=n)) / n


def row(table, what, ours, peer, theirs):
    rows.append({"table": table, "what": what, "permiso_s": ours, "peer": peer, "peer_s": theirs})
    print(f"{what}: permiso {ours * 1e6:.2f} us, {peer} {theirs * 1e6:.2f} us, ratio {theirs / ours:.1f}x")


def cycle(items):
    state = {"i": 0}

    def next_item():
        state["i"] = (state["i"] + 1) % len(items)
        return items[state["i"]]

    return next_item


# ---- authorize vs casbin enforce vs cedarpy is_authorized ---------------------
world = json.loads((ROOT / "bench" / "peers" / "example.json").read_text())
policy = permiso.Policy.from_file(ROOT / "examples" / "policy.yaml")
identities = {r["principal"]["id"]: policy.identity(r) for r in world["principals"]}
enforcer = casbin.Enforcer(casbin.Enforcer.new_model(text=world["casbin"]["model"]))
for kind, *rule in world["casbin"]["rules"]:
    (enforcer.add_policy if kind == "p" else enforcer.add_grouping_policy)(*rule)
cedar_policies = cedarpy.PolicySet.from_str(world["cedar"]["policies"])
cedar_entities = cedarpy.Entities.from_json_str(json.dumps(world["cedar"]["entities"]))


def cedar_request(i):
    kind, rid = i["resource"].split(":", 1)
    return {
        "principal": {"type": "Principal", "id": i["principal"]},
        "action": {"type": "Action", "id": i["permission"]},
        "resource": {"type": kind, "id": rid},
        "context": {},
    }


inputs = [(i["principal"], i["permission"], i["resource"], cedar_request(i)) for i in world["inputs"]]
allowed = 0
for user, perm, resource, request in inputs:
    ours = policy.authorize(identities[user], perm, resource).allowed
    assert policy.is_allowed(identities[user], perm, resource) == ours, (user, perm, resource)
    assert enforcer.enforce(user, resource, perm) == ours, ("casbin", user, perm, resource)
    assert cedarpy.is_authorized(request, cedar_policies, cedar_entities).allowed == ours, ("cedar", user, perm)
    allowed += ours
assert 0 < allowed < len(inputs)
print(f"equivalence: {len(inputs)} inputs ({allowed} allowed), same answers from permiso, casbin and cedarpy")

nxt = cycle(inputs)


def permiso_authorize():
    user, perm, resource, _ = nxt()
    policy.authorize(identities[user], perm, resource)


def permiso_is_allowed():
    user, perm, resource, _ = nxt()
    policy.is_allowed(identities[user], perm, resource)


def casbin_enforce():
    user, perm, resource, _ = nxt()
    enforcer.enforce(user, resource, perm)


def cedar_is_authorized():
    *_, request = nxt()
    cedarpy.is_authorized(request, cedar_policies, cedar_entities)


ours_full, ours_check = per_call(permiso_authorize), per_call(permiso_is_allowed)
theirs_casbin, theirs_cedar = per_call(casbin_enforce), per_call(cedar_is_authorized)
row("authorize", "`authorize` (decision with audit record)", ours_full, "casbin `enforce`", theirs_casbin)
row("authorize", "`authorize` (decision with audit record)", ours_full, "cedarpy `is_authorized`", theirs_cedar)
row("authorize", "`is_allowed` (yes/no)", ours_check, "casbin `enforce`", theirs_casbin)
row("authorize", "`is_allowed` (yes/no)", ours_check, "cedarpy `is_authorized`", theirs_cedar)

# ---- AuthZEN: a batch of 25 in one call vs 25 single calls ---------------------
todo = permiso.Policy.from_file(str(ROOT / "examples" / "authzen" / "todo-policy.yaml"))
todo_host = json.loads((ROOT / "examples" / "authzen" / "todo-host.json").read_text())
subject = {"type": "user", "id": todo_host["principals"][1]["id"].split(":", 1)[1]}
items = [{"resource": {"type": "todo", "id": str(i), "properties": {"ownerID": "morty@the-citadel.com" if i % 2 else "x"}}}
         for i in range(25)]
batch = {"subject": subject, "action": {"name": "can_update_todo"}, "evaluations": items}
singles = [{"subject": subject, "action": {"name": "can_update_todo"}, **item} for item in items]
answers = [e["decision"] for e in todo.access_evaluations(batch, principals=todo_host["principals"])["evaluations"]]
assert answers == [todo.access_evaluation(r, principals=todo_host["principals"])["decision"] for r in singles]
assert answers.count(True) == 12, answers
ours_batch = per_call(lambda: todo.access_evaluations(batch, principals=todo_host["principals"]))
ours_singles = per_call(lambda: [todo.access_evaluation(r, principals=todo_host["principals"]) for r in singles])
row("authzen", "`access_evaluations`, 25 items in one call", ours_batch, "25 `access_evaluation` calls", ours_singles)

# ---- JWT: verify_jwt vs PyJWT decode ------------------------------------------
tokens = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
token_policy = permiso.Policy.from_dict(tokens["policy"])
keys = ROOT / "tools" / "vectors" / "keys"
hs32 = json.loads((keys / "hmac.json").read_text())["hs32"]
secret = base64.urlsafe_b64decode(hs32 + "=" * (-len(hs32) % 4))
jwks = {k["kid"]: k for k in tokens["policy"]["credentials"]["session"]["jwks"]["keys"]}
now = int(time.time())
for alg, kid, signing in [
    ("HS256", "hs32", permiso.SigningKey.hmac("HS256", secret, kid="hs32")),
    ("RS256", "rsa", permiso.SigningKey.from_pem("RS256", (keys / "rsa.pem").read_bytes(), kid="rsa")),
    ("ES256", "ec256", permiso.SigningKey.from_pem("ES256", (keys / "ec256.pem").read_bytes(), kid="ec256")),
    ("EdDSA", "ed", permiso.SigningKey.from_pem("EdDSA", (keys / "ed25519.pem").read_bytes(), kid="ed")),
]:
    verifying = secret if alg == "HS256" else jwt.PyJWK(dict(jwks[kid], alg=alg)).key
    token = token_policy.issue_session("session", "alice", signing, scopes=["deployments:read"], roles=["viewer"],
                                       lifetime=600, now=now)
    expired = token_policy.issue_session("session", "alice", signing, lifetime=600, now=now - 3600)
    options = {"issuer": "https://id.example.com", "audience": "admin-api", "algorithms": [alg], "leeway": 30}
    assert token_policy.verify_jwt(token, now=now).principal == f"user:{jwt.decode(token, verifying, **options)['sub']}"
    for bad in (token + "x", token[:-3], expired):
        try:
            jwt.decode(bad, verifying, **options)
            raise AssertionError("PyJWT accepted a bad token")
        except jwt.PyJWTError:
            pass
        try:
            token_policy.verify_jwt(bad, now=now)
            raise AssertionError("permiso accepted a bad token")
        except permiso.InvalidToken:
            pass
    row("jwt", f"JWT verify {alg}", per_call(lambda: token_policy.verify_jwt(token, now=now)), "PyJWT `decode`",
        per_call(lambda: jwt.decode(token, verifying, **options)))

# ---- API keys: verify_key vs a hand-rolled digest compare ----------------------
generated = policy.generate_key("project_key", "project:p1")
key, record = generated.key, generated.record
stored = bytes.fromhex(record["hash"].removeprefix("sha256:"))


def hand_rolled(presented):
    return hmac.compare_digest(hashlib.sha256(presented.encode()).digest(), stored)


def ours_verify(presented):
    try:
        policy.verify_key(presented, record)
        return True
    except permiso.InvalidKey:
        return False


changed = key[:-10] + ("b" if key[-10] == "a" else "a") + key[-9:]
assert ours_verify(key) and hand_rolled(key)
assert not ours_verify(changed) and not hand_rolled(changed)
hand_rolled_s = per_call(lambda: hand_rolled(key))
peer = "hashlib.sha256 + hmac.compare_digest (no shape, checksum, kind or expiry checks)"
row("keys", "API key verify (`sha256:` record as a dict)", per_call(lambda: ours_verify(key)), peer, hand_rolled_s)
read_once = permiso.KeyRecord(record)
assert policy.verify_key(key, read_once).id == record["id"]
row("keys", "API key verify (`KeyRecord` read once)", per_call(lambda: policy.verify_key(key, read_once)), peer,
    hand_rolled_s)

if args.json:
    args.json.parent.mkdir(parents=True, exist_ok=True)
    versions = {name: importlib.metadata.version(name) for name in ("casbin", "cedarpy", "PyJWT")}
    args.json.write_text(json.dumps({
        "runtime": f"CPython {platform.python_version()}",
        "permiso": permiso.__version__,
        "versions": versions,
        "smoke": SMOKE,
        "rows": rows,
    }, indent=2) + "\n")
    print(f"wrote {args.json}")
