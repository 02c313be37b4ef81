"""permiso next to pycasbin and PyJWT in one Python process.

Before timing, every input is checked to get the same answer from permiso
and the peer.

    python python/bench/bench.py           writes python/bench/REPORT.md
    python python/bench/bench.py --smoke   a few iterations, no report (tests)
"""
import base64
import datetime
import importlib.metadata
import json
import pathlib
import platform
import sys
import time
import timeit

import casbin
import jwt

import permiso

SMOKE = "--smoke" in sys.argv
ROOT = pathlib.Path(__file__).resolve().parents[2]
rows = []


def per_call(fn, min_seconds=0.05 if SMOKE else 0.5):
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    best = min(timer.repeat(repeat=1 if SMOKE else 5, number=max(n, 1)))
    total, count = best, max(n, 1)
    while total < min_seconds and not SMOKE:
        count *= 2
        total = timer.timeit(number=count)
    return total / count


def row(what, ours, peer, theirs):
    rows.append((what, ours, peer, theirs))
    print(f"{what}: permiso {ours * 1e6:.2f} us, {peer} {theirs * 1e6:.2f} us, ratio {theirs / ours:.1f}x")


# ---- RBAC: authorize vs casbin enforce on the same roles ---------------------
policy = permiso.Policy.from_file(ROOT / "examples" / "policy.yaml")
roles = {
    "viewer": (["deployments:read", "audit:read"], []),
    "operator": (["deployments:write", "endpoints:run", "flags:evaluate"], ["viewer"]),
    "admin": (policy.permissions, []),
}
model = casbin.Enforcer.new_model(text="""
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
""")
enforcer = casbin.Enforcer(model)
for role, (perms, parents) in roles.items():
    for perm in perms:
        enforcer.add_policy(role, *perm.split(":"))
    for parent in parents:
        enforcer.add_grouping_policy(role, parent)
users = {"user:v": "viewer", "user:o": "operator", "user:a": "admin"}
for user, role in users.items():
    enforcer.add_grouping_policy(user, role)
identities = {u: policy.identity({"principal": {"id": u, "roles": [r]}}) for u, r in users.items()}
inputs = [(u, p) for u in users for p in policy.permissions]
for user, perm in inputs:
    expected = enforcer.enforce(user, *perm.split(":"))
    assert policy.authorize(identities[user], perm).allowed == expected, (user, perm)
    assert policy.is_allowed(identities[user], perm) == expected, (user, perm)
print(f"equivalence: {len(inputs)} RBAC inputs, same answers")

state = {"i": 0}


def next_input():
    state["i"] += 1
    return inputs[state["i"] % len(inputs)]


def casbin_enforce():
    user, perm = next_input()
    obj, act = perm.split(":")
    enforcer.enforce(user, obj, act)


def permiso_is_allowed():
    user, perm = next_input()
    policy.is_allowed(identities[user], perm)


def permiso_authorize():
    user, perm = next_input()
    policy.authorize(identities[user], perm)


theirs = per_call(casbin_enforce)
row("RBAC check, yes/no (`is_allowed`)", per_call(permiso_is_allowed), "casbin enforce", theirs)
row("RBAC authorize, full Decision with audit record", per_call(permiso_authorize), "casbin enforce (yes/no only)", theirs)

# ---- JWT: verify_jwt vs PyJWT decode ------------------------------------------
tokens = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())
token_policy = permiso.Policy.from_dict(tokens["policy"])
keys = ROOT / "tools" / "vectors" / "keys"
hs32 = json.loads((keys / "hmac.json").read_text())["hs32"]
secret = base64.urlsafe_b64decode(hs32 + "=" * (-len(hs32) % 4))
ec_pem = (keys / "ec256.pem").read_bytes()
ec_jwk = next(k for k in tokens["policy"]["credentials"]["session"]["jwks"]["keys"] if k["kid"] == "ec256")
ec_public = jwt.PyJWK(dict(ec_jwk, alg="ES256")).key
now = int(time.time())
for alg, signing, verifying in [
    ("HS256", permiso.SigningKey.hmac("HS256", secret, kid="hs32"), secret),
    ("ES256", permiso.SigningKey.from_pem("ES256", ec_pem, kid="ec256"), ec_public),
]:
    token = token_policy.issue_session("session", "alice", signing, scopes=["deployments:read"], roles=["viewer"],
                                       lifetime=600, now=now)
    options = {"issuer": "https://id.example.com", "audience": "admin-api", "algorithms": [alg], "leeway": 30}
    theirs_claims = jwt.decode(token, verifying, **options)
    assert token_policy.verify_jwt(token, now=now).principal == f"user:{theirs_claims['sub']}"
    for bad in (token + "x", token[:-3]):
        try:
            jwt.decode(bad, verifying, **options)
            raise AssertionError("PyJWT accepted a broken token")
        except jwt.PyJWTError:
            pass
        try:
            token_policy.verify_jwt(bad, now=now)
            raise AssertionError("permiso accepted a broken token")
        except permiso.InvalidToken:
            pass
    row(f"JWT verify {alg}", per_call(lambda: token_policy.verify_jwt(token, now=now)), "PyJWT decode",
        per_call(lambda: jwt.decode(token, verifying, **options)))

if not SMOKE:
    lines = [
        "# permiso (pip) next to its peers",
        "",
        f"Measured {datetime.date.today().isoformat()} on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, pycasbin {importlib.metadata.version('casbin')}, "
        f"PyJWT {jwt.__version__}, by `python python/bench/bench.py`.",
        "Every input is first checked to get the same answer from both sides. "
        "Ratio = peer time / permiso time (above 1: permiso is faster).",
        "",
        "| operation | peer | ratio |",
        "|---|---|---|",
        *[f"| {what} | {peer} | {theirs / ours:.1f}x |" for what, ours, peer, theirs in rows],
        "",
    ]
    (pathlib.Path(__file__).parent / "REPORT.md").write_text("\n".join(lines))
    print("wrote python/bench/REPORT.md")
