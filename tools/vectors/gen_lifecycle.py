#!/usr/bin/env python3
"""Writes tests/vectors/lifecycle.json: credentials in time and hostile input.

Delegation never outlives its parent and stays bound to the key it came
from; rotation keeps a scheduled revocation; a key acts in its owner's
tenant only; token fields that reach audit records are bounded and free of
control and format characters; attacker text in messages is escaped;
policies refuse reserved subject types and unusable keys.

Keys come from keyformat.py, tokens are HS256 signed with the standard
library: re-running reproduces the file, and CI checks that it does.
"""
import base64
import hashlib
import hmac
import json
import pathlib
import random

from keyformat import adder, b64u, hs256, make, record

NOW = 1767225600
ISS = "https://id.example.com"
SECRET = bytes(range(100, 132))
rng = random.Random(1313)

POLICY = {
    "version": 1,
    "permissions": ["deployments:read", "deployments:write", "endpoints:run", "audit:read"],
    "roles": {
        "viewer": {"permissions": ["deployments:read", "audit:read"]},
        "operator": {"inherits": ["viewer"], "permissions": ["deployments:write", "endpoints:run"]},
    },
    "credentials": {
        "personal_key": {"type": "api_key", "prefix": "pmo_pat", "acts_as": "owner"},
        "project_key": {"type": "api_key", "prefix": "pmo_psk", "acts_as": "key", "allowed": ["endpoints:run"]},
        "session": {"type": "jwt", "issuer": ISS, "audience": "admin-api", "algorithms": ["HS256"],
                    "jwks": {"keys": [{"kty": "oct", "kid": "hs", "k": b64u(SECRET)}]}},
    },
    "routes": [
        {"method": "GET", "path": "/api/deployments/{deployment}", "permission": "deployments:read",
         "resource": "deployment:{deployment}"},
        {"method": "POST", "path": "/api/projects/{project}/endpoints/{name}/run", "permission": "endpoints:run",
         "tenant": "project:{project}"},
    ],
}
SIGNING = {"alg": "HS256", "kid": "hs", "secret": b64u(SECRET)}
PRINCIPALS = [
    {"id": "user:alice", "tenant": "project:p1", "roles": ["operator"]},
    {"id": "project:p1", "tenant": "project:p1"},
]

alice_key = make(rng, "pmo_pat")
project_key = make(rng, "pmo_psk")
orphan_project_key = make(rng, "pmo_psk")
alice_rec = record(alice_key, "personal_key", "user:alice", NOW)
a_id = alice_rec["id"]
project_rec = record(project_key, "project_key", "project:p1", NOW, scopes=["endpoints:run"])
p_id = project_rec["id"]
orphan_rec = record(orphan_project_key, "project_key", "project:gone", NOW)


def b64json(obj):
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def signed(header, claims):
    msg = b64json(header) + "." + b64json(claims)
    return msg + "." + b64u(hmac.new(SECRET, msg.encode(), hashlib.sha256).digest())


def claims(**extra):
    c = {"iss": ISS, "aud": "admin-api", "sub": "alice", "iat": NOW - 10, "exp": NOW + 3000, "sid": "s-alice",
         "jti": "t-1"}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not None}


def tok(**extra):
    return hs256(SECRET, claims(**extra), kid="hs")


cases = []
case = adder(cases)


def delegate(name, source, expect, scopes=("deployments:read",), lifetime=3600, then=None, **fields):
    extra = {"kind": "session", "from": source, "principals": PRINCIPALS, "actor": "mobile-app",
             "scopes": list(scopes), "lifetime": lifetime, "signing": SIGNING}
    if then is not None:
        extra["then"] = then
    extra.update(fields)
    case(name, "delegate", expect, **extra)


def ok_verified(**verified):
    return {"ok": True, "verified": dict({"ok": True}, **verified)}


# --- delegation never outlives the credential it came from -------------------
delegate("a 60-second session yields at most a 60-second delegation", {"token": tok(exp=NOW + 60)},
         dict(ok_verified(expires_at=NOW + 60, actor_chain=["mobile-app"]), lifetime=60))
delegate("a shorter delegation keeps its own lifetime", {"token": tok()},
         {"ok": True, "lifetime": 300}, lifetime=300)
delegate("the kind's max_lifetime still caps a long-lived parent", {"token": tok(exp=NOW + 100000)},
         {"ok": True, "lifetime": 3600}, lifetime=100000)
delegate("re-delegation keeps the first parent's horizon",
         {"token": tok(exp=NOW + 100, act={"sub": "web-app"}, scope="deployments:read")},
         dict(ok_verified(actor_chain=["mobile-app", "web-app"], expires_at=NOW + 100), lifetime=100))
delegate("a delegation is refused once its parent's horizon has passed",
         {"token": tok(exp=NOW + 60)}, ok_verified(ok=False, code="expired"),
         then={"now": NOW + 200})
delegate("an expired delegating credential delegates nothing",
         {"identity": {"principal": PRINCIPALS[0],
                       "credential": {"kind": "session", "session": "s-alice", "expires_at": NOW - 1}}},
         {"ok": False, "code": "expired"})
delegate("a session delegation keeps the session: revoking it revokes the delegation", {"token": tok()},
         ok_verified(ok=False, code="session_revoked"), then={"revoked_sessions": ["s-alice"]})
# --- a delegation made with an API key is bound to the key -------------------
delegate("a delegation made with a key names the key", {"key": alice_key, "record": alice_rec},
         dict(ok_verified(principal="user:alice", key_id=a_id, actor_chain=["mobile-app"]), lifetime=3600))
delegate("the key's expiry caps the delegation", {"key": alice_key, "record": dict(alice_rec, expires_at=NOW + 120)},
         dict(ok_verified(key_id=a_id, expires_at=NOW + 120), lifetime=120))
delegate("a key-bound delegation is refused once the key is revoked", {"key": alice_key, "record": alice_rec},
         ok_verified(ok=False, code="revoked"), then={"revoked_keys": [a_id]})
delegate("re-delegating a key-bound token keeps the binding",
         {"token": tok(sid=None, key_id=a_id, act={"sub": "web-app"}, scope="deployments:read")},
         ok_verified(key_id=a_id, actor_chain=["mobile-app", "web-app"]))
delegate("a re-delegated key-bound token is refused once the key is revoked",
         {"token": tok(sid=None, key_id=a_id, act={"sub": "web-app"}, scope="deployments:read")},
         ok_verified(ok=False, code="revoked"), then={"revoked_keys": [a_id]})
delegate("a delegation may not ask for more than the key allows", {"key": alice_key,
                                                                     "record": dict(alice_rec, scopes=["audit:read"])},
         {"ok": False, "code": "scope_escalation"})
case("a key-bound token is refused when its key is revoked", "authorize_request",
     {"allowed": False, "code": "revoked", "status": 401},
     request={"method": "GET", "path": "/api/deployments/web",
              "headers": {"authorization": "Bearer " + tok(sid=None, key_id=a_id, act={"sub": "m"},
                                                          scope="deployments:read")}},
     principals=PRINCIPALS, revoked_keys=[a_id])
case("a key-bound token's audit record names the key", "authorize_request",
     {"allowed": True, "audit": {"actor": {"principal": "user:alice", "key_id": a_id, "actor_chain": ["m"]}}},
     request={"method": "GET", "path": "/api/deployments/web",
              "headers": {"authorization": "Bearer " + tok(sid=None, key_id=a_id, act={"sub": "m"},
                                                          scope="deployments:read")}},
     principals=PRINCIPALS)
case("a key_id claim that is no key id", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(key_id="../../x"))

# --- rotation never widens in time -------------------------------------------
case("a rotated key inherits a scheduled revocation", "rotate_key",
     {"ok": True, "new": {"revoked_at": NOW + 500, "rolled_from": a_id, "owner": "user:alice"},
      "old": {"id": a_id, "expires_at": NOW + 60}},
     record=dict(alice_rec, revoked_at=NOW + 500), grace=60)
case("the new key never outlives the old one; the old one gets its grace", "rotate_key",
     {"ok": True, "new": {"expires_at": NOW + 1000}, "old": {"expires_at": NOW + 60}},
     record=dict(alice_rec, expires_at=NOW + 1000), grace=60, expires_at=NOW + 5000)
case("a revoked key cannot be rotated", "rotate_key", {"ok": False, "code": "revoked"},
     record=dict(alice_rec, revoked_at=NOW - 1))
case("a key on the host's revoked list cannot be rotated", "rotate_key", {"ok": False, "code": "revoked"},
     record=alice_rec, revoked_keys=[a_id])
case("an expired key cannot be rotated", "rotate_key", {"ok": False, "code": "expired"},
     record=dict(alice_rec, expires_at=NOW - 1))
case("rotation never widens scopes", "rotate_key", {"ok": False, "code": "scope_escalation"},
     record=dict(alice_rec, scopes=["deployments:read"]), scopes=["deployments:read", "deployments:write"])

# --- times are unix seconds: milliseconds are refused, never a far future ----
case("a key record expiring in milliseconds is refused, not valid until the year 58884", "verify_key",
     {"ok": False, "code": "invalid_key_record"}, key=alice_key, record=dict(alice_rec, expires_at=(NOW + 3600) * 1000))
case("a rotation asking for an expiry in milliseconds is refused", "rotate_key",
     {"ok": False, "code": "invalid_argument"}, record=alice_rec, expires_at=(NOW + 3600) * 1000)

# --- keys act in their owner's tenant, with their owner's record ---------------
RUN = "/api/projects/p1/endpoints/nightly/run"
case("a key acting as itself needs its owner's record", "authorize_request",
     {"allowed": False, "code": "unknown_principal", "status": 401},
     request={"method": "POST", "path": RUN, "headers": {"x-api-key": orphan_project_key}},
     keys=[orphan_rec], principals=PRINCIPALS)
case("a key acting as itself is in its owner's tenant", "authorize_request",
     {"allowed": True, "principal": f"key:{p_id}", "tenant": "project:p1"},
     request={"method": "POST", "path": RUN, "headers": {"x-api-key": project_key}},
     keys=[project_rec], principals=PRINCIPALS)
case("a key record naming another tenant than its owner's is refused", "authorize_request",
     {"allowed": False, "code": "invalid_key_record"},
     request={"method": "POST", "path": "/api/projects/p2/endpoints/nightly/run",
              "headers": {"x-api-key": project_key}},
     keys=[dict(project_rec, tenant="project:p2")], principals=PRINCIPALS)
case("a personal key whose record names a foreign tenant is refused", "authorize_request",
     {"allowed": False, "code": "invalid_key_record"},
     request={"method": "GET", "path": "/api/deployments/web", "headers": {"x-api-key": alice_key}},
     keys=[dict(alice_rec, tenant="project:p9")], principals=PRINCIPALS)

# --- token fields that reach audit records ------------------------------------
case("a sub with a bidi override is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(sub="alice\u202egnp.exe"))
case("a sub with a zero-width joiner is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(sub="ali\u200dce"))
case("a sub over 256 bytes is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"}, token=tok(sub="a" * 257))
case("an act.sub with a newline is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(act={"sub": "app\n{\"forged\":true}"}, scope="deployments:read"))
case("an 11 KB act.sub is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(act={"sub": "x" * 11000}, scope="deployments:read"))
case("a nested act.sub with a format character is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(act={"sub": "a", "act": {"sub": "b\u2066"}}, scope="deployments:read"))
case("a sid with a newline is refused", "verify_jwt", {"ok": False, "code": "invalid_claim"},
     token=tok(sid="s\nforged"))
case("a non-ASCII sub of printable letters is accepted", "verify_jwt", {"ok": True, "principal": "user:zoë"},
     token=tok(sub="zoë"))
# --- attacker text in messages is escaped and cut -----------------------------
case("a kid with a newline is escaped in the message", "verify_jwt",
     {"ok": False, "code": "unknown_key", "message": "no key with kid `a\\u{a}audit: forged`"},
     token=signed({"alg": "HS256", "typ": "JWT", "kid": "a\naudit: forged"}, claims()))
case("a long kid is cut in the message", "verify_jwt",
     {"ok": False, "code": "unknown_key", "message": "no key with kid `" + "k" * 64 + "…`"},
     token=signed({"alg": "HS256", "typ": "JWT", "kid": "k" * 5000}, claims()))
case("a crit name with a newline is escaped", "verify_jwt",
     {"ok": False, "code": "unsupported_critical_header",
      "message": "critical header `x\\u{a}y` is not understood"},
     token=signed({"alg": "HS256", "typ": "JWT", "crit": ["x\ny"], "x\ny": 1}, claims()))
case("an alg with a newline is escaped", "verify_jwt",
     {"ok": False, "code": "unsupported_algorithm",
      "message": "algorithm `HS256\\u{a}` is not allowed for `session` tokens"},
     token=signed({"alg": "HS256\n", "typ": "JWT"}, claims()))
case("an issuer with a bidi override is escaped", "verify_jwt",
     {"ok": False, "code": "bad_issuer", "message": f"issuer `evil\\u{{202e}}` is not `{ISS}`"},
     token=tok(iss="evil\u202e"))

# --- policies: reserved subject types and unusable keys -----------------------
def policy_with(**session):
    p = json.loads(json.dumps(POLICY))
    p["credentials"]["session"].update(session)
    return p


RSA_N = b64u(b"\xc1" + bytes(rng.randrange(256) for _ in range(255)))
case("a jwt kind may not make its subjects service accounts", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_name", "path": "credentials.session.subject"},
     policy=policy_with(subject="service"))
case("a jwt kind may not make its subjects keys", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_name", "path": "credentials.session.subject"},
     policy=policy_with(subject="key"))
case("an RSA key with public exponent 1 is refused", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_jwk"},
     policy=policy_with(algorithms=["RS256"], jwks={"keys": [{"kty": "RSA", "n": RSA_N, "e": "AQ"}]}))
case("an RSA key with an even public exponent is refused", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_jwk"},
     policy=policy_with(algorithms=["RS256"], jwks={"keys": [{"kty": "RSA", "n": RSA_N, "e": "AQAA"}]}))
case("an EC key whose point is not on its curve is refused", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_jwk"},
     policy=policy_with(algorithms=["ES256"], jwks={"keys": [{"kty": "EC", "crv": "P-256",
                                                              "x": b64u(b"\x01" * 32), "y": b64u(b"\x02" * 32)}]}))
case("a route literal holding a character requests must encode is refused", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_route", "path": "routes[0].path"},
     policy=dict(POLICY, routes=[{"method": "GET", "path": "/api/caf\u00e9", "permission": "audit:read"}]))
case("a route literal holding ; is refused", "load_policy",
     {"ok": False, "code": "invalid_policy", "detail": "invalid_route", "path": "routes[0].path"},
     policy=dict(POLICY, routes=[{"method": "GET", "path": "/api/a;b", "permission": "audit:read"}]))

doc = {"description": "lifecycle: delegation and rotation in time, key binding, owners and tenants, hostile token "
                      "fields, escaped messages, refused keys (generated by tools/vectors/gen_lifecycle.py)",
       "policy": POLICY, "now": NOW, "cases": cases}
out = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "lifecycle.json"
out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(f"wrote lifecycle.json ({len(cases)} cases)")
